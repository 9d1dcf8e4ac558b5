// The time prediction of `fockmix info` (app/cost_model): the spectral interval against dense spectra of the
// independent dense Hamiltonian (tests/exact/dense_reference), the nonzero count against that matrix, and the
// matvec-count models against the real counts of the Krylov and Chebyshev propagators (deterministic, no
// wall clock): every prediction must lie within 2x of the count.
#include <gtest/gtest.h>

#include <sstream>

#include <algorithm>
#include <cmath>
#include <limits>

#include "exact/dense_reference.hpp"
#include "fockmix/app/cost_model.hpp"
#include "fockmix/core/error.hpp"
#include "fockmix/exact/initial_state.hpp"
#include "fockmix/exact/sector_hamiltonian.hpp"
#include "fockmix/linalg/chebyshev.hpp"
#include "fockmix/linalg/krylov.hpp"
#include "fockmix/linalg/vector_ops.hpp"
#include "fockmix/model/model_operators.hpp"

using namespace fockmix;

namespace {

/// A ring (or 2D torus) in the microscopic regime like models/default.toml: traps for the preparation,
/// `quench` removes them for the dynamics.
Model ring_model(std::vector<Index> sites, Index M, Index N, double lambda, bool quench) {
  Model m;
  m.sites = std::move(sites);
  m.spacing = 1.0;
  m.hbar = 1.0;
  m.lambda = lambda;
  m.fermions.number = M;
  m.fermions.mass = 0.5;
  m.bosons.number = N;
  m.bosons.mass = 0.5;
  m.interaction = {InteractionKind::Gaussian, 1.0, 1.0, 1.0, {}};
  m.fermions.trap = {PotentialKind::Harmonic, 0.2, 1.0, {}, {}};
  m.bosons.trap = {PotentialKind::Harmonic, 0.2, 1.0, {}, {}};
  if (!quench) {
    m.fermions.potential = m.fermions.trap;
    m.bosons.potential = m.bosons.trap;
  }
  return m;
}

test::DenseReference dense_of(const ModelOperators& ops) {
  return test::build_reference(ops.lattice.sites(), ops.M, ops.N, 0, ops.one_body_F(), ops.one_body_B(), ops.V, ops.lambda);
}

/// The run's initial state: the M lowest trap orbitals and the trap ground state (eig_sym here).
arma::cx_vec trap_product_state(const Sector& s, const ModelOperators& ops) {
  arma::vec e;
  arma::mat QF, QB;
  arma::eig_sym(e, QF, ops.trap_one_body_F());
  arma::eig_sym(e, QB, ops.trap_one_body_B());
  const arma::cx_mat orbitals = ops.M > 0 ? arma::cx_mat(arma::conv_to<arma::cx_mat>::from(arma::mat(QF.cols(0, ops.M - 1))))
                                          : arma::cx_mat(ops.lattice.sites(), 0);
  return product_state(s, orbitals, arma::conv_to<arma::cx_vec>::from(arma::vec(QB.col(0))));
}

arma::cx_vec random_state(Index n, std::uint64_t seed) {
  arma::cx_vec v(static_cast<arma::uword>(n));
  vec::fill_random(n, seed, v.memptr());
  return v / arma::norm(v);
}

/// The cases of the count checks: (sites, M, N, lambda, quench).
struct Case {
  std::vector<Index> sites;
  Index M, N;
  double lambda;
  bool quench;
};
const std::vector<Case> kCases = {
    {{6}, 2, 3, 1.0 / 3.0, true},    // like models/default.toml, smaller (D = 15 x 56 = 840)
    {{6}, 3, 2, 2.0, false},         // strong coupling, trapped dynamics (D = 20 x 21 = 420)
    {{3, 3}, 1, 2, -0.5, true},      // 2D, attractive (D = 9 x 45 = 405)
};

/// A count model's prediction within a factor 2 of the propagator's count.
void expect_within_2x(Index predicted, Index counted, const std::string& what) {
  const double ratio = static_cast<double>(predicted) / static_cast<double>(counted);
  EXPECT_GE(ratio, 0.5) << what << ": predicted " << predicted << ", counted " << counted;
  EXPECT_LE(ratio, 2.0) << what << ": predicted " << predicted << ", counted " << counted;
}

/// A case built: its operators, the half-width s of the Weyl interval the models use, sector and Hamiltonian.
struct Built {
  explicit Built(const Case& k)
      : ops(build_operators(ring_model(k.sites, k.M, k.N, k.lambda, k.quench))), sec(ops.lattice.sites(), ops.M, ops.N), H(sec, ops) {
    const SpectralBounds b = hamiltonian_bounds(ops);
    s = 0.5 * (b.upper - b.lower);
  }
  ModelOperators ops;
  Sector sec;
  SectorHamiltonian H;
  double s = 0.0;
};

}  // namespace

TEST(CostModel, SpectralIntervalContainsTheDenseSpectrumAndIsNotLoose) {
  for (const Case& k : kCases) {
    const ModelOperators ops = build_operators(ring_model(k.sites, k.M, k.N, k.lambda, k.quench));
    const test::DenseReference ref = dense_of(ops);
    const arma::vec w = arma::eig_sym(ref.H);
    const SpectralBounds b = hamiltonian_bounds(ops);
    EXPECT_LE(b.lower, w.min() + 1e-10) << k.M << " " << k.N;
    EXPECT_GE(b.upper, w.max() - 1e-10) << k.M << " " << k.N;
    // a bound so loose that the counts double would be useless: within 1.5x of the true width here
    EXPECT_LT(b.upper - b.lower, 1.5 * (w.max() - w.min())) << k.M << " " << k.N;
  }
  // lambda = 0: the kinetic ranges alone are the exact extremes (they commute)
  const ModelOperators ops = build_operators(ring_model({7}, 2, 2, 0.0, true));
  const arma::vec w = arma::eig_sym(dense_of(ops).H);
  const SpectralBounds b = hamiltonian_bounds(ops);
  EXPECT_NEAR(b.lower, w.min(), 1e-10);
  EXPECT_NEAR(b.upper, w.max(), 1e-10);
}

TEST(CostModel, NonzeroCountMatchesTheDenseHamiltonian) {
  for (const Case& k : kCases) {
    const ModelOperators ops = build_operators(ring_model(k.sites, k.M, k.N, k.lambda, k.quench));
    const test::DenseReference ref = dense_of(ops);
    const double dense_nnz = static_cast<double>(arma::accu(ref.H != 0.0));
    EXPECT_EQ(sector_nnz(ops, 0), dense_nnz) << k.M << " " << k.N;
  }
}

TEST(CostModel, MatvecCountsBracketTheKrylovPropagator) {
  for (const Case& k : kCases) {
    const Built c(k);
    const auto& [ops, sec, H, s] = c;
    for (const bool product : {true, false})
      for (const double tol : {1e-10, 1e-6})
        for (const Index dim : {30, 20, 12})
          for (const double t : {0.1, 1.0, 4.0}) {
            arma::cx_vec psi = product ? trap_product_state(sec, ops) : random_state(H.rows(), 17);
            KrylovPropagator<SectorHamiltonian> prop(H, {tol, dim, ops.hbar});
            const KrylovResult r = prop.propagate(psi.memptr(), t);
            ASSERT_EQ(r.status, KrylovStatus::Converged);
            const Index predicted = lanczos_matvecs(t, s, tol, ops.hbar, dim);
            std::ostringstream what;
            what << "M " << k.M << " N " << k.N << " product " << product << " tol " << tol << " dim " << dim << " t " << t;
            expect_within_2x(predicted, r.matvecs, what.str());
          }
  }
}

TEST(CostModel, RunMatvecCountsBracketTheDenseOutputPropagator) {
  for (const Case& k : kCases) {
    const Built c(k);
    const auto& [ops, sec, H, s] = c;
    for (const Index dim : {30, 12})
      for (const double dt : {0.05, 0.25, 1.5}) {
        std::vector<double> times;
        for (int i = 0; i * dt <= 3.0 + 1e-12; ++i) times.push_back(i * dt);
        arma::cx_vec psi = trap_product_state(sec, ops);
        KrylovPropagator<SectorHamiltonian> prop(H, {1e-10, dim, ops.hbar});
        Index counted = 0;
        for (std::size_t i = 1; i < times.size(); ++i) {
          const KrylovResult r = prop.advance(psi.memptr(), times[i - 1], times[i], {dt, times.back()});
          ASSERT_EQ(r.status, KrylovStatus::Converged);
          counted += r.matvecs;
        }
        const Index predicted = lanczos_run_matvecs(times, s, 1e-10, ops.hbar, dim);
        std::ostringstream what;
        what << "M " << k.M << " N " << k.N << " dim " << dim << " dt " << dt;
        expect_within_2x(predicted, counted, what.str());
      }
  }
}

TEST(CostModel, MatvecCountsBracketTheChebyshevPropagator) {
  for (const Case& k : kCases) {
    const Built c(k);
    const auto& [ops, sec, H, s] = c;
    for (const double tol : {1e-10, 1e-6})
      for (const double t : {0.1, 1.0, 4.0}) {
        arma::cx_vec psi = trap_product_state(sec, ops);
        ChebyshevOptions o;
        o.tolerance = tol;
        o.hbar = ops.hbar;
        ChebyshevPropagator<SectorHamiltonian> prop(H, o);
        const ChebyshevResult r = prop.propagate(psi.memptr(), t);
        ASSERT_EQ(r.status, ChebyshevStatus::Converged);
        const Index counted = r.matvecs - r.bound_matvecs;
        EXPECT_EQ(r.bound_matvecs, o.bound_steps);  // the bound estimate the prediction adds once
        const Index predicted = chebyshev_matvecs(t, s, tol, ops.hbar);
        expect_within_2x(predicted, counted, "tol " + std::to_string(tol) + " t " + std::to_string(t));
      }
  }
}

// The Chebyshev windows (several outputs an expansion) as the run model counts them against propagate_window.
TEST(CostModel, RunMatvecCountsBracketTheChebyshevWindows) {
  for (const Case& k : kCases) {
    const Built c(k);
    const auto& [ops, sec, H, s] = c;
    for (const Index window : {1, 4, 8})
      for (const double dt : {0.05, 0.5}) {
        std::vector<double> times;
        for (int i = 0; i * dt <= 2.0 + 1e-12; ++i) times.push_back(i * dt);
        arma::cx_vec psi = trap_product_state(sec, ops);
        ChebyshevOptions o;
        o.hbar = ops.hbar;
        ChebyshevPropagator<SectorHamiltonian> prop(H, o);
        const double reach = prop.window_reach();
        std::vector<arma::cx_vec> out(static_cast<std::size_t>(window), arma::cx_vec(H.rows()));
        Index counted = 0;
        for (std::size_t i = 0; i + 1 < times.size();) {
          std::vector<double> taus;
          std::vector<cplx*> ptr;
          for (std::size_t j = i + 1; j < times.size() && static_cast<Index>(taus.size()) < window && times[j] - times[i] <= reach; ++j) {
            taus.push_back(times[j] - times[i]);
            ptr.push_back(out[taus.size() - 1].memptr());
          }
          const ChebyshevResult r = prop.propagate_window(psi.memptr(), taus, ptr.data());
          ASSERT_EQ(r.status, ChebyshevStatus::Converged);
          counted += r.matvecs - r.bound_matvecs;
          psi = out[taus.size() - 1];
          i += taus.size();
        }
        double accumulations = 0.0;
        const Index predicted = chebyshev_run_matvecs(times, s, 1e-10, ops.hbar, window, 200.0, &accumulations);
        // every output takes its own terms: as many as the expansions with one output, more with several
        if (window == 1) EXPECT_EQ(accumulations, static_cast<double>(predicted));
        else EXPECT_GT(accumulations, static_cast<double>(predicted));
        expect_within_2x(predicted, counted, "window " + std::to_string(window) + " dt " + std::to_string(dt));
      }
  }
}

TEST(CostModel, CountsStayFiniteOrRefuseOnExtremeInputs) {
  const double inf = std::numeric_limits<double>::infinity(), nan = std::numeric_limits<double>::quiet_NaN();
  EXPECT_EQ(lanczos_matvecs(0.0, 10.0, 1e-10, 1.0, 30), 0);
  EXPECT_EQ(chebyshev_matvecs(0.0, 10.0, 1e-10, 1.0), 0);
  for (const double t : {1e18, 1e300, inf, nan}) {
    EXPECT_EQ(chebyshev_matvecs(t, 10.0, 1e-10, 1.0), -1) << t;
    EXPECT_EQ(lanczos_matvecs(t, 10.0, 1e-10, 1.0, 30), -1) << t;
  }
  for (const double s : {0.0, -1.0, nan, inf}) {
    EXPECT_EQ(chebyshev_matvecs(1.0, s, 1e-10, 1.0), -1) << s;
    EXPECT_EQ(lanczos_matvecs(1.0, s, 1e-10, 1.0, 30), -1) << s;
  }
  EXPECT_EQ(lanczos_matvecs(1.0, 10.0, 1e-10, 1.0, 3), -1);
  EXPECT_EQ(chebyshev_terms(1e300, 1e-10), -1);
  // time reversal costs the same, and a longer interval never costs less
  EXPECT_EQ(lanczos_matvecs(-2.0, 10.0, 1e-10, 1.0, 30), lanczos_matvecs(2.0, 10.0, 1e-10, 1.0, 30));
  Index previous = 0;
  for (const double t : {0.01, 0.1, 1.0, 10.0, 100.0}) {
    const Index n = lanczos_matvecs(t, 10.0, 1e-10, 1.0, 30);
    EXPECT_GE(n, previous) << t;
    previous = n;
  }
  // a long interval: about s t / hbar matvecs per unit width, i.e. linear in t (within the log term)
  const double per_unit = static_cast<double>(chebyshev_matvecs(1000.0, 10.0, 1e-10, 1.0)) / 1000.0;
  EXPECT_GT(per_unit, 10.0);
  EXPECT_LT(per_unit, 13.0);
}

TEST(CostModel, CalibrationPicksASmallSectorOfTheSameLattice) {
  const ModelOperators ops = build_operators(ring_model({10}, 4, 4, 0.25, true));  // D = 210 x 715 = 150150
  const KernelCalibration c = calibrate_kernel(ops, 0, 5000, 0.1, 1e-10, 20);
  EXPECT_LE(c.dim, 5000);
  // fillings within 1/4 of M : N = 1 : 1, at most 5000 states: (2, 2) with 45 x 55 = 2475 states ((3, 2) has
  // 120 x 55 = 6600, (2, 3) 45 x 220 = 9900, too many); (1, 0) and the like are smaller or too far from 1 : 1
  EXPECT_EQ(c.M, 2);
  EXPECT_EQ(c.N, 2);
  // dimension and nonzeros of the chosen sector from the dense construction
  const ModelOperators small = build_operators(ring_model({10}, c.M, c.N, 0.25, true));
  const test::DenseReference ref = dense_of(small);
  EXPECT_EQ(c.dim, ref.DF * ref.DB);
  EXPECT_EQ(c.nnz, static_cast<double>(arma::accu(ref.H != 0.0)));
  EXPECT_GT(c.matvec_seconds, 0.0);
  EXPECT_GT(c.observe_seconds, 0.0);
  EXPECT_GT(c.vector_seconds, 0.0);
  EXPECT_GE(c.iteration_seconds, 0.0);
  EXPECT_GT(c.touch_bytes_per_second, 0.0);
  // a sector below the target is calibrated on itself
  const ModelOperators tiny = build_operators(ring_model({6}, 2, 2, 0.5, true));
  const KernelCalibration ct = calibrate_kernel(tiny, 0, 5000, 0.1, 1e-10, 0);
  EXPECT_EQ(ct.M, 2);
  EXPECT_EQ(ct.N, 2);
  EXPECT_EQ(ct.dim, 15 * 21);
  EXPECT_THROW(calibrate_kernel(tiny, 0, 10, 0.1, 1e-10, 20), InputError);
}

TEST(CostModel, PredictionAddsUpTheRun) {
  Model m = ring_model({8}, 3, 3, 1.0 / 3.0, true);
  m.t_final = 1.0;
  m.output_every = 0.25;
  const ModelOperators ops = build_operators(m);
  const ExactFootprint fp = exact_footprint(m);
  const TimePrediction p = predict_exact_time(m, ops, fp, 2000);
  EXPECT_EQ(p.outputs, 5);
  EXPECT_EQ(p.propagator, PropagatorKind::Lanczos);
  const double s = 0.5 * (p.bounds.upper - p.bounds.lower);
  // the four intervals of 0.25 as dense output serves them, and one energy matvec per output
  Index filled = 0;
  EXPECT_EQ(p.matvecs_total, lanczos_run_matvecs(m.output_times(), s, m.exact.tolerance, m.hbar, fp.krylov_dim, &filled) + 5);
  EXPECT_GT(p.total_seconds, 0.0);
  EXPECT_TRUE(std::isfinite(p.total_seconds));
  EXPECT_GE(p.total_seconds, p.setup_seconds + 5 * p.output_seconds);
  // per output what the run does: the view pass (with Hartree–Hartree, the view and moments in one pass), the energy matvec
  const ScaledCosts sc = scale_calibration(p.calibration, p.nnz, fp.dim);
  EXPECT_GT(p.calibration.observe_all_seconds, 0.0);
  EXPECT_GT(p.calibration.initial_state_seconds, 0.0);
  EXPECT_DOUBLE_EQ(p.matvec_seconds, sc.matvec);
  EXPECT_GT(p.recombine_seconds, 0.0);
  EXPECT_DOUBLE_EQ(p.output_seconds, (m.hartree.enabled ? sc.view_with_moments : sc.view) + sc.matvec + p.recombine_seconds);
  Model alone = m;
  alone.hartree.enabled = !m.hartree.enabled;
  const TimePrediction q = predict_exact_time(alone, ops, fp, 2000);
  const ScaledCosts sq = scale_calibration(q.calibration, q.nnz, fp.dim);
  EXPECT_DOUBLE_EQ(q.output_seconds, (alone.hartree.enabled ? sq.view_with_moments : sq.view) + sq.matvec + q.recombine_seconds);
  // the Lanczos basis is touched as it fills: min(krylov_dim, the most a basis holds + 1) vectors
  EXPECT_EQ(p.krylov_used, std::min(fp.krylov_dim, filled + 1));
  EXPECT_EQ(format_seconds(0.25), "250 ms");
  EXPECT_EQ(format_seconds(4.5e-5), "45 us");
  EXPECT_EQ(format_seconds(90.0), "90.0 s");
  EXPECT_EQ(format_seconds(std::numeric_limits<double>::infinity()), "beyond any practical time");
}

TEST(CostModel, ScalingRulesOfTheCalibration) {
  KernelCalibration c;
  c.dim = 10;
  c.nnz = 100.0;
  c.matvec_seconds = 1.0;
  c.observe_seconds = 2.0;
  c.observe_all_seconds = 3.0;
  c.vector_seconds = 0.5;
  c.iteration_seconds = 0.25;
  c.setup_seconds = 4.0;
  c.initial_state_seconds = 0.5;
  // 10x the nonzeros, 5x the states: the move-walking kernels by nonzeros, the state-sized work by states,
  // the dense work unscaled
  const ScaledCosts s = scale_calibration(c, 1000.0, 50);
  EXPECT_DOUBLE_EQ(s.matvec, 10.0);
  EXPECT_DOUBLE_EQ(s.view, 20.0);
  EXPECT_DOUBLE_EQ(s.view_with_moments, 30.0);
  EXPECT_DOUBLE_EQ(s.iteration, 10.0 + 2.5 + 0.25);
  EXPECT_DOUBLE_EQ(s.setup, 22.5);
  // the calibration sector itself: unchanged
  const ScaledCosts same = scale_calibration(c, 100.0, 10);
  EXPECT_DOUBLE_EQ(same.matvec, 1.0);
  EXPECT_DOUBLE_EQ(same.iteration, 1.75);
  EXPECT_DOUBLE_EQ(same.setup, 4.5);
}
