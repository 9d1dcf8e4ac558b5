#pragma once
/// \file The product sector of M fermions and N bosons (SPEC §3): a view made of the two species bases
/// and their move tables. States in the sector are stored as D_F x D_B column-major matrices,
/// psi[i + j D_F] = <fermion state i, boson state j | psi>.
#include "fockmix/fock/boson_basis.hpp"
#include "fockmix/fock/fermion_basis.hpp"
#include "fockmix/fock/hop_table.hpp"

namespace fockmix {

class Sector {
 public:
  /// \param sites L  \param fermions M in [0, L]  \param bosons N >= 0  \param cap per-site boson cap (0 = none)
  Sector(Index sites, Index fermions, Index bosons, Index cap = 0);

  const FermionBasis& fermions() const noexcept { return F_; }
  const BosonBasis& bosons() const noexcept { return B_; }
  const HopTable& fermion_moves() const noexcept { return moves_F_; }
  const HopTable& boson_moves() const noexcept { return moves_B_; }
  Index sites() const noexcept { return F_.sites(); }
  Index dim_fermions() const noexcept { return F_.size(); }
  Index dim_bosons() const noexcept { return B_.size(); }
  /// D = D_F D_B.
  Index size() const noexcept { return F_.size() * B_.size(); }
  /// Fermion rows per cache block for kernels that gather whole boson columns: the block of every
  /// column (rows x D_B complex numbers) fits half the last-level cache; D_F when all of psi fits.
  Index cache_block_rows() const;

 private:
  FermionBasis F_;
  BosonBasis B_;
  HopTable moves_F_, moves_B_;
};

}  // namespace fockmix
