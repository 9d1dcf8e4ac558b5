// Coherent boson initial data for the exact solver (SPEC §3, §7): the sector-by-sector Poisson superposition
// against an independent dense construction on the truncated Fock space (fermions 2^L, bosons <= n_hi), with
// coefficients e^{-N/2} prod_y (sqrt(N) phi_0(y))^{n_y} / sqrt(n_y!) written out directly.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>

#include "fluct/dense_fock.hpp"
#include "fluct/fluct_fixture.hpp"
#include "fockmix/core/error.hpp"
#include "fockmix/exact/coherent.hpp"
#include "fockmix/meanfield/hartree.hpp"

using namespace fockmix;

namespace {

struct DenseObs {
  arma::cx_mat gF, gB;
  arma::cx_vec b;
  double norm2 = 0;
};

DenseObs dense_observables(const test::DenseFock& df, const arma::cx_vec& psi) {
  DenseObs o;
  const Index L = df.L;
  o.gF.set_size(L, L);
  o.gB.set_size(L, L);
  o.b.set_size(L);
  const arma::cx_mat IF = arma::eye<arma::cx_mat>(df.DF, df.DF);
  for (Index x = 0; x < L; ++x) {
    o.b(x) = arma::cdot(psi, df.apply_prod(IF, df.b[x], psi));
    for (Index z = 0; z < L; ++z) {
      // gamma(x, z) = <a*_z a_x>
      o.gF(x, z) = arma::cdot(psi, df.apply_prod(arma::cx_mat(arma::conv_to<arma::cx_mat>::from(arma::mat(df.a[z].t() * df.a[x]))),
                                                 arma::sp_mat(arma::speye(df.DB, df.DB)), psi));
      o.gB(x, z) = arma::cdot(psi, df.apply_prod(IF, arma::sp_mat(df.b[z].t() * df.b[x]), psi));
    }
  }
  o.norm2 = std::pow(arma::norm(psi), 2);
  return o;
}

}  // namespace

TEST(Coherent, PoissonWindow) {
  const PoissonWindow w = poisson_window(2.0, 1e-12);
  EXPECT_LE(1.0 - w.included, 1e-12);
  EXPECT_EQ(w.n_lo, 0);
  double tail = 0.0;  // the window is minimal: dropping its smallest end breaks the tolerance
  for (Index n = w.n_lo; n <= w.n_hi; ++n) tail += std::exp(-2.0 + n * std::log(2.0) - std::lgamma(n + 1.0));
  EXPECT_NEAR(tail, w.included, 1e-14);
  EXPECT_GT(1.0 - (w.included - std::exp(-2.0 + w.n_hi * std::log(2.0) - std::lgamma(w.n_hi + 1.0))), 1e-12);
  const PoissonWindow big = poisson_window(400.0, 1e-10);
  EXPECT_GT(big.n_lo, 250);
  EXPECT_LT(big.n_hi, 550);
  EXPECT_LE(1.0 - big.included, 1e-10);
  const PoissonWindow zero = poisson_window(0.0, 1e-12);
  EXPECT_EQ(zero.n_lo, 0);
  EXPECT_EQ(zero.n_hi, 0);
  EXPECT_THROW(poisson_window(-1.0, 1e-3), InputError);
  EXPECT_THROW(poisson_window(1.0, 0.0), InputError);
}

TEST(Coherent, MatchesDenseFockSpaceAtZeroAndAfterEvolution) {
  for (auto [L, M, N] : {std::tuple<Index, Index, Index>{3, 1, 2}, std::tuple<Index, Index, Index>{3, 2, 1}}) {
    const test::TinyModel m(L, M, N, 0.9, 0.8);
    CoherentOptions opt;
    opt.tolerance = 1e-12;
    opt.krylov.tolerance = 1e-13;
    CoherentState coh(m.ops, m.orbitals, m.phi0, opt);
    const PoissonWindow& w = coh.window();
    EXPECT_EQ(coh.sectors(), w.n_hi - w.n_lo + 1);
    // dense initial state: Slater (x) sum_{n_lo <= |n| <= n_hi} e^{-N/2} prod (sqrt(N) phi)^{n_y} / sqrt(n_y!)
    const test::DenseFock df(L, w.n_hi);
    arma::cx_vec bos(df.DB, arma::fill::zeros);
    for (Index j = 0; j < df.DB; ++j) {
      if (df.bosons(j) < w.n_lo) continue;
      cplx c = std::exp(-0.5 * static_cast<double>(N));
      for (Index y = 0; y < L; ++y) {
        const int n = df.bos[j][y];
        c *= std::pow(std::sqrt(static_cast<double>(N)) * m.phi0(y), n) / std::sqrt(std::tgamma(n + 1.0));
      }
      bos(j) = c;
    }
    arma::cx_vec psi = arma::kron(bos, df.slater(m.orbitals));
    for (double t : {0.0, 0.7}) {
      if (t > 0) {
        const auto info = coh.evolve_to(t);
        EXPECT_EQ(info.status, KrylovStatus::Converged);
        psi = df.evolve(m.ops.one_body_F(), m.ops.one_body_B(), m.ops.V, m.ops.lambda, m.ops.hbar, t, psi);
      }
      const DenseObs d = dense_observables(df, psi);
      const double eF = arma::abs(coh.gamma_F() - d.gF).max(), eB = arma::abs(coh.gamma_B() - d.gB).max();
      const double eb = arma::abs(coh.field() - d.b).max();
      std::printf("L=%lld M=%lld N=%lld t=%.1f sectors %lld..%lld: |gamma_F - dense| %.1e, |gamma_B - dense| %.1e, |<b> - dense| %.1e\n",
                  static_cast<long long>(L), static_cast<long long>(M), static_cast<long long>(N), t,
                  static_cast<long long>(w.n_lo), static_cast<long long>(w.n_hi), eF, eB, eb);
      EXPECT_LT(eF, 1e-11);
      EXPECT_LT(eB, 1e-11);
      EXPECT_LT(eb, 1e-11);
      EXPECT_NEAR(coh.norm2(), d.norm2, 1e-11);
      EXPECT_NEAR(coh.norm2(), w.included, 1e-11);
      EXPECT_NEAR(coh.mean_bosons(), static_cast<double>(N), 1e-9);  // H conserves N_B
    }
  }
}

TEST(Coherent, InitialIdentitiesAndEnergy) {
  const test::TinyModel m(4, 2, 2, 1.1);
  CoherentState coh(m.ops, m.orbitals, m.phi0, {1e-13, {1e-12, 30, 1.0}, 0});
  const arma::cx_mat om = m.orbitals * m.orbitals.t();
  EXPECT_LT(arma::abs(coh.gamma_F() - coh.window().included * om).max(), 1e-13);
  EXPECT_LT(arma::abs(coh.gamma_B() - 2.0 * m.phi0 * m.phi0.t()).max(), 1e-9);  // coherent: |f><f|, f = sqrt(N) phi
  EXPECT_LT(arma::abs(coh.field() - std::sqrt(2.0) * m.phi0).max(), 1e-9);
  const HartreeState hs{0.0, m.orbitals, m.phi0};
  const double E_HH = hartree_energy(hs, m.ops.one_body_F(), m.ops.one_body_B(), m.ops.V, m.ops.lambda, 2);
  const double E0 = coh.energy();
  EXPECT_NEAR(E0, E_HH, 1e-9 * std::max(1.0, std::abs(E_HH)));  // NOTES O4: <H> = E_HH also for coherent data
  coh.evolve_to(1.3);
  EXPECT_NEAR(coh.energy(), E0, 1e-9);
  EXPECT_NEAR(coh.norm2(), coh.window().included, 1e-10);
  EXPECT_EQ(coh.dimension(), coherent_dimension(4, 2, 2.0, 1e-13));
}

TEST(Coherent, RejectsBadArguments) {
  const test::TinyModel m(3, 1, 1, 1.0);
  EXPECT_THROW(CoherentState(m.ops, m.orbitals, 2.0 * m.phi0), InputError);
  EXPECT_THROW(CoherentState(m.ops, arma::cx_mat(2, 1, arma::fill::ones), m.phi0), InputError);
  EXPECT_THROW(CoherentState(3, m.orbitals, m.phi0, 1.0, arma::eye(2, 2), arma::eye(3, 3), arma::eye(3, 3), 1.0, 1.0), InputError);
  EXPECT_THROW(CoherentState(3, m.orbitals, m.phi0, 1.0, arma::eye(3, 3), arma::eye(3, 3), arma::eye(3, 3), 1.0, -1.0), InputError);
  CoherentOptions bad;
  bad.tolerance = 2.0;
  EXPECT_THROW(CoherentState(m.ops, m.orbitals, m.phi0, bad), InputError);
}
