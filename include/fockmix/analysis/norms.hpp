#pragma once
/// \file Matrix norms and the mean-field comparison quantities of SPEC §6 (fixed-number picture).
#include <armadillo>

#include "fockmix/core/types.hpp"

namespace fockmix {

/// Trace norm sum_k |lambda_k| of the Hermitian part (A + A^*)/2 (eigenvalues by arma::eig_sym).
/// For the Hermitian differences of density matrices this is the trace norm; an anti-Hermitian part
/// (round-off) is discarded. Throws InputError for a non-square matrix; 0 for an empty one.
double trace_norm(const arma::cx_mat& A);

/// Hilbert–Schmidt (Frobenius) norm sqrt(sum |A_ij|^2) of A itself.
double hs_norm(const arma::cx_mat& A);

/// Operator norm max_k |lambda_k| of the Hermitian part (A + A^*)/2 (as trace_norm); 0 for an empty matrix.
double operator_norm(const arma::cx_mat& A);

/// Mean-field errors and fluctuation numbers at one time (SPEC §6). Relative errors of a species with no
/// particles (M = 0 or N = 0) are defined as 0.
struct MeanFieldComparison {
  double eF_trace = 0, eB_trace = 0;  ///< ||gamma_F - omega||_Tr / M ; ||gamma_B - N |phi><phi| ||_Tr / N   (2.16), (2.17)
  double eF_hs = 0, eB_hs = 0;        ///< the same with the Hilbert–Schmidt norm, divided by M and N
  double rhoF_l1 = 0, rhoB_l1 = 0;    ///< sum_x |gamma_F(x,x) - omega(x,x)| / M ; sum_y |gamma_B(y,y)/N - |phi(y)|^2|
  double nF_exc = 0, nB_exc = 0;      ///< 2 Re Tr[gamma_F (1 - omega)] (particles + holes) ; N - <phi, gamma_B phi>
};

/// Compare exact RDMs with a mean-field state. gamma_F(x,x') = <a*_{x'} a_x> (L x L), gamma_B likewise,
/// omega the L x L mean-field projection, phi the normalised condensate (L). Throws InputError on mismatched sizes.
MeanFieldComparison compare(const arma::cx_mat& gamma_F, const arma::cx_mat& gamma_B, const arma::cx_mat& omega,
                            const arma::cx_vec& phi, Index M, Index N);

}  // namespace fockmix
