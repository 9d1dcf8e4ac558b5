// Hartree–Hartree dynamics (SPEC §4) and its ground state: NOTES.md oracles O4, O5, O7, O8, O11.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <vector>

#include "fockmix/core/error.hpp"
#include "fockmix/model/model_operators.hpp"
#include "fockmix/meanfield/hartree.hpp"
#include "fockmix/meanfield/initial_data.hpp"

using namespace fockmix;

namespace {

/// An interacting 1D mixture that moves: trapped fermions quenched into a flat box, a kicked boson
/// packet in a weak harmonic potential, Gaussian interaction.
Model moving_model(double lambda = 0.1) {
  Model m;
  m.sites = {32};
  m.spacing = 0.5;
  m.hbar = 1.0;
  m.lambda = lambda;
  m.interaction = {InteractionKind::Gaussian, 1.0, 1.0, 1.0, {}};
  m.fermions.number = 4;
  m.fermions.mass = 0.5;
  m.fermions.trap = {PotentialKind::Harmonic, 1.0, 1.0, {}, {}};
  m.fermions.potential = {PotentialKind::Cosine, 0.3, 1.0, {}, {}};
  m.bosons.number = 10;
  m.bosons.mass = 1.0;
  m.bosons.init.kind = InitKind::Packet;
  m.bosons.init.width = 1.0;
  m.bosons.init.centre = {5.0};
  m.bosons.init.momentum = {1.5};
  m.bosons.potential = {PotentialKind::Harmonic, 0.2, 1.0, {}, {}};
  return m;
}

HartreeState initial_state(const Model& m, const ModelOperators& ops) {
  const InitialData d = initial_data(m, ops);
  return HartreeState{0.0, d.orbitals, d.phi0};
}

double state_distance(const HartreeState& a, const HartreeState& b) {
  return arma::norm(a.omega() - b.omega(), "fro") + arma::norm(a.phi - b.phi);
}

/// Least-squares slope of log(err) against log(dt).
double loglog_slope(const std::vector<double>& dt, const std::vector<double>& err) {
  const arma::uword n = dt.size();
  arma::vec x(n), y(n);
  for (arma::uword i = 0; i < n; ++i) {
    x(i) = std::log(dt[i]);
    y(i) = std::log(err[i]);
  }
  const double xm = arma::mean(x), ym = arma::mean(y);
  return arma::accu((x - xm) % (y - ym)) / arma::accu(arma::square(x - xm));
}

/// E_HH by explicit sums (independent of the library's matrix expressions).
double energy_by_loops(const ModelOperators& ops, const HartreeState& s) {
  const arma::mat hF = ops.one_body_F(), hB = ops.one_body_B();
  const arma::uword L = s.phi.n_elem;
  double e = 0.0;
  for (arma::uword j = 0; j < s.orbitals.n_cols; ++j)
    for (arma::uword x = 0; x < L; ++x)
      for (arma::uword y = 0; y < L; ++y) e += std::real(std::conj(s.orbitals(x, j)) * hF(x, y) * s.orbitals(y, j));
  for (arma::uword x = 0; x < L; ++x)
    for (arma::uword y = 0; y < L; ++y) e += ops.N * std::real(std::conj(s.phi(x)) * hB(x, y) * s.phi(y));
  for (arma::uword x = 0; x < L; ++x) {
    double occ = 0.0;
    for (arma::uword j = 0; j < s.orbitals.n_cols; ++j) occ += std::norm(s.orbitals(x, j));
    for (arma::uword y = 0; y < L; ++y) e += ops.lambda * ops.N * ops.V(x, y) * occ * std::norm(s.phi(y));
  }
  return e;
}

}  // namespace

TEST(Hartree, LambdaZeroIsExactFreeEvolution) {
  const Model m = moving_model(0.0);
  const ModelOperators ops = build_operators(m);
  for (const HartreeScheme scheme : {HartreeScheme::Midpoint2, HartreeScheme::TripleJump4}) {
    HartreeState s = initial_state(m, ops);
    const HartreeState s0 = s;
    const HartreeHartree hh(ops, {0.05, 1e-12, 50, scheme});
    const double T = 0.73;
    const HartreeStepInfo info = hh.evolve_to(s, T);
    EXPECT_TRUE(info.converged);
    EXPECT_EQ(s.t, T);
    // Independent propagators by the Pade-based arma::expmat.
    const arma::cx_mat UF = arma::expmat(arma::cx_mat(-cplx(0.0, T) * arma::conv_to<arma::cx_mat>::from(ops.one_body_F())));
    const arma::cx_mat UB = arma::expmat(arma::cx_mat(-cplx(0.0, T) * arma::conv_to<arma::cx_mat>::from(ops.one_body_B())));
    EXPECT_LT(arma::abs(s.orbitals - UF * s0.orbitals).max(), 1e-12);
    EXPECT_LT(arma::abs(s.phi - UB * s0.phi).max(), 1e-12);
    EXPECT_GT(arma::abs(s.orbitals - s0.orbitals).max(), 0.05);  // it did move
  }
}

TEST(Hartree, ConstantInteractionIsFreeUpToPhases) {
  Model m = moving_model(0.2);
  m.interaction = {InteractionKind::Constant, 0.7, 1.0, 1.0, {}};
  const ModelOperators ops = build_operators(m);
  Model m0 = m;
  m0.lambda = 0.0;
  const ModelOperators ops0 = build_operators(m0);
  HartreeState s = initial_state(m, ops), f = s;
  const HartreeHartree hh(ops, {0.05}), free(ops0, {0.05});
  const double T = 1.3;
  EXPECT_TRUE(hh.evolve_to(s, T).converged);
  free.evolve_to(f, T);
  EXPECT_LT(arma::abs(s.omega() - f.omega()).max(), 1e-12);
  // The mean fields are the constants lambda N V0 and lambda M V0: pure phases (oracle O8).
  const double V0 = 0.7;
  const cplx phase_F = std::polar(1.0, -m.lambda * m.bosons.number * V0 * T);
  const cplx phase_B = std::polar(1.0, -m.lambda * m.fermions.number * V0 * T);
  EXPECT_LT(arma::abs(s.orbitals - phase_F * f.orbitals).max(), 1e-12);
  EXPECT_LT(arma::abs(s.phi - phase_B * f.phi).max(), 1e-12);
}

TEST(Hartree, ObservedOrderMatchesTheScheme) {
  const Model m = moving_model(0.15);
  const ModelOperators ops = build_operators(m);
  const HartreeState s0 = initial_state(m, ops);
  const double T = 1.0;
  // Reference: the order-4 scheme at a step far below every tested one.
  HartreeState ref = s0;
  HartreeHartree(ops, {0.004, 1e-13, 50, HartreeScheme::TripleJump4}).evolve_to(ref, T);
  struct Case {
    HartreeScheme scheme;
    double expected;
    std::vector<double> dts;
  };
  for (const Case& c : {Case{HartreeScheme::Midpoint2, 2.0, {0.1, 0.05, 0.025, 0.0125}},
                        Case{HartreeScheme::TripleJump4, 4.0, {0.2, 0.1, 0.05, 0.025}}}) {
    std::vector<double> err;
    for (const double dt : c.dts) {
      HartreeState s = s0;
      EXPECT_TRUE(HartreeHartree(ops, {dt, 1e-13, 50, c.scheme}).evolve_to(s, T).converged);
      err.push_back(state_distance(s, ref));
    }
    const double slope = loglog_slope(c.dts, err);
    std::printf("  scheme order %.0f: errors %.3e %.3e %.3e %.3e, fitted slope %.3f\n", c.expected, err[0], err[1],
                err[2], err[3], slope);
    EXPECT_NEAR(slope, c.expected, 0.2);
    EXPECT_GT(err.back(), 1e-11);  // still in the asymptotic regime, above the fixed-point noise
  }
}

TEST(Hartree, EnergyIsConservedExactly) {
  const Model m = moving_model(0.2);
  const ModelOperators ops = build_operators(m);
  const HartreeState s0 = initial_state(m, ops);
  const HartreeHartree probe(ops);
  const double E0 = probe.energy(s0);
  EXPECT_NEAR(E0, energy_by_loops(ops, s0), 1e-12 * std::abs(E0));
  // Exact conservation (not O(dt^2)): the drift is at the fixed-point tolerance for coarse and fine steps.
  for (const double dt : {0.2, 0.05}) {
    HartreeState s = s0;
    const HartreeHartree hh(ops, {dt});
    double worst = 0.0;
    for (int k = 1; k <= 20; ++k) {
      hh.evolve_to(s, 0.5 * k);
      worst = std::max(worst, std::abs(hh.energy(s) - E0) / std::abs(E0));
    }
    EXPECT_LT(worst, 1e-11) << "dt " << dt;
    EXPECT_NEAR(hh.energy(s), energy_by_loops(ops, s), 1e-12 * std::abs(E0));
  }
}

TEST(Hartree, InvariantsHoldToRoundOffAfterManySteps) {
  const Model m = moving_model(0.2);
  const ModelOperators ops = build_operators(m);
  HartreeState s = initial_state(m, ops);
  const arma::cx_mat omega0 = s.omega();
  const HartreeHartree hh(ops, {0.02});
  for (int k = 0; k < 1000; ++k) ASSERT_TRUE(hh.step(s).converged);
  EXPECT_NEAR(s.t, 20.0, 1e-12);
  const arma::cx_mat omega = s.omega();
  const double M = static_cast<double>(m.fermions.number);
  EXPECT_NEAR(std::real(arma::trace(omega)), M, 1e-12);
  EXPECT_LT(arma::abs(omega * omega - omega).max(), 1e-12);
  EXPECT_LT(arma::abs(s.orbitals.t() * s.orbitals - arma::eye<arma::cx_mat>(4, 4)).max(), 1e-12);
  EXPECT_NEAR(arma::norm(s.phi), 1.0, 1e-12);
  // Independent number: the spectrum of omega is {1 (M times), 0 (L - M times)}.
  const arma::vec ev = arma::eig_sym(arma::cx_mat(0.5 * (omega + omega.t())));
  EXPECT_LT(arma::abs(ev.head(28)).max(), 1e-12);
  EXPECT_LT(arma::abs(ev.tail(4) - 1.0).max(), 1e-12);
  EXPECT_GT(arma::abs(omega - omega0).max(), 0.05);  // the dynamics is not trivial
}

TEST(Hartree, ForwardThenBackwardReturnsTheInitialData) {
  const Model m = moving_model(0.2);
  const ModelOperators ops = build_operators(m);
  for (const HartreeScheme scheme : {HartreeScheme::Midpoint2, HartreeScheme::TripleJump4}) {
    HartreeState s = initial_state(m, ops);
    const HartreeState s0 = s;
    const HartreeHartree hh(ops, {0.1, 1e-13, 50, scheme});
    hh.evolve_to(s, 3.0);
    EXPECT_GT(state_distance(s, s0), 0.1);
    hh.evolve_to(s, 0.0);
    EXPECT_EQ(s.t, 0.0);
    EXPECT_LT(arma::abs(s.orbitals - s0.orbitals).max(), 1e-11);
    EXPECT_LT(arma::abs(s.phi - s0.phi).max(), 1e-11);
  }
}

TEST(Hartree, GroundStateAgreesWithIndependentScfAndIsStationary) {
  Model m = moving_model(0.3);
  m.fermions.trap = {PotentialKind::Harmonic, 1.0, 1.0, {}, {}};
  m.bosons.trap = {PotentialKind::Harmonic, 0.6, 1.0, {7.0}, {}};
  const ModelOperators ops = build_operators(m);
  const HartreeGroundState gs = hartree_ground_state(ops);
  ASSERT_TRUE(gs.converged);
  EXPECT_GT(gs.iterations, 3);

  // Independent SCF: mix the potentials (not the densities) with weight 0.3, plain eig_sym.
  const arma::mat HF = ops.kinetic_F + arma::diagmat(ops.trap_F);
  const arma::mat HB = ops.kinetic_B + arma::diagmat(ops.trap_B);
  const double lamN = m.lambda * m.bosons.number;
  arma::vec UF(32, arma::fill::zeros), UB(32, arma::fill::zeros);
  arma::mat orb;
  arma::vec phi;
  for (int it = 0; it < 1000; ++it) {
    arma::vec eF, eB;
    arma::mat QF, QB;
    arma::eig_sym(eF, QF, arma::mat(HF + arma::diagmat(UF)));
    arma::eig_sym(eB, QB, arma::mat(HB + arma::diagmat(UB)));
    orb = QF.cols(0, 3);
    phi = QB.col(0);
    arma::vec occ(32, arma::fill::zeros);
    for (int j = 0; j < 4; ++j) occ += arma::square(orb.col(j));
    const arma::vec UF_out = lamN * ops.V * arma::square(phi);
    const arma::vec UB_out = m.lambda * ops.V * occ;
    const double change = std::max(arma::abs(UF_out - UF).max(), arma::abs(UB_out - UB).max());
    UF = 0.7 * UF + 0.3 * UF_out;
    UB = 0.7 * UB + 0.3 * UB_out;
    if (change < 1e-13) break;
  }
  const HartreeState ind{0.0, arma::conv_to<arma::cx_mat>::from(orb), arma::conv_to<arma::cx_vec>::from(phi)};
  Model mt = m;  // evolve and measure in the trap potentials
  mt.fermions.potential = m.fermions.trap;
  mt.bosons.potential = m.bosons.trap;
  const ModelOperators opst = build_operators(mt);
  const double E_ind = energy_by_loops(opst, ind);
  EXPECT_NEAR(gs.energy, E_ind, 1e-9 * std::abs(E_ind));
  EXPECT_LT(arma::abs(gs.state.omega() - ind.omega()).max(), 1e-9);
  EXPECT_NEAR(std::abs(arma::cdot(gs.state.phi, ind.phi)), 1.0, 1e-12);

  // Stationary under the dynamics with the trap potentials: omega(t) = omega(0),
  // phi(t) = e^{-i mu t/hbar} phi(0), phi_j(t) = e^{-i eps_j t/hbar} phi_j(0).
  const HartreeHartree hh(opst, {0.05});
  HartreeState s = gs.state;
  const double T = 2.0;
  hh.evolve_to(s, T);
  EXPECT_LT(arma::abs(s.omega() - gs.state.omega()).max(), 1e-10);
  EXPECT_LT(arma::abs(s.phi - std::polar(1.0, -gs.mu * T) * gs.state.phi).max(), 1e-10);
  for (arma::uword j = 0; j < 4; ++j)
    EXPECT_LT(arma::abs(s.orbitals.col(j) - std::polar(1.0, -gs.eps_F(j) * T) * gs.state.orbitals.col(j)).max(), 1e-10);
  EXPECT_NEAR(hh.energy(s), gs.energy, 1e-11 * std::abs(gs.energy));
}

TEST(Hartree, TranslationInvariantDataIsStationary) {
  // Oracle O11: a plane-wave Fermi sea and a uniform condensate without potentials.
  Model m;
  m.sites = {16};
  m.spacing = 0.5;
  m.hbar = 0.8;
  m.lambda = 0.3;
  m.interaction = {InteractionKind::Gaussian, 1.2, 0.9, 1.0, {}};
  m.fermions.number = 5;
  m.fermions.mass = 0.5;
  m.fermions.init.kind = InitKind::PlaneWaves;
  m.bosons.number = 7;
  m.bosons.mass = 1.0;
  const ModelOperators ops = build_operators(m);
  HartreeState s{0.0, fermion_orbitals(m, ops), arma::cx_vec(16, arma::fill::value(cplx(0.25, 0.0)))};
  const HartreeState s0 = s;
  const HartreeHartree hh(ops, {0.1});
  const double T = 5.0;
  hh.evolve_to(s, T);
  // mu = lambda M sum_r V(r) / L, the uniform boson mean field.
  const double mu = m.lambda * 5.0 * arma::accu(ops.V.row(0)) / 16.0;
  EXPECT_LT(arma::abs(s.omega() - s0.omega()).max(), 1e-12);
  EXPECT_LT(arma::abs(s.phi - std::polar(1.0, -mu * T / m.hbar) * s0.phi).max(), 1e-12);
  // E = sum of the sea's dispersions + lambda N M sum_r V(r) / L.
  double e_sea = 0.0;
  for (int j = -2; j <= 2; ++j)
    e_sea += dispersion(ops.lattice, m.kinetic, m.hbar, 0.5, {m.hbar * 2.0 * 3.14159265358979323846 * j / 8.0, 0.0, 0.0});
  EXPECT_NEAR(hh.energy(s), e_sea + m.lambda * 7.0 * 5.0 * arma::accu(ops.V.row(0)) / 16.0, 1e-12);
}

TEST(Hartree, BadArgumentsThrow) {
  const Model m = moving_model();
  const ModelOperators ops = build_operators(m);
  EXPECT_THROW(HartreeHartree(ops, {0.0}), InputError);
  EXPECT_THROW(HartreeHartree(ops, {0.1, -1.0}), InputError);
  EXPECT_THROW(HartreeHartree(ops, {0.1, 1e-12, 0}), InputError);
  const HartreeHartree hh(ops);
  HartreeState bad{0.0, arma::cx_mat(32, 3, arma::fill::zeros), arma::cx_vec(32, arma::fill::zeros)};
  EXPECT_THROW(hh.step(bad), InputError);
  bad.orbitals = arma::cx_mat(32, 4, arma::fill::zeros);
  bad.phi = arma::cx_vec(31, arma::fill::zeros);
  EXPECT_THROW(hh.energy(bad), InputError);
  EXPECT_THROW(hartree_ground_state(ops, 0.0), InputError);
}
