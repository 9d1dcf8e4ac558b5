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

void require_square(const arma::cx_mat& A, arma::uword L, const char* name) {
  if (A.n_rows != L || A.n_cols != L)
    throw InputError("", name, "must be L x L = " + std::to_string(L) + " x " + std::to_string(L) + ", got " +
                                   std::to_string(A.n_rows) + " x " + std::to_string(A.n_cols));
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

MeanFieldComparison compare(const arma::cx_mat& gamma_F, const arma::cx_mat& gamma_B, const arma::cx_mat& omega,
                            const arma::cx_vec& phi, Index M, Index N) {
  const arma::uword L = phi.n_elem;
  require_square(gamma_F, L, "gamma_F");
  require_square(gamma_B, L, "gamma_B");
  require_square(omega, L, "omega");
  if (M < 0) throw InputError("", "M", "must be non-negative");
  if (N < 0) throw InputError("", "N", "must be non-negative");
  const double m = static_cast<double>(M), n = static_cast<double>(N);
  MeanFieldComparison c;
  const arma::cx_mat dF = gamma_F - omega;
  const arma::cx_mat dB = gamma_B - n * (phi * phi.t());
  if (M > 0) {
    c.eF_trace = trace_norm(dF) / m;
    c.eF_hs = hs_norm(dF) / m;
    c.rhoF_l1 = arma::accu(arma::abs(arma::real(dF.diag()))) / m;
  }
  if (N > 0) {
    c.eB_trace = trace_norm(dB) / n;
    c.eB_hs = hs_norm(dB) / n;
    c.rhoB_l1 = arma::accu(arma::abs(arma::real(dB.diag()))) / n;
  }
  // Tr[gamma_F (1 - omega)] = Tr gamma_F - sum_{xy} gamma_F(x,y) omega(y,x).
  const cplx tr_go = arma::accu(gamma_F % omega.st());
  c.nF_exc = L == 0 ? 0.0 : 2.0 * (std::real(arma::trace(gamma_F)) - std::real(tr_go));
  c.nB_exc = L == 0 ? n : n - std::real(arma::cdot(phi, gamma_B * phi));
  return c;
}

}  // namespace fockmix
