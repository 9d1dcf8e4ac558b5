#pragma once
/// \file Observables of a distributed sector state (gamma_F, gamma_B, densities, fluctuation second moments),
/// each rank summing over its own boson columns and MPI_Allreduce combining the sums: every rank gets the result
/// of the serial `observe` (exact/observables.hpp) for the whole state.
#include <armadillo>
#include <vector>

#include "fockmix/distributed/distributed_hamiltonian.hpp"
#include "fockmix/exact/observables.hpp"

namespace fockmix {

/// The columns outside [j0, j1) that any move of `table` reaches from the columns [j0, j1), sorted. gamma_B and
/// N_B^exc need all of them (every pair of sites), the Hamiltonian only those with t_B(to, from) != 0.
std::vector<Index> move_targets_outside(const HopTable& table, Index j0, Index j1);

class DistributedObserver {
 public:
  /// Builds the exchange of move_targets_outside(boson moves, own block) once. Collective. Keeps H by reference.
  explicit DistributedObserver(const DistributedHamiltonian& H);

  /// As observe(sector, psi, omega, phi, moments) on the whole state (collective; every rank gets the result).
  /// omega (L x L) and phi (L) are read only with `moments`.
  SectorObservables observe(Vec psi, const arma::cx_mat& omega, const arma::cx_vec& phi, bool moments);

  /// The ghost columns of this rank, and the bytes it receives per observe (columns x D_F x 16).
  const std::vector<Index>& ghost_columns() const noexcept { return exchange_.columns(); }
  double ghost_bytes() const noexcept;

 private:
  const DistributedHamiltonian& H_;
  GhostExchange exchange_;
};

}  // namespace fockmix
