// Long runs: every solver honours the stop flag between its own time steps (and is then back at its previous
// output), an unstopped solver gives bitwise the numbers of the integrators' own evolve_to, and a run
// interrupted (or crashed mid-checkpoint) and continued with `resume` writes the same file as a run that was
// never interrupted. Refusals of resume each give their message.
#include <algorithm>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <limits>
#include <cstdio>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <sys/wait.h>
#include <unistd.h>
#include <thread>
#include <variant>
#include <vector>

#include "fockmix/app/run.hpp"
#include "fockmix/app/solver.hpp"
#include "fockmix/core/error.hpp"
#include "fockmix/exact/coherent.hpp"
#include "fockmix/fluct/dynamics.hpp"
#include "fockmix/io/checkpoint.hpp"
#include "fockmix/io/h5.hpp"
#include "fockmix/io/model.hpp"
#include "fockmix/meanfield/hartree.hpp"
#include "fockmix/meanfield/initial_data.hpp"
#include "fockmix/meanfield/vlasov_hartree.hpp"
#include "fockmix/model/model_operators.hpp"

namespace fs = std::filesystem;
using namespace fockmix;
using Clock = std::chrono::steady_clock;

namespace {

fs::path fresh_dir(const std::string& name) {
  const fs::path dir = fs::path(FOCKMIX_BINARY_DIR) / "test_output" / "resume" / name;
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

Model load(const std::string& file) { return load_model((fs::path(FOCKMIX_SOURCE_DIR) / "models" / file).string()); }

/// models/fluct.toml (Hartree–Hartree and the fluctuation dynamics) with K_B = 3 boson quanta: a small space.
Model small_fluct() {
  Model m = load("fluct.toml");
  m.fluct.boson_cutoff = 3;
  return m;
}

/// The exact solver with coherent boson initial data and Hartree–Hartree, on a small ring (L = 5, M = N = 2,
/// boson numbers up to about 9).
Model small_coherent() {
  Model m = load("fluct.toml");
  m.sites = {5};
  m.bosons.number = 2;
  m.exact.enabled = true;
  m.exact.initial = ExactInitial::Coherent;
  m.exact.coherent_tolerance = 1e-4;
  m.fluct.enabled = false;
  return m;
}

/// Whether two records hold the same names with bitwise equal values.
::testing::AssertionResult same_records(const Record& a, const Record& b) {
  if (a.entries().size() != b.entries().size()) return ::testing::AssertionFailure() << "different numbers of entries";
  for (std::size_t k = 0; k < a.entries().size(); ++k) {
    const auto& [na, va] = a.entries()[k];
    const auto& [nb, vb] = b.entries()[k];
    if (na != nb) return ::testing::AssertionFailure() << na << " vs " << nb;
    const bool same = std::visit(
        [&](const auto& x) {
          using T = std::decay_t<decltype(x)>;
          const T* y = std::get_if<T>(&vb);
          if (y == nullptr) return false;
          if constexpr (std::is_same_v<T, double>)
            return x == *y || (std::isnan(x) && std::isnan(*y));
          else
            return x.n_elem == y->n_elem && arma::approx_equal(x, *y, "absdiff", 0.0);
        },
        va);
    if (!same) return ::testing::AssertionFailure() << na << " differs";
  }
  return ::testing::AssertionSuccess();
}

/// The value `name` of a record (a scalar NaN if absent).
Record::Value entry(const Record& r, const std::string& name) {
  for (const auto& [n, v] : r.entries())
    if (n == name) return v;
  return std::numeric_limits<double>::quiet_NaN();
}

/// One solver of `model`, built by the registry as run_model builds it.
struct Built {
  Model model;
  ModelOperators ops;
  InitialData init;
  std::unique_ptr<Solver> solver;
  Built(Model m, const std::string& name) : model(std::move(m)), ops(build_operators(model)), init(initial_data(model, ops)) {
    for (const SolverEntry& e : solver_registry())
      if (e.name == name) solver = e.make(SolverContext{model, ops, init});
  }
};

// ---------------------------------------------------------------------------------------------
// 1. The stop flag between steps

/// A solver inside one output interval that would take far longer than a second is stopped by a flag set
/// from another thread after 0.2 s: it returns within a small multiple of one step's time, interrupted, with
/// observe() exactly as at the start of the interval; continuing from there gives bitwise what a solver that
/// was never stopped gives.
#ifdef FOCKMIX_SANITIZE
constexpr double kSlowdown = 5.0;  // ASan + UBSan run the propagators' small dense work several times slower
#else
constexpr double kSlowdown = 1.0;
#endif

void expect_prompt_stop(Model m, const std::string& name, double step_dt, double steps = 1e7, double allowance = 0.25) {
  allowance *= kSlowdown;
  SCOPED_TRACE(name);
  Built b(std::move(m), name);
  ASSERT_TRUE(b.solver);
  // the time of a few steps, after a first interval (so the interval starts away from t = 0)
  ASSERT_FALSE(b.solver->advance_to(step_dt, nullptr).interrupted);
  const auto s0 = Clock::now();
  b.solver->advance_to(6 * step_dt, nullptr);
  const double step_seconds = std::chrono::duration<double>(Clock::now() - s0).count() / 5.0;
  const Record before = b.solver->observe();
  const double t_long = 6 * step_dt + steps * step_dt;  // far longer than the test runs
  ASSERT_GT(steps * step_seconds, 10.0) << "the interval must be long for the test to mean something";

  std::atomic<bool> stop{false};
  Clock::time_point set_at;
  std::thread setter([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    set_at = Clock::now();
    stop.store(true);
  });
  const StepStatus st = b.solver->advance_to(t_long, &stop);
  const auto returned = Clock::now();
  setter.join();
  EXPECT_TRUE(st.interrupted);
  const double latency = std::chrono::duration<double>(returned - set_at).count();
  EXPECT_LT(latency, allowance + 20.0 * step_seconds) << "one step takes " << step_seconds << " s";
  std::printf("%s: one step %.3g s, stop latency %.3g s, the interval would take about %.3g s\n", name.c_str(), step_seconds, latency,
              steps * step_seconds);
  EXPECT_TRUE(same_records(before, b.solver->observe()));

  Built fresh(b.model, name);
  for (double t : {step_dt, 6 * step_dt, 8 * step_dt}) fresh.solver->advance_to(t, nullptr);
  b.solver->advance_to(8 * step_dt, nullptr);
  EXPECT_TRUE(same_records(fresh.solver->observe(), b.solver->observe()));
}

TEST(StopBetweenSteps, HartreeHartree) {
  Model m = load("default.toml");
  m.hartree.dt = 1e-3;
  expect_prompt_stop(m, "hartree", 1e-3);
}

TEST(StopBetweenSteps, VlasovHartree) {
  Model m = load("three_solvers.toml");
  m.vlasov.dt = 1e-3;
  expect_prompt_stop(m, "vlasov", 1e-3);
}

TEST(StopBetweenSteps, FluctuationDynamics) {
  Model m = small_fluct();
  m.fluct.dt = 1e-3;
  expect_prompt_stop(m, "fluct", 1e-3);
}

TEST(StopBetweenSteps, CoherentExact) {
  Model m = small_coherent();
  // Krylov sub-steps are the coherent solver's steps: their length is set by the tolerance, not a dt, and
  // the a-posteriori error estimate of one sub-step costs more the longer the time still to go (up to
  // 20000 Simpson points, about 0.3 s here): the allowance is 1.5 s, while the interval (2000 time units,
  // some 100 s of work) would take several seconds per boson-number sector if the flag were read only between sectors
  expect_prompt_stop(m, "exact", 0.1, 20000, 1.5);
}

// ---------------------------------------------------------------------------------------------
// 2. Unstopped: bitwise the integrators' own evolve_to

TEST(StopBetweenSteps, UnstoppedSolversAreBitwiseTheIntegrators) {
  const std::vector<double> times{0.05, 0.1, 0.35, 0.7};
  std::atomic<bool> never{false};
  {
    Model m = load("three_solvers.toml");
    m.hartree.scheme = HartreeScheme::TripleJump4;
    m.hartree.dt = 0.03;  // 0.35 / 0.03 is not an integer: unequal last steps would show
    Built b(m, "hartree");
    HartreeHartree hh(b.ops, HartreeOptions{.dt = m.hartree.dt, .tolerance = m.hartree.tolerance, .scheme = m.hartree.scheme});
    HartreeState s{0.0, b.init.orbitals, b.init.phi0};
    for (double t : times) {
      b.solver->advance_to(t, &never);
      hh.evolve_to(s, t);
      const Record r = b.solver->observe();
      EXPECT_TRUE(arma::approx_equal(std::get<arma::cx_vec>(entry(r, "phi")), s.phi, "absdiff", 0.0)) << t;
      EXPECT_TRUE(arma::approx_equal(std::get<arma::cx_mat>(entry(r, "omega")), s.omega(), "absdiff", 0.0)) << t;
      EXPECT_EQ(r.scalar("energy"), hh.energy(s)) << t;
    }
  }
  {
    Model m = load("three_solvers.toml");
    m.vlasov.dt = 0.03;
    Built b(m, "vlasov");
    VlasovOptions o;
    o.momentum_points = m.vlasov.momentum_points;
    o.momentum_box = m.vlasov.momentum_box;
    o.dt = m.vlasov.dt;
    o.scheme = m.vlasov.scheme;
    VlasovHartree vh(b.ops, o);
    VlasovState s = vh.wigner_state(b.init.orbitals * b.init.orbitals.t(), b.init.phi0);
    for (double t : times) {
      b.solver->advance_to(t, &never);
      vh.evolve_to(s, t);
      const Record r = b.solver->observe();
      EXPECT_TRUE(arma::approx_equal(std::get<arma::mat>(entry(r, "f")), s.f, "absdiff", 0.0)) << t;
      EXPECT_TRUE(arma::approx_equal(std::get<arma::cx_vec>(entry(r, "phi")), s.phi, "absdiff", 0.0)) << t;
      EXPECT_EQ(r.scalar("energy"), vh.diagnostics(s).energy) << t;
      EXPECT_EQ(r.scalar("f2"), vh.diagnostics(s).f2) << t;
    }
  }
  {
    Model m = small_fluct();
    m.fluct.dt = 0.03;
    Built b(m, "fluct");
    FluctuationOptions o;
    o.boson_cutoff = m.fluct.boson_cutoff;
    o.cutoff = m.fluct.cutoff;
    o.dt = m.fluct.dt;
    o.krylov_tolerance = m.fluct.tolerance;
    FluctuationDynamics dyn(b.ops, b.init.orbitals, b.init.phi0, o);
    for (double t : times) {
      b.solver->advance_to(t, &never);
      dyn.evolve_to(t);
      const FluctuationObservables ob = dyn.observables();
      const Record r = b.solver->observe();
      EXPECT_EQ(r.scalar("nF"), ob.exact.nF) << t;
      EXPECT_EQ(r.scalar("N3_truncated"), ob.truncated.N3) << t;
      EXPECT_EQ(r.scalar("distance"), ob.distance) << t;
    }
  }
  {
    const Model m = small_coherent();
    Built b(m, "exact");
    CoherentOptions o;
    o.tolerance = m.exact.coherent_tolerance;
    o.krylov = KrylovOptions{m.exact.tolerance, m.exact.krylov_dim, m.hbar};
    o.cap = m.bosons.max_per_site;
    CoherentState cs(b.ops, b.init.orbitals, b.init.phi0, o);
    for (double t : times) {
      b.solver->advance_to(t, &never);
      cs.evolve_to(t);
      const Record r = b.solver->observe();
      EXPECT_EQ(r.scalar("energy"), cs.energy()) << t;
      EXPECT_EQ(r.scalar("mean_bosons"), cs.mean_bosons()) << t;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// 3. Resume

/// Every dataset of `b` equals the one of the same name in `a` within `tolerance` (0: bitwise), and the list
/// of datasets is the same; the datasets named in `skip` are not compared.
void expect_same_datasets(const fs::path& a, const fs::path& b, double tolerance = 0.0, const std::vector<std::string>& skip = {}) {
  const h5::File fa = h5::File::open(a.string()), fb = h5::File::open(b.string());
  const h5::Group ra = fa.root(), rb = fb.root();
  EXPECT_EQ(ra.attr_double("t_reached"), rb.attr_double("t_reached"));
  EXPECT_EQ(ra.attr_int("unconverged_steps"), rb.attr_int("unconverged_steps"));
  EXPECT_EQ(ra.attr_string("status"), rb.attr_string("status"));
  EXPECT_EQ(ra.has_attr("warnings"), rb.has_attr("warnings"));
  const std::vector<std::string> names = ra.datasets();
  EXPECT_EQ(names, rb.datasets());
  for (const std::string& name : names) {
    SCOPED_TRACE(name);
    if (!rb.has(name) || std::find(skip.begin(), skip.end(), name) != skip.end()) continue;
    ASSERT_EQ(ra.shape(name), rb.shape(name));
    const std::size_t rank = ra.shape(name).size();
    ASSERT_GE(rank, 1u);
    ASSERT_LE(rank, 3u);
    bool same = false;
    try {
      same = rank == 1   ? arma::approx_equal(ra.read_vec(name), rb.read_vec(name), "absdiff", tolerance)
             : rank == 2 ? arma::approx_equal(ra.read_mat(name), rb.read_mat(name), "absdiff", tolerance)
                         : arma::approx_equal(ra.read_cube(name), rb.read_cube(name), "absdiff", tolerance);
    } catch (const IoError&) {  // complex
      same = rank == 1   ? arma::approx_equal(ra.read_cx_vec(name), rb.read_cx_vec(name), "absdiff", tolerance)
             : rank == 2 ? arma::approx_equal(ra.read_cx_mat(name), rb.read_cx_mat(name), "absdiff", tolerance)
                         : arma::approx_equal(ra.read_cx_cube(name), rb.read_cx_cube(name), "absdiff", tolerance);
    }
    EXPECT_TRUE(same);
  }
}

std::int64_t records_in(const fs::path& file) { return h5::File::open(file.string()).root().shape("times").at(0); }

/// The reference run, a run stopped after output `stop_after` by the flag (checkpoint at that output only),
/// its resumption; and a run whose checkpoint write fails after output `stop_after` + 1 (with checkpoints
/// at every output) as a crash would, and its resumption with a garbage partial checkpoint lying around.
void check_resume(Model m, const fs::path& dir, std::size_t stop_after) {
  const std::size_t n_times = m.output_times().size();
  ASSERT_GT(n_times, stop_after + 3);
  RunHooks hooks;
  hooks.overwrite = false;
  m.checkpoint_minutes = 1e9;  // none but at the stop
  m.output = (dir / "reference.h5").string();
  ASSERT_EQ(run_model(m, hooks).status, RunStatus::Completed);
  EXPECT_FALSE(fs::exists(checkpoint_path(m.output)));

  // stopped by the flag at an output time: a checkpoint of that output, then resumed
  std::atomic<bool> stop{false};
  m.output = (dir / "stopped.h5").string();
  hooks.stop = &stop;
  hooks.progress = [&](double, const RunRecord& r) {
    if (r.t >= m.output_times()[stop_after]) stop.store(true);
  };
  RunSummary s = run_model(m, hooks);
  ASSERT_EQ(s.status, RunStatus::Interrupted);
  EXPECT_EQ(s.checkpoint, checkpoint_path(m.output));
  EXPECT_EQ(records_in(m.output), static_cast<std::int64_t>(stop_after + 1));
  EXPECT_EQ(CheckpointReader(checkpoint_path(m.output)).header().output_index, static_cast<std::int64_t>(stop_after));
  stop.store(false);
  hooks.progress = nullptr;
  hooks.resume = true;
  s = run_model(m, hooks);
  EXPECT_EQ(s.status, RunStatus::Completed);
  EXPECT_EQ(s.records.size(), n_times);  // the summary holds the kept output times too
  EXPECT_EQ(h5::File::open(m.output).root().attr_string("status"), "completed");
  EXPECT_FALSE(fs::exists(checkpoint_path(m.output)));
  expect_same_datasets(dir / "reference.h5", m.output);

  // a checkpoint write that fails halfway (after one solver's group) at output stop_after + 1: the run ends
  // with an error, the file lists one output time more than the last good checkpoint, which is intact
  m.output = (dir / "crashed.h5").string();
  m.checkpoint_minutes = 0.0;
  hooks.resume = false;
  hooks.progress = [&](double, const RunRecord& r) {
    if (r.t >= m.output_times()[stop_after + 1]) fockmix::testing::fail_checkpoint_after_groups(1);
  };
  EXPECT_THROW(run_model(m, hooks), IoError);
  fockmix::testing::fail_checkpoint_after_groups(-1);
  EXPECT_EQ(h5::File::open(m.output).root().attr_string("status"), "failed");
  EXPECT_EQ(records_in(m.output), static_cast<std::int64_t>(stop_after + 2));
  EXPECT_EQ(CheckpointReader(checkpoint_path(m.output)).header().output_index, static_cast<std::int64_t>(stop_after));
  std::ofstream(checkpoint_path(m.output) + ".partial") << "not an HDF5 file: a checkpoint write cut short by a crash";
  hooks.progress = nullptr;
  hooks.resume = true;
  s = run_model(m, hooks);
  EXPECT_EQ(s.status, RunStatus::Completed);
  EXPECT_FALSE(fs::exists(checkpoint_path(m.output)));
  EXPECT_FALSE(fs::exists(checkpoint_path(m.output) + ".partial"));
  expect_same_datasets(dir / "reference.h5", m.output);
}

TEST(Resume, ExactHartreeVlasovContinueBitwise) {
  Model m = load("three_solvers.toml");
  m.t_final = 0.8;
  check_resume(m, fresh_dir("three"), 3);
}

TEST(Resume, ChebyshevPropagatorContinuesBitwise) {
  Model m = load("three_solvers.toml");
  m.vlasov.enabled = false;
  m.exact.propagator = PropagatorPreference::Chebyshev;
  m.t_final = 0.6;
  check_resume(m, fresh_dir("chebyshev"), 2);
}

// A replay that does not give the checkpointed state bitwise (another thread count would; here the fingerprint is
// altered in the file): the resumed run keeps the checkpointed psi, starts a new Lanczos basis or Chebyshev window,
// and agrees with the uninterrupted run within the tolerance.
TEST(Resume, ReplayThatIsNotBitwiseKeepsTheCheckpointedState) {
  for (const bool chebyshev : {false, true}) {
    SCOPED_TRACE(chebyshev ? "chebyshev" : "lanczos");
    Model m = load("three_solvers.toml");
    m.vlasov.enabled = false;
    if (chebyshev) m.exact.propagator = PropagatorPreference::Chebyshev;
    m.t_final = 0.6;
    const fs::path dir = fresh_dir(chebyshev ? "replay_cheb" : "replay_lanczos");
    RunHooks hooks;
    hooks.overwrite = false;
    m.checkpoint_minutes = 1e9;
    m.output = (dir / "reference.h5").string();
    ASSERT_EQ(run_model(m, hooks).status, RunStatus::Completed);
    std::atomic<bool> stop{false};
    m.output = (dir / "stopped.h5").string();
    hooks.stop = &stop;
    hooks.progress = [&](double, const RunRecord& r) {
      if (r.t >= m.output_times()[2]) stop.store(true);
    };
    ASSERT_EQ(run_model(m, hooks).status, RunStatus::Interrupted);
    {
      const h5::File cp = h5::File::open(checkpoint_path(m.output), h5::File::Access::ReadWrite);
      const h5::Group g = cp.root().group("exact");
      ASSERT_TRUE(g.has(chebyshev ? "window_start" : "basis_start"));  // the replay is attempted
      g.set_attr("psi_fingerprint", static_cast<std::int64_t>(g.attr_int("psi_fingerprint") ^ 1));
    }
    stop.store(false);
    hooks.progress = nullptr;
    hooks.resume = true;
    EXPECT_EQ(run_model(m, hooks).status, RunStatus::Completed);
    // the propagation's own count differs: the new basis or window
    expect_same_datasets(dir / "reference.h5", m.output, 1e-9, {"exact/matvecs"});
  }
}

TEST(Resume, FluctuationsContinueBitwise) {
  Model m = small_fluct();
  m.t_final = 0.3;
  check_resume(m, fresh_dir("fluct"), 2);
}

TEST(Resume, CoherentExactContinuesBitwise) {
  Model m = small_coherent();
  m.t_final = 0.4;
  check_resume(m, fresh_dir("coherent"), 2);
}

// A stop inside an output interval that the first solver (Hartree–Hartree here) honours by going back to the
// previous output: every solver is at that output time, so it is checkpointed, and the resumed file equals a
// run that was never stopped.
TEST(Resume, StopInsideAnIntervalCheckpointsThePreviousOutput) {
  const fs::path dir = fresh_dir("inside");
  Model m = load("three_solvers.toml");
  m.exact.enabled = false;
  m.hartree.dt = 2e-5;  // 5000 steps per output interval: most of the run's time is inside Hartree–Hartree
  m.t_final = 0.5;
  m.checkpoint_minutes = 1e9;
  RunHooks hooks;
  hooks.overwrite = false;
  m.output = (dir / "reference.h5").string();
  ASSERT_EQ(run_model(m, hooks).status, RunStatus::Completed);

  m.output = (dir / "stopped.h5").string();
  std::atomic<bool> stop{false};
  std::thread setter;
  hooks.stop = &stop;
  hooks.progress = [&](double, const RunRecord& r) {
    if (r.t >= 0.2 - 1e-9 && !setter.joinable()) setter = std::thread([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(30));
        stop.store(true);
      });
  };
  const RunSummary s = run_model(m, hooks);
  setter.join();
  ASSERT_EQ(s.status, RunStatus::Interrupted);
  const std::int64_t kept = records_in(m.output);
  EXPECT_GE(kept, 3);
  ASSERT_TRUE(fs::exists(checkpoint_path(m.output)));
  EXPECT_EQ(CheckpointReader(checkpoint_path(m.output)).header().output_index, kept - 1);
  stop.store(false);
  hooks.progress = nullptr;
  hooks.resume = true;
  EXPECT_EQ(run_model(m, hooks).status, RunStatus::Completed);
  expect_same_datasets(dir / "reference.h5", m.output);
}

// A real crash: `fockmix run` killed with SIGKILL after a few checkpoints, then resumed (here, through the
// library). The file left by the kill is reopened, its output times after the checkpoint are dropped, and
// the result equals an uninterrupted run to 1e-12 (another process: its thread count may differ).
TEST(Resume, AfterSigkill) {
  const fs::path dir = fresh_dir("sigkill");
  {
    std::ifstream in(fs::path(FOCKMIX_SOURCE_DIR) / "models" / "three_solvers.toml");
    std::stringstream text;
    text << in.rdbuf();
    std::string model = text.str();
    model.replace(model.find("final = 4.0"), 11, "final = 1.0");
    model.replace(model.find("dt = 0.01 "), 10, "dt = 3e-5 ");  // Hartree–Hartree: about 0.1 s per output
    model.replace(model.find("threads = 0 "), 12, "threads = 2\ncheckpoint_minutes = 0.0 ");
    std::ofstream(dir / "model.toml") << model;
  }
  Model m = load_model((dir / "model.toml").string());
  ASSERT_EQ(m.checkpoint_minutes, 0.0);
  ASSERT_EQ(m.hartree.dt, 3e-5);
  m.output = (dir / "reference.h5").string();
  RunHooks hooks;
  hooks.overwrite = false;
  ASSERT_EQ(run_model(m, hooks).status, RunStatus::Completed);

  m.output = (dir / "killed.h5").string();
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    const std::string exe = std::string(FOCKMIX_BINARY_DIR) + "/fockmix", model = (dir / "model.toml").string();
    execl(exe.c_str(), exe.c_str(), "run", model.c_str(), "-o", m.output.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  std::int64_t index = -1;
  for (int i = 0; i < 600 && index < 3; ++i) {  // at most 30 s
    usleep(50000);
    try {
      if (fs::exists(checkpoint_path(m.output))) index = CheckpointReader(checkpoint_path(m.output)).header().output_index;
    } catch (const IoError&) {
    }
  }
  kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_GE(index, 3) << "no checkpoint beyond output 3 within 30 s";
  ASSERT_LT(records_in(m.output), static_cast<std::int64_t>(m.output_times().size())) << "the run finished before the kill";
  EXPECT_EQ(h5::File::open(m.output).root().attr_string("status"), "running");
  hooks.resume = true;
  EXPECT_EQ(run_model(m, hooks).status, RunStatus::Completed);
  expect_same_datasets(dir / "reference.h5", m.output, 1e-12);
}

/// The message of the InputError `f` throws ("" if none).
template <class F>
std::string refusal(F&& f) {
  try {
    f();
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

TEST(Resume, RefusalsSayWhy) {
  const fs::path dir = fresh_dir("refusals");
  Model m = load("default.toml");
  m.t_final = 0.3;
  m.output = (dir / "run.h5").string();
  RunHooks hooks;
  hooks.overwrite = false;
  hooks.resume = true;
  EXPECT_NE(refusal([&] { run_model(m, hooks); }).find("no such run file"), std::string::npos);

  std::atomic<bool> stop{false};
  RunHooks first;
  first.overwrite = false;
  first.stop = &stop;
  first.progress = [&](double, const RunRecord&) { stop.store(true); };
  ASSERT_EQ(run_model(m, first).status, RunStatus::Interrupted);
  ASSERT_TRUE(fs::exists(checkpoint_path(m.output)));

  Model other = m;
  other.lambda *= 1.5;
  const std::string mismatch = refusal([&] { run_model(other, hooks); });
  EXPECT_NE(mismatch.find("another model"), std::string::npos) << mismatch;
  EXPECT_NE(mismatch.find("physics.lambda"), std::string::npos) << mismatch;
  Model fewer = m;
  fewer.hartree.enabled = false;
  EXPECT_NE(refusal([&] { run_model(fewer, hooks); }).find("the model enables 'exact'"), std::string::npos);
  RunHooks both = hooks;
  both.overwrite = true;
  EXPECT_NE(refusal([&] { run_model(m, both); }).find("cannot be combined with --overwrite"), std::string::npos);
  // a checkpoint of another run file (same model)
  const fs::path saved = dir / "saved.ckpt";
  fs::copy_file(checkpoint_path(m.output), saved);
  fs::remove(checkpoint_path(m.output));
  EXPECT_NE(refusal([&] { run_model(m, hooks); }).find("has no checkpoint"), std::string::npos);
  Model twin = m;
  twin.output = (dir / "twin.h5").string();
  stop.store(false);
  ASSERT_EQ(run_model(twin, first).status, RunStatus::Interrupted);
  fs::copy_file(checkpoint_path(twin.output), checkpoint_path(m.output));
  EXPECT_NE(refusal([&] { run_model(m, hooks); }).find("belongs to another run file"), std::string::npos);
  fs::remove(checkpoint_path(m.output));
  fs::copy_file(saved, checkpoint_path(m.output));
  // the files are untouched by every refusal: the resume goes through and completes
  EXPECT_EQ(records_in(m.output), 1);
  EXPECT_EQ(run_model(m, hooks).status, RunStatus::Completed);
  EXPECT_NE(refusal([&] { run_model(m, hooks); }).find("already completed"), std::string::npos);
}

/// The command line: --resume refusals exit with 2 and a message, and an interrupted run resumes.
TEST(Resume, CommandLine) {
  const fs::path dir = fresh_dir("cli");
  {
    std::ifstream in(fs::path(FOCKMIX_SOURCE_DIR) / "models" / "default.toml");
    std::stringstream text;
    text << in.rdbuf();
    std::string model = text.str();
    model.replace(model.find("final = 4.0"), 11, "final = 0.3");
    std::ofstream(dir / "model.toml") << model;
  }
  auto cli = [&](const std::string& args, std::string& out) {
    const fs::path log = dir / "cli.log";
    const std::string cmd = "cd '" + dir.string() + "' && OMP_NUM_THREADS=1 '" + std::string(FOCKMIX_BINARY_DIR) + "/fockmix' " + args + " > '" +
                            log.string() + "' 2>&1";
    const int status = std::system(cmd.c_str());
    std::ifstream in(log);
    std::stringstream text;
    text << in.rdbuf();
    out = text.str();
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  };
  std::string out;
  EXPECT_EQ(cli("run model.toml -o run.h5 --resume --overwrite", out), 2);
  EXPECT_NE(out.find("cannot be combined with --overwrite"), std::string::npos) << out;
  EXPECT_EQ(cli("run model.toml -o run.h5 --resume", out), 2);
  EXPECT_NE(out.find("no such run file"), std::string::npos) << out;
  EXPECT_EQ(cli("run model.toml -o run.h5", out), 0) << out;
  EXPECT_EQ(cli("run model.toml -o run.h5", out), 2);
  EXPECT_NE(out.find("--resume"), std::string::npos) << out;
  EXPECT_EQ(cli("run model.toml -o run.h5 --resume", out), 2);
  EXPECT_NE(out.find("already completed"), std::string::npos) << out;
}

}  // namespace
