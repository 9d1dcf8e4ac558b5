#pragma once
/// \file Observables of a sector state (psi as the D_F x D_B coefficient matrix): one-particle reduced
/// density matrices (2.2)/(3.8), one-body operators dGamma(A), fluctuation-number moments.
#include <armadillo>

#include "fockmix/exact/sector.hpp"
#include "fockmix/linalg/vector_ops.hpp"

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

/// What one pass of observe computes.
enum class ObserveParts {
  View,     ///< gamma_F, gamma_B and the densities (the exact solver's view after every step); no moments
  Moments,  ///< only the fluctuation moments (per output, against a Hartree–Hartree state): no RDM products
  All,      ///< both, from the same reads of psi
};

/// Everything an output time measures on a sector state, from one fused pass over psi.
struct SectorObservables {
  arma::cx_mat gamma_F;        ///< as rdm_fermions (L x L); empty with ObserveParts::Moments
  arma::cx_mat gamma_B;        ///< as rdm_bosons (L x L); empty with ObserveParts::Moments
  arma::vec density_F;         ///< real diagonal of gamma_F; empty with ObserveParts::Moments
  arma::vec density_B;         ///< real diagonal of gamma_B; empty with ObserveParts::Moments
  FluctuationMoments moments;  ///< zero with ObserveParts::View
};

/// The scratch of observe's moments, b(phi) psi (D_F x D_B(N - 1) numbers), kept by a caller that observes many
/// states of one sector (the exact solver, at every output): allocated at the first call that needs it, reused by
/// the next ones, so that they do not fault in fresh memory each time (on 12 6 6 an output's pass took 220 ms with a
/// fresh scratch, 199 ms with a kept one: docs/performance.md). Its memory is part of the footprint's peak either way.
class ObserveScratch {
 public:
  /// Uninitialised storage of `count` columns of `rows` numbers; the same storage again while the shape is the same.
  cplx* columns(Index rows, Index count) {
    if (u_.rows() != rows || u_.cols() != count) u_ = vec::StateBlock(rows, count);
    return u_.data();
  }

 private:
  vec::StateBlock u_;
};

/// gamma_F, gamma_B, the densities and the fluctuation moments, as `parts` asks, in one pass over the boson
/// columns of psi: each column and the columns its boson moves reach are read once, from cache, for the RDMs
/// and for N_F^exc psi, N_B^exc psi alike (column-local, no state-sized scratch besides b(phi) psi, a state of
/// N - 1 bosons). With ObserveParts::Moments the RDM products (the gamma_F move products and the boson Gram
/// matrices) are skipped. Results equal rdm_fermions, rdm_bosons and ||N^exc psi||^2 from
/// apply_fermion_one_body / apply_boson_one_body to rounding. omega (L x L) and phi (L) are read only when the
/// moments are asked for. With `scratch`, b(phi) psi is kept there (see ObserveScratch); without, allocated for the call.
SectorObservables observe(const Sector& sector, const cplx* psi, const arma::cx_mat& omega, const arma::cx_vec& phi,
                          ObserveParts parts, ObserveScratch* scratch = nullptr);

/// The fluctuation moments alone: observe(sector, psi, omega, phi, ObserveParts::Moments).moments.
/// \param omega L x L (the Hartree–Hartree gamma_F)  \param phi L (the condensate orbital)
FluctuationMoments fluctuation_moments(const Sector& sector, const cplx* psi, const arma::cx_mat& omega, const arma::cx_vec& phi);

}  // namespace fockmix
