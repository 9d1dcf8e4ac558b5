#pragma once
/// \file Matrix norms of SPEC §6: trace norm, Hilbert–Schmidt norm, operator norm.
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

}  // namespace fockmix
