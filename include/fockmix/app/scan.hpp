#pragma once
/// \file `fockmix scan`: a family of models along a scaling regime of SPEC §8, one run per point
/// (run_model), the errors of SPEC §6 at chosen times and their maximum over [0, T], and least-squares
/// power-law fits of every error against N and M, next to the rates of Theorem 1.
///
/// The umbrella header of scans (the command line includes only this one). The pieces:
/// * model/scan_spec.hpp: the scan description (ScanSpec, ScanPoint, the regimes and rules);
/// * io/scan_file.hpp: reading scan files (parse_scan, load_scan, validate_scan, is_scan_file);
/// * app/scan_plan.hpp: the points, their ids and point files;
/// * analysis/scan_quantities.hpp: the recorded quantities, one table;
/// * analysis/fit.hpp, analysis/scan_results.hpp: power-law fits and the results;
/// * io/scan_h5.hpp: the scan HDF5 file; app/scan_report.hpp: the terminal tables;
/// * here: running and resuming a scan.
///
/// Scan files are TOML with a `[scan]` table (models/README.md, "Scan files"); the scan HDF5 layout and
/// the resume design are in docs/scaling.md. In short: every finished point is its own run file
/// `<output stem>_points/<point id>.h5`, whose name is derived from the point's parameters; a restarted
/// scan reuses every completed point file whose parameters match, and the scan file is rebuilt from the
/// point files after each point.
#include <atomic>
#include <functional>
#include <string>

#include "fockmix/analysis/fit.hpp"
#include "fockmix/analysis/scan_quantities.hpp"
#include "fockmix/analysis/scan_results.hpp"
#include "fockmix/app/scan_plan.hpp"
#include "fockmix/app/scan_report.hpp"
#include "fockmix/core/types.hpp"
#include "fockmix/io/scan_file.hpp"
#include "fockmix/io/scan_h5.hpp"
#include "fockmix/model/scan_spec.hpp"

namespace fockmix {

/// What the progress hook sees.
struct ScanProgress {
  Index points_done = 0;        ///< finished (reused included)
  Index points_total = 0;
  Index running = 0;            ///< points in flight
  double fraction = 0.0;        ///< estimated fraction of the work done (cost ~ D (M + N) T per point)
  double eta_seconds = -1.0;    ///< estimated time left (< 0: unknown yet)
  std::string note;             ///< the latest event, e.g. "M = 4: t = 1.2, e_F = 3.1e-02"
};

/// Hooks: progress (called under a lock, from any thread), and a stop flag that ends the running points
/// after their current output time and starts no new ones; the finished points are kept.
struct ScanHooks {
  std::function<void(const ScanProgress&)> progress;
  const std::atomic<bool>* stop = nullptr;
  /// Called with each point just before it starts (for tests and logs).
  std::function<void(const ScanPoint&)> point_started;
};

/// Run (or resume) a scan: skips points whose completed point file matches their parameters, runs the
/// others (one after another with all threads, or `parallel_points` at a time if D <= parallel_max_dim),
/// and rewrites the scan file after every point. Validates the scan first.
ScanResult run_scan(const ScanSpec& spec, const ScanHooks& hooks = {});

/// Rebuild the result of a scan from its point files only (no runs): the points not finished are left out.
ScanResult collect_scan(const ScanSpec& spec);

}  // namespace fockmix
