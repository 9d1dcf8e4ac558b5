// Krylov propagator: dense exp(-iHt/hbar), conservation laws, adaptivity (SPEC §9).
#include <gtest/gtest.h>

#include "exact/dense_reference.hpp"
#include "fockmix/linalg/krylov.hpp"
#include "fockmix/exact/sector_hamiltonian.hpp"
#include "fockmix/linalg/vector_ops.hpp"
#include "fockmix/grid/one_body.hpp"
#include "exact/propagator_fixture.hpp"

using namespace fockmix;

namespace {

using Fixture = test_support::PropagatorFixture;
using test_support::random_state;

TEST(Krylov, MatchesDenseExponential) {
  Fixture f;
  for (double hbar : {1.0, 0.37}) {
    const Sector s(6, 2, 3);
    SectorHamiltonian H(s, f.tF, f.tB, f.V, 0.8);
    const auto ref = test::build_reference(6, 2, 3, 0, f.tF, f.tB, f.V, 0.8);
    arma::cx_vec psi = random_state(H.rows(), 3);
    const arma::cx_vec psi_ref0 = ref.to_reference(s, psi);
    KrylovPropagator<SectorHamiltonian> prop(H, {1e-10, 20, hbar});
    const double t = 1.7;
    const auto res = prop.propagate(psi.memptr(), t);
    EXPECT_EQ(res.status, KrylovStatus::Converged);
    const arma::cx_vec exact = test::exp_hermitian(ref.H, t, hbar) * psi_ref0;
    EXPECT_LT(arma::norm(ref.to_reference(s, psi) - exact), 1e-10 * t) << "hbar " << hbar;
    EXPECT_GT(res.matvecs, 0);
    EXPECT_LE(res.error_estimate, 1e-10 * t);
  }
}

TEST(Krylov, BackwardUndoesForwardAndConservesNormAndEnergy) {
  Fixture f;
  const Sector s(6, 3, 3);
  SectorHamiltonian H(s, f.tF, f.tB, f.V, 1.5);
  arma::cx_vec psi = random_state(H.rows(), 7);
  const arma::cx_vec psi0 = psi;
  arma::cx_vec Hpsi(H.rows());
  H.apply(psi.memptr(), Hpsi.memptr());
  const double E0 = arma::cdot(psi, Hpsi).real();
  KrylovPropagator<SectorHamiltonian> prop(H, {1e-11, 12, 1.0});  // small Krylov space: many sub-steps
  const auto fwd = prop.propagate(psi.memptr(), 10.0);
  EXPECT_GT(fwd.substeps, 3);
  H.apply(psi.memptr(), Hpsi.memptr());
  EXPECT_NEAR(arma::norm(psi), 1.0, 1e-10);
  EXPECT_NEAR(arma::cdot(psi, Hpsi).real(), E0, 1e-10 * std::max(1.0, std::abs(E0)));
  prop.propagate(psi.memptr(), -10.0);
  EXPECT_LT(arma::norm(psi - psi0), 1e-9);
}

TEST(Krylov, EigenvectorOnlyPicksUpAPhase) {
  Fixture f;
  const Sector s(6, 2, 2);
  SectorHamiltonian H(s, f.tF, f.tB, f.V, 0.5);
  arma::mat Hd(H.assemble());
  arma::vec w;
  arma::mat Q;
  arma::eig_sym(w, Q, Hd);
  arma::cx_vec psi = arma::conv_to<arma::cx_vec>::from(arma::vec(Q.col(2)));
  const arma::cx_vec psi0 = psi;
  KrylovPropagator<SectorHamiltonian> prop(H, {1e-10, 30, 1.0});
  const auto res = prop.propagate(psi.memptr(), 3.0);
  EXPECT_LE(res.matvecs, 3);  // invariant subspace found at once
  EXPECT_LT(arma::norm(psi - std::polar(1.0, -3.0 * w(2)) * psi0), 1e-10);
  // dense output: the invariant subspace serves every later output (no matvec after the first basis)
  psi = psi0;
  KrylovPropagator<SectorHamiltonian> dense(H, {1e-10, 30, 1.0});
  Index matvecs = 0;
  for (int i = 1; i <= 30; ++i) {
    matvecs += dense.advance(psi.memptr(), 0.1 * (i - 1), 0.1 * i, {0.1, 3.0}).matvecs;
    EXPECT_LT(arma::norm(psi - std::polar(1.0, -0.1 * i * w(2)) * psi0), 1e-10) << i;
  }
  EXPECT_LE(matvecs, 3);
}

// Dense output: one basis serves several output times. Every output against the dense exponential of the
// independent reference H; the matvecs against the one-basis-per-output propagate(); served outputs cost none.
TEST(Krylov, DenseOutputMatchesDenseExponentialAtEveryOutputWithFewerMatvecs) {
  Fixture f;
  for (double hbar : {1.0, 0.37}) {
    const Sector s(6, 2, 3);
    SectorHamiltonian H(s, f.tF, f.tB, f.V, 0.8);
    const auto ref = test::build_reference(6, 2, 3, 0, f.tF, f.tB, f.V, 0.8);
    arma::cx_vec psi = random_state(H.rows(), 5), once = psi;
    const arma::cx_vec psi_ref0 = ref.to_reference(s, psi);
    KrylovPropagator<SectorHamiltonian> dense(H, {1e-10, 30, hbar}), fresh(H, {1e-10, 30, hbar});
    const double dt = 0.05, T = 2.0;
    const arma::cx_mat U = test::exp_hermitian(ref.H, dt, hbar);
    arma::cx_vec exact = psi_ref0;
    Index served = 0, matvecs = 0, matvecs_fresh = 0;
    double estimate = 0.0;
    for (int i = 1; i * dt <= T + 1e-12; ++i) {
      const double t0 = (i - 1) * dt, t1 = i * dt;
      const KrylovResult r = dense.advance(psi.memptr(), t0, t1, {dt, T});
      ASSERT_EQ(r.status, KrylovStatus::Converged);
      served += r.matvecs == 0;
      matvecs += r.matvecs;
      estimate += r.error_estimate;
      matvecs_fresh += fresh.propagate(once.memptr(), dt).matvecs;
      exact = U * exact;
      EXPECT_LT(arma::norm(ref.to_reference(s, psi) - exact), 1e-10 * t1) << "hbar " << hbar << " t " << t1;
      EXPECT_LE(estimate, 1e-10 * t1 * (1.0 + 1e-12));
      EXPECT_NEAR(arma::norm(psi), 1.0, 1e-12);
    }
    EXPECT_GT(served, 20) << "hbar " << hbar;  // of 40 outputs
    EXPECT_LT(2 * matvecs, matvecs_fresh) << "hbar " << hbar << ": " << matvecs << " against " << matvecs_fresh;
    // a state the propagator did not produce starts a new basis (no stale reuse)
    arma::cx_vec other = random_state(H.rows(), 8);
    const arma::cx_vec other_ref = ref.to_reference(s, other);
    const KrylovResult r = dense.advance(other.memptr(), 0.0, 0.1, {0.1, 1.0});
    EXPECT_GT(r.matvecs, 0);
    EXPECT_LT(arma::norm(ref.to_reference(s, other) - test::exp_hermitian(ref.H, 0.1, hbar) * other_ref), 1e-11);
  }
}

// The live basis rebuilt from its start state, first target and plan reproduces the states bitwise (what a
// checkpointed run's resume relies on), and restart() drops it.
TEST(Krylov, DenseOutputBasisReplaysBitwise) {
  Fixture f;
  const Sector s(6, 3, 3);
  SectorHamiltonian H(s, f.tF, f.tB, f.V, 1.5);
  arma::cx_vec psi = random_state(H.rows(), 11);
  KrylovPropagator<SectorHamiltonian> a(H, {1e-10, 25, 1.0}), b(H, {1e-10, 25, 1.0});
  const OutputPlan plan{0.1, 3.0};
  double t = 0.0;
  arma::cx_vec start;
  double tb = -1.0, first = -1.0;
  for (int i = 1; i <= 17; ++i, t += 0.1) {
    a.advance(psi.memptr(), t, t + 0.1, plan);
    if (a.basis_start_time() != tb) {
      tb = a.basis_start_time();
      first = a.basis_first_target();
      start = arma::cx_vec(a.basis_start_state(), H.rows());
    }
  }
  ASSERT_LT(tb, t);  // the last output was served by a basis started earlier
  arma::cx_vec replay = start;
  b.advance(replay.memptr(), tb, first, plan);
  if (first < t) EXPECT_EQ(b.advance(replay.memptr(), first, t, plan).matvecs, 0);
  EXPECT_TRUE(arma::approx_equal(replay, psi, "absdiff", 0.0));
  a.restart();
  EXPECT_FALSE(a.has_live_basis());
  EXPECT_GT(a.advance(psi.memptr(), t, t + 0.1, plan).matvecs, 0);
  EXPECT_THROW(a.advance(psi.memptr(), 1.0, 0.5, plan), InputError);
}

TEST(Krylov, RejectsBadOptions) {
  Fixture f;
  const Sector s(6, 1, 1);
  SectorHamiltonian H(s, f.tF, f.tB, f.V, 0.5);
  EXPECT_THROW((KrylovPropagator<SectorHamiltonian>(H, {0.0, 20, 1.0})), InputError);
  EXPECT_THROW((KrylovPropagator<SectorHamiltonian>(H, {1e-10, 2, 1.0})), InputError);
  EXPECT_THROW((KrylovPropagator<SectorHamiltonian>(H, {1e-10, 20, -1.0})), InputError);
}

}  // namespace
