#pragma once
/// \file Least-squares power laws y = e^a x^b, fitted as straight lines on logs, with standard errors
/// (the scans' error exponents, analysis/scan_results.hpp).
#include <limits>
#include <vector>

#include "fockmix/core/types.hpp"

namespace fockmix {

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

}  // namespace fockmix
