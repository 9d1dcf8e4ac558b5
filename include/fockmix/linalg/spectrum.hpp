#pragma once
/// \file Eigen-decompositions of small real symmetric matrices with the one eigenvector sign convention of
/// fockmix (reproducibility): every eigenvector is real with its largest-magnitude entry positive (the
/// first such entry when several agree within 1e-9 relative).
#include <armadillo>

namespace fockmix {

/// Flip v so that the convention above holds (no change for a zero vector).
void fix_eigenvector_sign(arma::vec& v);

/// Eigenvalues (ascending) and orthonormal eigenvectors (columns, signs fixed as above).
struct Spectrum {
  arma::vec values;
  arma::mat vectors;
};

/// Diagonalise the symmetric part of h (LAPACK via arma::eig_sym) and fix the signs. Throws Error if LAPACK
/// fails (non-finite entries).
Spectrum canonical_eig(const arma::mat& h);

}  // namespace fockmix
