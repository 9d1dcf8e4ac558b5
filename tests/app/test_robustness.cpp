// Robustness of `fockmix run` and run_model: existing files are never destroyed by accident, the file
// opens from the first instant, pure-boson and pure-fermion models store no NaN, a write failure ends
// the run cleanly with a consistent file, a stop honours completed runs, and the command line answers
// like its peers. The command-line tests run the built `fockmix` binary.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <cmath>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "fockmix/app/run.hpp"
#include "fockmix/core/error.hpp"
#include "fockmix/io/h5.hpp"
#include "fockmix/io/model.hpp"

namespace fs = std::filesystem;
using namespace fockmix;

namespace {

/// A fresh, empty folder for one test.
fs::path fresh_dir(const std::string& name) {
  const fs::path dir = fs::path(FOCKMIX_BINARY_DIR) / "test_output" / "robustness" / name;
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

/// models/default.toml with `edits` appended under their sections (TOML lets a later table extend
/// nothing, so the edits are substitutions of "key = value" lines inside a section).
std::string default_model_with(const std::string& section, const std::string& key, const std::string& value) {
  std::ifstream in(fs::path(FOCKMIX_SOURCE_DIR) / "models" / "default.toml");
  std::stringstream out;
  std::string line, current;
  while (std::getline(in, line)) {
    if (!line.empty() && line[0] == '[') current = line.substr(1, line.find(']') - 1);
    if (current == section && line.rfind(key + " ", 0) == 0) line = key + " = " + value;
    out << line << '\n';
  }
  return out.str();
}

fs::path write_text(const fs::path& path, const std::string& text) {
  std::ofstream(path) << text;
  return path;
}

/// Run the command line with `args` (shell words); returns the exit code and stdout + stderr.
struct CliResult {
  int code = -1;
  std::string output;
};
CliResult cli(const std::string& args, const fs::path& dir) {
  const fs::path log = dir / "cli.log";
  const std::string cmd = "cd '" + dir.string() + "' && OMP_NUM_THREADS=1 '" + std::string(FOCKMIX_BINARY_DIR) + "/fockmix' " + args +
                          " > '" + log.string() + "' 2>&1";
  const int status = std::system(cmd.c_str());
  CliResult r;
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::ifstream in(log);
  std::stringstream text;
  text << in.rdbuf();
  r.output = text.str();
  return r;
}

/// A tiny mixture (L = 6, M = N = 2), exact + Hartree–Hartree, writing `output`.
Model tiny_model(const fs::path& output) {
  Model m = load_model((fs::path(FOCKMIX_SOURCE_DIR) / "models" / "default.toml").string());
  m.sites = {6};
  m.fermions.number = 2;
  m.bosons.number = 2;
  m.t_final = 0.5;
  m.output_every = 0.1;
  m.output = output.string();
  return m;
}

/// Every dataset of the file holding a NaN or an infinity (real, integer or complex; others skipped).
std::vector<std::string> non_finite_datasets(const fs::path& file) {
  const h5::File f = h5::File::open(file.string());
  const h5::Group root = f.root();
  std::vector<std::string> bad;
  for (const std::string& name : root.datasets()) {
    const std::size_t rank = root.shape(name).size();
    bool finite = true;
    try {
      finite = rank == 1 ? root.read_vec(name).is_finite() : rank == 2 ? root.read_mat(name).is_finite() : root.read_cube(name).is_finite();
    } catch (const IoError&) {
      try {
        finite = rank == 1   ? root.read_cx_vec(name).is_finite()
                 : rank == 2 ? root.read_cx_mat(name).is_finite()
                             : root.read_cx_cube(name).is_finite();
      } catch (const IoError&) {
        continue;  // neither real nor complex numbers (or a scalar dataset)
      }
    }
    if (!finite) bad.push_back(name);
  }
  return bad;
}

// ---------------------------------------------------------------------------------------------
// 1. An existing file is never destroyed by accident

TEST(RobustOutput, RunRefusesAnExistingFileUnlessOverwrite) {
  const fs::path dir = fresh_dir("existing");
  write_text(dir / "model.toml", default_model_with("time", "final", "0.2"));
  write_text(dir / "keep.h5", "precious");
  const CliResult refused = cli("run model.toml -o keep.h5 -t 1", dir);
  EXPECT_EQ(refused.code, 2) << refused.output;
  EXPECT_NE(refused.output.find("keep.h5"), std::string::npos) << refused.output;
  EXPECT_NE(refused.output.find("--overwrite"), std::string::npos) << refused.output;
  std::ifstream in(dir / "keep.h5");
  std::string text;
  in >> text;
  EXPECT_EQ(text, "precious");

  const CliResult replaced = cli("run model.toml -o keep.h5 -t 1 --overwrite", dir);
  EXPECT_EQ(replaced.code, 0) << replaced.output;
  EXPECT_EQ(h5::File::open((dir / "keep.h5").string()).root().attr_string("status"), "completed");
  for (const auto& e : fs::directory_iterator(dir)) EXPECT_EQ(e.path().filename().string().find(".partial"), std::string::npos);

  const CliResult model_itself = cli("run model.toml -o model.toml --overwrite", dir);
  EXPECT_EQ(model_itself.code, 2) << model_itself.output;
  EXPECT_NE(model_itself.output.find("model file itself"), std::string::npos) << model_itself.output;
  EXPECT_NO_THROW(load_model((dir / "model.toml").string()));
}

TEST(RobustOutput, LibraryRefusesExistingWithoutOverwriteAndKeepsTheOldFileOnError) {
  const fs::path dir = fresh_dir("library");
  Model m = tiny_model(dir / "run.h5");
  RunHooks keep;
  keep.overwrite = false;
  run_model(m, keep);
  EXPECT_THROW(run_model(m, keep), IoError);
  EXPECT_EQ(h5::File::open(m.output).root().attr_string("status"), "completed");

  // overwriting, a failure mid-run keeps the old, complete file and leaves no partial file behind
  h5::testing::fail_appends_after(20);
  EXPECT_THROW(run_model(m), IoError);
  h5::testing::fail_appends_after(-1);
  EXPECT_EQ(h5::File::open(m.output).root().attr_string("status"), "completed");
  for (const auto& e : fs::directory_iterator(dir)) EXPECT_EQ(e.path().filename().string().find(".partial"), std::string::npos);
}

TEST(RobustOutput, NameWithPathSeparatorsIsRefused) {
  for (const std::string name : {"../escape", "a/b", ".."}) {
    Model m = tiny_model(fresh_dir("name") / "x.h5");
    m.name = name;
    try {
      validate(m);
      ADD_FAILURE() << name << " accepted";
    } catch (const InputError& e) {
      EXPECT_EQ(e.key(), "name");
    }
  }
}

// ---------------------------------------------------------------------------------------------
// 2. A file exists and opens from the first instant

TEST(RobustOutput, HeaderIsOnDiskBeforeAnySolverRuns) {
  const fs::path dir = fresh_dir("first_instant");
  const Model m = tiny_model(dir / "run.h5");
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {  // the writer dies right after the header, without closing the file
    RunHooks hooks;
    hooks.overwrite = false;
    hooks.started = [] { _exit(0); };
    try {
      run_model(m, hooks);
    } catch (...) {
    }
    _exit(1);
  }
  int status = 0;
  waitpid(child, &status, 0);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  const h5::File f = h5::File::open(m.output);
  EXPECT_EQ(f.root().attr_string("status"), "running");
  EXPECT_TRUE(f.root().has("grid/V"));
  EXPECT_TRUE(f.root().has("model"));
}

// ---------------------------------------------------------------------------------------------
// 3. Pure bosons and pure fermions

TEST(RobustEdgeCases, NoFermionsOrNoBosonsRunWithoutNaN) {
  for (const std::string species : {"fermions", "bosons"}) {
    const fs::path dir = fresh_dir("no_" + species);
    write_text(dir / "model.toml", default_model_with(species, "number", "0"));
    const CliResult r = cli("run model.toml -o run.h5 -t 1", dir);
    ASSERT_EQ(r.code, 0) << r.output;
    EXPECT_EQ(h5::File::open((dir / "run.h5").string()).root().attr_string("status"), "completed");
    const auto bad = non_finite_datasets(dir / "run.h5");
    std::string names;
    for (const auto& b : bad) names += b + " ";
    EXPECT_TRUE(bad.empty()) << species << " = 0: non-finite numbers in " << names;
    const h5::Group root = h5::File::open((dir / "run.h5").string()).root();
    EXPECT_GT(root.datasets().size(), 10u);
  }
}

// ---------------------------------------------------------------------------------------------
// 4. A write failure ends the run cleanly

TEST(RobustWrite, InjectedFailureLeavesTimesListingOnlyCompleteOutputTimes) {
  const fs::path dir = fresh_dir("write_failure");
  for (std::int64_t after : {5, 37, 80}) {
    const Model m = tiny_model(dir / ("run_" + std::to_string(after) + ".h5"));
    RunHooks hooks;
    hooks.overwrite = false;
    h5::testing::fail_appends_after(after);
    EXPECT_THROW(run_model(m, hooks), IoError);
    h5::testing::fail_appends_after(-1);
    const h5::File f = h5::File::open(m.output);
    const h5::Group root = f.root();
    EXPECT_EQ(root.attr_string("status"), "failed");
    const std::int64_t n_times = root.has("times") ? root.shape("times")[0] : 0;
    EXPECT_LT(n_times, static_cast<std::int64_t>(m.output_times().size()));
    for (const std::string& name : root.datasets()) {
      if (name == "times" || name.starts_with("grid/") || name.starts_with("model")) continue;
      const auto shape = root.shape(name);
      // every series holds at least the output times that `times` lists (describe() datasets too)
      if (!shape.empty()) {
        EXPECT_GE(shape[0], n_times) << name;
      }
    }
    if (n_times > 0) {
      EXPECT_NEAR(root.attr_double("t_reached"), root.read_vec("times")(n_times - 1), 1e-12);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// 5. A stop in the last interval does not label a complete run interrupted

TEST(RobustStop, StopDuringTheLastIntervalIsStillCompleted) {
  const fs::path dir = fresh_dir("stop");
  std::atomic<bool> stop{false};
  Model m = tiny_model(dir / "late.h5");
  const double t_last = m.output_times().back();
  RunHooks hooks;
  hooks.stop = &stop;
  hooks.progress = [&](double, const RunRecord& r) {
    if (r.t >= t_last - 1e-9) stop.store(true);  // as if a signal came during the last interval
  };
  EXPECT_EQ(run_model(m, hooks).status, RunStatus::Completed);
  EXPECT_EQ(h5::File::open(m.output).root().attr_string("status"), "completed");

  stop.store(false);
  m.output = (dir / "early.h5").string();
  hooks.progress = [&](double, const RunRecord&) { stop.store(true); };
  const RunSummary s = run_model(m, hooks);
  EXPECT_EQ(s.status, RunStatus::Interrupted);
  EXPECT_EQ(s.records.size(), 1u);
  EXPECT_EQ(h5::File::open(m.output).root().attr_string("status"), "interrupted");
}

// ---------------------------------------------------------------------------------------------
// 6. The command line

TEST(RobustCli, AnswersLikeItsPeers) {
  const fs::path dir = fresh_dir("cli");
  write_text(dir / "model.toml", default_model_with("time", "final", "0.2"));
  const CliResult unknown = cli("frobnicate", dir);
  EXPECT_NE(unknown.code, 0);
  EXPECT_NE(unknown.output.find("frobnicate"), std::string::npos) << unknown.output;
  for (const char* cmd : {"run", "fluct", "info", "scan", "bench"}) EXPECT_NE(unknown.output.find(cmd), std::string::npos) << cmd;

  const CliResult help = cli("--help", dir);
  EXPECT_EQ(help.code, 0);
  for (const char* cmd : {"run", "fluct", "info", "scan", "bench"}) EXPECT_NE(help.output.find(cmd), std::string::npos) << cmd;

  for (const char* t : {"-1", "1000000000", "many"}) {
    const CliResult r = cli(std::string("run model.toml -o t.h5 -t ") + t, dir);
    EXPECT_NE(r.code, 0) << t;
    EXPECT_NE(r.output.find("between 1 and 1024, or 0 for all cores"), std::string::npos) << r.output;
    EXPECT_FALSE(fs::exists(dir / "t.h5"));
  }
  const CliResult empty = cli("run model.toml -o ''", dir);
  EXPECT_EQ(empty.code, 2) << empty.output;
  EXPECT_NE(empty.output.find("empty"), std::string::npos) << empty.output;
}

}  // namespace

// A second Ctrl-C ends the program at once: with one long output interval the first signal alone would
// wait for the interval's end, the second exits with 130 within moments, and the file still opens.
TEST(RobustStop, SecondSignalExitsAtOnce) {
  const fs::path dir = fresh_dir("second_signal");
  const fs::path model = dir / "long.toml";
  std::ofstream(model) << "[grid]\nsites = 12\n[physics]\nlambda = 0.25\n[fermions]\nnumber = 4\n"
                          "trap = { kind = \"harmonic\", strength = 0.2 }\n[bosons]\nnumber = 4\n"
                          "trap = { kind = \"harmonic\", strength = 0.2 }\n[time]\nfinal = 1000.0\noutput_every = 1000.0\n"
                          "[hartree]\nenabled = false\n";
  const fs::path out = dir / "long.h5";
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    const std::string exe = std::string(FOCKMIX_BINARY_DIR) + "/fockmix";
    execl(exe.c_str(), exe.c_str(), "run", model.c_str(), "-o", out.c_str(), "-t", "1", static_cast<char*>(nullptr));
    _exit(127);
  }
  // wait for the header (the run is then inside its single, long interval)
  for (int i = 0; i < 600 && !fs::exists(out); ++i) usleep(50000);
  ASSERT_TRUE(fs::exists(out));
  usleep(300000);
  kill(pid, SIGINT);
  usleep(200000);
  kill(pid, SIGINT);
  int status = 0;
  pid_t done = 0;
  for (int i = 0; i < 100 && done == 0; ++i) {  // at most 5 s; the interval itself takes minutes
    done = waitpid(pid, &status, WNOHANG);
    if (done == 0) usleep(50000);
  }
  if (done == 0) {
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    FAIL() << "the second signal did not end the run within 5 s";
  }
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 130);
  EXPECT_NO_THROW(h5::File::open(out.string()));
}

// The exact solver reads the stop flag between Krylov sub-steps: a stop inside one long output interval
// ends the run within moments (the interval alone takes far longer), the interval is not written and the file
// says "interrupted" with the output times before it.
TEST(RobustStop, ExactSolverStopsBetweenSubSteps) {
  const fs::path dir = fresh_dir("substeps");
  Model m = tiny_model(dir / "long.h5");
  m.hartree.enabled = false;
  m.t_final = 5000.0;
  m.output_every = 5000.0;
  std::atomic<bool> stop{false};
  RunHooks hooks;
  hooks.stop = &stop;
  hooks.started = [&] {
    std::thread([&stop] {
      std::this_thread::sleep_for(std::chrono::milliseconds(300));
      stop.store(true);
    }).detach();
  };
  const auto t0 = std::chrono::steady_clock::now();
  const RunSummary s = run_model(m, hooks);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_EQ(s.status, RunStatus::Interrupted);
  EXPECT_LT(seconds, 10.0);
  const h5::File f = h5::File::open(m.output);
  EXPECT_EQ(f.root().attr_string("status"), "interrupted");
  EXPECT_EQ(f.root().read_vec("times").n_elem, 1u);  // t = 0 only
  EXPECT_EQ(f.root().group("exact").shape("energy").at(0), 1);
}
