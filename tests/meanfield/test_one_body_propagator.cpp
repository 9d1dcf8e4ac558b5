// The matrix-free one-body exponential exp(-i tau (K + diag u)/hbar) X of the mean-field solvers and the FFT
// convolution V * rho, against dense references built here (eig_sym of the dense h; the dense V matrix).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <complex>
#include <vector>

#include "fockmix/core/error.hpp"
#include "fockmix/grid/lattice.hpp"
#include "fockmix/grid/one_body.hpp"
#include "fockmix/meanfield/one_body_propagator.hpp"

using namespace fockmix;

namespace {

/// exp(-i tau h/hbar) X by the eigen-decomposition of the dense h (the reference).
arma::cx_mat dense_exponential(const arma::mat& h, double tau, double hbar, const arma::cx_mat& X) {
  arma::vec e;
  arma::mat Q;
  EXPECT_TRUE(arma::eig_sym(e, Q, h));
  arma::cx_vec ph(e.n_elem);
  for (arma::uword k = 0; k < e.n_elem; ++k) ph(k) = std::polar(1.0, -tau * e(k) / hbar);
  const arma::cx_mat Qc = arma::conv_to<arma::cx_mat>::from(Q);
  return Qc * arma::diagmat(ph) * Qc.t() * X;
}

/// A smooth but structured potential plus a little randomness (not translation invariant).
arma::vec test_potential(const Lattice& lat, double amplitude) {
  arma::arma_rng::set_seed(11);
  arma::vec u(lat.sites());
  for (Index s = 0; s < lat.sites(); ++s) {
    const auto x = lat.position(s);
    u(s) = amplitude * (std::cos(2.0 * M_PI * x[0] / lat.box(0)) + (lat.dim() > 1 ? 0.5 * std::sin(2.0 * M_PI * x[1] / lat.box(1)) : 0.0));
  }
  return u + 0.2 * amplitude * arma::vec(lat.sites(), arma::fill::randu);
}

struct Case {
  std::vector<Index> extent;
  double spacing;
  KineticKind kind;
  double hbar, mass;
  Index k;     // block width
  double tau;  // time
};

}  // namespace

TEST(OneBodyPropagator, MatchesDenseEigenDecomposition) {
  // Both kinetic kinds, 1D and 2D (odd and even extents), a single vector and a block, a short time and a
  // long one (many sub-steps), hbar != 1, negative time.
  const std::vector<Case> cases = {
      {{24}, 0.5, KineticKind::Hopping, 1.0, 0.5, 1, 0.01},
      {{24}, 0.5, KineticKind::Hopping, 0.3, 0.7, 6, 40.0},
      {{25}, 0.4, KineticKind::Spectral, 1.0, 0.5, 1, 0.02},
      {{25}, 0.4, KineticKind::Spectral, 0.25, 1.0, 5, -30.0},
      {{8, 6}, 0.5, KineticKind::Hopping, 0.5, 1.0, 1, 0.05},
      {{8, 6}, 0.5, KineticKind::Hopping, 1.0, 0.5, 7, 25.0},
      {{7, 6}, 0.6, KineticKind::Spectral, 0.4, 0.4, 1, 0.03},
      {{7, 6}, 0.6, KineticKind::Spectral, 2.0, 1.5, 9, 50.0},
  };
  for (const Case& c : cases) {
    const Lattice lat(c.extent, c.spacing);
    const Index L = lat.sites();
    const arma::mat K = kinetic(lat, c.kind, c.hbar, c.mass);
    const OneBodyPropagator prop(lat, c.kind, c.hbar, c.mass, K);
    EXPECT_EQ(prop.application(), c.kind == KineticKind::Hopping ? KineticApplication::Stencil : KineticApplication::AxisDense);
    const arma::vec u = test_potential(lat, 1.3);
    arma::arma_rng::set_seed(5);
    arma::cx_mat X(L, c.k, arma::fill::randn);
    const arma::cx_mat ref = dense_exponential(K + arma::diagmat(u), c.tau, c.hbar, X);
    arma::cx_mat Y = X;
    const OneBodyStepInfo info = prop.propagate(Y, u, c.tau);
    // The reference itself errs by about eps x (total phase |tau| ||h||/hbar): allow for that.
    const double phase = std::abs(c.tau) * arma::abs(arma::eig_sym(K + arma::diagmat(u))).max() / c.hbar;
    const double err = arma::abs(Y - ref).max() / arma::abs(X).max();
    EXPECT_LT(err, 1e-14 * (10.0 + phase)) << "L = " << L << ", kind " << to_string(c.kind) << ", k = " << c.k << ", tau = " << c.tau
                          << ": error " << err << ", phase " << phase << ", terms " << info.terms << ", substeps " << info.substeps;
    std::printf("[one-body exp] %dD L = %lld %s hbar = %.2f k = %lld tau = %+.2f: error %.1e (phase %.0f), %lld terms in %lld sub-steps\n",
                lat.dim(), static_cast<long long>(L), to_string(c.kind).c_str(), c.hbar, static_cast<long long>(c.k), c.tau, err,
                phase, static_cast<long long>(info.terms), static_cast<long long>(info.substeps));
    // Unitarity as an extra check (the dense reference is unitary by construction).
    EXPECT_LT(std::abs(arma::norm(Y, "fro") - arma::norm(X, "fro")) / arma::norm(X, "fro"), 1e-13);
    if (std::abs(c.tau) > 10.0) {
      EXPECT_GT(info.substeps, 1);
    }
  }
}

TEST(OneBodyPropagator, KineticApplicationAndBoundsAreExact) {
  for (const KineticKind kind : {KineticKind::Hopping, KineticKind::Spectral}) {
    for (const std::vector<Index>& ext : {std::vector<Index>{9}, std::vector<Index>{6, 5}, std::vector<Index>{4, 1, 3}}) {
      const Lattice lat(ext, 0.7);
      const arma::mat K = kinetic(lat, kind, 0.8, 0.6);
      const OneBodyPropagator prop(lat, kind, 0.8, 0.6, K);
      arma::arma_rng::set_seed(3);
      const arma::mat X(lat.sites(), 4, arma::fill::randn);
      arma::mat KX;
      prop.apply_kinetic(X, KX);
      EXPECT_LT(arma::abs(KX - K * X).max(), 1e-12 * arma::abs(K * X).max());
      const arma::vec e = arma::eig_sym(K);
      EXPECT_NEAR(prop.kinetic_bounds().lower, e.min(), 1e-12 * arma::abs(e).max());
      EXPECT_NEAR(prop.kinetic_bounds().upper, e.max(), 1e-12 * arma::abs(e).max());
    }
  }
}

TEST(OneBodyPropagator, ForeignKineticMatrixIsAppliedDensely) {
  // A kinetic matrix that is not the model's (here: hopping plus a random symmetric perturbation): the dense path
  // with Gershgorin bounds, still exact.
  const Lattice lat({10}, 0.5);
  arma::arma_rng::set_seed(9);
  arma::mat P(10, 10, arma::fill::randn);
  const arma::mat K = kinetic(lat, KineticKind::Hopping, 1.0, 0.5) + 0.3 * (P + P.t());
  const OneBodyPropagator prop(lat, KineticKind::Hopping, 1.0, 0.5, K);
  EXPECT_EQ(prop.application(), KineticApplication::Dense);
  const arma::vec u = test_potential(lat, 0.7);
  arma::cx_mat X(10, 3, arma::fill::randn);
  const arma::cx_mat ref = dense_exponential(K + arma::diagmat(u), 3.0, 1.0, X);
  arma::cx_mat Y = X;
  prop.propagate(Y, u, 3.0);
  EXPECT_LT(arma::abs(Y - ref).max(), 2e-13 * arma::abs(X).max());
}

TEST(OneBodyPropagator, ZeroTimeAndEmptyBlock) {
  const Lattice lat({6}, 1.0);
  const arma::mat K = kinetic(lat, KineticKind::Hopping, 1.0, 0.5);
  const OneBodyPropagator prop(lat, KineticKind::Hopping, 1.0, 0.5, K);
  arma::cx_mat X(6, 2, arma::fill::randn);
  const arma::cx_mat X0 = X;
  EXPECT_EQ(prop.propagate(X, arma::vec(6, arma::fill::ones), 0.0).terms, 0);
  EXPECT_EQ(arma::abs(X - X0).max(), 0.0);
  arma::cx_mat E(6, 0);
  EXPECT_NO_THROW(prop.propagate(E, arma::vec(6, arma::fill::zeros), 1.0));
  // Constant potential, no kinetic energy (one site): a pure phase, exp(-i tau u/hbar).
  const Lattice one({1}, 1.0);
  const OneBodyPropagator p1(one, KineticKind::Hopping, 1.0, 0.5, arma::mat(1, 1, arma::fill::zeros));
  arma::cx_mat z(1, 1, arma::fill::ones);
  p1.propagate(z, arma::vec{2.0}, 0.7);
  EXPECT_LT(std::abs(z(0, 0) - std::polar(1.0, -1.4)), 1e-14);
}

TEST(OneBodyPropagator, BadArgumentsThrow) {
  const Lattice lat({6}, 1.0);
  const arma::mat K = kinetic(lat, KineticKind::Hopping, 1.0, 0.5);
  EXPECT_THROW(OneBodyPropagator(lat, KineticKind::Hopping, 1.0, 0.5, arma::mat(5, 5, arma::fill::zeros)), InputError);
  EXPECT_THROW(OneBodyPropagator(lat, KineticKind::Hopping, 0.0, 0.5, K), InputError);
  EXPECT_THROW(OneBodyPropagator(lat, KineticKind::Hopping, 1.0, -1.0, K), InputError);
  EXPECT_THROW(OneBodyPropagator(lat, KineticKind::Hopping, 1.0, 0.5, K, 0.5), InputError);
  arma::mat bad = K;
  bad(0, 0) = std::nan("");
  EXPECT_THROW(OneBodyPropagator(lat, KineticKind::Hopping, 1.0, 0.5, bad), InputError);
  const OneBodyPropagator prop(lat, KineticKind::Hopping, 1.0, 0.5, K);
  arma::cx_mat X(6, 1, arma::fill::ones);
  EXPECT_THROW(prop.propagate(X, arma::vec(5, arma::fill::zeros), 1.0), InputError);
  EXPECT_THROW(prop.propagate(X, arma::vec(6, arma::fill::zeros), std::nan("")), InputError);
  arma::cx_mat W(5, 1, arma::fill::ones);
  EXPECT_THROW(prop.propagate(W, arma::vec(6, arma::fill::zeros), 1.0), InputError);
  EXPECT_THROW(PeriodicConvolution(lat, arma::mat(5, 5, arma::fill::zeros)), InputError);
}

TEST(PeriodicConvolution, MatchesTheDenseProduct) {
  arma::arma_rng::set_seed(2);
  for (const std::vector<Index>& ext : {std::vector<Index>{12}, std::vector<Index>{7, 6}, std::vector<Index>{3, 4, 2}}) {
    const Lattice lat(ext, 0.6);
    const arma::mat V = interaction_matrix(lat, {InteractionKind::SoftCoulomb, 1.3, 1.0, 0.5, {}});
    const PeriodicConvolution conv(lat, V);
    EXPECT_EQ(conv.uses_fft(), lat.dim() <= 2);
    const arma::vec rho(lat.sites(), arma::fill::randu);
    const arma::vec ref = V * rho;
    EXPECT_LT(arma::abs(conv(rho) - ref).max(), 1e-13 * arma::abs(ref).max());
  }
  // A kernel that is not translation invariant takes the dense path.
  const Lattice lat({8}, 1.0);
  arma::mat W(8, 8, arma::fill::randn);
  W = W + W.t();
  const PeriodicConvolution conv(lat, W);
  EXPECT_FALSE(conv.uses_fft());
  const arma::vec rho(8, arma::fill::randu);
  EXPECT_LT(arma::abs(conv(rho) - W * rho).max(), 1e-14 * arma::abs(W * rho).max());
  // The empty kernel is zero.
  EXPECT_EQ(arma::abs(PeriodicConvolution(lat, arma::mat())(rho)).max(), 0.0);
}
