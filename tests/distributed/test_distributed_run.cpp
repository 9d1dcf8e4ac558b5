// `mpiexec -n P fockmix run MODEL.toml` (docs/distributed.md, "Running a model"): the run file of the distributed
// engine against the serial engine's, both written by the command line, on small models (1D hopping, 2D spectral,
// a boson cap; exact with Hartree–Hartree, and Vlasov–Hartree on one). This test is an ordinary process: it
// starts `fockmix run` itself, without and with mpiexec (the same executable; without mpirun it runs serially).
#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "fockmix/core/error.hpp"
#include "fockmix/io/h5.hpp"

namespace fs = std::filesystem;

namespace {

const std::string kCli = FOCKMIX_CLI;
const std::string kMpiexec = FOCKMIX_MPIEXEC;

/// A small model: T = 1, five output times, tolerance 1e-12 (so that both engines are far inside 1e-10).
struct TestModel {
  std::string name, sites, kinetic;
  int M, N, cap;
  bool vlasov;
};

std::string model_text(const TestModel& m) {
  std::string text = fmt::format(R"(name = "{0}"
[grid]
sites = {1}
spacing = 1.0
kinetic = "{2}"
[physics]
hbar = 1.0
lambda = {3}
[interaction]
kind = "gaussian"
amplitude = 1.0
width = 1.0
[fermions]
number = {4}
mass = 0.5
trap = {{ kind = "harmonic", strength = 0.3 }}
potential = {{ kind = "none" }}
init = {{ kind = "trap" }}
[bosons]
number = {5}
mass = 0.5
max_per_site = {6}
trap = {{ kind = "harmonic", strength = 0.3 }}
potential = {{ kind = "none" }}
init = {{ kind = "trap" }}
[time]
final = 1.0
output_every = 0.25
[exact]
enabled = true
tolerance = 1e-12
[hartree]
enabled = true
dt = 0.01
[output]
file = "results/{0}.h5"
threads = 1
)",
                                 m.name, m.sites, m.kinetic, 1.0 / m.N, m.M, m.N, m.cap);
  if (m.vlasov) text += "[vlasov]\nenabled = true\ndt = 0.01\n";
  return text;
}

const std::vector<TestModel>& models() {
  static const std::vector<TestModel> list{
      {"hop1d", "[8]", "hopping", 3, 3, 0, true},        // D = 56 x 120, with Vlasov–Hartree
      {"spectral2d", "[3, 3]", "spectral", 3, 2, 0, false},  // D = 84 x 45
      {"capped", "[8]", "hopping", 3, 4, 1, false},      // hard-core bosons: D = 56 x 70, a truncation
  };
  return list;
}

struct Outcome {
  int code = -1;
  std::string out, err;
};

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

/// Runs `command` in `dir` (a shell command line), capturing stdout, stderr and the exit code.
Outcome shell(const fs::path& dir, const std::string& command) {
  const fs::path out = dir.parent_path() / (dir.filename().string() + ".stdout"), err = dir.parent_path() / (dir.filename().string() + ".stderr");
  const std::string line = fmt::format("cd '{}' && {} >'{}' 2>'{}'", dir.string(), command, out.string(), err.string());
  const int status = std::system(line.c_str());
  Outcome o;
  o.code = WIFEXITED(status) ? WEXITSTATUS(status) : 128;
  o.out = slurp(out);
  o.err = slurp(err);
  return o;
}

/// The test's scratch root, removed when the tests end.
fs::path scratch_root() { return fs::temp_directory_path() / fmt::format("fockmix_mpirun_{}", ::getpid()); }

class RemoveScratch : public ::testing::Environment {
 public:
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(scratch_root(), ec);
  }
};
[[maybe_unused]] const ::testing::Environment* const kRemoveScratch = ::testing::AddGlobalTestEnvironment(new RemoveScratch);

/// A fresh folder under the test's scratch root.
fs::path fresh_dir(const std::string& name) {
  const fs::path d = scratch_root() / name;
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

std::string mpirun(int ranks) { return fmt::format("'{}' -n {} '{}'", kMpiexec, ranks, kCli); }

/// `fockmix run` of `m` in a fresh folder `tag`, serially (ranks = 0) or under mpiexec; returns the folder.
fs::path run_model(const TestModel& m, int ranks, const std::string& tag, Outcome* outcome = nullptr) {
  const fs::path d = fresh_dir(m.name + "_" + tag);
  std::ofstream(d / "model.toml") << model_text(m);
  const std::string cli = ranks == 0 ? "'" + kCli + "'" : mpirun(ranks);
  const Outcome o = shell(d, cli + " run model.toml -o out.h5");
  EXPECT_EQ(o.code, 0) << m.name << " " << tag << ":\n" << o.out << o.err;
  if (outcome != nullptr) *outcome = o;
  return d;
}

/// The serial engine's file of each model, made once.
const fs::path& serial_run(const TestModel& m) {
  static std::map<std::string, fs::path> done;
  auto it = done.find(m.name);
  if (it == done.end()) it = done.emplace(m.name, run_model(m, 0, "serial")).first;
  return it->second;
}

/// Every entry of a dataset of either file as complex numbers (real datasets with zero imaginary part).
std::vector<std::complex<double>> values(const fockmix::h5::Group& g, const std::string& name) {
  const std::size_t rank = g.shape(name).size();
  std::vector<std::complex<double>> v;
  auto take = [&](const auto& x) {
    for (arma::uword k = 0; k < x.n_elem; ++k) v.emplace_back(x(k));
  };
  try {
    if (rank == 1) take(g.read_vec(name));
    if (rank == 2) take(g.read_mat(name));
    if (rank == 3) take(g.read_cube(name));
  } catch (const fockmix::IoError&) {  // complex
    v.clear();
    if (rank == 1) take(g.read_cx_vec(name));
    if (rank == 2) take(g.read_cx_mat(name));
    if (rank == 3) take(g.read_cx_cube(name));
  }
  return v;
}

/// The propagators' own counters differ by construction (Lanczos vs SLEPc's MFN): not compared.
bool propagator_counter(const std::string& path) { return path == "exact/matvecs" || path == "exact/krylov_error"; }

class DistributedRun : public ::testing::TestWithParam<std::tuple<int, int>> {};

// gamma_F, gamma_B, energies, norms, densities, every comparison (trace and HS errors, fluctuation numbers and
// their second moments, the Vlasov–Hartree norm) and the mean-field series: equal to 1e-10 (relative to max(1, |x|)).
TEST_P(DistributedRun, FileEqualsTheSerialEngines) {
  const TestModel& m = models()[static_cast<std::size_t>(std::get<0>(GetParam()))];
  const int ranks = std::get<1>(GetParam());
  const fs::path serial = serial_run(m);
  Outcome o;
  const fs::path dist = run_model(m, ranks, fmt::format("np{}", ranks), &o);
  ASSERT_TRUE(fs::exists(dist / "out.h5")) << o.err;
  const fockmix::h5::File fa = fockmix::h5::File::open((serial / "out.h5").string());
  const fockmix::h5::File fb = fockmix::h5::File::open((dist / "out.h5").string());
  const fockmix::h5::Group a = fa.root(), b = fb.root();
  EXPECT_EQ(b.attr_string("status"), "completed");
  EXPECT_EQ(b.group("exact").attr_string("propagator"), "mfn");  // the distributed engine ran
  EXPECT_EQ(b.group("exact").attr_int("ranks"), ranks);
  EXPECT_EQ(a.group("exact").attr_string("propagator"), "lanczos");  // and the reference is the serial one
  const std::vector<std::string> names = a.datasets();
  ASSERT_EQ(names, b.datasets());  // the same layout
  int compared = 0;
  double worst = 0.0;
  for (const std::string& name : names) {
    if (propagator_counter(name)) continue;
    ASSERT_EQ(a.shape(name), b.shape(name)) << name;
    const auto va = values(a, name), vb = values(b, name);
    ASSERT_EQ(va.size(), vb.size()) << name;
    for (std::size_t k = 0; k < va.size(); ++k) {
      const double d = std::abs(va[k] - vb[k]) / std::max(1.0, std::abs(va[k]));
      worst = std::max(worst, d);
      ASSERT_LE(d, 1e-10) << name << " entry " << k << ": serial " << va[k] << ", " << ranks << " rank(s) " << vb[k];
    }
    ++compared;
  }
  for (const char* key : {"exact/gamma_F", "exact/gamma_B", "exact/energy", "hartree/energy", "comparison/exact_hartree/eF_trace",
                          "comparison/exact_hartree/eB_trace", "comparison/exact_hartree/nB_exc2"})
    EXPECT_NE(std::find(names.begin(), names.end(), key), names.end()) << key;
  if (m.vlasov) {
    EXPECT_TRUE(a.has("comparison/exact_vlasov"));
  }
  std::cout << fmt::format("[ info     ] {}, {} rank(s): {} datasets, max relative difference {:.2e}\n", m.name, ranks, compared, worst);
  // rank 0 alone writes: the folder holds the model and the run file only (no partial or checkpoint files), and
  // the summary is printed once
  std::vector<std::string> files;
  for (const auto& e : fs::directory_iterator(dist)) files.push_back(e.path().filename().string());
  std::sort(files.begin(), files.end());
  EXPECT_EQ(files, (std::vector<std::string>{"model.toml", "out.h5"}));
  std::size_t results = 0;
  for (std::size_t p = o.out.find("results "); p != std::string::npos; p = o.out.find("results ", p + 1)) ++results;
  EXPECT_EQ(results, 1u) << o.out;
  EXPECT_NE(o.out.find(fmt::format("{} MPI rank", ranks)), std::string::npos) << o.out;
}

INSTANTIATE_TEST_SUITE_P(Models, DistributedRun, ::testing::Combine(::testing::Values(0, 1, 2), ::testing::Values(1, 2)),
                         [](const auto& info) {
                           return fmt::format("{}_np{}", models()[static_cast<std::size_t>(std::get<0>(info.param))].name,
                                              std::get<1>(info.param));
                         });

std::size_t count_errors(const std::string& err) {
  std::size_t n = 0;
  std::istringstream in(err);
  for (std::string line; std::getline(in, line);)
    if (line.rfind("error: ", 0) == 0) ++n;
  return n;
}

class DistributedRefusal : public ::testing::TestWithParam<int> {};

// A model error (every rank reads the same file) is printed once, and every rank exits non-zero (exit code 2).
TEST_P(DistributedRefusal, ModelErrorReportedOnce) {
  const int ranks = GetParam();
  const fs::path d = fresh_dir(fmt::format("bad_np{}", ranks));
  std::string text = model_text(models()[0]);
  text.replace(text.find("output_every = 0.25"), 19, "output_every = -0.25");  // not a positive number
  std::ofstream(d / "model.toml") << text;
  const Outcome o = shell(d, mpirun(ranks) + " run model.toml -o out.h5");
  EXPECT_NE(o.code, 0);
  EXPECT_EQ(count_errors(o.err), 1u) << o.err;
  EXPECT_NE(o.err.find("output_every"), std::string::npos) << o.err;
  EXPECT_FALSE(fs::exists(d / "out.h5"));
}

// What the distributed engine does not do is refused before any work, once: the ground-state initial data.
TEST_P(DistributedRefusal, GroundStateRefused) {
  const int ranks = GetParam();
  const fs::path d = fresh_dir(fmt::format("gs_np{}", ranks));
  std::string text = model_text(models()[2]);
  text.replace(text.find("tolerance = 1e-12"), 17, "tolerance = 1e-12\ninitial = \"ground_state\"");
  std::ofstream(d / "model.toml") << text;
  const Outcome o = shell(d, mpirun(ranks) + " run model.toml -o out.h5");
  EXPECT_EQ(o.code, 2) << o.err;
  EXPECT_EQ(count_errors(o.err), 1u) << o.err;
  EXPECT_NE(o.err.find("exact.initial"), std::string::npos) << o.err;
}

// An error on rank 0 alone after the ranks agreed to run (here: the run file cannot be created, while the other
// ranks are already building the distributed solver) ends every rank instead of leaving them waiting.
TEST_P(DistributedRefusal, ErrorOnOneRankEndsAll) {
  const int ranks = GetParam();
  const fs::path d = fresh_dir(fmt::format("io_np{}", ranks));
  std::ofstream(d / "model.toml") << model_text(models()[2]);
  std::ofstream(d / "blocker") << "a file where the output's folder should be";
  const Outcome o = shell(d, "timeout 120 " + mpirun(ranks) + " run model.toml -o blocker/out.h5");
  EXPECT_NE(o.code, 0);
  EXPECT_NE(o.code, 124) << "timed out: the ranks deadlocked";
  EXPECT_EQ(count_errors(o.err), 1u) << o.err;
  EXPECT_NE(o.err.find("blocker"), std::string::npos) << o.err;
}

// Under mpirun the memory limit applies to the rank that needs the most (not to the whole state, which the model's
// validation no longer checks): over it, every rank refuses alike while building the solver, and the message
// comes once.
TEST_P(DistributedRefusal, MemoryLimitPerRank) {
  const int ranks = GetParam();
  const fs::path d = fresh_dir(fmt::format("mem_np{}", ranks));
  std::string text = model_text(models()[0]);
  text.replace(text.find("tolerance = 1e-12"), 17, "tolerance = 1e-12\nmemory_limit_gib = 0.0005");  // 0.5 MiB
  std::ofstream(d / "model.toml") << text;
  const Outcome o = shell(d, "timeout 120 " + mpirun(ranks) + " run model.toml -o out.h5");
  EXPECT_NE(o.code, 0);
  EXPECT_NE(o.code, 124) << "timed out";
  EXPECT_EQ(count_errors(o.err), 1u) << o.err;
  EXPECT_NE(o.err.find("largest rank"), std::string::npos) << o.err;
}

INSTANTIATE_TEST_SUITE_P(Ranks, DistributedRefusal, ::testing::Values(1, 2), [](const auto& info) { return fmt::format("np{}", info.param); });

// --resume on more than one rank is refused (no checkpoint is written there).
TEST(DistributedResume, Refused_np2) {
  const fs::path d = fresh_dir("resume_np2");
  std::ofstream(d / "model.toml") << model_text(models()[2]);
  const Outcome o = shell(d, mpirun(2) + " run model.toml -o out.h5 --resume");
  EXPECT_EQ(o.code, 2) << o.err;
  EXPECT_EQ(count_errors(o.err), 1u) << o.err;
  EXPECT_NE(o.err.find("--resume"), std::string::npos) << o.err;
}

// On one rank the distributed solver checkpoints (psi in the serial solver's layout): a run stopped by SIGUSR1 (which
// mpirun forwards to every rank) at an output time, then resumed with --resume under mpiexec -n 1, ends with the
// file of an uninterrupted serial run.
TEST(DistributedResume, StopAndResume_np1) {
  TestModel m = models()[0];
  m.name = "resume";
  m.vlasov = false;
  std::string text = model_text(m);
  text.replace(text.find("final = 1.0"), 11, "final = 12.0");
  text.replace(text.find("output_every = 0.25"), 19, "output_every = 0.1");
  text += "checkpoint_minutes = 0.0\n";  // [output] is the last table before [vlasov]; a checkpoint at every output time
  const fs::path serial = fresh_dir("resume_serial"), dist = fresh_dir("resume_np1");
  for (const fs::path& d : {serial, dist}) std::ofstream(d / "model.toml") << text;
  ASSERT_EQ(shell(serial, "'" + kCli + "' run model.toml -o out.h5").code, 0);
  // start, wait for the progress line of 10 %, stop
  const fs::path log = dist.parent_path() / "resume_first.stderr";
  const std::string start = fmt::format("cd '{}' && {{ {} run model.toml -o out.h5 >/dev/null 2>'{}' & echo $! > pid; }}", dist.string(),
                                        mpirun(1), log.string());
  ASSERT_EQ(std::system(start.c_str()), 0);
  std::string pid;
  std::ifstream(dist / "pid") >> pid;
  bool seen = false;
  for (int i = 0; i < 600 && !seen; ++i) {
    seen = slurp(log).find("t = 1.2") != std::string::npos;
    if (!seen) ::usleep(20000);
  }
  ASSERT_TRUE(seen) << slurp(log);
  ASSERT_EQ(std::system(("kill -USR1 " + pid).c_str()), 0);
  for (int i = 0; i < 600 && std::system(("kill -0 " + pid + " 2>/dev/null").c_str()) == 0; ++i) ::usleep(20000);
  ASSERT_TRUE(fs::exists(dist / "out.h5.ckpt")) << slurp(log);
  {
    const fockmix::h5::File f = fockmix::h5::File::open((dist / "out.h5").string());
    EXPECT_EQ(f.root().attr_string("status"), "interrupted");
    EXPECT_LT(f.root().read_vec("times").n_elem, 121u);
  }
  const Outcome o = shell(dist, mpirun(1) + " run model.toml -o out.h5 --resume");
  ASSERT_EQ(o.code, 0) << o.out << o.err;
  EXPECT_FALSE(fs::exists(dist / "out.h5.ckpt"));  // removed once the run completed
  const fockmix::h5::File fa = fockmix::h5::File::open((serial / "out.h5").string());
  const fockmix::h5::File fb = fockmix::h5::File::open((dist / "out.h5").string());
  const fockmix::h5::Group a = fa.root(), b = fb.root();
  EXPECT_EQ(b.attr_string("status"), "completed");
  for (const char* name : {"exact/gamma_F", "exact/gamma_B", "exact/energy", "comparison/exact_hartree/eB_trace", "hartree/energy"}) {
    const auto va = values(a, name), vb = values(b, name);
    ASSERT_EQ(va.size(), vb.size()) << name;
    for (std::size_t k = 0; k < va.size(); ++k) ASSERT_LE(std::abs(va[k] - vb[k]), 1e-10 * std::max(1.0, std::abs(va[k]))) << name << " " << k;
  }
}

}  // namespace
