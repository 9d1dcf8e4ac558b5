#include "fockmix/analysis/comparisons.hpp"

#include <string>

#include "fockmix/analysis/norms.hpp"
#include "fockmix/core/error.hpp"

namespace fockmix {

namespace {

void require_square(const arma::cx_mat& A, arma::uword L, const char* name) {
  if (A.n_rows != L || A.n_cols != L)
    throw InputError("", name, "must be L x L = " + std::to_string(L) + " x " + std::to_string(L) + ", got " +
                                   std::to_string(A.n_rows) + " x " + std::to_string(A.n_cols));
}

}  // namespace

MeanFieldComparison compare(const arma::cx_mat& gamma_F, const arma::cx_mat& gamma_B, const arma::cx_mat& omega,
                            const arma::cx_vec& phi, Index M, Index N) {
  const arma::uword L = phi.n_elem;
  require_square(omega, L, "omega");
  const OneBodyView exact{M, N, gamma_F, gamma_B, {}, false};
  const OneBodyView mean_field{M, N, omega, static_cast<double>(N) * (phi * phi.t()), phi, true};
  const Record r = compare_views(exact, mean_field);
  MeanFieldComparison c;
  c.eF_trace = r.scalar("eF_trace");
  c.eB_trace = r.scalar("eB_trace");
  c.eF_hs = r.scalar("eF_hs");
  c.eB_hs = r.scalar("eB_hs");
  c.rhoF_l1 = r.scalar("rhoF_l1");
  c.rhoB_l1 = r.scalar("rhoB_l1");
  c.nF_exc = r.scalar("nF_exc");
  c.nB_exc = r.scalar("nB_exc");
  return c;
}

Record compare_views(const OneBodyView& a, const OneBodyView& b) {
  const arma::uword L = a.gamma_F.n_rows;
  require_square(a.gamma_F, L, "gamma_F");
  require_square(a.gamma_B, L, "gamma_B");
  require_square(b.gamma_F, L, "gamma_F");
  require_square(b.gamma_B, L, "gamma_B");
  if (!b.phi.is_empty() && b.phi.n_elem != L) throw InputError("", "phi", "has " + std::to_string(b.phi.n_elem) + " entries, expected " + std::to_string(L));
  if (a.M < 0 || a.M != b.M) throw InputError("", "M", "must be non-negative and equal in both views");
  if (a.N < 0 || a.N != b.N) throw InputError("", "N", "must be non-negative and equal in both views");
  const double m = static_cast<double>(a.M), n = static_cast<double>(a.N);
  const arma::cx_mat dF = a.gamma_F - b.gamma_F;
  const arma::cx_mat dB = a.gamma_B - b.gamma_B;
  Record r;
  r.put("eF_trace", a.M > 0 ? trace_norm(dF) / m : 0.0);
  r.put("eB_trace", a.N > 0 ? trace_norm(dB) / n : 0.0);
  r.put("eF_hs", a.M > 0 ? hs_norm(dF) / m : 0.0);
  r.put("eB_hs", a.N > 0 ? hs_norm(dB) / n : 0.0);
  r.put("rhoF_l1", a.M > 0 ? arma::accu(arma::abs(arma::real(dF.diag()))) / m : 0.0);
  r.put("rhoB_l1", a.N > 0 ? arma::accu(arma::abs(arma::real(dB.diag()))) / n : 0.0);
  if (b.fermion_projection) {
    // Tr[gamma_F (1 - omega)] = Tr gamma_F - sum_{xy} gamma_F(x,y) omega(y,x).
    const cplx tr_go = arma::accu(a.gamma_F % b.gamma_F.st());
    r.put("nF_exc", L == 0 ? 0.0 : 2.0 * (std::real(arma::trace(a.gamma_F)) - std::real(tr_go)));
  }
  if (!b.phi.is_empty() || L == 0) r.put("nB_exc", L == 0 ? n : n - std::real(arma::cdot(b.phi, a.gamma_B * b.phi)));
  return r;
}

}  // namespace fockmix
