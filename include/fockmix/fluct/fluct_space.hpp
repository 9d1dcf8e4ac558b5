#pragma once
/// \file The truncated fluctuation Fock space of SPEC §7 (docs/fluctuations.md §3).
///
/// Fermions: the particle–hole excitations with equal numbers of particles and holes around the Fermi sea
/// omega(t) are represented by the M-fermion sector in the *mode basis* e_0(t), ..., e_{L-1}(t): modes
/// 0..M-1 are the occupied orbitals, modes M..L-1 complete them, and all modes evolve under h_F. A basis state
/// S = {s_1 < ... < s_M} of mode labels stands for the fluctuation vector
///   xi_S = R_t^* a*(e_{s_1}(t)) ... a*(e_{s_M}(t)) Omega_F,
/// which has |S ∩ {M..L-1}| particles and as many holes; dimension C(L, M). The fluctuation vacuum is
/// S = {0..M-1} (index 0) and the fluctuation number is N_F(S) = 2 |S ∩ {M..L-1}| (diagonal).
/// Bosons: excitations with 0..K_B quanta, BosonBasis(L, 0, K_B) (b*_y truncated at the top shell, b_y its adjoint).
/// States are D_F x D_B column-major matrices, psi[i + j D_F], as for exact sectors.
#include <cstdint>
#include <vector>

#include "fockmix/core/types.hpp"
#include "fockmix/fock/boson_basis.hpp"
#include "fockmix/fock/fermion_basis.hpp"
#include "fockmix/fock/hop_table.hpp"

namespace fockmix {

class FluctuationSpace {
 public:
  /// \param sites L in [1, 64]  \param fermions M in [0, L]  \param boson_cutoff K_B >= 0 (total boson quanta kept)
  /// Throws InputError naming the parameter.
  FluctuationSpace(Index sites, Index fermions, Index boson_cutoff);

  Index sites() const noexcept { return L_; }
  Index fermions() const noexcept { return M_; }
  Index boson_cutoff() const noexcept { return KB_; }
  /// Mode-basis M-fermion sector (labels = modes).
  const FermionBasis& fermion_basis() const noexcept { return F_; }
  /// Bosons with 0..K_B quanta.
  const BosonBasis& boson_basis() const noexcept { return B_; }
  const HopTable& fermion_moves() const noexcept { return moves_F_; }
  const HopTable& boson_moves() const noexcept { return moves_B_; }
  Index dim_fermions() const noexcept { return F_.size(); }
  Index dim_bosons() const noexcept { return B_.size(); }
  /// D = C(L, M) x C(K_B + L, L).
  Index size() const noexcept { return F_.size() * B_.size(); }

  /// Index of the fluctuation vacuum (modes 0..M-1 filled, no bosons): 0.
  Index vacuum() const noexcept { return 0; }
  /// Fermionic fluctuation number N_F (particles + holes) of fermion state i.
  int fermion_number(Index i) const { return nF_[static_cast<std::size_t>(i)]; }
  /// Boson number N_B of boson state j.
  int boson_number(Index j) const { return nB_[static_cast<std::size_t>(j)]; }
  /// Rank of boson state j with one quantum less at site y (b_y), or -1 if n_y(j) = 0.
  Index lower(Index j, Index y) const { return lower_[static_cast<std::size_t>(j * L_ + y)]; }
  /// Rank of boson state j with one quantum more at site y (b*_y), or -1 if N_B(j) = K_B.
  Index raise(Index j, Index y) const { return raise_[static_cast<std::size_t>(j * L_ + y)]; }

  /// Bytes held by the bases and tables.
  double table_bytes() const;

 private:
  Index L_, M_, KB_;
  FermionBasis F_;
  BosonBasis B_;
  HopTable moves_F_, moves_B_;
  std::vector<int> nF_, nB_;
  std::vector<Index> lower_, raise_;
};

/// Dimension C(L, M) C(K_B + L, L) of the fluctuation space without building it (CapacityError on overflow).
Index fluctuation_dimension(Index sites, Index fermions, Index boson_cutoff);

/// Sizes for `fockmix info`.
struct FluctuationFootprint {
  Index dim_fermions = 0;   ///< C(L, M)
  Index dim_bosons = 0;     ///< C(K_B + L, L)
  Index dim = 0;            ///< product
  double state_bytes = 0;   ///< one complex state
  double table_bytes = 0;   ///< bases and move tables (estimate)
  double total_bytes = 0;   ///< two states (U, U~) + (krylov_dim + 1) Krylov vectors + 2 work vectors + tables
};

/// Estimate without building anything. \param krylov_dim >= 4
FluctuationFootprint fluctuation_footprint(Index sites, Index fermions, Index boson_cutoff, Index krylov_dim = 30);

}  // namespace fockmix
