#include "fockmix/app/run.hpp"

#include <dlfcn.h>
#include <omp.h>
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <exception>
#include <filesystem>
#include <limits>
#include <fstream>
#include <memory>
#include <sstream>

#include "fockmix/analysis/comparisons.hpp"
#include "fockmix/core/error.hpp"
#include "fockmix/io/h5.hpp"
#include "fockmix/io/model_h5.hpp"
#include "fockmix/io/recorder.hpp"
#include "fockmix/meanfield/initial_data.hpp"
#include "fockmix/model/model_operators.hpp"
#include "fockmix/version.hpp"

namespace fockmix {

void configure_threads(int openmp_threads) {
  using SetThreads = void (*)(int);
  if (auto f = reinterpret_cast<SetThreads>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads"))) f(1);
  if (openmp_threads > 0) omp_set_num_threads(openmp_threads);
}

namespace {

using Clock = std::chrono::steady_clock;
double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

/// The run file's header: program, status, the model file's text and echo, the grid and the initial data.
void write_header(const Model& model, const ModelOperators& ops, const InitialData& init, const h5::Group& root) {
  root.set_attr("program", "fockmix");
  root.set_attr("version", version);
  root.set_attr("status", "running");
  root.set_attr("t_reached", 0.0);
  if (!model.source.empty()) {
    std::ifstream in(model.source);
    std::stringstream text;
    text << in.rdbuf();
    root.set_attr("model_toml", text.str());
  }
  write_model_attributes(model, root.group("model"));
  const h5::Group grid = root.group("grid");
  grid.write("V", ops.V);
  grid.write("one_body_F", ops.one_body_F());
  grid.write("one_body_B", ops.one_body_B());
  const Index L = ops.lattice.sites();
  arma::mat positions(L, ops.lattice.dim());
  for (Index s = 0; s < L; ++s)
    for (int a = 0; a < ops.lattice.dim(); ++a) positions(s, a) = ops.lattice.position(s)[a];
  grid.write("positions", positions);
  grid.write("orbitals_0", init.orbitals);
  grid.write("phi_0", init.phi0);
}

/// A running solver with its output group.
struct Running {
  std::unique_ptr<Solver> solver;
  Recorder recorder;
};

/// A pair of solvers compared at every output time, written to comparison/<a>_<b>.
struct Pair {
  std::size_t a, b;  ///< indices into the running solvers
  std::string name;
  Recorder recorder;
};

void add_scalars(RunRecord& rec, const std::string& prefix, const Record& r) {
  for (const auto& [name, value] : r.entries())
    if (const double* x = std::get_if<double>(&value)) rec.values.emplace_back(prefix + name, *x);
}

}  // namespace

double RunRecord::value(const std::string& key) const {
  for (const auto& [k, v] : values)
    if (k == key) return v;
  return std::numeric_limits<double>::quiet_NaN();
}

bool RunSummary::ran(const std::string& solver) const { return std::find(solvers.begin(), solvers.end(), solver) != solvers.end(); }

namespace {

/// The enabled solvers in registry order, each with its group and set-up written; their lines and columns
/// go to the summary.
std::vector<Running> start_solvers(const SolverContext& context, const h5::Group& root, RunSummary& sum) {
  std::vector<Running> solvers;
  for (const SolverEntry& e : solver_registry()) {
    if (!e.enabled(context.model)) continue;
    const auto t0 = Clock::now();
    std::unique_ptr<Solver> s = e.make(context);
    h5::Group g = root.group(s->name());
    const std::string line = s->describe(g);
    if (!line.empty()) sum.setup_lines.push_back(fmt::format("{:<12} {}", s->label(), line));
    for (const SummaryColumn& c : s->summary_columns()) sum.columns.push_back({s->name() + "/" + c.key, c.header, c.drift});
    sum.solvers.push_back(s->name());
    s->seconds += seconds_since(t0);
    solvers.push_back({std::move(s), Recorder(std::move(g))});
  }
  return solvers;
}

/// Every pair of solvers with one-body views, in registry order; the first pair's columns lead the summary.
std::vector<Pair> pair_solvers(const std::vector<Running>& solvers, const h5::Group& root, RunSummary& sum) {
  std::vector<Pair> pairs;
  for (std::size_t i = 0; i < solvers.size(); ++i)
    for (std::size_t j = i + 1; j < solvers.size(); ++j) {
      if (!solvers[i].solver->has_view() || !solvers[j].solver->has_view()) continue;
      const std::string name = solvers[i].solver->name() + "_" + solvers[j].solver->name();
      pairs.push_back({i, j, name, Recorder(root.group("comparison/" + name))});
      sum.comparisons.push_back(name);
    }
  if (!pairs.empty()) {
    std::vector<SummaryColumn> cols;
    for (const SummaryColumn& c : comparison_columns()) cols.push_back({"comparison/" + pairs.front().name + "/" + c.key, c.header, c.drift});
    sum.columns.insert(sum.columns.begin(), cols.begin(), cols.end());
  }
  return pairs;
}

/// One output time: advance every solver, then record every solver and every pair. Returns the number of
/// solvers that missed a tolerance on the way, or -1 if a solver stopped early on request (nothing of
/// this output time is written then).
Index output_time(double t, std::vector<Running>& solvers, std::vector<Pair>& pairs, const RunHooks& hooks, RunRecord& rec) {
  Index unconverged = 0;
  rec.t = t;
  for (Running& running : solvers) {
    Solver& s = *running.solver;
    const auto t0 = Clock::now();
    const StepStatus st = s.advance_to(t, hooks.stop);
    s.seconds += seconds_since(t0);
    if (st.interrupted) return -1;
    if (!st.converged) ++unconverged;
  }
  std::vector<OneBodyView> views(solvers.size());
  for (std::size_t i = 0; i < solvers.size(); ++i) {
    Solver& s = *solvers[i].solver;
    const auto t0 = Clock::now();
    const Record r = s.observe();
    solvers[i].recorder.append(r);
    add_scalars(rec, s.name() + "/", r);
    if (s.has_view()) views[i] = s.view();
    s.seconds += seconds_since(t0);
  }
  for (Pair& p : pairs) {
    Record r = compare_views(views[p.a], views[p.b]);
    solvers[p.a].solver->compare_with(*solvers[p.b].solver, views[p.b], r);
    solvers[p.b].solver->compare_with(*solvers[p.a].solver, views[p.a], r);
    p.recorder.append(r);
    add_scalars(rec, "comparison/" + p.name + "/", r);
  }
  return unconverged;
}

/// Times and warnings into the summary and the file's root attributes.
void finish(const std::vector<Running>& solvers, const h5::Group& root, RunSummary& sum) {
  for (const Running& r : solvers) {
    sum.seconds.emplace_back(r.solver->label(), r.solver->seconds);
    for (const std::string& w : r.solver->warnings()) sum.warnings.push_back(w);
  }
  if (!sum.warnings.empty()) {
    std::string all;
    for (const std::string& w : sum.warnings) all += (all.empty() ? "" : "\n") + w;
    root.set_attr("warnings", all);
  }
  root.set_attr("status", sum.status == RunStatus::Completed ? "completed" : "interrupted");
  root.set_attr("seconds", sum.seconds_total);
}

}  // namespace

namespace {

/// Where a run writes while it runs: the target itself, or (overwriting) `.NAME.partial-PID` beside it.
std::string partial_name(const std::string& target) {
  const std::filesystem::path p(target);
  std::string name = fmt::format(".{}.partial-{}", p.filename().string(), ::getpid());
  return (p.parent_path() / name).string();
}

/// The run proper, into the open `file`; every handle on the file is gone when it returns or throws.
void run_into(h5::File& file, const Model& model, const RunHooks& hooks, RunSummary& sum, Clock::time_point t_start) {
  const ModelOperators ops = build_operators(model);
  const InitialData init = initial_data(model, ops);
  const h5::Group root = file.root();
  write_header(model, ops, init, root);
  file.flush();  // the file opens from here on, whatever happens next
  if (hooks.started) hooks.started();
  std::vector<Running> solvers = start_solvers(SolverContext{model, ops, init}, root, sum);
  std::vector<Pair> pairs = pair_solvers(solvers, root, sum);
  file.flush();

  Recorder times(file.root());
  const std::vector<double> output_times = model.output_times();
  for (std::size_t k = 0; k < output_times.size(); ++k) {
    const double t = output_times[k];
    RunRecord rec;
    const Index unconverged = output_time(t, solvers, pairs, hooks, rec);
    if (unconverged < 0) {  // a solver honoured the stop flag inside the interval
      sum.status = RunStatus::Interrupted;
      break;
    }
    sum.unconverged_steps += unconverged;
    Record tr;
    tr.put("times", t);
    times.append(tr);  // last: `times` never lists an output time whose records are incomplete
    root.set_attr("t_reached", t);
    root.set_attr("unconverged_steps", sum.unconverged_steps);
    file.flush();
    sum.records.push_back(std::move(rec));
    if (hooks.progress) hooks.progress(model.t_final > 0 ? t / model.t_final : 1.0, sum.records.back());
    if (hooks.stop && hooks.stop->load() && k + 1 < output_times.size()) {
      sum.status = RunStatus::Interrupted;
      break;
    }
  }
  sum.seconds_total = seconds_since(t_start);
  finish(solvers, root, sum);
  file.flush();
}

}  // namespace

RunSummary run_model(const Model& model, const RunHooks& hooks) {
  validate(model);
  const auto t_start = Clock::now();
  RunSummary sum;
  sum.output = model.output;
  std::error_code ec;
  if (!hooks.overwrite && std::filesystem::exists(model.output, ec))
    throw IoError(model.output + ": the output file exists; not overwritten (fockmix run --overwrite replaces it)");
  const std::string writing = hooks.overwrite ? partial_name(model.output) : model.output;
  std::exception_ptr failure;
  {
    h5::File file = h5::File::create(writing, hooks.overwrite ? h5::File::Existing::Truncate : h5::File::Existing::Refuse);
    try {
      run_into(file, model, hooks, sum, t_start);
    } catch (...) {
      failure = std::current_exception();
      try {  // best effort: the file says it did not finish (a full disk may refuse this too)
        file.root().set_attr("status", "failed");
        file.flush();
      } catch (const std::exception&) {
      }
    }
  }  // the file is closed here
  if (failure) {
    if (hooks.overwrite) std::filesystem::remove(writing, ec);  // the old file, if any, stays as it was
    std::rethrow_exception(failure);
  }
  if (hooks.overwrite) {
    std::filesystem::rename(writing, model.output, ec);
    if (ec) throw IoError(writing + ": cannot rename to " + model.output + " (" + ec.message() + ")");
  }
  return sum;
}

}  // namespace fockmix
