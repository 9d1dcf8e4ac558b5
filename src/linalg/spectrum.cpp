#include "fockmix/linalg/spectrum.hpp"

#include <cmath>

#include "fockmix/core/error.hpp"

namespace fockmix {

void fix_eigenvector_sign(arma::vec& v) {
  if (v.is_empty()) return;
  const double big = arma::abs(v).max();
  for (arma::uword i = 0; i < v.n_elem; ++i) {
    if (std::abs(v(i)) >= (1.0 - 1e-9) * big) {
      if (v(i) < 0.0) v *= -1.0;
      return;
    }
  }
}

Spectrum canonical_eig(const arma::mat& h) {
  Spectrum out;
  const arma::mat sym = 0.5 * (h + h.t());
  if (!arma::eig_sym(out.values, out.vectors, sym)) throw Error("canonical_eig: eigen-decomposition failed (non-finite matrix entries?)");
  for (arma::uword j = 0; j < out.vectors.n_cols; ++j) {
    arma::vec col = out.vectors.col(j);
    fix_eigenvector_sign(col);
    out.vectors.col(j) = col;
  }
  return out;
}

}  // namespace fockmix
