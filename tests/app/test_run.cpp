// Tests of the run driver (run_model) through the file it writes: the HDF5 data are read back with
// fockmix::h5 and checked against SPEC §3, §4, §6 and §9 identities and against numbers recomputed here
// from the stored matrices with different algorithms (general eigenvalues, singular values).
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

#include "fockmix/app/run.hpp"
#include "fockmix/core/error.hpp"
#include "fockmix/io/h5.hpp"

namespace fs = std::filesystem;
using namespace fockmix;

namespace {

fs::path output_dir() {
  const fs::path dir = fs::path(FOCKMIX_BINARY_DIR) / "test_output" / "app_run";
  fs::create_directories(dir);
  return dir;
}

/// A tiny mixture: L = 6 ring, M = N = 2 (D = 15 x 21 = 315), both species prepared in harmonic traps
/// with different centres and released at t = 0 under a Gaussian interaction.
Model tiny_model(const std::string& name) {
  Model m;
  m.name = name;
  m.sites = {6};
  m.spacing = 1.0;
  m.hbar = 1.0;
  m.lambda = 0.5;
  m.interaction.kind = InteractionKind::Gaussian;
  m.interaction.amplitude = 1.0;
  m.interaction.width = 1.0;
  m.fermions.number = 2;
  m.bosons.number = 2;
  m.fermions.mass = 0.5;
  m.bosons.mass = 0.5;
  m.fermions.trap = {PotentialKind::Harmonic, 0.4, 1.0, {}, {}};
  m.bosons.trap = {PotentialKind::Harmonic, 0.4, 1.0, {2.0}, {}};
  m.t_final = 1.0;
  m.output_every = 0.1;
  m.hartree.dt = 0.005;
  m.exact.tolerance = 1e-12;
  m.output = (output_dir() / (name + ".h5")).string();
  return m;
}

/// Everything a test needs from a run file, read back through fockmix::h5.
struct RunFile {
  std::string status;
  double t_reached = 0;
  Index M = 0, N = 0;
  arma::vec times;
  arma::cx_mat orbitals_0;
  arma::cx_vec phi_0;
  arma::vec E_exact, norm, E_hh;
  arma::cx_cube gamma_F, gamma_B, omega;
  arma::cx_mat phi;  // (time, site)
  arma::vec eF_trace, eB_trace, eF_hs, eB_hs, rhoF_l1, rhoB_l1, nF_exc, nB_exc, nF_exc2, nB_exc2;

  explicit RunFile(const std::string& path) {
    const h5::File file = h5::File::open(path);
    const h5::Group root = file.root();
    status = root.attr_string("status");
    t_reached = root.attr_double("t_reached");
    const h5::Group model = root.group("model");
    M = model.attr_int("fermions.number");
    N = model.attr_int("bosons.number");
    times = root.read_vec("times");
    const h5::Group grid = root.group("grid");
    orbitals_0 = grid.read_cx_mat("orbitals_0");
    phi_0 = grid.read_cx_vec("phi_0");
    const h5::Group ex = root.group("exact");
    E_exact = ex.read_vec("energy");
    norm = ex.read_vec("norm");
    gamma_F = ex.read_cx_cube("gamma_F");
    gamma_B = ex.read_cx_cube("gamma_B");
    const h5::Group hh = root.group("hartree");
    E_hh = hh.read_vec("energy");
    omega = hh.read_cx_cube("omega");
    phi = hh.read_cx_mat("phi");
    const h5::Group c = root.group("comparison/exact_hartree");
    eF_trace = c.read_vec("eF_trace");
    eB_trace = c.read_vec("eB_trace");
    eF_hs = c.read_vec("eF_hs");
    eB_hs = c.read_vec("eB_hs");
    rhoF_l1 = c.read_vec("rhoF_l1");
    rhoB_l1 = c.read_vec("rhoB_l1");
    nF_exc = c.read_vec("nF_exc");
    nB_exc = c.read_vec("nB_exc");
    nF_exc2 = c.read_vec("nF_exc2");
    nB_exc2 = c.read_vec("nB_exc2");
  }
  arma::uword steps() const { return times.n_elem; }
  arma::cx_vec phi_at(arma::uword k) const { return phi.row(k).st(); }
  arma::cx_mat condensate_at(arma::uword k) const {
    const arma::cx_vec p = phi_at(k);
    return static_cast<double>(N) * (p * p.t());
  }
};

/// Trace norm of a Hermitian matrix from its eigenvalues, computed by LAPACK's general (non-Hermitian)
/// eigensolver zgeev: a different algorithm from the zheevd behind fockmix::trace_norm.
double trace_norm_general_eig(const arma::cx_mat& A) {
  const arma::cx_vec ev = arma::eig_gen(A);
  return arma::accu(arma::abs(arma::real(ev)));
}

double max_abs(const arma::cx_mat& A) { return A.is_empty() ? 0.0 : arma::abs(A).max(); }

RunSummary run_tiny(Model m) { return run_model(m); }

}  // namespace

// t = 0 (SPEC §3, (2.10)): both solvers start from the same product state, so every error and fluctuation
// number vanishes, gamma_F(0) = omega_0 = orbitals_0 orbitals_0^* and gamma_B(0) = N phi_0 phi_0^*.
TEST(RunModel, InitialTimeIdentities) {
  const Model m = tiny_model("initial");
  run_tiny(m);
  const RunFile f(m.output);
  ASSERT_GE(f.steps(), 1u);
  EXPECT_EQ(f.times(0), 0.0);
  for (const arma::vec* v : {&f.eF_trace, &f.eB_trace, &f.eF_hs, &f.eB_hs, &f.rhoF_l1, &f.rhoB_l1, &f.nF_exc,
                             &f.nB_exc, &f.nF_exc2, &f.nB_exc2})
    EXPECT_LE(std::abs((*v)(0)), 1e-12);
  const arma::cx_mat omega0 = f.orbitals_0 * f.orbitals_0.t();
  EXPECT_LE(max_abs(f.gamma_F.slice(0) - omega0), 1e-12);
  EXPECT_LE(max_abs(f.gamma_B.slice(0) - static_cast<double>(f.N) * f.phi_0 * f.phi_0.t()), 1e-12);
  EXPECT_LE(max_abs(f.omega.slice(0) - omega0), 1e-14);
  EXPECT_LE(arma::norm(f.phi_at(0) - f.phi_0), 1e-14);
  // the stored initial data are what SPEC §3 says: orthonormal orbitals, a normalised condensate
  EXPECT_LE(max_abs(f.orbitals_0.t() * f.orbitals_0 - arma::eye<arma::cx_mat>(f.M, f.M)), 1e-13);
  EXPECT_NEAR(arma::norm(f.phi_0), 1.0, 1e-13);
}

// lambda = 0 (SPEC §9): the species do not interact, so the product state stays a product of a Slater
// determinant and a condensate and Hartree–Hartree is exact: every error at round-off for all t.
TEST(RunModel, NoInteractionMakesMeanFieldExact) {
  Model m = tiny_model("lambda0");
  m.lambda = 0.0;
  run_tiny(m);
  const RunFile f(m.output);
  ASSERT_EQ(f.steps(), 11u);
  for (const arma::vec* v : {&f.eF_trace, &f.eB_trace, &f.eF_hs, &f.eB_hs, &f.rhoF_l1, &f.rhoB_l1, &f.nF_exc, &f.nB_exc})
    EXPECT_LE(arma::abs(*v).max(), 1e-11);  // measured: <= 4e-13
  // ... while the state really moves (the traps are released)
  EXPECT_GT(max_abs(f.gamma_F.slice(f.steps() - 1) - f.gamma_F.slice(0)), 1e-2);
  EXPECT_GT(max_abs(f.gamma_B.slice(f.steps() - 1) - f.gamma_B.slice(0)), 1e-2);
}

// Constant V (NOTES O8): lambda V_0 N_F N_B is a c-number in the sector, so the exact dynamics is free up
// to a phase, and the Hartree–Hartree mean fields are constants: again exact at every t.
TEST(RunModel, ConstantInteractionMakesMeanFieldExact) {
  Model m = tiny_model("constantV");
  m.interaction.kind = InteractionKind::Constant;
  m.interaction.amplitude = 1.5;
  m.lambda = 0.7;
  run_tiny(m);
  const RunFile f(m.output);
  ASSERT_EQ(f.steps(), 11u);
  for (const arma::vec* v : {&f.eF_trace, &f.eB_trace, &f.eF_hs, &f.eB_hs, &f.rhoF_l1, &f.rhoB_l1, &f.nF_exc, &f.nB_exc})
    EXPECT_LE(arma::abs(*v).max(), 1e-11);  // measured: <= 4e-13
  EXPECT_GT(max_abs(f.gamma_F.slice(f.steps() - 1) - f.gamma_F.slice(0)), 1e-2);
}

// Conserved quantities of both solvers, read from the file (SPEC §3, §4, §9), for an interacting run in
// which mean field is not exact (the errors grow).
TEST(RunModel, ConservationInTheFile) {
  Model m = tiny_model("conservation");
  m.t_final = 2.0;
  m.output_every = 0.25;
  const RunSummary s = run_tiny(m);
  EXPECT_EQ(s.status, RunStatus::Completed);
  const RunFile f(m.output);
  ASSERT_EQ(f.steps(), 9u);
  EXPECT_EQ(f.status, "completed");
  EXPECT_EQ(f.t_reached, 2.0);
  EXPECT_GT(f.eF_trace.max(), 1e-3);  // a genuinely interacting run
  EXPECT_GT(f.eB_trace.max(), 1e-3);

  const double E0 = f.E_exact(0);
  // the mean-field energy is the expectation of H in the product state: equal at t = 0 (SPEC §4)
  EXPECT_NEAR(f.E_hh(0), E0, 1e-12 * std::max(1.0, std::abs(E0)));
  for (arma::uword k = 0; k < f.steps(); ++k) {
    SCOPED_TRACE("t = " + std::to_string(f.times(k)));
    EXPECT_NEAR(f.E_exact(k), E0, 1e-10 * std::abs(E0));  // Krylov propagation, tolerance 1e-12 per unit time
    EXPECT_NEAR(f.E_hh(k), f.E_hh(0), 1e-10 * std::abs(E0));  // the midpoint scheme conserves E_HH up to its fixed-point tolerance
    EXPECT_NEAR(f.norm(k), 1.0, 1e-12);
    const arma::cx_mat& gF = f.gamma_F.slice(k);
    const arma::cx_mat& gB = f.gamma_B.slice(k);
    EXPECT_NEAR(arma::trace(gF).real(), static_cast<double>(f.M), 1e-11);
    EXPECT_NEAR(arma::trace(gB).real(), static_cast<double>(f.N), 1e-11);
    EXPECT_LE(std::abs(arma::trace(gF).imag()), 1e-12);
    EXPECT_LE(max_abs(gF - gF.t()), 1e-13);  // Hermitian
    EXPECT_LE(max_abs(gB - gB.t()), 1e-13);
    const arma::vec occ_F = arma::eig_sym(arma::cx_mat(0.5 * (gF + gF.t())));
    EXPECT_GE(occ_F.min(), -1e-12);  // 0 <= gamma_F <= 1 (Pauli)
    EXPECT_LE(occ_F.max(), 1.0 + 1e-12);
    EXPECT_NEAR(arma::trace(f.omega.slice(k)).real(), static_cast<double>(f.M), 1e-12);
    EXPECT_NEAR(arma::norm(f.phi_at(k)), 1.0, 1e-12);
  }
}

// The trace-norm errors in the file equal an independent computation from the stored matrices:
// eigenvalues of gamma_F - omega and gamma_B - N |phi><phi| by the general eigensolver, singular values
// for the trace norm of the same matrices, and the Hilbert–Schmidt norms and density errors by hand.
TEST(RunModel, StoredErrorsMatchIndependentNorms) {
  Model m = tiny_model("norms");
  m.t_final = 1.5;
  m.output_every = 0.5;
  run_tiny(m);
  const RunFile f(m.output);
  ASSERT_EQ(f.steps(), 4u);
  const double M = static_cast<double>(f.M), N = static_cast<double>(f.N);
  for (arma::uword k = 0; k < f.steps(); ++k) {
    SCOPED_TRACE("t = " + std::to_string(f.times(k)));
    const arma::cx_mat dF = f.gamma_F.slice(k) - f.omega.slice(k);
    const arma::cx_mat dB = f.gamma_B.slice(k) - f.condensate_at(k);
    const double eF = trace_norm_general_eig(dF) / M, eB = trace_norm_general_eig(dB) / N;
    EXPECT_NEAR(f.eF_trace(k), eF, 1e-12 + 1e-9 * eF);
    EXPECT_NEAR(f.eB_trace(k), eB, 1e-12 + 1e-9 * eB);
    EXPECT_NEAR(f.eF_trace(k), arma::accu(arma::svd(dF)) / M, 1e-12 + 1e-9 * eF);
    EXPECT_NEAR(f.eB_trace(k), arma::accu(arma::svd(dB)) / N, 1e-12 + 1e-9 * eB);
    EXPECT_NEAR(f.eF_hs(k), std::sqrt(arma::accu(arma::square(arma::abs(dF)))) / M, 1e-13);
    EXPECT_NEAR(f.eB_hs(k), std::sqrt(arma::accu(arma::square(arma::abs(dB)))) / N, 1e-13);
    EXPECT_NEAR(f.rhoF_l1(k), arma::accu(arma::abs(arma::real(dF.diag()))) / M, 1e-13);
    EXPECT_NEAR(f.rhoB_l1(k), arma::accu(arma::abs(arma::real(dB.diag()))) / N, 1e-13);
    if (k > 0) {
      EXPECT_GT(f.eF_trace(k), 1e-4);  // non-trivial values are being compared
    }
  }
}

// Fluctuation numbers in the fixed-number picture (SPEC §6): <N_F^exc> = 2 Tr[gamma_F (1 - omega)]
// = 2 (M - Re Tr(omega gamma_F)) and <N_B^exc> = N - <phi, gamma_B phi>, recomputed from the stored
// matrices; the stored second moments obey <X^2> >= <X>^2 (Cauchy–Schwarz).
TEST(RunModel, FluctuationIdentitiesFromStoredMatrices) {
  Model m = tiny_model("fluctuations");
  m.t_final = 2.0;
  m.output_every = 0.5;
  run_tiny(m);
  const RunFile f(m.output);
  ASSERT_EQ(f.steps(), 5u);
  const double M = static_cast<double>(f.M), N = static_cast<double>(f.N);
  for (arma::uword k = 0; k < f.steps(); ++k) {
    SCOPED_TRACE("t = " + std::to_string(f.times(k)));
    const double nF = 2.0 * (M - arma::trace(f.omega.slice(k) * f.gamma_F.slice(k)).real());
    const arma::cx_vec p = f.phi_at(k);
    const double nB = N - arma::cdot(p, f.gamma_B.slice(k) * p).real();
    EXPECT_NEAR(f.nF_exc(k), nF, 1e-12);
    EXPECT_NEAR(f.nB_exc(k), nB, 1e-12);
    EXPECT_GE(f.nF_exc2(k), f.nF_exc(k) * f.nF_exc(k) - 1e-12);
    EXPECT_GE(f.nB_exc2(k), f.nB_exc(k) * f.nB_exc(k) - 1e-12);
    EXPECT_GE(f.nF_exc(k), -1e-12);
    EXPECT_GE(f.nB_exc(k), -1e-12);
    if (k > 0) {
      EXPECT_GT(f.nF_exc(k), 1e-4);
      EXPECT_GT(f.nF_exc2(k), f.nF_exc(k) * f.nF_exc(k));  // genuine spread once the state has moved
    }
  }
}

// A clean interrupt: the stop flag, set from the progress callback after the 3rd output time, ends the run
// after that time with status "interrupted", t_reached = the last stored time, and every series of the
// same length.
TEST(RunModel, InterruptLeavesAConsistentFile) {
  const Model m = tiny_model("interrupt");
  std::atomic<bool> stop{false};
  int outputs = 0;
  RunHooks hooks;
  hooks.stop = &stop;
  hooks.progress = [&](double, const RunRecord&) {
    if (++outputs == 3) stop.store(true);
  };
  const RunSummary s = run_model(m, hooks);
  EXPECT_EQ(s.status, RunStatus::Interrupted);
  EXPECT_EQ(outputs, 3);
  EXPECT_EQ(s.records.size(), 3u);

  const h5::File file = h5::File::open(m.output);
  const h5::Group root = file.root();
  EXPECT_EQ(root.attr_string("status"), "interrupted");
  const arma::vec times = root.read_vec("times");
  ASSERT_EQ(times.n_elem, 3u);
  EXPECT_EQ(root.attr_double("t_reached"), times(times.n_elem - 1));
  EXPECT_NEAR(times(2), 0.2, 1e-12);
  EXPECT_NO_THROW(root.attr_double("seconds"));  // written at the end of a clean stop
  const std::vector<std::pair<std::string, std::vector<std::string>>> series{
      {"exact", {"energy", "norm", "matvecs", "krylov_error", "gamma_F", "gamma_B", "rho_F", "rho_B"}},
      {"hartree",
       {"energy", "trace_omega", "idempotency", "orthonormality", "norm_phi", "iterations", "omega", "phi", "rho_F", "rho_B"}},
      {"comparison/exact_hartree",
       {"eF_trace", "eB_trace", "eF_hs", "eB_hs", "rhoF_l1", "rhoB_l1", "nF_exc", "nB_exc", "nF_exc2", "nB_exc2"}}};
  for (const auto& [group, names] : series) {
    ASSERT_TRUE(root.has(group)) << group;
    const h5::Group g = root.group(group);
    for (const auto& name : names) {
      ASSERT_TRUE(g.has(name)) << group << "/" << name;
      EXPECT_EQ(g.shape(name).at(0), 3) << group << "/" << name;
    }
  }
}

// Validation before any work (SPEC §10): more fermions than sites is an InputError, and no file is written.
TEST(RunModel, MoreFermionsThanSitesThrows) {
  Model m = tiny_model("invalid");
  fs::remove(m.output);
  m.fermions.number = 7;  // L = 6
  EXPECT_THROW(run_model(m), InputError);
  EXPECT_FALSE(fs::exists(m.output));
}

// Only one solver: the file has that solver's group and no comparison.
TEST(RunModel, SingleSolverWritesOnlyItsGroup) {
  Model m = tiny_model("hartree_only");
  m.exact.enabled = false;
  const RunSummary s = run_tiny(m);
  EXPECT_FALSE(s.ran("exact"));
  EXPECT_TRUE(s.ran("hartree"));
  EXPECT_TRUE(s.comparisons.empty());
  const h5::File file = h5::File::open(m.output);
  const h5::Group root = file.root();
  EXPECT_FALSE(root.has("exact"));
  EXPECT_FALSE(root.has("comparison"));
  ASSERT_TRUE(root.has("hartree"));
  EXPECT_EQ(root.group("hartree").shape("energy").at(0), 11);
  EXPECT_EQ(root.attr_string("status"), "completed");
}

// A process that writes nothing (RunHooks::write_output = false, the ranks of a distributed run other than 0) runs
// the same solvers and reports the same records as one that writes, and leaves no file at model.output.
TEST(RunModel, WithoutOutputRunsAlikeAndWritesNothing) {
  Model m = tiny_model("no_output");
  const RunSummary written = run_model(m);
  m.output = (output_dir() / "no_output_absent.h5").string();
  fs::remove(m.output);
  RunHooks hooks;
  hooks.write_output = false;
  hooks.overwrite = false;  // in place: would also write a checkpoint, if a process without output wrote any
  const RunSummary silent = run_model(m, hooks);
  EXPECT_FALSE(fs::exists(m.output));
  EXPECT_FALSE(fs::exists(m.output + ".ckpt"));
  for (const auto& e : fs::directory_iterator(output_dir())) EXPECT_EQ(e.path().filename().string().find(".no_output_absent"), std::string::npos);
  ASSERT_EQ(silent.records.size(), written.records.size());
  for (std::size_t k = 0; k < written.records.size(); ++k) {
    ASSERT_EQ(silent.records[k].values.size(), written.records[k].values.size());
    for (const auto& [key, v] : written.records[k].values) EXPECT_NEAR(silent.records[k].value(key), v, 1e-12 * std::max(1.0, std::abs(v))) << key;
  }
  hooks.resume = true;
  EXPECT_THROW(run_model(m, hooks), InputError);  // nothing to continue on a process that writes nothing
}

// RunHooks::any_process decides for every process: the driver asks it at every output time whether to stop and
// whether a checkpoint is due, and follows its answer even though this process's own flag and clock say no.
TEST(RunModel, AgreedStopAndCheckpointDecideTheRun) {
  const Model m = tiny_model("agreed_stop");
  fs::remove(m.output);
  fs::remove(m.output + ".ckpt");
  std::atomic<bool> stop{false};
  int asked = 0;
  bool checkpoint_before_stop = false;
  RunHooks hooks;
  hooks.stop = &stop;
  hooks.overwrite = false;  // in place, with checkpoints (every 30 minutes by this process's clock)
  hooks.any_process = [&](bool flag) {
    EXPECT_FALSE(flag);  // neither a stop nor a due checkpoint here
    ++asked;             // output 0: stop? (1) checkpoint? (2); output 1: stop? (3)
    if (asked == 3) checkpoint_before_stop = fs::exists(m.output + ".ckpt");
    return asked == 2 || asked == 3;  // another process's clock said "checkpoint", then its flag said "stop"
  };
  const RunSummary s = run_model(m, hooks);
  EXPECT_EQ(s.status, RunStatus::Interrupted);
  EXPECT_EQ(s.records.size(), 2u);
  EXPECT_EQ(asked, 3);
  EXPECT_TRUE(checkpoint_before_stop);
  const h5::File file = h5::File::open(m.output);
  EXPECT_EQ(file.root().attr_string("status"), "interrupted");
  EXPECT_EQ(file.root().read_vec("times").n_elem, 2u);
}
