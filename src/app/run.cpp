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
#include <random>
#include <sstream>

#include "fockmix/analysis/comparisons.hpp"
#include "fockmix/core/error.hpp"
#include "fockmix/io/checkpoint.hpp"
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

/// A name for one run file that a checkpoint can be matched against: random bits, the process and the time.
std::string new_run_id() {
  std::random_device rd;
  const auto now = static_cast<unsigned long long>(std::chrono::system_clock::now().time_since_epoch().count());
  return fmt::format("{:08x}{:08x}-{}-{:x}", rd(), rd(), ::getpid(), now);
}

/// The run file's header: program, status, run_id, the model file's text and echo, the grid and the initial data.
void write_header(const Model& model, const ModelOperators& ops, const InitialData& init, const h5::Group& root) {
  root.set_attr("program", "fockmix");
  root.set_attr("version", version);
  root.set_attr("run_id", new_run_id());
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

/// The enabled solvers in registry order, each restored from `checkpoint` (if given) and with its group and
/// set-up written; their lines and columns go to the summary.
std::vector<Running> start_solvers(const SolverContext& context, const h5::Group& root, RunSummary& sum,
                                   const CheckpointReader* checkpoint) {
  std::vector<Running> solvers;
  for (const SolverEntry& e : solver_registry()) {
    if (!e.enabled(context.model)) continue;
    const auto t0 = Clock::now();
    std::unique_ptr<Solver> s = e.make(context);
    if (checkpoint != nullptr) {
      const h5::Group saved = checkpoint->solver_group(s->name());
      s->restore_state(saved);
      s->seconds += saved.attr_double("seconds");
    }
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
      solvers[i].solver->pair_with(*solvers[j].solver);
      solvers[j].solver->pair_with(*solvers[i].solver);
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
/// solvers that missed a tolerance on the way, or, if a solver stopped early on request (nothing of this
/// output time is written then), -1 when every solver is still exactly at the previous output time (the
/// first one stopped and went back) and -2 otherwise.
Index output_time(double t, std::vector<Running>& solvers, std::vector<Pair>& pairs, const std::atomic<bool>* stop, RunRecord& rec) {
  Index unconverged = 0;
  rec.t = t;
  for (std::size_t i = 0; i < solvers.size(); ++i) {
    Solver& s = *solvers[i].solver;
    const auto t0 = Clock::now();
    const StepStatus st = s.advance_to(t, stop);
    s.seconds += seconds_since(t0);
    if (st.interrupted) return i == 0 && st.at_previous_output ? -1 : -2;
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

/// The enabled solvers' names in registry order, comma-separated (a checkpoint's `solvers`).
std::string enabled_solvers(const Model& model) {
  std::string names;
  for (const SolverEntry& e : solver_registry())
    if (e.enabled(model)) names += (names.empty() ? "" : ",") + e.name;
  return names;
}

/// Write the checkpoint of output time `k` beside the run file (io/checkpoint.hpp): every solver's state
/// and its seconds so far.
void write_checkpoint(const Model& model, const std::vector<Running>& solvers, std::size_t k, double t, const h5::Group& root,
                      double seconds) {
  CheckpointHeader h;
  h.run_id = root.attr_string("run_id");
  h.output_index = static_cast<std::int64_t>(k);
  h.t = t;
  h.unconverged_steps = root.attr_int("unconverged_steps");
  h.seconds = seconds;
  h.solvers = enabled_solvers(model);
  CheckpointWriter w(model.output, model, h);
  for (const Running& r : solvers) {
    const h5::Group g = w.solver_group(r.solver->name());
    r.solver->save_state(g);
    g.set_attr("seconds", r.solver->seconds);
  }
  w.commit();
}

/// The checks of `fockmix run --resume`, before any work: the run file and its checkpoint exist, the run
/// did not complete, the checkpoint is this file's, and the model is the one that wrote both. Returns
/// the checkpoint; every refusal is an InputError naming the file and the reason.
std::unique_ptr<CheckpointReader> open_for_resume(const Model& model) {
  const std::string& out = model.output;
  const std::string ckpt = checkpoint_path(out);
  std::error_code ec;
  if (!std::filesystem::exists(out, ec)) throw InputError(out, "", "no such run file to resume (start the run without --resume)");
  std::unique_ptr<CheckpointReader> reader;
  try {
    const h5::File file = h5::File::open(out);
    const h5::Group root = file.root();
    if (root.has_attr("status") && root.attr_string("status") == "completed")
      throw InputError(out, "", "the run already completed; there is nothing to resume");
    if (!std::filesystem::exists(ckpt, ec))
      throw InputError(out, "", "has no checkpoint " + ckpt +
                                    " to resume from (one is written at an output time every output.checkpoint_minutes, and at a "
                                    "stop that finds every solver at an output time); start the run again with --overwrite");
    reader = std::make_unique<CheckpointReader>(ckpt);
    const CheckpointHeader& h = reader->header();
    if (!root.has_attr("run_id") || root.attr_string("run_id") != h.run_id)
      throw InputError(ckpt, "", "belongs to another run file than " + out + " (their run_id attributes differ)");
    std::string differs = model_echo_difference(root.group("model"), model);
    if (differs.empty()) differs = reader->model_difference(model);
    if (!differs.empty())
      throw InputError(out, differs, "the run was written by another model (its value of this key differs); resume with the model of that run");
    if (h.solvers != enabled_solvers(model))
      throw InputError(out, "", "the checkpoint holds the solvers '" + h.solvers + "', the model enables '" + enabled_solvers(model) + "'");
    const std::vector<double> output_times = model.output_times();
    const arma::vec times = root.has("times") ? root.read_vec("times") : arma::vec();
    const auto k = static_cast<std::size_t>(h.output_index);
    if (k >= output_times.size() || k >= times.n_elem || times(k) != output_times[k] || h.t != output_times[k])
      throw InputError(ckpt, "", fmt::format("output time {} (t = {}) is not one the run file lists", h.output_index, h.t));
  } catch (const IoError& e) {
    throw InputError(out, "", std::string("cannot resume: ") + e.what());
  }
  return reader;
}

/// The run file of a resumed run, opened for writing.
h5::File open_to_continue(const std::string& output) {
  try {
    return h5::File::open(output, h5::File::Access::ReadWrite);
  } catch (const IoError& e) {
    throw IoError(output + ": cannot open the run file for writing to resume it; is another run writing it? (" + e.what() + ")");
  }
}

/// A resumed run file: output times after the checkpoint's dropped, its attributes back to a running run.
/// Returns the scalars of the output times kept, as the summary's records.
std::vector<RunRecord> reopen_for_resume(const h5::Group& root, const CheckpointHeader& h, const std::vector<std::string>& groups) {
  const auto kept = h.output_index + 1;
  root.shrink_series(kept);
  root.set_attr("status", "running");
  root.set_attr("t_reached", h.t);
  root.set_attr("unconverged_steps", h.unconverged_steps);
  root.remove_attr("seconds");
  root.remove_attr("warnings");
  std::vector<RunRecord> records(static_cast<std::size_t>(kept));
  const arma::vec times = root.read_vec("times");
  for (std::size_t j = 0; j < records.size(); ++j) records[j].t = times(j);
  for (const std::string& name : groups) {
    if (!root.has(name)) continue;
    const h5::Group g = root.group(name);
    for (const std::string& ds : g.datasets()) {
      const std::vector<std::int64_t> shape = g.shape(ds);
      if (shape.size() != 1 || shape[0] != kept) continue;
      arma::vec v;
      try {
        v = g.read_vec(ds);
      } catch (const IoError&) {
        continue;  // a complex series
      }
      for (std::size_t j = 0; j < records.size(); ++j) records[j].values.emplace_back(name + "/" + ds, v(j));
    }
  }
  return records;
}

/// The run proper, into the open `file` (new, or with `checkpoint` the run file to continue); every handle
/// on the file is gone when it returns or throws.
void run_into(h5::File& file, const Model& model, const RunHooks& hooks, RunSummary& sum, Clock::time_point t_start,
              const CheckpointReader* checkpoint) {
  const ModelOperators ops = build_operators(model);
  const InitialData init = initial_data(model, ops);
  const h5::Group root = file.root();
  std::size_t first = 0;
  double seconds_before = 0.0;  // of the run before its checkpoint
  if (checkpoint == nullptr) {
    write_header(model, ops, init, root);
  } else {
    first = static_cast<std::size_t>(checkpoint->header().output_index) + 1;
    seconds_before = checkpoint->header().seconds;
    sum.unconverged_steps = checkpoint->header().unconverged_steps;
  }
  file.flush();  // the file opens from here on, whatever happens next
  if (hooks.started) hooks.started();
  std::vector<Running> solvers = start_solvers(SolverContext{model, ops, init}, root, sum, checkpoint);
  std::vector<Pair> pairs = pair_solvers(solvers, root, sum);
  if (checkpoint != nullptr) {
    std::vector<std::string> groups = sum.solvers;
    for (const std::string& c : sum.comparisons) groups.push_back("comparison/" + c);
    sum.records = reopen_for_resume(root, checkpoint->header(), groups);
  }
  file.flush();

  // checkpoints: only for a run file written in place (with overwrite the file appears at the end)
  const bool checkpoints = !hooks.overwrite && hooks.checkpoints && hooks.write_output;
  // processes in lock step agree on the stop flag at output times; the solvers read the agreed one
  auto agreed = [&](bool flag) { return hooks.any_process ? hooks.any_process(flag) : flag; };
  std::atomic<bool> agreed_stop{false};
  const std::atomic<bool>* solver_stop = hooks.any_process ? &agreed_stop : hooks.stop;
  const double checkpoint_seconds = 60.0 * model.checkpoint_minutes;  // may be inf: then only at a stop
  auto last_checkpoint = Clock::now();
  std::size_t checkpointed = first > 0 ? first - 1 : static_cast<std::size_t>(-1);
  auto checkpoint_at = [&](std::size_t k, double t) {
    write_checkpoint(model, solvers, k, t, root, seconds_before + seconds_since(t_start));
    last_checkpoint = Clock::now();
    checkpointed = k;
  };

  Recorder times(file.root());
  const std::vector<double> output_times = model.output_times();
  for (std::size_t k = first; k < output_times.size(); ++k) {
    const double t = output_times[k];
    RunRecord rec;
    const Index unconverged = output_time(t, solvers, pairs, solver_stop, rec);
    if (unconverged < 0) {  // a solver honoured the stop flag inside the interval
      // every solver back at the previous output time: its checkpoint can still be written
      if (unconverged == -1 && checkpoints && k > 0 && checkpointed != k - 1) checkpoint_at(k - 1, output_times[k - 1]);
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
    const bool last = k + 1 == output_times.size();
    agreed_stop = agreed(hooks.stop != nullptr && hooks.stop->load());
    if (agreed_stop && !last) {
      if (checkpoints && checkpointed != k) checkpoint_at(k, t);  // every solver is at this output time
      sum.status = RunStatus::Interrupted;
      break;
    }
    if (checkpoints && !last && agreed(checkpoint_seconds == 0.0 || seconds_since(last_checkpoint) >= checkpoint_seconds)) checkpoint_at(k, t);
  }
  sum.seconds_total = seconds_before + seconds_since(t_start);
  finish(solvers, root, sum);
  file.flush();
}

}  // namespace

RunSummary run_model(const Model& model, const RunHooks& hooks) {
  validate(model, exact_solver_distributed() ? ExactMemoryCheck::PerRankAtBuild : ExactMemoryCheck::WholeState);
  const auto t_start = Clock::now();
  RunSummary sum;
  sum.output = model.output;
  std::error_code ec;
  if (hooks.resume && hooks.overwrite)
    throw InputError(model.output, "--resume", "cannot be combined with --overwrite (resume continues the existing file)");
  if (!hooks.write_output) {  // a rank of a distributed run that writes nothing: the same run into a file in memory
    if (hooks.resume) throw InputError(model.output, "--resume", "needs the process that writes the run file (RunHooks::write_output)");
    h5::File file = h5::File::create_in_memory(model.output + " (in memory)");
    run_into(file, model, hooks, sum, t_start, nullptr);
    return sum;
  }
  const std::unique_ptr<CheckpointReader> checkpoint = hooks.resume ? open_for_resume(model) : nullptr;
  if (!hooks.resume && !hooks.overwrite && std::filesystem::exists(model.output, ec))
    throw IoError(model.output + ": the output file exists; not overwritten (fockmix run --overwrite replaces it)");
  const std::string writing = hooks.overwrite ? partial_name(model.output) : model.output;
  std::exception_ptr failure;
  {
    h5::File file = hooks.resume ? open_to_continue(model.output)
                                 : h5::File::create(writing, hooks.overwrite ? h5::File::Existing::Truncate : h5::File::Existing::Refuse);
    if (!hooks.resume && !hooks.overwrite) {  // a checkpoint without its run file is stale: it cannot belong to this one
      std::filesystem::remove(checkpoint_path(model.output), ec);
      std::filesystem::remove(checkpoint_path(model.output) + ".partial", ec);
    }
    try {
      run_into(file, model, hooks, sum, t_start, checkpoint.get());
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
  } else if (sum.status == RunStatus::Completed) {  // the file holds the whole run: the checkpoint has served
    std::filesystem::remove(checkpoint_path(model.output), ec);
    std::filesystem::remove(checkpoint_path(model.output) + ".partial", ec);
  } else if (std::filesystem::exists(checkpoint_path(model.output), ec)) {
    sum.checkpoint = checkpoint_path(model.output);
  }
  return sum;
}

}  // namespace fockmix
