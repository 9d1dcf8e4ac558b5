// Least-squares power laws (include/fockmix/analysis/fit.hpp).
#include "fockmix/analysis/fit.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "fockmix/core/error.hpp"

namespace fockmix {

LinearFit fit_power_law(const std::vector<double>& xs, const std::vector<double>& ys) {
  if (xs.size() != ys.size())
    throw InputError("", "fit_power_law", fmt::format("{} x values but {} y values", xs.size(), ys.size()));
  std::vector<double> u, v;
  for (std::size_t i = 0; i < xs.size(); ++i) {
    if (!(xs[i] > 0.0) || !(ys[i] > 0.0) || !std::isfinite(xs[i]) || !std::isfinite(ys[i])) continue;
    u.push_back(std::log(xs[i]));
    v.push_back(std::log(ys[i]));
  }
  LinearFit fit;
  const auto n = static_cast<Index>(u.size());
  fit.points = n;
  if (n < 2) return fit;
  const double nd = static_cast<double>(n);
  const double ubar = std::accumulate(u.begin(), u.end(), 0.0) / nd;
  const double vbar = std::accumulate(v.begin(), v.end(), 0.0) / nd;
  double Suu = 0.0, Suv = 0.0;
  for (Index i = 0; i < n; ++i) {
    Suu += (u[i] - ubar) * (u[i] - ubar);
    Suv += (u[i] - ubar) * (v[i] - vbar);
  }
  // all x equal (up to round-off of the logs): no slope
  if (!(Suu > 1e-24 * std::max(1.0, ubar * ubar) * nd)) return fit;
  fit.slope = Suv / Suu;
  fit.intercept = vbar - fit.slope * ubar;
  if (n < 3) return fit;
  double rss = 0.0;
  for (Index i = 0; i < n; ++i) {
    const double r = v[i] - fit.intercept - fit.slope * u[i];
    rss += r * r;
  }
  const double s2 = rss / (nd - 2.0);
  fit.residual_rms = std::sqrt(s2);
  fit.slope_stderr = std::sqrt(s2 / Suu);
  fit.intercept_stderr = std::sqrt(s2 * (1.0 / nd + ubar * ubar / Suu));
  return fit;
}

}  // namespace fockmix
