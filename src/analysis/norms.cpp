#include "fockmix/analysis/norms.hpp"

#include <string>

#include "fockmix/core/error.hpp"

namespace fockmix {

namespace {

arma::vec hermitian_eigenvalues(const arma::cx_mat& A, const char* who) {
  if (A.n_rows != A.n_cols)
    throw InputError("", who, "needs a square matrix, got " + std::to_string(A.n_rows) + " x " + std::to_string(A.n_cols));
  if (A.n_elem == 0) return arma::vec();
  arma::vec ev;
  if (!arma::eig_sym(ev, arma::cx_mat(0.5 * (A + A.t()))))
    throw Error(std::string(who) + ": eigen-decomposition failed (non-finite entries?)");
  return ev;
}


}  // namespace

double trace_norm(const arma::cx_mat& A) {
  const arma::vec ev = hermitian_eigenvalues(A, "trace_norm");
  return ev.n_elem == 0 ? 0.0 : arma::accu(arma::abs(ev));
}

double hs_norm(const arma::cx_mat& A) { return A.n_elem == 0 ? 0.0 : arma::norm(A, "fro"); }

double operator_norm(const arma::cx_mat& A) {
  const arma::vec ev = hermitian_eigenvalues(A, "operator_norm");
  return ev.n_elem == 0 ? 0.0 : arma::abs(ev).max();
}

}  // namespace fockmix
