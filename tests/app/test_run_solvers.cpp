// The solver seam with all four solvers: Vlasov–Hartree and the fluctuation dynamics run from `run_model`
// beside the exact solver and Hartree–Hartree, checked through the file against identities that hold
// independently of the driver (SPEC §5, §6, §7 (a)), plus the seam's own promises (propagator choice,
// scheme echo, unconverged steps counted).
#include <gtest/gtest.h>

#include "fockmix/linalg/chebyshev.hpp"
#include "fockmix/model/footprint.hpp"

#include <cmath>
#include <filesystem>
#include <string>

#include "fockmix/analysis/norms.hpp"
#include "fockmix/app/run.hpp"
#include "fockmix/core/error.hpp"
#include "fockmix/io/h5.hpp"
#include "fockmix/meanfield/wigner.hpp"
#include "fockmix/model/model_operators.hpp"
#include "exact/dense_reference.hpp"

namespace fs = std::filesystem;
using namespace fockmix;

namespace {

/// L = 6 ring, M = N = 2, traps released at t = 0 (as tests/app/test_run.cpp's tiny model).
Model small_model(const std::string& name) {
  Model m;
  m.name = name;
  m.sites = {6};
  m.lambda = 0.5;
  m.fermions.number = 2;
  m.bosons.number = 2;
  m.fermions.trap = {PotentialKind::Harmonic, 0.4, 1.0, {}, {}};
  m.bosons.trap = {PotentialKind::Harmonic, 0.4, 1.0, {2.0}, {}};
  m.t_final = 0.5;
  m.output_every = 0.25;
  m.hartree.dt = 0.005;
  m.exact.tolerance = 1e-12;
  const fs::path dir = fs::path(FOCKMIX_BINARY_DIR) / "test_output" / "app_solvers";
  fs::create_directories(dir);
  m.output = (dir / (name + ".h5")).string();
  return m;
}

}  // namespace

// exact, HH and VH start from the same state: every pair agrees at t = 0 (W and Op are inverse maps), the
// three comparison groups exist, VH mass is conserved, and the stored exact-vs-VH error equals the trace norm of
// gamma_F - M Op(f) recomputed here from the stored f with the library's Weyl map.
TEST(RunSolvers, ExactHartreeVlasovTogether) {
  Model m = small_model("three");
  m.vlasov.enabled = true;
  const RunSummary s = run_model(m);
  ASSERT_EQ(s.comparisons, (std::vector<std::string>{"exact_hartree", "exact_vlasov", "hartree_vlasov"}));
  const h5::File f = h5::File::open(m.output);
  const h5::Group root = f.root();
  for (const std::string c : {"exact_hartree", "exact_vlasov", "hartree_vlasov"}) {
    const h5::Group g = root.group("comparison/" + c);
    EXPECT_LT(g.read_vec("eF_trace")(0), 1e-12) << c;
    EXPECT_LT(g.read_vec("eB_trace")(0), 1e-12) << c;
  }
  EXPECT_LT(root.group("comparison/hartree_vlasov").read_vec("fourier_norm")(0), 1e-12);
  EXPECT_GT(root.group("comparison/hartree_vlasov").read_vec("fourier_norm")(2), 1e-8);  // they do move apart
  const arma::vec mass = root.group("vlasov").read_vec("mass");
  EXPECT_LT(arma::abs(mass - 1.0).max(), 1e-12);

  const arma::cube fs_ = root.group("vlasov").read_cube("f");
  const arma::cx_cube gF = root.group("exact").read_cx_cube("gamma_F");
  const Lattice lat(m.sites, m.spacing);
  const MomentumGrid grid = brillouin_grid(lat, m.hbar);
  const arma::uword k = fs_.n_slices - 1;
  const arma::cx_mat op = static_cast<double>(m.fermions.number) * weyl_quantisation(fs_.slice(k), lat, m.hbar, grid);
  const double eF = trace_norm(gF.slice(k) - op) / static_cast<double>(m.fermions.number);
  EXPECT_NEAR(root.group("comparison/exact_vlasov").read_vec("eF_trace")(k), eF, 1e-12);
  EXPECT_GT(eF, 1e-6);
}

// SPEC §7 (a) through the driver: with coherent boson data, the exact solver's <N_F>_U = 2 (M - Tr gamma_F omega)
// and <N_B>_U = <N_B> - 2 sqrt(N) Re <phi, <b>> + N agree with the fluctuation dynamics' <N_F>, <N_B> (two
// independent codes: sector superposition vs generator in the fluctuation Fock space) to the truncation accuracy.
TEST(RunSolvers, CoherentExactAgreesWithFluctuationDynamics) {
  Model m = small_model("coherent_fluct");
  m.sites = {4};
  m.fermions.number = 1;
  m.bosons.trap.centre = {1.0};
  m.exact.initial = ExactInitial::Coherent;
  m.exact.coherent_tolerance = 1e-13;
  m.fluct.enabled = true;
  m.fluct.boson_cutoff = 10;
  m.fluct.dt = 0.005;
  const RunSummary s = run_model(m);
  const h5::File f = h5::File::open(m.output);
  const h5::Group root = f.root();
  const arma::vec nF = root.group("fluct").read_vec("nF"), nB = root.group("fluct").read_vec("nB");
  const h5::Group c = root.group("comparison/exact_hartree");
  const arma::vec nF_U = c.read_vec("nF_U"), nB_U = c.read_vec("nB_U");
  ASSERT_EQ(nF.n_elem, 3u);
  EXPECT_LT(std::abs(nF(0)), 1e-12);
  EXPECT_LT(std::abs(nF_U(0)), 1e-9);
  EXPECT_GT(nB(2), 1e-4);  // the fluctuations do grow
  for (arma::uword k = 0; k < nF.n_elem; ++k) {
    EXPECT_NEAR(nF(k), nF_U(k), 1e-6 * std::max(1.0, nF(k))) << k;
    EXPECT_NEAR(nB(k), nB_U(k), 1e-6 * std::max(1.0, nB(k))) << k;
  }
  EXPECT_TRUE(s.warnings.empty());
}

// The memory-lean Chebyshev propagator, chosen in the model, gives the Lanczos run's density matrices.
TEST(RunSolvers, ChebyshevPropagatorMatchesLanczos) {
  Model a = small_model("lanczos");
  a.hartree.enabled = false;
  Model b = a;
  b.name = "chebyshev";
  b.output = fs::path(a.output).replace_filename("chebyshev.h5").string();
  b.exact.propagator = PropagatorPreference::Chebyshev;
  run_model(a);
  run_model(b);
  const h5::File fa = h5::File::open(a.output), fb = h5::File::open(b.output);
  EXPECT_EQ(fb.root().group("exact").attr_string("propagator"), "chebyshev");
  EXPECT_EQ(fa.root().group("exact").attr_string("propagator"), "lanczos");
  const arma::cx_cube ga = fa.root().group("exact").read_cx_cube("gamma_B"), gb = fb.root().group("exact").read_cx_cube("gamma_B");
  EXPECT_LT(arma::abs(ga - gb).max(), 1e-9);
  // the same with one output per expansion (a memory limit with no room for a window of output states): the same
  // states within the tolerance, more matvecs than the windowed run's (several outputs per expansion)
  Model c = b;
  c.name = "chebyshev1";
  c.output = fs::path(a.output).replace_filename("chebyshev1.h5").string();
  const ExactFootprint fb_fp = exact_footprint(b);
  ASSERT_GT(fb_fp.chebyshev_window, 1);
  c.exact.memory_limit_gib = (fb_fp.total_bytes - (fb_fp.chebyshev_window - 0.5) * fb_fp.state_bytes) / 1073741824.0;
  ASSERT_EQ(exact_footprint(c).chebyshev_window, 1);
  run_model(c);
  const h5::File fc = h5::File::open(c.output);
  const arma::cx_cube gc = fc.root().group("exact").read_cx_cube("gamma_B");
  EXPECT_LT(arma::abs(gc - gb).max(), 1e-9);
  EXPECT_LT(arma::abs(fc.root().group("exact").read_cx_cube("gamma_F") - fb.root().group("exact").read_cx_cube("gamma_F")).max(), 1e-9);
  const double windowed = fb.root().group("exact").read_vec("matvecs").max(), single = fc.root().group("exact").read_vec("matvecs").max();
  const double bounds = static_cast<double>(ChebyshevOptions{}.bound_steps);  // the spectral-bound estimate, once in both
  EXPECT_LT(1.5 * (windowed - bounds), single - bounds) << windowed << " against " << single;
  EXPECT_LE(fb.root().group("exact").read_vec("krylov_error").max(), b.exact.tolerance * b.t_final);
}

// hartree.scheme reaches the solver and the file; a fixed point that cannot meet its tolerance is counted.
TEST(RunSolvers, HartreeSchemeEchoAndUnconvergedSteps) {
  Model m = small_model("scheme4");
  m.exact.enabled = false;
  m.hartree.scheme = HartreeScheme::TripleJump4;
  RunSummary s = run_model(m);
  const h5::File f = h5::File::open(m.output);
  EXPECT_NE(f.root().group("hartree").attr_string("scheme").find("order 4"), std::string::npos);
  EXPECT_EQ(f.root().group("model").attr_string("hartree.scheme"), "triple_jump4");
  EXPECT_EQ(s.unconverged_steps, 0);

  Model tight = small_model("unconverged");
  tight.exact.enabled = false;
  tight.hartree.tolerance = 1e-300;  // below round-off
  // ... and a strong coupling with one long step per output, so that the fixed-point map does not contract and
  // cannot reach it even by landing on a bitwise fixed point (which the smooth Chebyshev exponential can do)
  tight.lambda = 50.0;
  tight.hartree.dt = 0.25;
  s = run_model(tight);
  EXPECT_GT(s.unconverged_steps, 0);
  const h5::File g = h5::File::open(tight.output);
  EXPECT_EQ(g.root().attr_int("unconverged_steps"), s.unconverged_steps);
  // which outputs' steps land bitwise on a fixed point depends on the BLAS's rounding; some must not
  const arma::vec converged = g.root().group("hartree").read_vec("converged");
  EXPECT_GT(arma::accu(converged == 0.0), 0u);
  EXPECT_LE(arma::accu(converged == 0.0), static_cast<arma::uword>(s.unconverged_steps));
}

// vlasov.initial = "file": f_0 written from a Wigner run's stored f (scaled by 3, which the reader normalises
// away) reproduces that run's Vlasov–Hartree evolution.
TEST(RunSolvers, VlasovInitialStateFromAFile) {
  Model a = small_model("vlasov_wigner");
  a.exact.enabled = false;
  a.vlasov.enabled = true;
  run_model(a);
  const arma::cube fa = h5::File::open(a.output).root().group("vlasov").read_cube("f");
  const std::string table = (fs::path(a.output).parent_path() / "f0.txt").string();
  arma::mat f0 = 3.0 * fa.slice(0);
  ASSERT_TRUE(f0.save(table, arma::raw_ascii));
  Model b = a;
  b.name = "vlasov_file";
  b.output = (fs::path(a.output).parent_path() / "vlasov_file.h5").string();
  b.vlasov.initial = VlasovInitial::File;
  b.vlasov.file = table;
  run_model(b);
  const arma::cube fb = h5::File::open(b.output).root().group("vlasov").read_cube("f");
  ASSERT_EQ(fa.n_slices, fb.n_slices);
  EXPECT_LT(arma::abs(fa - fb).max(), 1e-12 * arma::abs(fa).max());
  // a table of the wrong shape is refused before any work, naming the key
  arma::mat wrong = f0.cols(0, 2);
  ASSERT_TRUE(wrong.save(table, arma::raw_ascii));
  EXPECT_THROW(run_model(b), InputError);
}

// exact.initial = "ground_state" diagonalises the TRAP Hamiltonian (not the dynamics one): E(0), taken with the
// dynamics H, equals <g|H_dyn|g> for the lowest dense eigenvector g of the trap H built by independent code;
// with the dynamics potentials equal to the traps the state is stationary (gamma constant in time).
TEST(RunSolvers, GroundStateIsTheTrapHamiltonians) {
  Model m = small_model("ground_state");
  m.sites = {4};
  m.hartree.enabled = false;
  m.exact.initial = ExactInitial::GroundState;
  run_model(m);
  const ModelOperators ops = build_operators(m);
  const test::DenseReference trap = test::build_reference(4, 2, 2, 0, ops.trap_one_body_F(), ops.trap_one_body_B(), ops.V, m.lambda);
  const test::DenseReference dyn = test::build_reference(4, 2, 2, 0, ops.one_body_F(), ops.one_body_B(), ops.V, m.lambda);
  arma::vec e;
  arma::mat Q;
  ASSERT_TRUE(arma::eig_sym(e, Q, trap.H));
  ASSERT_GT(e(1) - e(0), 1e-6);  // a non-degenerate ground state
  const double expected = arma::dot(Q.col(0), dyn.H * Q.col(0));
  const h5::File f = h5::File::open(m.output);
  EXPECT_NEAR(f.root().group("exact").read_vec("energy")(0), expected, 1e-9 * std::max(1.0, std::abs(expected)));
  const arma::vec e_dyn = arma::eig_sym(dyn.H);
  EXPECT_GT(expected - e_dyn(0), 1e-3);  // the dynamics H's own ground state would be told apart

  Model stationary = m;
  stationary.name = "ground_state_stationary";
  stationary.output = fs::path(m.output).replace_filename("ground_state_stationary.h5").string();
  stationary.fermions.potential = stationary.fermions.trap;
  stationary.bosons.potential = stationary.bosons.trap;
  run_model(stationary);
  const arma::cx_cube gF = h5::File::open(stationary.output).root().group("exact").read_cx_cube("gamma_F");
  const arma::cx_cube gB = h5::File::open(stationary.output).root().group("exact").read_cx_cube("gamma_B");
  EXPECT_LT(arma::abs(gF.slice(gF.n_slices - 1) - gF.slice(0)).max(), 1e-9);
  EXPECT_LT(arma::abs(gB.slice(gB.n_slices - 1) - gB.slice(0)).max(), 1e-9);
  EXPECT_NEAR(std::real(arma::trace(gF.slice(0))), 2.0, 1e-10);
}
