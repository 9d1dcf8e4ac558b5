#pragma once
/// \file `fockmix scan`: a family of models along a scaling regime of SPEC §8, one exact + Hartree–Hartree
/// run per point (run_model), the errors of SPEC §6 at chosen times and their maximum over [0, T], and
/// least-squares power-law fits of every error against N and M, next to the rates of Theorem 1.
///
/// Scan files are TOML with a `[scan]` table (models/README.md, "Scan files"); the scan HDF5 layout and
/// the resume design are in docs/scaling.md. In short: every finished point is its own run file
/// `<output stem>_points/<point id>.h5`, whose name is derived from the point's parameters; a restarted
/// scan reuses every completed point file whose parameters match, and the scan file is rebuilt from the
/// point files after each point.
#include <array>
#include <atomic>
#include <cmath>
#include <functional>
#include <iosfwd>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "fockmix/core/types.hpp"
#include "fockmix/io/model.hpp"

namespace fockmix {

// ---------------------------------------------------------------------------------------------
// Least-squares power laws

/// A straight-line fit log y = intercept + slope log x.
struct LinearFit {
  double slope = std::numeric_limits<double>::quiet_NaN();            ///< b
  double intercept = std::numeric_limits<double>::quiet_NaN();        ///< a
  double slope_stderr = std::numeric_limits<double>::quiet_NaN();     ///< standard error of b (needs n >= 3)
  double intercept_stderr = std::numeric_limits<double>::quiet_NaN(); ///< standard error of a (needs n >= 3)
  double residual_rms = std::numeric_limits<double>::quiet_NaN();     ///< sqrt(RSS / (n - 2)) of the logs (n >= 3)
  Index points = 0;                                                   ///< pairs used (x > 0, y > 0, both finite)
};

/// Ordinary least squares of log y = a + b log x over the pairs with x > 0 and y > 0 (finite); the other
/// pairs are skipped and not counted in `points`. The standard error of b is sqrt(s^2 / S_xx) with
/// s^2 = RSS / (n - 2). With n < 2 usable pairs, or all x equal, everything is NaN; with n = 2 the line
/// is exact and the standard errors are NaN. Throws InputError if the two vectors differ in length.
LinearFit fit_power_law(const std::vector<double>& xs, const std::vector<double>& ys);

// ---------------------------------------------------------------------------------------------
// Scan specification

/// The scaling regime (SPEC §8).
enum class ScanRegime {
  Microscopic,    ///< (2.18): lambda = 1/N, hbar = 1, N = M, m_F = m_B = 1/2
  Semiclassical,  ///< (2.20): lambda = 1/N, hbar = M^{-1/d}, m_B = hbar, m_F = 1, N = round(M^{1+1/d})
  Custom          ///< N (or M), lambda, hbar and the masses as lists or power laws
};

/// Which particle number the list `values` holds.
enum class ScanVariable { M, N };

/// How the box follows the lattice when the number of sites changes.
enum class BoxRule {
  Grow,  ///< spacing h fixed: the box ell_a = L_a h grows with L_a
  Fixed  ///< box ell_a of the base model fixed: h = ell_a / L_a is refined
};

/// How external potentials (traps and dynamic potentials of both species) follow the box.
enum class TrapRule {
  Fixed,  ///< unchanged in physical units (centres default to the box centre anyway)
  Box     ///< scaled with the box by s = ell / ell_base: harmonic strength / s^2, gaussian widths and explicit centres * s
};

/// A parameter of a custom scan: the base model's value, a constant, one value per point, or the power
/// law coef * X^power of X = M or N of the point.
struct ScanLaw {
  enum class Kind { Base, Constant, List, Power };
  Kind kind = Kind::Base;
  double constant = 0.0;
  std::vector<double> list;
  double coef = 1.0, power = 0.0;
  ScanVariable of = ScanVariable::M;
};

/// A parsed scan file. Every field maps to one key of models/README.md, "Scan files".
struct ScanSpec {
  std::string source;      ///< the scan file (for messages)
  std::string text;        ///< its text (echoed into the HDF5 file)
  std::string name;        ///< scan name (default: file stem)
  std::string base_path;   ///< the base model file (resolved relative to the scan file)
  Model base;              ///< the base model, loaded and validated
  ScanRegime regime = ScanRegime::Microscopic;
  ScanVariable vary = ScanVariable::M;
  std::vector<Index> values;  ///< M values (or N values with vary = N), >= 1, distinct
  // the lattice along the scan (at most one rule; none keeps the base lattice)
  double sites_per_fermion = 0.0;                 ///< > 0: L = round(r M) (per axis in d > 1, see README)
  Index extra_sites = -1;                         ///< >= 0: L = M + c (1D)
  std::vector<std::vector<Index>> sites;          ///< explicit lattice of every point
  BoxRule box = BoxRule::Grow;
  TrapRule trap = TrapRule::Fixed;
  // custom regime
  ScanLaw N_law, M_law, lambda_law, hbar_law, mass_F_law, mass_B_law;
  // time
  double horizon = 0.0;              ///< T (default: the base model's time.final)
  double output_every = 0.0;         ///< output interval (default: the base model's)
  std::vector<double> times;         ///< chosen times in (0, T], each an output time
  Index fit_from = 0;                ///< fits use the points whose scanned value is >= this (0: all points)
  // output and execution
  std::string output;                ///< scan HDF5 file (relative to the working directory)
  int threads = 0;                   ///< OpenMP threads in all (0 = all cores)
  int parallel_points = 1;           ///< points run at once when small
  Index parallel_max_dim = 200000;   ///< "small": D <= this
  std::vector<std::string> warnings; ///< e.g. the d = 1 semiclassical regime violating (2.15)
};

/// One point of a scan: its model (output = its point file, threads unset) and what the regime made of it.
struct ScanPoint {
  Model model;
  Index value = 0;             ///< the entry of `values`
  Index index = 0;             ///< position in `values`
  double N_unrounded = 0.0;    ///< N before rounding to an integer (= N when no rounding)
  double M_unrounded = 0.0;    ///< M before rounding (custom scans over N)
  std::string id;              ///< parameter-derived identifier, e.g. "M004_N004_L8_1f2e3d4c"
  std::string fingerprint;     ///< every model parameter that changes the results, as text
  Index sites() const;         ///< L
  /// Exponent function A = lambda sqrt(N M / hbar) (1 + sqrt(hbar M / N)) of Theorem 1 (NOTES §1.3).
  double exponent_A() const;
};

/// Read a scan file: keys, types and ranges, the base model, the regime (no per-point memory check).
/// Every problem throws InputError(scan file, dotted key, reason).
ScanSpec parse_scan(const std::string& path);

/// Check every point of a parsed scan as a model (validate(Model)), memory included: the first point
/// that cannot run throws InputError(scan file, "scan.values[i]", the point and the model's reason).
void validate_scan(const ScanSpec& spec);

/// parse_scan + validate_scan: a scan that loads can run.
ScanSpec load_scan(const std::string& path);

/// Whether a TOML file is a scan file (it parses and has a [scan] table).
bool is_scan_file(const std::string& path);

/// The points, in the order of `values`.
std::vector<ScanPoint> scan_plan(const ScanSpec& spec);
/// Just their models.
std::vector<Model> scan_points(const ScanSpec& spec);

/// Folder of the point files: `<output without extension>_points`.
std::string scan_points_dir(const ScanSpec& spec);

/// Print every point's parameters, dimensions, memory and whether it fits; returns whether all fit.
bool scan_info(const ScanSpec& spec, std::ostream& out);

// ---------------------------------------------------------------------------------------------
// Running a scan

/// The quantities a scan records (SPEC §6, §8), in this order everywhere.
enum class ScanQuantity { EF_trace, EB_trace, EF_hs, EB_hs, NF_exc, NB_exc };
inline constexpr std::size_t scan_quantity_count = 6;
/// HDF5 / table names: eF_trace, eB_trace, eF_hs, eB_hs, nF_exc, nB_exc.
const char* to_string(ScanQuantity q);

/// Results of one finished point (read back from its point file).
struct ScanPointResult {
  ScanPoint point;
  std::string file;       ///< its point file
  bool reused = false;    ///< taken from an earlier (interrupted) scan
  Index dim_fermions = 0, dim_bosons = 0, dim = 0, krylov_dim = 0;
  Index matvecs = 0;
  double seconds = 0.0;   ///< run time of the point (run_model's total)
  Index threads = 0;      ///< OpenMP threads it ran with
  std::vector<double> times;                                        ///< every output time
  std::array<std::vector<double>, scan_quantity_count> series;      ///< each quantity at every output time
  std::array<double, scan_quantity_count> max_value{};              ///< max over [0, T]
  std::array<std::vector<double>, scan_quantity_count> at_times;    ///< at the chosen times
};

/// The x axis of a fit.
enum class FitAxis { N, M };

/// Fits of one quantity against one axis: column 0 is the maximum over [0, T], column k >= 1 the
/// chosen time times[k - 1].
struct ScanFit {
  ScanQuantity quantity = ScanQuantity::EF_trace;
  FitAxis axis = FitAxis::N;
  std::vector<LinearFit> columns;
};

/// Where a scan stands: `Running` while points are still being worked on (the scan file then holds the
/// points finished so far), `Interrupted` when it ended with points missing, `Completed` with all.
enum class ScanStatus { Running, Interrupted, Completed };
std::string to_string(ScanStatus s);  ///< "running", "interrupted", "completed" (the file's `status`)

struct ScanResult {
  ScanStatus status = ScanStatus::Completed;
  std::string output;                     ///< the scan HDF5 file
  std::vector<ScanPointResult> points;    ///< finished points, in the order of `values`
  Index points_total = 0, points_reused = 0;
  std::vector<ScanFit> fits;              ///< every quantity x {N, M}
  double seconds = 0.0;                   ///< wall time of this invocation
};

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

/// The fits of every quantity against N and M (from the finished points with value >= spec.fit_from).
std::vector<ScanFit> fit_scan(const ScanSpec& spec, const std::vector<ScanPointResult>& points);

/// The terminal table: one row per point, then the fitted exponents next to the theorems' rates.
void print_scan_summary(const ScanSpec& spec, const ScanResult& result, std::ostream& out);

/// Write the scan HDF5 file (docs/scaling.md) from a result; atomically (temporary file + rename).
void write_scan_file(const ScanSpec& spec, const ScanResult& result);

std::string to_string(ScanRegime r);

}  // namespace fockmix
