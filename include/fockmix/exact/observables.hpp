#pragma once
/// \file Observables of a sector state (psi as the D_F x D_B coefficient matrix): one-particle reduced
/// density matrices (2.2)/(3.8), one-body operators dGamma(A), fluctuation-number moments.
#include <armadillo>

#include "fockmix/exact/sector.hpp"

namespace fockmix {

/// gamma_F(x, x') = <psi, a*_{x'} a_x psi> (SPEC §3); Tr gamma_F = M ||psi||^2.
arma::cx_mat rdm_fermions(const Sector& sector, const cplx* psi);
/// gamma_B(y, y') = <psi, b*_{y'} b_y psi>; Tr gamma_B = N ||psi||^2.
arma::cx_mat rdm_bosons(const Sector& sector, const cplx* psi);

/// out = (dGamma_F(A) (x) 1) psi, dGamma(A) = sum_{x,x'} A(x,x') a*_x a_x' (A: L x L complex).
void apply_fermion_one_body(const Sector& sector, const arma::cx_mat& A, const cplx* psi, cplx* out);
/// out = (1 (x) dGamma_B(A)) psi.
void apply_boson_one_body(const Sector& sector, const arma::cx_mat& A, const cplx* psi, cplx* out);

/// Second moments of the fluctuation numbers in the fixed-number picture (SPEC §6):
/// <(N_F^exc)^2> with N_F^exc = 2 dGamma_F(1 - omega), and <(N_B^exc)^2> with N_B^exc = dGamma_B(1 - |phi><phi|).
/// Each is ||N^exc psi||^2 (the operators are Hermitian).
struct FluctuationMoments {
  double nF = 0, nF2 = 0;  ///< <N_F^exc>, <(N_F^exc)^2>
  double nB = 0, nB2 = 0;  ///< <N_B^exc>, <(N_B^exc)^2>
};
FluctuationMoments fluctuation_moments(const Sector& sector, const cplx* psi, const arma::cx_mat& omega, const arma::cx_vec& phi);

}  // namespace fockmix
