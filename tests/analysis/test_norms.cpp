// Matrix norms and the SPEC §6 comparison quantities, with the NOTES.md O9 inequalities.
#include <gtest/gtest.h>

#include <cmath>

#include "fockmix/analysis/comparisons.hpp"
#include "fockmix/analysis/norms.hpp"
#include "fockmix/core/error.hpp"

using namespace fockmix;

namespace {

arma::cx_mat random_unitary(arma::uword n) {
  arma::cx_mat Q, R;
  arma::qr(Q, R, arma::randn<arma::cx_mat>(n, n));
  return Q;
}

/// A random admissible fermion RDM: 0 <= gamma <= 1, Tr gamma = M (occupations in a random basis).
arma::cx_mat random_fermion_rdm(arma::uword L, double M, arma::vec& occupations, arma::cx_mat& basis) {
  occupations = arma::randu<arma::vec>(L);
  // Rescale towards Tr = M keeping every entry in [0, 1]: bisection on n -> clamp(a n + b).
  double lo = -1.0, hi = 1.0;
  for (int it = 0; it < 200; ++it) {
    const double mid = 0.5 * (lo + hi);
    const double tr = arma::accu(arma::clamp(occupations + mid, 0.0, 1.0));
    (tr < M ? lo : hi) = mid;
  }
  occupations = arma::clamp(occupations + 0.5 * (lo + hi), 0.0, 1.0);
  occupations *= M / arma::accu(occupations);
  basis = random_unitary(L);
  return basis * arma::diagmat(arma::conv_to<arma::cx_vec>::from(occupations)) * basis.t();
}

}  // namespace

TEST(Norms, TraceNormMatchesSingularValuesAndKnownSpectra) {
  arma::arma_rng::set_seed(11);
  const arma::cx_mat A = arma::randn<arma::cx_mat>(12, 12);
  const arma::cx_mat H = 0.5 * (A + A.t());
  const arma::vec sv = arma::svd(H);  // independent route: singular values of a Hermitian matrix = |eigenvalues|
  EXPECT_NEAR(trace_norm(H), arma::accu(sv), 1e-12 * arma::accu(sv));
  EXPECT_NEAR(operator_norm(H), sv.max(), 1e-12 * sv.max());
  EXPECT_NEAR(hs_norm(H), std::sqrt(arma::accu(arma::square(sv))), 1e-12 * sv.max());
  // Known eigenvalues in a random unitary basis.
  const arma::vec d{3.0, -2.0, 0.5, -0.1, 0.0, 1e-3, -7.25, 0.0};
  const arma::cx_mat U = random_unitary(8);
  const arma::cx_mat B = U * arma::diagmat(arma::conv_to<arma::cx_vec>::from(d)) * U.t();
  EXPECT_NEAR(trace_norm(B), 12.851, 1e-12);
  EXPECT_NEAR(operator_norm(B), 7.25, 1e-12);
  EXPECT_NEAR(hs_norm(B), std::sqrt(arma::accu(arma::square(d))), 1e-12);
  // Documented behaviour: the anti-Hermitian part is discarded by trace_norm and operator_norm.
  const arma::cx_mat iI = cplx(0.0, 1.0) * arma::eye<arma::cx_mat>(5, 5);
  EXPECT_EQ(trace_norm(iI), 0.0);
  EXPECT_EQ(operator_norm(iI), 0.0);
  EXPECT_NEAR(hs_norm(iI), std::sqrt(5.0), 1e-15);
  EXPECT_EQ(trace_norm(arma::cx_mat()), 0.0);
  EXPECT_THROW(trace_norm(arma::cx_mat(3, 4, arma::fill::zeros)), InputError);
}

TEST(Compare, InitialDataIdentitiesGiveZeros) {
  arma::arma_rng::set_seed(3);
  const arma::uword L = 10;
  const Index M = 4, N = 25;
  const arma::cx_mat U = random_unitary(L);
  const arma::cx_mat Phi = U.cols(0, M - 1);
  const arma::cx_mat omega = Phi * Phi.t();
  arma::cx_vec phi = arma::randn<arma::cx_vec>(L);
  phi /= arma::norm(phi);
  const arma::cx_mat gamma_B = static_cast<double>(N) * phi * phi.t();
  const MeanFieldComparison c = compare(omega, gamma_B, omega, phi, M, N);
  for (const double v : {c.eF_trace, c.eB_trace, c.eF_hs, c.eB_hs, c.rhoF_l1, c.rhoB_l1}) EXPECT_LT(v, 1e-14);
  EXPECT_NEAR(c.nF_exc, 0.0, 1e-13);
  EXPECT_NEAR(c.nB_exc, 0.0, 1e-12);
  // A species without particles gives 0, not NaN.
  const arma::cx_mat Z(L, L, arma::fill::zeros);
  const MeanFieldComparison e = compare(Z, Z, Z, phi, 0, 0);
  for (const double v : {e.eF_trace, e.eB_trace, e.eF_hs, e.eB_hs, e.rhoF_l1, e.rhoB_l1, e.nF_exc, e.nB_exc}) {
    EXPECT_FALSE(std::isnan(v));
    EXPECT_EQ(v, 0.0);
  }
  EXPECT_THROW(compare(omega, gamma_B, arma::cx_mat(L, L - 1), phi, M, N), InputError);
}

TEST(Compare, FermionFluctuationNumberFromAKnownSpectrum) {
  arma::arma_rng::set_seed(5);
  const arma::uword L = 9;
  const double M = 3.0;
  arma::vec n;
  arma::cx_mat U;
  const arma::cx_mat gamma = random_fermion_rdm(L, M, n, U);
  ASSERT_NEAR(arma::accu(n), M, 1e-12);
  // omega = projection on the first M eigenvectors of gamma: nF = 2 (M - sum_{k<M} n_k) exactly.
  const arma::cx_mat P = U.cols(0, 2) * U.cols(0, 2).t();
  arma::cx_vec phi(L, arma::fill::zeros);
  phi(0) = 1.0;
  const arma::cx_mat gB = 2.0 * phi * phi.t();
  const MeanFieldComparison c = compare(gamma, gB, P, phi, 3, 2);
  EXPECT_NEAR(c.nF_exc, 2.0 * (M - arma::accu(n.head(3))), 1e-12);
  // The trace-norm error is then known too: sum_{k<M} (1 - n_k) + sum_{k>=M} n_k.
  EXPECT_NEAR(c.eF_trace * M, arma::accu(1.0 - n.head(3)) + arma::accu(n.tail(L - 3)), 1e-12);
  EXPECT_NEAR(c.eF_hs * M, std::sqrt(arma::accu(arma::square(1.0 - n.head(3))) + arma::accu(arma::square(n.tail(L - 3)))), 1e-12);
  // A generic projection: nF = 2 (M - Tr omega gamma) with Tr omega gamma = sum_k n_k ||omega u_k||^2.
  const arma::cx_mat W = random_unitary(L);
  const arma::cx_mat omega = W.cols(0, 2) * W.cols(0, 2).t();
  double tr = 0.0;
  for (arma::uword k = 0; k < L; ++k) tr += n(k) * std::pow(arma::norm(omega * U.col(k)), 2);
  const MeanFieldComparison g = compare(gamma, gB, omega, phi, 3, 2);
  EXPECT_NEAR(g.nF_exc, 2.0 * (M - tr), 1e-12);
  double rho = 0.0;
  for (arma::uword x = 0; x < L; ++x) rho += std::abs(gamma(x, x).real() - omega(x, x).real());
  EXPECT_NEAR(g.rhoF_l1, rho / M, 1e-14);
}

TEST(Compare, InequalitiesOfO9HoldOnRandomAdmissibleStates) {
  arma::arma_rng::set_seed(17);
  for (int trial = 0; trial < 20; ++trial) {
    const arma::uword L = 6 + trial % 5;
    const Index M = 1 + trial % 4;
    const Index N = 3 + 7 * trial;
    arma::vec n;
    arma::cx_mat U;
    const arma::cx_mat gamma_F = random_fermion_rdm(L, static_cast<double>(M), n, U);
    const arma::cx_mat W = random_unitary(L);
    const arma::cx_mat omega = W.cols(0, M - 1) * W.cols(0, M - 1).t();
    // gamma_B >= 0 with Tr = N: random positive matrix, normalised.
    const arma::cx_mat G = arma::randn<arma::cx_mat>(L, 2);
    arma::cx_mat gamma_B = G * G.t();
    gamma_B *= static_cast<double>(N) / std::real(arma::trace(gamma_B));
    arma::cx_vec phi = arma::randn<arma::cx_vec>(L);
    phi /= arma::norm(phi);
    const MeanFieldComparison c = compare(gamma_F, gamma_B, omega, phi, M, N);
    const double m = static_cast<double>(M), nb = static_cast<double>(N);
    EXPECT_GT(c.nF_exc, 0.0);
    EXPECT_LE(std::pow(c.eF_hs * m, 2), c.nF_exc * (1.0 + 1e-12));
    EXPECT_LE(c.eF_trace * m, (c.nF_exc + std::sqrt(2.0 * m * c.nF_exc)) * (1.0 + 1e-12));
    EXPECT_LE(c.eB_trace * nb, (2.0 * c.nB_exc + 2.0 * std::sqrt(nb * c.nB_exc)) * (1.0 + 1e-12));
    // Independent evaluation of the boson fluctuation number.
    EXPECT_NEAR(c.nB_exc, nb - std::real(arma::as_scalar(phi.t() * gamma_B * phi)), 1e-10 * nb);
  }
}
