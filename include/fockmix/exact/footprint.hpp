#pragma once
/// \file Sector dimensions and the memory the exact solver will need, computed before any work.
#include <string>

#include "fockmix/core/types.hpp"

namespace fockmix {

struct Model;

/// Dimensions and memory of the exact solver for a model (SPEC §3: D_F = C(L,M), D_B = C(N+L-1,N) or capped).
struct ExactFootprint {
  Index dim_fermions = 0;   ///< D_F
  Index dim_bosons = 0;     ///< D_B
  Index dim = 0;            ///< D = D_F D_B
  Index krylov_dim = 0;     ///< Krylov vectors that fit the memory limit (<= the model's krylov_dim)
  double state_bytes = 0;   ///< one complex state vector
  double table_bytes = 0;   ///< bases, move tables and kernel matrices
  double total_bytes = 0;   ///< estimated peak: (krylov_dim + 3) states + tables
};

/// Estimate for a model; throws CapacityError if a dimension overflows 2^63.
ExactFootprint exact_footprint(const Model& model);

/// Krylov vectors (2 <= m <= max_dim) that fit `limit_bytes` next to 3 working states and `table_bytes`;
/// returns 0 if not even 2 fit.
Index krylov_dim_for_memory(Index dim, Index max_dim, double table_bytes, double limit_bytes);

/// Physical memory of this machine in bytes (sysconf).
double physical_memory_bytes();

/// A byte count for people: "3.78 GiB", "183.0 MiB", "12 KiB".
std::string format_bytes(double bytes);

}  // namespace fockmix
