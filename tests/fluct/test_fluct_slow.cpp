// Slow fluctuation checks (LABELS slow): the whole-vector cross-check (a) with larger boson spaces and an even
// number of fermions, and cross-check (a) for the numbers on a larger system with convergence in K_B.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <vector>

#include "fluct/fluct_checks.hpp"
#include "fockmix/exact/coherent.hpp"
#include "fockmix/fluct/dynamics.hpp"

using namespace fockmix;
using namespace fockmix::test;

TEST(FluctSlow, WholeVectorOddM) { whole_vector_check(3, 1, 1, 17, {2, 4, 6, 8, 10}, 1e-8); }
TEST(FluctSlow, WholeVectorEvenM) { whole_vector_check(3, 2, 2, 18, {2, 4, 6, 8}, 1e-6); }

TEST(FluctSlow, NumbersConvergeInKBOnLargerSystem) {
  const TinyModel m(5, 2, 3, 0.7);
  const double T = 1.0;
  CoherentState coh(m.ops, m.orbitals, m.phi0, {1e-13, {1e-12, 30, 1.0}, 0});
  coh.evolve_to(T);
  const arma::cx_mat gF = coh.gamma_F();
  const arma::cx_vec bfield = coh.field();
  const double NB = coh.mean_bosons();
  std::vector<double> errF, errB;
  for (Index KB : {2, 4, 6, 8, 10}) {
    FluctuationDynamics dyn(m.ops, m.orbitals, m.phi0, options(KB, 0.02));
    dyn.evolve_to(T);
    const FluctuationFrame f = dyn.trajectory().frame();
    const arma::cx_mat orb = f.modes.cols(0, 1);
    const double nF_exact = 2.0 * (2.0 - arma::trace(gF * orb * orb.t()).real());
    const double nB_exact = NB - 2.0 * std::sqrt(3.0) * arma::cdot(f.phi, bfield).real() + 3.0;
    const auto obs = dyn.observables();
    errF.push_back(std::abs(obs.exact.nF - nF_exact));
    errB.push_back(std::abs(obs.exact.nB - nB_exact));
    std::printf("L=5 M=2 N=3 K_B=%lld (dim %lld): |<N_F>_U - exact| %.2e, |<N_B>_U - exact| %.2e, <N^3> %.4f, top shell %.1e, "
                "||U - U~|| (c = hbar M = 2) %.2e\n",
                static_cast<long long>(KB), static_cast<long long>(dyn.space().size()), errF.back(), errB.back(), obs.exact.N3,
                obs.exact.top_shell, obs.distance);
  }
  EXPECT_LT(errF.back(), 1e-7);
  EXPECT_LT(errB.back(), 1e-7);
  EXPECT_LT(errF.back(), 0.01 * errF.front());
}
