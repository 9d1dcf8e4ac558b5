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
