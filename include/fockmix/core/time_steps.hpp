#pragma once
/// \file The one rule by which time integrators cover an interval: n = max(1, ceil(|span|/dt - 1e-9)) equal
/// steps (a span that is a multiple of dt within 1e-9 takes exactly that many), each step ending on the grid
/// time t0 + k span / n so that no round-off accumulates in the sum of the step sizes.
#include <algorithm>
#include <atomic>
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

/// Covers [t0, t] in the `equal_steps` of at most dt, calling step(target) for each step (the callee advances
/// its state to `target`; the last target is exactly t). Reads `stop` (if not null) before every step and
/// returns false as soon as it is set, leaving the state at the last target reached; true when t is reached.
/// Every time integrator's evolve_to is this loop, so that all of them stop between steps the same way.
template <class Step>
bool step_through(double t0, double t, double dt, const std::atomic<bool>* stop, Step&& step) {
  const double span = t - t0;
  if (span == 0.0) return true;
  const Index n = equal_steps(span, dt);
  for (Index k = 1; k <= n; ++k) {
    if (stop != nullptr && stop->load(std::memory_order_relaxed)) return false;
    step(k == n ? t : step_end(t0, span, k, n));
  }
  return true;
}

}  // namespace fockmix
