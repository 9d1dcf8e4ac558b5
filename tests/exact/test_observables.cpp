// RDMs and one-body operators: dense reference, t = 0 identities (2.10), lambda = 0 one-body dynamics,
// filled band, and the N = M = 1 two-particle problem in first quantisation (SPEC §9).
#include <gtest/gtest.h>

#include "exact/dense_reference.hpp"
#include "fockmix/exact/initial_state.hpp"
#include "fockmix/linalg/krylov.hpp"
#include "fockmix/core/parallel.hpp"
#include "fockmix/exact/observables.hpp"
#include "fockmix/exact/sector_hamiltonian.hpp"
#include "fockmix/grid/one_body.hpp"
#include "fockmix/linalg/vector_ops.hpp"

using namespace fockmix;

namespace {

const cplx I(0.0, 1.0);

arma::cx_mat random_orbitals(Index L, Index M, int seed) {
  arma::arma_rng::set_seed(seed);
  arma::cx_mat A = arma::randn<arma::cx_mat>(L, M);
  arma::cx_mat Q, R;
  arma::qr_econ(Q, R, A);
  return Q;
}

arma::cx_vec random_phi(Index L, int seed) {
  arma::arma_rng::set_seed(seed);
  arma::cx_vec v = arma::randn<arma::cx_vec>(L);
  return v / arma::norm(v);
}

arma::cx_mat unitary(const arma::mat& h, double t, double hbar = 1.0) { return test::exp_hermitian(h, t, hbar); }

struct Model1D {
  Lattice lat{{6}, 1.0};
  arma::mat tF, tB, V;
  Model1D() {
    tF = kinetic(lat, KineticKind::Hopping, 1.0, 0.5);
    tB = kinetic(lat, KineticKind::Hopping, 1.0, 0.7) + arma::diagmat(potential(lat, {PotentialKind::Cosine, 0.5, 1, {}, {}}));
    V = interaction_matrix(lat, {InteractionKind::Gaussian, 1.0, 1.2, 1.0, {}});
  }
};

TEST(Observables, RdmsMatchDenseReferenceOnARandomState) {
  Model1D m;
  const Sector s(6, 2, 3, 2);  // with a per-site cap
  const auto ref = test::build_reference(6, 2, 3, 2, m.tF, m.tB, m.V, 0.3);
  arma::arma_rng::set_seed(11);
  arma::cx_vec psi = arma::randn<arma::cx_vec>(s.size());
  psi /= arma::norm(psi);
  const arma::cx_vec pr = ref.to_reference(s, psi);
  EXPECT_LT(arma::abs(rdm_fermions(s, psi.memptr()) - ref.gamma_F(pr)).max(), 1e-13);
  EXPECT_LT(arma::abs(rdm_bosons(s, psi.memptr()) - ref.gamma_B(pr)).max(), 1e-13);
}

TEST(Observables, InitialProductStateIdentities) {
  for (Index cap : {Index{0}}) {
    const Index L = 7, M = 3, N = 4;
    const Sector s(L, M, N, cap);
    const arma::cx_mat orb = random_orbitals(L, M, 5);
    const arma::cx_vec phi = random_phi(L, 6);
    const arma::cx_vec psi = product_state(s, orb, phi);
    EXPECT_NEAR(arma::norm(psi), 1.0, 1e-13);
    const arma::cx_mat gF = rdm_fermions(s, psi.memptr()), gB = rdm_bosons(s, psi.memptr());
    // (2.10): gamma_F(0) = omega_0 (not its transpose: complex orbitals catch the convention)
    EXPECT_LT(arma::abs(gF - orb * orb.t()).max(), 1e-13);
    EXPECT_LT(arma::abs(gB - double(N) * phi * phi.t()).max(), 1e-12);
    EXPECT_NEAR(arma::trace(gF).real(), M, 1e-12);
    EXPECT_NEAR(arma::trace(gB).real(), N, 1e-12);
    const auto mom = fluctuation_moments(s, psi.memptr(), orb * orb.t(), phi);
    EXPECT_NEAR(mom.nF, 0.0, 1e-12);
    EXPECT_NEAR(mom.nF2, 0.0, 1e-12);
    EXPECT_NEAR(mom.nB, 0.0, 1e-12);
    EXPECT_NEAR(mom.nB2, 0.0, 1e-12);
  }
}

TEST(Observables, InvariantsAlongInteractingDynamics) {
  Model1D m;
  const Index L = 6, M = 3, N = 3;
  const Sector s(L, M, N);
  SectorHamiltonian H(s, m.tF, m.tB, m.V, 2.0);
  arma::cx_vec psi = product_state(s, random_orbitals(L, M, 1), random_phi(L, 2));
  KrylovPropagator<SectorHamiltonian> prop(H, {1e-10, 30, 1.0});
  prop.propagate(psi.memptr(), 2.0);
  const arma::cx_mat gF = rdm_fermions(s, psi.memptr()), gB = rdm_bosons(s, psi.memptr());
  EXPECT_LT(arma::abs(gF - gF.t()).max(), 1e-13);
  EXPECT_LT(arma::abs(gB - gB.t()).max(), 1e-12);
  EXPECT_NEAR(arma::trace(gF).real(), M, 1e-10);
  EXPECT_NEAR(arma::trace(gB).real(), N, 1e-10);
  const arma::vec eF = arma::eig_sym(arma::cx_mat(0.5 * (gF + gF.t())));
  EXPECT_GT(eF.min(), -1e-12);
  EXPECT_LT(eF.max(), 1.0 + 1e-12);
  EXPECT_GT(arma::eig_sym(arma::cx_mat(0.5 * (gB + gB.t()))).min(), -1e-12);
  EXPECT_LT(eF.max(), 1.0 - 1e-6);  // interacting: no longer a Slater determinant
  // the fluctuation identity 2 Tr[gamma_F (1 - omega)] = <N_F^exc>, and <N^2> >= <N>^2
  const arma::cx_mat omega = random_orbitals(L, M, 1);
  const arma::cx_vec phi = random_phi(L, 2);
  const auto mom = fluctuation_moments(s, psi.memptr(), omega * omega.t(), phi);
  EXPECT_NEAR(mom.nF, 2.0 * arma::trace(gF * (arma::eye<arma::cx_mat>(L, L) - omega * omega.t())).real(), 1e-10);
  EXPECT_NEAR(mom.nB, N - arma::cdot(phi, gB * phi).real(), 1e-10);
  EXPECT_GE(mom.nF2, mom.nF * mom.nF - 1e-10);
  EXPECT_GE(mom.nB2, mom.nB * mom.nB - 1e-10);
}

TEST(Observables, NoCouplingGivesOneBodyDynamicsExactly) {
  Model1D m;
  const Index L = 6, M = 2, N = 3;
  const Sector s(L, M, N);
  SectorHamiltonian H(s, m.tF, m.tB, m.V, 0.0);
  const arma::cx_mat orb = random_orbitals(L, M, 3);
  const arma::cx_vec phi = random_phi(L, 4);
  arma::cx_vec psi = product_state(s, orb, phi);
  KrylovPropagator<SectorHamiltonian> prop(H, {1e-12, 30, 1.0});
  const double t = 1.3;
  prop.propagate(psi.memptr(), t);
  const arma::cx_mat orb_t = unitary(m.tF, t) * orb;
  const arma::cx_vec phi_t = unitary(m.tB, t) * phi;
  EXPECT_LT(arma::abs(rdm_fermions(s, psi.memptr()) - orb_t * orb_t.t()).max(), 1e-10);
  EXPECT_LT(arma::abs(rdm_bosons(s, psi.memptr()) - double(N) * phi_t * phi_t.t()).max(), 1e-10);
}

TEST(Observables, FilledBandIsInert) {
  // M = L: gamma_F = 1 for all t, and the bosons feel the constant lambda sum_x V(x - y): free bosons
  Model1D m;
  const Index L = 5, N = 3;
  const Lattice lat{{L}, 1.0};
  const arma::mat tF = kinetic(lat, KineticKind::Hopping, 1.0, 0.5), tB = kinetic(lat, KineticKind::Hopping, 1.0, 0.5);
  const arma::mat V = interaction_matrix(lat, {InteractionKind::Gaussian, 1.0, 1.0, 1.0, {}});
  const Sector s(L, L, N);
  SectorHamiltonian H(s, tF, tB, V, 0.9);
  const arma::cx_vec phi = random_phi(L, 8);
  arma::cx_vec psi = product_state(s, arma::eye<arma::cx_mat>(L, L), phi);
  KrylovPropagator<SectorHamiltonian> prop(H, {1e-12, 30, 1.0});
  prop.propagate(psi.memptr(), 2.0);
  EXPECT_LT(arma::abs(rdm_fermions(s, psi.memptr()) - arma::eye<arma::cx_mat>(L, L)).max(), 1e-12);
  const arma::cx_vec phi_t = unitary(tB, 2.0) * phi;
  EXPECT_LT(arma::abs(rdm_bosons(s, psi.memptr()) - double(N) * phi_t * phi_t.t()).max(), 1e-10);
}

TEST(Observables, OneFermionOneBosonIsATwoParticleProblem) {
  // First quantisation: Psi(x, y) on L x L with H = tF (x) 1 + 1 (x) tB + lambda diag V(x - y).
  Model1D m;
  const Index L = 6;
  const double lambda = 1.7, t = 0.9;
  const Sector s(L, 1, 1);
  SectorHamiltonian H(s, m.tF, m.tB, m.V, lambda);
  const arma::cx_vec f = random_phi(L, 21), b = random_phi(L, 22);
  arma::cx_vec psi = product_state(s, arma::cx_mat(f), b);
  KrylovPropagator<SectorHamiltonian> prop(H, {1e-12, 30, 1.0});
  prop.propagate(psi.memptr(), t);
  // two-particle wave function, Index x + L y
  arma::mat H2 = arma::kron(arma::eye(L, L), m.tF) + arma::kron(m.tB, arma::eye(L, L));
  for (Index y = 0; y < L; ++y)
    for (Index x = 0; x < L; ++x) H2(x + L * y, x + L * y) += lambda * m.V(x, y);
  const arma::cx_vec Psi = unitary(H2, t) * arma::kron(b, f);
  const arma::cx_mat P = arma::reshape(Psi, L, L);  // P(x, y)
  // gamma_F(x, x') = sum_y P(x, y) conj(P(x', y)), gamma_B(y, y') = sum_x P(x, y) conj(P(x, y'))
  EXPECT_LT(arma::abs(rdm_fermions(s, psi.memptr()) - P * P.t()).max(), 1e-10);
  EXPECT_LT(arma::abs(rdm_bosons(s, psi.memptr()) - arma::strans(P.t() * P)).max(), 1e-10);
}

TEST(Observables, OneBodyOperatorsMatchDenseReference) {
  Model1D m;
  const Sector s(5, 2, 2);
  const auto ref = test::build_reference(5, 2, 2, 0, m.tF.submat(0, 0, 4, 4), m.tB.submat(0, 0, 4, 4), m.V.submat(0, 0, 4, 4), 0.0);
  arma::arma_rng::set_seed(4);
  const arma::cx_mat A = arma::randn<arma::cx_mat>(5, 5);
  arma::cx_vec psi = arma::randn<arma::cx_vec>(s.size()), out(s.size());
  arma::cx_mat dF(ref.DF, ref.DF, arma::fill::zeros), dB(ref.DB, ref.DB, arma::fill::zeros);
  for (Index x = 0; x < 5; ++x)
    for (Index xp = 0; xp < 5; ++xp) {
      dF += A(x, xp) * ref.cdc_F[x * 5 + xp];
      dB += A(x, xp) * ref.cdc_B[x * 5 + xp];
    }
  apply_fermion_one_body(s, A, psi.memptr(), out.memptr());
  EXPECT_LT(arma::abs(ref.to_reference(s, out) - arma::kron(arma::eye<arma::cx_mat>(ref.DB, ref.DB), dF) * ref.to_reference(s, psi)).max(), 1e-12);
  apply_boson_one_body(s, A, psi.memptr(), out.memptr());
  EXPECT_LT(arma::abs(ref.to_reference(s, out) - arma::kron(dB, arma::eye<arma::cx_mat>(ref.DF, ref.DF)) * ref.to_reference(s, psi)).max(), 1e-12);
}

}  // namespace

// ---- the fused pass (observe) ----

namespace {

arma::cx_vec random_state(Index D, int seed) {
  arma::arma_rng::set_seed(seed);
  arma::cx_vec v = arma::randn<arma::cx_vec>(D);
  return v / arma::norm(v);
}

/// A random rank-M projector omega and a random phi (complex, so that conventions are caught).
void random_mean_field(Index L, Index M, int seed, arma::cx_mat& omega, arma::cx_vec& phi) {
  const arma::cx_mat orb = random_orbitals(L, M, seed);
  omega = orb * orb.t();
  phi = random_phi(L, seed + 1);
}

/// The moments the way they were computed before the fused pass, kept here as the independent reference:
/// N_F^exc psi and N_B^exc psi applied into a state-sized vector by the one-body operators, then
/// <psi, X psi> and ||X psi||^2.
FluctuationMoments moments_through_one_body(const Sector& s, const arma::cx_vec& psi, const arma::cx_mat& omega, const arma::cx_vec& phi) {
  const Index D = s.size(), L = s.sites();
  const arma::cx_mat one = arma::eye<arma::cx_mat>(L, L);
  arma::cx_vec x(D);
  FluctuationMoments m;
  apply_fermion_one_body(s, 2.0 * (one - omega), psi.memptr(), x.memptr());
  m.nF = vec::dot(D, psi.memptr(), x.memptr()).real();
  m.nF2 = vec::norm2(D, x.memptr());
  apply_boson_one_body(s, one - phi * phi.t(), psi.memptr(), x.memptr());
  m.nB = vec::dot(D, psi.memptr(), x.memptr()).real();
  m.nB2 = vec::norm2(D, x.memptr());
  return m;
}

void expect_same_moments(const FluctuationMoments& got, const FluctuationMoments& want, double rel) {
  EXPECT_NEAR(got.nF, want.nF, rel * std::max(1.0, std::abs(want.nF)));
  EXPECT_NEAR(got.nF2, want.nF2, rel * std::max(1.0, want.nF2));
  EXPECT_NEAR(got.nB, want.nB, rel * std::max(1.0, std::abs(want.nB)));
  EXPECT_NEAR(got.nB2, want.nB2, rel * std::max(1.0, want.nB2));
}

/// Every mode of observe against the separate functions: All and View against rdm_fermions / rdm_bosons,
/// All and Moments (and fluctuation_moments, which is the Moments pass) against the one-body operators.
void expect_matches_separate(const Sector& s, const arma::cx_vec& psi, const arma::cx_mat& omega, const arma::cx_vec& phi) {
  const arma::cx_mat gF = rdm_fermions(s, psi.memptr()), gB = rdm_bosons(s, psi.memptr());
  const FluctuationMoments ref = moments_through_one_body(s, psi, omega, phi);
  const SectorObservables o = observe(s, psi.memptr(), omega, phi, ObserveParts::All);
  EXPECT_LT(arma::abs(o.gamma_F - gF).max(), 1e-12);
  EXPECT_LT(arma::abs(o.gamma_B - gB).max(), 1e-12);
  EXPECT_LT(arma::abs(o.density_F - arma::real(gF.diag())).max(), 1e-12);
  EXPECT_LT(arma::abs(o.density_B - arma::real(gB.diag())).max(), 1e-12);
  expect_same_moments(o.moments, ref, 1e-11);
  // the view alone: the same RDMs, zero moments
  const SectorObservables v = observe(s, psi.memptr(), omega, phi, ObserveParts::View);
  EXPECT_LT(arma::abs(v.gamma_F - gF).max(), 1e-12);
  EXPECT_LT(arma::abs(v.gamma_B - gB).max(), 1e-12);
  EXPECT_LT(arma::abs(v.density_F - arma::real(gF.diag())).max(), 1e-12);
  EXPECT_LT(arma::abs(v.density_B - arma::real(gB.diag())).max(), 1e-12);
  EXPECT_EQ(v.moments.nF2, 0.0);
  EXPECT_EQ(v.moments.nB2, 0.0);
  // the moments alone: the same moments, no RDMs
  const SectorObservables m = observe(s, psi.memptr(), omega, phi, ObserveParts::Moments);
  expect_same_moments(m.moments, ref, 1e-11);
  expect_same_moments(m.moments, o.moments, 1e-13);
  EXPECT_TRUE(m.gamma_F.is_empty());
  EXPECT_TRUE(m.gamma_B.is_empty());
  EXPECT_TRUE(m.density_F.is_empty());
  EXPECT_TRUE(m.density_B.is_empty());
  expect_same_moments(fluctuation_moments(s, psi.memptr(), omega, phi), ref, 1e-11);
  // a kept scratch (as the exact solver keeps it), first filled from another state: nothing of that state survives
  ObserveScratch scratch;
  const arma::cx_vec other = 3.0 * arma::flipud(psi);
  (void)observe(s, other.memptr(), omega, phi, ObserveParts::All, &scratch);
  expect_same_moments(observe(s, psi.memptr(), omega, phi, ObserveParts::All, &scratch).moments, o.moments, 1e-13);
  expect_same_moments(observe(s, psi.memptr(), omega, phi, ObserveParts::Moments, &scratch).moments, o.moments, 1e-13);
}

}  // namespace

TEST(FusedObservables, MatchDenseOperatorsOnASmallSector) {
  Model1D m;
  const Index L = 6, M = 2, N = 3;
  const Sector s(L, M, N, 2);  // with a per-site cap
  const auto ref = test::build_reference(L, M, N, 2, m.tF, m.tB, m.V, 0.3);
  const arma::cx_vec psi = random_state(s.size(), 21);
  const arma::cx_vec pr = ref.to_reference(s, psi);
  arma::cx_mat omega;
  arma::cx_vec phi;
  random_mean_field(L, M, 22, omega, phi);
  const SectorObservables o = observe(s, psi.memptr(), omega, phi, ObserveParts::All);
  EXPECT_LT(arma::abs(o.gamma_F - ref.gamma_F(pr)).max(), 1e-13);
  EXPECT_LT(arma::abs(o.gamma_B - ref.gamma_B(pr)).max(), 1e-13);
  // N_F^exc = 2 dGamma_F(1 - omega), N_B^exc = dGamma_B(1 - |phi><phi|) as dense matrices, dGamma(A) = sum A(x, x') a*_x a_x'
  const arma::cx_mat AF = 2.0 * (arma::eye<arma::cx_mat>(L, L) - omega), AB = arma::eye<arma::cx_mat>(L, L) - phi * phi.t();
  arma::cx_mat XF(ref.DF, ref.DF, arma::fill::zeros), XB(ref.DB, ref.DB, arma::fill::zeros);
  for (Index x = 0; x < L; ++x)
    for (Index xp = 0; xp < L; ++xp) {
      XF += AF(x, xp) * ref.cdc_F[x * L + xp];
      XB += AB(x, xp) * ref.cdc_B[x * L + xp];
    }
  const arma::cx_vec xf = arma::kron(arma::eye<arma::cx_mat>(ref.DB, ref.DB), XF) * pr;
  const arma::cx_vec xb = arma::kron(XB, arma::eye<arma::cx_mat>(ref.DF, ref.DF)) * pr;
  EXPECT_NEAR(o.moments.nF, arma::cdot(pr, xf).real(), 1e-12);
  EXPECT_NEAR(o.moments.nF2, arma::cdot(xf, xf).real(), 1e-12);
  EXPECT_NEAR(o.moments.nB, arma::cdot(pr, xb).real(), 1e-12);
  EXPECT_NEAR(o.moments.nB2, arma::cdot(xb, xb).real(), 1e-12);
  // the moments-only pass against the same dense operators
  const SectorObservables mo = observe(s, psi.memptr(), omega, phi, ObserveParts::Moments);
  EXPECT_NEAR(mo.moments.nF, arma::cdot(pr, xf).real(), 1e-12);
  EXPECT_NEAR(mo.moments.nF2, arma::cdot(xf, xf).real(), 1e-12);
  EXPECT_NEAR(mo.moments.nB, arma::cdot(pr, xb).real(), 1e-12);
  EXPECT_NEAR(mo.moments.nB2, arma::cdot(xb, xb).real(), 1e-12);
  ASSERT_FALSE(worth_threading(s.size()));  // the serial paths
  expect_matches_separate(s, psi, omega, phi);
}

TEST(FusedObservables, MatchSeparateFunctionsBelowTheThreadingThreshold) {
  for (Index cap : {Index{0}, Index{2}}) {
    const Sector s(7, 3, 4, cap);  // D = 35 x 210 (uncapped) or 35 x 161
    ASSERT_FALSE(worth_threading(s.size()));
    arma::cx_mat omega;
    arma::cx_vec phi;
    random_mean_field(7, 3, 27, omega, phi);
    expect_matches_separate(s, random_state(s.size(), 28), omega, phi);
  }
}

TEST(FusedObservables, MatchSeparateFunctionsAboveTheThreadingThreshold) {
  {
    const Sector s(9, 3, 4);  // D = 84 x 495 = 41580 >= parallel_min_work: the threaded paths run
    ASSERT_TRUE(worth_threading(s.size()));
    arma::cx_mat omega;
    arma::cx_vec phi;
    random_mean_field(9, 3, 31, omega, phi);
    expect_matches_separate(s, random_state(s.size(), 32), omega, phi);
  }
  {
    const Sector s(9, 3, 5, 2);  // capped bosons: D = 84 x 882 = 74088
    ASSERT_TRUE(s.bosons().truncated());
    ASSERT_TRUE(worth_threading(s.size()));
    arma::cx_mat omega;
    arma::cx_vec phi;
    random_mean_field(9, 3, 33, omega, phi);
    expect_matches_separate(s, random_state(s.size(), 34), omega, phi);
  }
}

TEST(FusedObservables, SingleParticleIdentitiesAboveTheThreadingThreshold) {
  // M = 1: N_F^exc = 2 dGamma(P) with P = 1 - omega a projector, so (N_F^exc)^2 = 2 N_F^exc on one fermion
  {
    const Sector s(12, 1, 5);  // D = 12 x 4368
    ASSERT_TRUE(worth_threading(s.size()));
    arma::cx_mat omega;
    arma::cx_vec phi;
    random_mean_field(12, 1, 41, omega, phi);
    const arma::cx_vec psi = random_state(s.size(), 42);
    const SectorObservables o = observe(s, psi.memptr(), omega, phi, ObserveParts::All);
    EXPECT_GT(o.moments.nF, 0.1);
    EXPECT_NEAR(o.moments.nF2, 2.0 * o.moments.nF, 1e-11);
    EXPECT_NEAR(arma::trace(o.gamma_F).real(), 1.0, 1e-12);
    EXPECT_NEAR(arma::sum(o.density_B), 5.0, 1e-11);
    const FluctuationMoments m = observe(s, psi.memptr(), omega, phi, ObserveParts::Moments).moments;
    EXPECT_NEAR(m.nF2, 2.0 * m.nF, 1e-11);
    EXPECT_NEAR(m.nF, o.moments.nF, 1e-12);
  }
  // N = 1: N_B^exc = dGamma_B(1 - |phi><phi|) is a projector on one boson: <X^2> = <X>
  {
    const Sector s(14, 6, 1);  // D = 3003 x 14
    ASSERT_TRUE(worth_threading(s.size()));
    arma::cx_mat omega;
    arma::cx_vec phi;
    random_mean_field(14, 6, 43, omega, phi);
    const arma::cx_vec psi = random_state(s.size(), 44);
    const SectorObservables o = observe(s, psi.memptr(), omega, phi, ObserveParts::All);
    EXPECT_GT(o.moments.nB, 0.1);
    EXPECT_NEAR(o.moments.nB2, o.moments.nB, 1e-11);
    EXPECT_NEAR(arma::trace(o.gamma_B).real(), 1.0, 1e-12);
    EXPECT_NEAR(arma::sum(o.density_F), 6.0, 1e-11);
    const FluctuationMoments m = observe(s, psi.memptr(), omega, phi, ObserveParts::Moments).moments;
    EXPECT_NEAR(m.nB2, m.nB, 1e-11);
    EXPECT_NEAR(m.nB, o.moments.nB, 1e-12);
  }
}
