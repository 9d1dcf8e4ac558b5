#pragma once
/// \file The one rule by which time integrators cover an interval: n = max(1, ceil(|span|/dt - 1e-9)) equal
/// steps (a span that is a multiple of dt within 1e-9 takes exactly that many), each step ending on the grid
/// time t0 + k span / n so that no round-off accumulates in the sum of the step sizes.
#include <algorithm>
#include <cmath>
#include <string>

#include "fockmix/core/error.hpp"
#include "fockmix/core/types.hpp"

namespace fockmix {

/// Most steps one call may take (protects the float-to-integer conversion; validation refuses such
/// models with their key first).
inline constexpr double max_equal_steps = 1e12;

/// Number of equal steps of at most dt (> 0) covering `span`. Throws InputError("dt") beyond
/// max_equal_steps (also for a NaN span or dt).
inline Index equal_steps(double span, double dt) {
  const double n = std::ceil(std::abs(span) / dt - 1e-9);
  if (!(n <= max_equal_steps))
    throw InputError("", "dt", "time span / dt = " + std::to_string(n) + " steps, more than 1e12");
  return std::max<Index>(1, static_cast<Index>(n));
}

/// End of step k (1..n) of `equal_steps` from t0 over span; exactly t0 + span for k = n.
inline double step_end(double t0, double span, Index k, Index n) {
  return k == n ? t0 + span : t0 + span * static_cast<double>(k) / static_cast<double>(n);
}

}  // namespace fockmix
