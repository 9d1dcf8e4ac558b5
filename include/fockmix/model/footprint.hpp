#pragma once
/// \file Sector dimensions and the memory the exact solver will need, computed before any work.
#include <string>

#include "fockmix/core/types.hpp"
#include "fockmix/model/model.hpp"

namespace fockmix {


/// The propagator of the exact solver: Lanczos (krylov.hpp, krylov_dim + 1 stored vectors) or the
/// memory-lean Chebyshev expansion (chebyshev.hpp, three work vectors).
enum class PropagatorKind { Lanczos, Chebyshev };

/// State vectors the solver holds with each propagator, besides the Krylov basis: psi, plus one Lanczos work
/// vector (Lanczos: krylov_dim + 2 states in all) or the three Chebyshev recurrence buffers (Chebyshev: 4 states
/// in all). The energy needs no state of its own (SectorHamiltonian::expectation).
inline constexpr Index kLanczosExtraStates = 2;
inline constexpr Index kChebyshevStates = 4;
/// Chebyshev serves up to this many consecutive output times from one expansion (ChebyshevPropagator::
/// propagate_window) when the memory limit holds that many more states: each costs a state, and a read and a write
/// of one per term while it takes terms.
inline constexpr Index kMaxChebyshevWindow = 8;
/// Auto chooses Lanczos only with at least min(max_krylov_dim, this) vectors: a Krylov space smaller than
/// this needs many sub-steps per unit time, where Chebyshev needs a similar number of matvecs in 4 states.
inline constexpr Index kMinAutoKrylovDim = 16;

/// The propagator and its memory for a sector.
struct PropagatorChoice {
  PropagatorKind kind = PropagatorKind::Lanczos;
  Index krylov_dim = 0;    ///< Lanczos: the Krylov dimension (4 <= krylov_dim <= max); Chebyshev: 0
  Index window = 0;        ///< Chebyshev: output times per expansion (1, or 2..kMaxChebyshevWindow with as many more states)
  double total_bytes = 0;  ///< estimated peak of the solver: states + tables
  bool fits = false;       ///< total_bytes <= the limit (false: not even the chosen propagator fits)
};

/// Dimensions and memory of the exact solver for a model (SPEC §3: D_F = C(L,M), D_B = C(N+L-1,N) or capped).
struct ExactFootprint {
  Index dim_fermions = 0;   ///< D_F
  Index dim_bosons = 0;     ///< D_B
  Index dim = 0;            ///< D = D_F D_B
  Index krylov_dim = 0;     ///< Krylov vectors that fit the memory limit (<= the model's krylov_dim; 0 if < 4)
  double state_bytes = 0;   ///< one complex state vector
  double table_bytes = 0;   ///< bases, move tables and kernel matrices
  double moments_bytes = 0; ///< b(phi) psi of the fluctuation moments (D_F x D_B(N - 1)), when Hartree–Hartree runs
  PropagatorKind propagator = PropagatorKind::Lanczos;  ///< choose_propagator's automatic choice
  Index chebyshev_window = 0;  ///< with Chebyshev: output times per expansion (PropagatorChoice::window)
  double total_bytes = 0;   ///< estimated peak with that propagator: (krylov_dim + 2) or 4 (+ window) states + tables + moments
  bool fits = false;        ///< total_bytes within the memory limit
};

/// Estimate for a model; throws CapacityError if a dimension overflows 2^63.
ExactFootprint exact_footprint(const Model& model);

/// Krylov vectors (4 <= m <= max_dim) that fit `limit_bytes` next to kLanczosExtraStates states and `table_bytes`;
/// returns 0 if fewer than 4 (the Krylov propagator's minimum) fit. Never more than fit.
Index krylov_dim_for_memory(Index dim, Index max_dim, double table_bytes, double limit_bytes);

/// The propagator for a sector of `dim` states under `limit_bytes`: with Auto, Lanczos with
/// krylov_dim_for_memory vectors if at least min(max_krylov_dim, kMinAutoKrylovDim) fit, else Chebyshev, with a
/// window of as many output states (2 to kMaxChebyshevWindow) as fit beside its 4 states, else 1.
/// A forced Lanczos gets the dimension that fits (fits = false if fewer than 4 do).
/// \param max_krylov_dim >= 4 (throws InputError otherwise)
PropagatorChoice choose_propagator(Index dim, Index max_krylov_dim, double table_bytes, double limit_bytes,
                                   PropagatorPreference preference = PropagatorPreference::Auto);

/// Physical memory of this machine in bytes (sysconf).
double physical_memory_bytes();

/// A byte count for people: "3.78 GiB", "183.0 MiB", "12 KiB".
std::string format_bytes(double bytes);

}  // namespace fockmix
