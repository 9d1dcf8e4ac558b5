#pragma once
/// \file What a scan produced: each finished point's quantities (analysis/scan_quantities.hpp) over time,
/// at the chosen times and their maximum over [0, T], and least-squares power-law fits of every quantity
/// against N and M (analysis/fit.hpp), next to the rates of Theorem 1.
#include <limits>
#include <string>
#include <vector>

#include "fockmix/analysis/fit.hpp"
#include "fockmix/analysis/scan_quantities.hpp"
#include "fockmix/core/types.hpp"
#include "fockmix/model/scan_spec.hpp"

namespace fockmix {

/// Results of one finished point (read back from its point file). The per-quantity vectors are indexed
/// like scan_quantities(); a quantity the point file lacks has an empty series and NaN values.
struct ScanPointResult {
  ScanPoint point;
  std::string file;       ///< its point file
  bool reused = false;    ///< taken from an earlier (interrupted) scan
  Index dim_fermions = 0, dim_bosons = 0, dim = 0, krylov_dim = 0;  ///< exact solver (0 without it)
  Index matvecs = 0;
  double seconds = 0.0;   ///< run time of the point (run_model's total)
  Index threads = 0;      ///< OpenMP threads it ran with
  std::vector<double> times;  ///< every output time
  /// each quantity at every output time
  std::vector<std::vector<double>> series = std::vector<std::vector<double>>(scan_quantities().size());
  /// max over [0, T]
  std::vector<double> max_value = std::vector<double>(scan_quantities().size(), std::numeric_limits<double>::quiet_NaN());
  /// at the chosen times
  std::vector<std::vector<double>> at_times = std::vector<std::vector<double>>(scan_quantities().size());
  /// Whether the point file had quantity q (index into scan_quantities()).
  bool has(std::size_t q) const { return !series[q].empty(); }
};

/// The x axis of a fit.
enum class FitAxis { N, M, Hbar };
/// "N", "M" or "hbar".
inline std::string to_string(FitAxis a) { return a == FitAxis::N ? "N" : a == FitAxis::M ? "M" : "hbar"; }
/// The axes fitted by a scan: {N, M} (fit_against = "particles") or {hbar, N, M} (fit_against = "hbar").
std::vector<FitAxis> fit_axes(const ScanSpec& spec);
/// The x value of a point on an axis: N, M or hbar.
double fit_x(const ScanPoint& p, FitAxis axis);

/// Fits of one quantity against one axis: column 0 is the maximum over [0, T], column k >= 1 the
/// chosen time times[k - 1].
struct ScanFit {
  std::size_t quantity = 0;  ///< index into scan_quantities()
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
  std::vector<ScanFit> fits;              ///< fit_axes(spec) x every quantity (axis-major, table order)
  double seconds = 0.0;                   ///< wall time of this invocation
};

/// The fits of every quantity against the axes fit_axes(spec) (from the finished points with value >= spec.fit_from);
/// points without a quantity are left out of its fits.
std::vector<ScanFit> fit_scan(const ScanSpec& spec, const std::vector<ScanPointResult>& points);

}  // namespace fockmix
