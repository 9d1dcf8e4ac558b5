#pragma once
/// \file The one rule for when a kernel loop is worth threading (OpenMP lives only in kernels): below
/// `parallel_min_work` units of work, forking and joining threads costs more than the loop saves. Kernels
/// pass their natural count (vector entries, sector states, phase-space cells) to `worth_threading`.
#include "fockmix/core/types.hpp"

namespace fockmix {

/// Work units (about one memory access and a few flops each) below which kernels run on one thread.
inline constexpr Index parallel_min_work = Index(1) << 15;

/// Whether a loop over `work` units should open an OpenMP parallel region.
inline constexpr bool worth_threading(Index work) noexcept { return work >= parallel_min_work; }

}  // namespace fockmix
