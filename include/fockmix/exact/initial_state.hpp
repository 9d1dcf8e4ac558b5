#pragma once
/// \file Many-body initial data in a sector (SPEC §3, Assumption 1).
#include <armadillo>

#include "fockmix/exact/sector.hpp"

namespace fockmix {

/// Slater determinant coefficients <x_1 < ... < x_M | psi_F> = det[phi_j(x_i)] for orthonormal
/// orbitals (L x M columns). Normalised when the orbitals are orthonormal.
arma::cx_vec slater_determinant(const FermionBasis& basis, const arma::cx_mat& orbitals);

/// Product boson state phi^{(x)N}: coefficients sqrt(N!/prod n_y!) prod phi(y)^{n_y} on a fixed-N basis.
/// With a per-site cap the truncated vector is returned as is (its norm is below 1).
arma::cx_vec product_bosons(const BosonBasis& basis, const arma::cx_vec& phi);

/// psi_F (x) psi_B as the D_F x D_B coefficient matrix (column-major vector of length D).
arma::cx_vec product_state(const Sector& sector, const arma::cx_mat& orbitals, const arma::cx_vec& phi);

}  // namespace fockmix
