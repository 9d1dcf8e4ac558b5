// Fluctuation dynamics U(t,0) Omega and U~(t,0) Omega: SPEC §7 cross-checks (a)-(d) and the Magnus order.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <vector>

#include "fluct/fluct_checks.hpp"
#include "fockmix/exact/coherent.hpp"
#include "fockmix/fluct/dynamics.hpp"

using namespace fockmix;
using namespace fockmix::test;

TEST(FluctDynamics, WholeVectorEqualsLabFrameAndConvergesInKB) { whole_vector_check(3, 1, 1, 12, {2, 4, 6}, 1e-6); }

// (a) <N_F>_U = 2(M - Tr gamma_F omega), <N_B>_U = <N_B> - 2 sqrt(N) Re <phi, <b>> + N from the library's exact coherent solver.
TEST(FluctDynamics, NumbersAgreeWithExactCoherentEvolution) {
  const test::TinyModel m(4, 2, 2, 0.8);
  const double T = 0.6;
  CoherentState coh(m.ops, m.orbitals, m.phi0, {1e-14, {1e-13, 30, 1.0}, 0});
  coh.evolve_to(T);
  const arma::cx_mat gF = coh.gamma_F();
  const double NB = coh.mean_bosons();
  const arma::cx_vec bfield = coh.field();
  std::vector<double> errF, errB;
  for (Index KB : {3, 5, 7, 9}) {
    FluctuationDynamics dyn(m.ops, m.orbitals, m.phi0, options(KB, 0.03));
    dyn.evolve_to(T);
    const FluctuationFrame f = dyn.trajectory().frame();
    const arma::cx_mat orb = f.modes.cols(0, 1);
    const double nF_exact = 2.0 * (2.0 - arma::trace(gF * orb * orb.t()).real());
    const double nB_exact = NB - 2.0 * std::sqrt(2.0) * arma::cdot(f.phi, bfield).real() + 2.0;
    const auto obs = dyn.observables();
    errF.push_back(std::abs(obs.exact.nF - nF_exact));
    errB.push_back(std::abs(obs.exact.nB - nB_exact));
    std::printf("K_B=%lld: <N_F>_U %.10f vs exact %.10f, <N_B>_U %.10f vs exact %.10f, top shell %.1e\n",
                static_cast<long long>(KB), obs.exact.nF, nF_exact, obs.exact.nB, nB_exact, obs.exact.top_shell);
  }
  EXPECT_GT(errF.front(), errF.back());
  EXPECT_LT(errF.back(), 1e-6);
  EXPECT_LT(errB.back(), 1e-6);
}

// (b) lambda = 0 keeps the vacuum up to a phase.
TEST(FluctDynamics, ZeroCouplingKeepsTheVacuum) {
  const test::TinyModel m(4, 2, 3, 0.0);
  FluctuationDynamics dyn(m.ops, m.orbitals, m.phi0, options(4, 0.1));
  dyn.evolve_to(1.0);
  arma::cx_vec vac(dyn.state().n_elem, arma::fill::zeros);
  vac(0) = 1.0;
  EXPECT_LT(distance_up_to_phase(dyn.state(), vac), 1e-12);
  EXPECT_LT(distance_up_to_phase(dyn.truncated_state(), vac), 1e-12);
  EXPECT_LT(dyn.observables().exact.N3, 1e-20);
}

// NOTES O10: a filled (M = L) or empty (M = 0) band makes D_x vanish on the one-dimensional fermion space.
TEST(FluctDynamics, FilledAndEmptyBandsKeepTheVacuum) {
  for (Index M : {0, 3}) {
    const TinyModel m(3, M, 2, 1.3);
    arma::cx_mat orb = M == 3 ? arma::cx_mat(arma::eye<arma::cx_mat>(3, 3)) : arma::cx_mat(3, 0);
    FluctuationDynamics dyn(m.ops, orb, m.phi0, options(3, 0.1));
    EXPECT_EQ(dyn.space().dim_fermions(), 1);
    dyn.evolve_to(0.7);
    EXPECT_LT(dyn.observables().exact.N1, 1e-24) << "M " << M;
    EXPECT_NEAR(std::abs(dyn.state()(0)), 1.0, 1e-12);
  }
}

// (c) <N_B>_U = (lambda sqrt(N) t/hbar)^2 sum_y |phi_0(y)|^2 ||(1 - omega_0) V_y omega_0||_HS^2 + O(t^3), <N_F>_U = 2 <N_B>_U + O(t^3).
TEST(FluctDynamics, ShortTimeFormula) {
  const double hbar = 0.7;
  const test::TinyModel m(4, 2, 2, 0.6, hbar);
  const arma::cx_mat om = m.orbitals * m.orbitals.t();
  const arma::cx_mat u = arma::eye<arma::cx_mat>(4, 4) - om;
  double coef = 0.0;
  for (Index y = 0; y < 4; ++y) {
    const arma::cx_mat Vy = arma::conv_to<arma::cx_mat>::from(arma::diagmat(arma::vec(m.ops.V.col(y))));
    coef += std::norm(m.phi0(y)) * std::pow(arma::norm(u * Vy * om, "fro"), 2);
  }
  std::vector<double> ts, remB, remF;
  for (double t : {0.00125, 0.0025, 0.005, 0.01}) {
    FluctuationDynamics dyn(m.ops, m.orbitals, m.phi0, options(4, t / 4));
    dyn.evolve_to(t);
    const auto o = dyn.observables().exact;
    const double pred = std::pow(m.ops.lambda * std::sqrt(2.0) * t / hbar, 2) * coef;
    ts.push_back(t);
    remB.push_back(std::abs(o.nB - pred));
    remF.push_back(std::abs(o.nF - 2.0 * o.nB));
    std::printf("t=%.5f: <N_B> %.6e, formula %.6e, |diff| %.2e, |<N_F> - 2<N_B>| %.2e\n", t, o.nB, pred, remB.back(), remF.back());
    EXPECT_LT(remB.back(), 0.2 * pred);
  }
  const double sB = loglog_slope(ts, remB), sF = loglog_slope(ts, remF);
  std::printf("log-log slope of the remainders: N_B %.2f, N_F - 2 N_B %.2f\n", sB, sF);
  EXPECT_GT(sB, 2.7);
  EXPECT_GT(sF, 2.7);
}

// (d) U~ = U when c >= K_B; both unitary; the cut-off matters when c < K_B.
TEST(FluctDynamics, TruncatedEqualsExactAboveKBAndBothAreUnitary) {
  const test::TinyModel m(4, 2, 2, 1.2);
  auto o = options(4, 0.05);
  o.cutoff = 4.0;
  FluctuationDynamics same(m.ops, m.orbitals, m.phi0, o);
  same.evolve_to(0.8);
  EXPECT_LT(same.observables().distance, 1e-13);
  o.cutoff = -1.0;  // default hbar M = 2
  FluctuationDynamics cut(m.ops, m.orbitals, m.phi0, o);
  EXPECT_DOUBLE_EQ(cut.cutoff(), 2.0);
  cut.evolve_to(0.8);
  const auto obs = cut.observables();
  std::printf("c = hbar M = 2, K_B = 4: ||U Omega - U~ Omega|| = %.3e, <N>_U %.4f, <N>_U~ %.4f\n", obs.distance, obs.exact.N1,
              obs.truncated.N1);
  EXPECT_GT(obs.distance, 1e-6);
  EXPECT_NEAR(obs.exact.norm, 1.0, 1e-12);
  EXPECT_NEAR(obs.truncated.norm, 1.0, 1e-12);
  EXPECT_NEAR(obs.exact.N1, obs.exact.nF + obs.exact.nB, 1e-12);
  EXPECT_GE(obs.exact.N2, obs.exact.N1 * obs.exact.N1 - 1e-12);
}

// Magnus orders: Midpoint2 and CommutatorFree4 against a fine reference.
TEST(FluctDynamics, MagnusOrders) {
  const test::TinyModel m(3, 1, 2, 1.5);
  const double T = 0.4;
  auto run = [&](MagnusScheme s, double dt) {
    auto o = options(5, dt, s);
    o.trajectory_step = 0.005;
    o.truncated = false;
    FluctuationDynamics d(m.ops, m.orbitals, m.phi0, o);
    d.evolve_to(T);
    return arma::cx_vec(d.state());
  };
  const arma::cx_vec ref = run(MagnusScheme::CommutatorFree4, 0.01);
  std::vector<double> dts2{0.1, 0.05, 0.025}, e2, dts4{0.2, 0.1, 0.05}, e4;
  for (double dt : dts2) e2.push_back(arma::norm(run(MagnusScheme::Midpoint2, dt) - ref));
  for (double dt : dts4) e4.push_back(arma::norm(run(MagnusScheme::CommutatorFree4, dt) - ref));
  const double s2 = loglog_slope(dts2, e2), s4 = loglog_slope(dts4, e4);
  std::printf("Midpoint2 errors %.2e %.2e %.2e slope %.2f; CF4 errors %.2e %.2e %.2e slope %.2f\n", e2[0], e2[1], e2[2], s2, e4[0],
              e4[1], e4[2], s4);
  EXPECT_NEAR(s2, 2.0, 0.25);
  EXPECT_NEAR(s4, 4.0, 0.4);
}

TEST(FluctDynamics, Theorem3Rate) {
  EXPECT_NEAR(theorem3_rate(0.5, 4.0, 1.0, 1.0), 0.5 * 2.0 * 1.5, 1e-14);
}
