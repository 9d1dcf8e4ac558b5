// Scan results and their fits (include/fockmix/analysis/scan_results.hpp).
#include "fockmix/analysis/scan_results.hpp"

namespace fockmix {

std::string to_string(ScanStatus s) {
  switch (s) {
    case ScanStatus::Running: return "running";
    case ScanStatus::Interrupted: return "interrupted";
    case ScanStatus::Completed: return "completed";
  }
  return "?";
}

std::vector<FitAxis> fit_axes(const ScanSpec& spec) {
  if (spec.fit_against == FitAgainst::Hbar) return {FitAxis::Hbar, FitAxis::N, FitAxis::M};
  return {FitAxis::N, FitAxis::M};
}

double fit_x(const ScanPoint& p, FitAxis axis) {
  switch (axis) {
    case FitAxis::N: return static_cast<double>(p.model.bosons.number);
    case FitAxis::M: return static_cast<double>(p.model.fermions.number);
    case FitAxis::Hbar: return p.model.hbar;
  }
  return 0.0;
}

std::vector<ScanFit> fit_scan(const ScanSpec& spec, const std::vector<ScanPointResult>& all_points) {
  std::vector<const ScanPointResult*> points;
  for (const auto& r : all_points)
    if (r.point.value >= spec.fit_from) points.push_back(&r);
  std::vector<ScanFit> fits;
  for (FitAxis axis : fit_axes(spec)) {
    std::vector<double> xs;
    for (const auto* r : points) xs.push_back(fit_x(r->point, axis));
    for (std::size_t q = 0; q < scan_quantities().size(); ++q) {
      ScanFit f;
      f.quantity = q;
      f.axis = axis;
      // a missing value is NaN, which fit_power_law skips
      std::vector<double> ys;
      for (const auto* r : points) ys.push_back(r->max_value[q]);
      f.columns.push_back(fit_power_law(xs, ys));
      for (std::size_t k = 0; k < spec.times.size(); ++k) {
        ys.clear();
        for (const auto* r : points) ys.push_back(r->at_times[q][k]);
        f.columns.push_back(fit_power_law(xs, ys));
      }
      fits.push_back(std::move(f));
    }
  }
  return fits;
}

}  // namespace fockmix
