// Chebyshev propagator: Bessel coefficients, dense exp(-iHt/hbar) through eig_sym, agreement with the Lanczos
// propagator, norm conservation, time reversal, and the automatic choice of propagator from the memory limit.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "exact/dense_reference.hpp"
#include "fockmix/core/error.hpp"
#include "fockmix/model/footprint.hpp"
#include "fockmix/exact/sector_hamiltonian.hpp"
#include "fockmix/grid/one_body.hpp"
#include "exact/propagator_fixture.hpp"
#include "fockmix/linalg/chebyshev.hpp"
#include "fockmix/linalg/krylov.hpp"
#include "fockmix/linalg/vector_ops.hpp"

using namespace fockmix;

namespace {

using Fixture = test_support::PropagatorFixture;
using test_support::random_state;

/// A dense Hermitian matrix as a LinearOperator (tests of the propagator alone).
struct DenseOp {
  using Scalar = cplx;
  arma::cx_mat A;
  Index rows() const { return static_cast<Index>(A.n_rows); }
  void apply(const cplx* in, cplx* out) const {
    const arma::cx_vec x(const_cast<cplx*>(in), A.n_rows, false, true);
    arma::cx_vec y(out, A.n_rows, false, true);
    y = A * x;
  }
};

}  // namespace

TEST(Chebyshev, BesselCoefficientsMatchTheStandardLibrary) {
  for (double R : {0.3, 1.0, 7.5, 40.0, 150.0}) {
    const std::vector<double> J = chebyshev::bessel_j(static_cast<Index>(R) + 40, R);
    for (Index k = 0; k < static_cast<Index>(J.size()); k += 3) {
      const double ref = std::cyl_bessel_j(static_cast<double>(k), R);
      EXPECT_NEAR(J[k], ref, 1e-13 + 1e-9 * std::abs(ref)) << "R " << R << " k " << k;
    }
  }
  EXPECT_DOUBLE_EQ(chebyshev::bessel_j(3, 0.0)[0], 1.0);
  double tail = 0.0;
  const Index K = chebyshev::terms_for(20.0, 1e-10, tail);
  EXPECT_LE(tail, 1e-10);
  EXPECT_GT(K, 20);  // beyond R: the coefficients decay only past the turning point
  double tail_less = 0.0;
  EXPECT_LT(chebyshev::terms_for(20.0, 1e-4, tail_less), K);
  EXPECT_THROW(chebyshev::terms_for(1.0, 0.0, tail), InputError);
  EXPECT_THROW(chebyshev::bessel_j(3, -1.0), InputError);
}

TEST(Chebyshev, MatchesDenseExponentialBothHbarAndNegativeTime) {
  Fixture f;
  const Sector s(6, 2, 3);
  SectorHamiltonian H(s, f.tF, f.tB, f.V, 0.8);
  const auto ref = test::build_reference(6, 2, 3, 0, f.tF, f.tB, f.V, 0.8);
  arma::vec w;
  arma::mat Q;
  ASSERT_TRUE(arma::eig_sym(w, Q, ref.H));
  const arma::cx_vec psi_start = random_state(H.rows(), 3);
  const arma::vec q0 = Q.t() * arma::real(ref.to_reference(s, psi_start));
  const arma::vec q1 = Q.t() * arma::imag(ref.to_reference(s, psi_start));
  for (double hbar : {1.0, 0.37})
    for (double t : {1.7, -0.9, 12.0}) {
      arma::cx_vec psi = psi_start;
      ChebyshevOptions o;
      o.hbar = hbar;
      ChebyshevPropagator<SectorHamiltonian> prop(H, o);
      const ChebyshevResult res = prop.propagate(psi.memptr(), t);
      EXPECT_EQ(res.status, ChebyshevStatus::Converged);
      arma::cx_vec c(w.n_elem);
      for (arma::uword k = 0; k < w.n_elem; ++k) c(k) = std::polar(1.0, -t * w(k) / hbar) * cplx(q0(k), q1(k));
      const arma::cx_vec exact = arma::cx_mat(Q, arma::zeros(Q.n_rows, Q.n_cols)) * c;
      EXPECT_LT(arma::norm(ref.to_reference(s, psi) - exact), 1e-10 * std::abs(t)) << "hbar " << hbar << " t " << t;
      EXPECT_LE(res.error_estimate, 1e-10 * std::abs(t));
      EXPECT_GT(res.bound_matvecs, 0);
      EXPECT_EQ(res.matvecs, res.bound_matvecs + (res.terms - 1) * res.substeps);  // equal sub-steps: equal orders
      EXPECT_NEAR(arma::norm(psi), 1.0, 1e-10);
      // the spectral interval contains the spectrum
      const SpectralBounds b = prop.bounds();
      EXPECT_LE(b.lower, w(0));
      EXPECT_GE(b.upper, w(w.n_elem - 1));
    }
}

TEST(Chebyshev, AgreesWithLanczosAndUndoesItself) {
  Fixture f;
  const Sector s(6, 3, 3);  // D = 20 x 56 = 1120
  SectorHamiltonian H(s, f.tF, f.tB, f.V, 1.5);
  arma::cx_vec psi = random_state(H.rows(), 7);
  const arma::cx_vec psi0 = psi;
  arma::cx_vec psi_lanczos = psi;
  ChebyshevOptions o;
  o.tolerance = 1e-11;
  ChebyshevPropagator<SectorHamiltonian> cheb(H, o);
  KrylovPropagator<SectorHamiltonian> lanczos(H, {1e-11, 30, 1.0});
  const auto rc = cheb.propagate(psi.memptr(), 5.0);
  const auto rl = lanczos.propagate(psi_lanczos.memptr(), 5.0);
  EXPECT_EQ(rc.status, ChebyshevStatus::Converged);
  EXPECT_EQ(rl.status, KrylovStatus::Converged);
  EXPECT_LT(arma::norm(psi - psi_lanczos), 2 * 5.0 * 1e-11 + 1e-12);
  // the bounds are estimated once: a second call spends no matvecs on them
  const auto back = cheb.propagate(psi.memptr(), -5.0);
  EXPECT_EQ(back.bound_matvecs, 0);
  EXPECT_LT(arma::norm(psi - psi0), 1e-9);
  EXPECT_NEAR(arma::norm(psi), 1.0, 1e-10);
}

// One expansion, several output times: each against the dense exponential of the independent reference H and
// against its own propagate(); psi untouched; fewer matvecs than expansions one by one; a set stop flag ends it.
TEST(Chebyshev, WindowOfOutputsMatchesDenseExponentialAndSingleExpansions) {
  Fixture f;
  const Sector s(6, 2, 3);
  SectorHamiltonian H(s, f.tF, f.tB, f.V, 0.8);
  const auto ref = test::build_reference(6, 2, 3, 0, f.tF, f.tB, f.V, 0.8);
  for (double hbar : {1.0, 0.37}) {
    const arma::cx_vec psi = random_state(H.rows(), 9);
    const arma::cx_vec psi_ref = ref.to_reference(s, psi);
    ChebyshevOptions o;
    o.hbar = hbar;
    ChebyshevPropagator<SectorHamiltonian> cheb(H, o);
    const std::vector<double> taus{0.1, 0.2, 0.3, 0.45, 0.6};
    std::vector<arma::cx_vec> out(taus.size(), arma::cx_vec(H.rows()));
    std::vector<cplx*> ptr;
    for (auto& v : out) ptr.push_back(v.memptr());
    std::vector<double> errors;
    const arma::cx_vec before = psi;
    const ChebyshevResult r = cheb.propagate_window(psi.memptr(), taus, ptr.data(), &errors);
    ASSERT_EQ(r.status, ChebyshevStatus::Converged);
    EXPECT_TRUE(arma::approx_equal(psi, before, "absdiff", 0.0));
    ASSERT_EQ(errors.size(), taus.size());
    Index single = 0;
    for (std::size_t m = 0; m < taus.size(); ++m) {
      const arma::cx_vec exact = test::exp_hermitian(ref.H, taus[m], hbar) * psi_ref;
      EXPECT_LT(arma::norm(ref.to_reference(s, out[m]) - exact), 1e-10 * taus[m]) << "hbar " << hbar << " t " << taus[m];
      EXPECT_LE(errors[m], 1e-10 * taus[m]);
      arma::cx_vec one = psi;
      single += cheb.propagate(one.memptr(), taus[m]).matvecs;
      EXPECT_LT(arma::norm(one - out[m]), 1e-12) << taus[m];  // the same K_m terms, summed in the same order
    }
    EXPECT_LT(r.matvecs - r.bound_matvecs, single / 2);
    // a stop flag set before the expansion: Stopped, psi untouched
    std::atomic<bool> stop{true};
    EXPECT_EQ(cheb.propagate_window(psi.memptr(), taus, ptr.data(), nullptr, &stop).status, ChebyshevStatus::Stopped);
    EXPECT_TRUE(arma::approx_equal(psi, before, "absdiff", 0.0));
    // times out of order or beyond one expansion's reach
    EXPECT_THROW(cheb.propagate_window(psi.memptr(), {0.2, 0.1}, ptr.data()), InputError);
    EXPECT_THROW(cheb.propagate_window(psi.memptr(), {2.0 * cheb.window_reach()}, ptr.data()), InputError);
  }
}

TEST(Chebyshev, LongTimesTakeSubstepsAndGivenBoundsAreUsed) {
  // 2 x 2 matrix with eigenvalues -3 and 5: exp(-i t H) analytically
  DenseOp op;
  arma::mat Q = {{std::cos(0.3), -std::sin(0.3)}, {std::sin(0.3), std::cos(0.3)}};
  const arma::mat A = Q * arma::diagmat(arma::vec{-3.0, 5.0}) * Q.t();
  op.A = arma::cx_mat(A, arma::zeros(2, 2));
  ChebyshevOptions o;
  o.tolerance = 1e-12;
  o.max_phase = 10.0;
  o.given_bounds = true;
  o.bounds = {-3.0, 5.0};
  ChebyshevPropagator<DenseOp> prop(op, o);
  arma::cx_vec psi = {cplx(1.0, 0.0), cplx(0.0, 1.0)};
  psi /= arma::norm(psi);
  const arma::cx_vec psi0 = psi;
  const double t = 30.0;
  const auto res = prop.propagate(psi.memptr(), t);
  EXPECT_EQ(res.bound_matvecs, 0);
  EXPECT_GE(res.substeps, 12);  // R = 30 x 4 = 120, at most 10 per sub-step
  const arma::cx_mat U = arma::cx_mat(Q, arma::zeros(2, 2)) *
                         arma::diagmat(arma::cx_vec{std::polar(1.0, 3.0 * t), std::polar(1.0, -5.0 * t)}) *
                         arma::cx_mat(Q.t(), arma::zeros(2, 2));
  EXPECT_LT(arma::norm(psi - U * psi0), 1e-11 * t);
}

TEST(Chebyshev, TooNarrowBoundsAreReported) {
  DenseOp op;
  op.A = arma::cx_mat(arma::diagmat(arma::vec{-1.0, 0.0, 4.0}), arma::zeros(3, 3));
  ChebyshevOptions o;
  o.given_bounds = true;
  o.bounds = {-1.0, 1.0};  // misses the eigenvalue 4
  ChebyshevPropagator<DenseOp> prop(op, o);
  arma::cx_vec psi(3, arma::fill::ones);
  EXPECT_EQ(prop.propagate(psi.memptr(), 3.0).status, ChebyshevStatus::BoundsViolated);
}

TEST(Chebyshev, InvalidOptionsThrow) {
  DenseOp op;
  op.A = arma::cx_mat(arma::eye(2, 2), arma::zeros(2, 2));
  ChebyshevOptions o;
  o.tolerance = 0.0;
  EXPECT_THROW((ChebyshevPropagator<DenseOp>(op, o)), InputError);
  o = {};
  o.hbar = -1.0;
  EXPECT_THROW((ChebyshevPropagator<DenseOp>(op, o)), InputError);
  o = {};
  o.bound_steps = 2;
  EXPECT_THROW((ChebyshevPropagator<DenseOp>(op, o)), InputError);
  o = {};
  o.given_bounds = true;
  o.bounds = {1.0, 1.0};
  EXPECT_THROW((ChebyshevPropagator<DenseOp>(op, o)), InputError);
}

TEST(PropagatorChoice, LanczosWhenTheBasisFitsChebyshevOtherwise) {
  const Index D = 1000000;  // 16 MB a state
  const double state = 16.0 * D, tables = 1e6;
  // plenty of memory: Lanczos with the full dimension
  PropagatorChoice c = choose_propagator(D, 30, tables, 1e12);
  EXPECT_EQ(c.kind, PropagatorKind::Lanczos);
  EXPECT_EQ(c.krylov_dim, 30);
  EXPECT_NEAR(c.total_bytes, 32 * state + tables, 1.0);
  EXPECT_TRUE(c.fits);
  // room for 11 Krylov vectors only: Chebyshev, 4 states (psi, 3 recurrence buffers) and a window of 8 output
  // states (13.5 - 4 = 9.5 spare, capped at kMaxChebyshevWindow)
  c = choose_propagator(D, 30, tables, tables + 13.5 * state);
  EXPECT_EQ(c.kind, PropagatorKind::Chebyshev);
  EXPECT_EQ(c.window, kMaxChebyshevWindow);
  EXPECT_NEAR(c.total_bytes, (4 + kMaxChebyshevWindow) * state + tables, 1.0);
  EXPECT_TRUE(c.fits);
  EXPECT_LE(c.total_bytes, tables + 13.5 * state);
  // the window takes what is spare: 6.9 states spare -> 6 outputs an expansion; 1.5 spare -> no window (1)
  c = choose_propagator(D, 30, tables, tables + 10.9 * state);
  EXPECT_EQ(c.window, 6);
  EXPECT_NEAR(c.total_bytes, 10 * state + tables, 1.0);
  c = choose_propagator(D, 30, tables, tables + 5.5 * state);
  EXPECT_EQ(c.kind, PropagatorKind::Chebyshev);
  EXPECT_EQ(c.window, 1);
  EXPECT_NEAR(c.total_bytes, 4 * state + tables, 1.0);
  // forced Lanczos in the same room: the dimension is capped, never above what fits
  c = choose_propagator(D, 30, tables, tables + 13.5 * state, PropagatorPreference::Lanczos);
  EXPECT_EQ(c.kind, PropagatorKind::Lanczos);
  EXPECT_EQ(c.krylov_dim, 11);
  EXPECT_LE(c.total_bytes, tables + 13.5 * state);
  // forced Chebyshev with plenty of room
  EXPECT_EQ(choose_propagator(D, 30, tables, 1e12, PropagatorPreference::Chebyshev).kind, PropagatorKind::Chebyshev);
  // not even Chebyshev fits
  c = choose_propagator(D, 30, tables, tables + 3.5 * state);
  EXPECT_FALSE(c.fits);
  // the Krylov dimension never exceeds what fits, and is 0 below the propagator's minimum of 4
  EXPECT_EQ(krylov_dim_for_memory(D, 30, tables, tables + 5.5 * state), 0);
  EXPECT_EQ(krylov_dim_for_memory(D, 30, tables, tables + 6.5 * state), 4);
  EXPECT_THROW(choose_propagator(D, 3, tables, 1e12), InputError);
}

// Issue 11: the Krylov dimension derived from an extreme exact.memory_limit_gib is finite, never above the
// model's krylov_dim, and computed without an out-of-range float-to-integer conversion (room / vector would be
// 1e300 / 16 here, far beyond 2^63).
TEST(PropagatorChoice, KrylovDimensionFromExtremeMemoryLimitsIsCapped) {
  const double inf = std::numeric_limits<double>::infinity(), nan = std::numeric_limits<double>::quiet_NaN();
  const Index big = std::numeric_limits<Index>::max();
  for (const double limit : {1e300 * 1073741824.0 /* inf */, 1e300, 1e30, 1e19 * 16.0 * 10.0})
    for (const Index cap : {Index{4}, Index{30}, Index{1000}, big}) {
      const Index m = krylov_dim_for_memory(10, cap, 1e3, limit);
      EXPECT_EQ(m, cap) << "limit " << limit << " cap " << cap;
    }
  // room for exactly 2^63 + a bit vectors with no cap below it: the cap, not a wrapped integer
  EXPECT_EQ(krylov_dim_for_memory(1, big, 0.0, 16.0 * 1e19), big);
  // a tiny limit: below the propagator's minimum of 4 vectors, 0 (never negative)
  for (const double limit : {1e-300 * 1073741824.0, 0.0, -1.0, -inf, nan})
    EXPECT_EQ(krylov_dim_for_memory(10, 30, 1e3, limit), 0) << limit;
  EXPECT_EQ(krylov_dim_for_memory(10, 30, inf, inf), 0);  // inf - inf: no honest count
  EXPECT_EQ(krylov_dim_for_memory(10, 30, nan, 1e12), 0);
  EXPECT_EQ(krylov_dim_for_memory(0, 30, 0.0, 1e12), 0);
  // the model path (exact_footprint): huge limit -> the model's krylov_dim, Lanczos, fits; tiny -> 0, not fitting
  Model model;
  model.sites = {8};
  model.fermions.number = 3;
  model.bosons.number = 3;
  model.exact.krylov_dim = 25;
  for (const double gib : {1e300, 1e308, 1e30}) {
    model.exact.memory_limit_gib = gib;
    const ExactFootprint fp = exact_footprint(model);
    EXPECT_EQ(fp.krylov_dim, 25) << gib;
    EXPECT_EQ(fp.propagator, PropagatorKind::Lanczos) << gib;
    EXPECT_TRUE(fp.fits) << gib;
    EXPECT_TRUE(std::isfinite(fp.total_bytes)) << gib;
    EXPECT_EQ(fp.total_bytes, (25.0 + 2.0) * fp.state_bytes + fp.table_bytes + fp.moments_bytes) << gib;
  }
  // the moments' b(phi) psi (D_F x D_B(N - 1) = C(8, 3) x C(9, 2)) counts when Hartree–Hartree runs, and only then
  model.exact.memory_limit_gib = 1e30;
  model.hartree.enabled = true;
  EXPECT_EQ(exact_footprint(model).moments_bytes, 16.0 * 56.0 * 36.0);
  model.hartree.enabled = false;
  EXPECT_EQ(exact_footprint(model).moments_bytes, 0.0);
  EXPECT_EQ(exact_footprint(model).total_bytes, 27.0 * exact_footprint(model).state_bytes + exact_footprint(model).table_bytes);
  model.hartree.enabled = true;
  for (const double gib : {1e-300, 1e-12}) {
    model.exact.memory_limit_gib = gib;
    const ExactFootprint fp = exact_footprint(model);
    EXPECT_EQ(fp.krylov_dim, 0) << gib;
    EXPECT_FALSE(fp.fits) << gib;
  }
}
