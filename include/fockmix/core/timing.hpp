#pragma once
/// \file Wall-clock timing of a kernel for the benchmark and the time prediction of `fockmix info`.
#include <algorithm>
#include <chrono>
#include <limits>

namespace fockmix {

/// Best (shortest) wall time in seconds of `repeats` calls of f, after `warm_up` untimed calls. On a shared
/// machine the best call is the one least disturbed by other processes: a stable figure, where the median
/// moves with their load.
template <class F>
double best_time(int repeats, F&& f, int warm_up = 0) {
  using clock = std::chrono::steady_clock;
  for (int k = 0; k < warm_up; ++k) f();
  double best = std::numeric_limits<double>::infinity();
  for (int k = 0; k < repeats; ++k) {
    const auto t0 = clock::now();
    f();
    best = std::min(best, std::chrono::duration<double>(clock::now() - t0).count());
  }
  return best;
}

}  // namespace fockmix
