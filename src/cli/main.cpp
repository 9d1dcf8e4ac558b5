// The fockmix command line: a thin layer over the library (SPEC §10).
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fmt/core.h>
#include <functional>
#include <iostream>
#include <optional>
#include <thread>

#include "fockmix/app/bench.hpp"
#include "fockmix/app/cost_model.hpp"
#include "fockmix/app/run.hpp"
#include "fockmix/app/scan.hpp"
#include "fockmix/core/error.hpp"
#include "fockmix/exact/coherent.hpp"
#include "fockmix/fluct/fluct_space.hpp"
#include "fockmix/meanfield/vlasov_hartree.hpp"
#include "fockmix/model/footprint.hpp"
#include "fockmix/fock/binomial.hpp"
#include "fockmix/model/model_operators.hpp"
#include "fockmix/io/model.hpp"
#include "fockmix/version.hpp"
#ifdef FOCKMIX_HAVE_MPI
#include "fockmix/distributed/distributed_footprint.hpp"
#include "fockmix/distributed/environment.hpp"
#include "fockmix/distributed/mfn_propagator.hpp"
#include "fockmix/exact/sector.hpp"
#include "fockmix/exact/sector_hamiltonian.hpp"
#endif

using namespace fockmix;

namespace {

std::atomic<bool> g_stop{false};

/// The MPI ranks this process runs with (docs/distributed.md): active only in a FOCKMIX_MPI build started by
/// mpirun/mpiexec; then rank 0 alone prints and writes, and every rank runs the same driver in lock step.
struct World {
  bool active = false;
  int rank = 0, size = 1;
  int ranks_on_node = 1;
};
World g_world;
#ifdef FOCKMIX_HAVE_MPI
int g_info_ranks = 0;         ///< `fockmix info --ranks` (0: mpirun's size)
double g_info_rank_gib = 0.0;  ///< `fockmix info --rank-memory` (0: this machine's)
#endif

#ifdef FOCKMIX_HAVE_MPI
/// Whether an MPI launcher (Open MPI, MPICH/Hydra, PMIx, Slurm's PMI) started this process.
bool launched_by_mpirun() {
  for (const char* var : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_RANK", "PMI_RANK"})
    if (std::getenv(var) != nullptr) return true;
  return false;
}
#endif

/// Runs `prepare` (reading the model, checking the output: work before any collective step) and, under MPI, agrees
/// on its outcome: if it threw on some rank, the lowest such rank prints its message (once for a model error
/// every rank finds alike) and every rank returns the largest exit code (2 input, 1 other). Without MPI the
/// exception goes to main as before. Returns 0 when every rank succeeded.
int agreed_outcome(const std::function<void()>& prepare) {
  if (!g_world.active) {
    prepare();
    return 0;
  }
  int code = 0;
  std::string message;
  try {
    prepare();
  } catch (const InputError& e) {
    code = 2;
    message = e.what();
  } catch (const std::exception& e) {
    code = 1;
    message = e.what();
  }
#ifdef FOCKMIX_HAVE_MPI
  int first = code != 0 ? g_world.rank : g_world.size;
  MPI_Allreduce(MPI_IN_PLACE, &first, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
  MPI_Allreduce(MPI_IN_PLACE, &code, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
  if (first == g_world.rank)
    fmt::print(stderr, "error: {}{}\n", message, g_world.rank == 0 ? "" : fmt::format(" (rank {} of {})", g_world.rank, g_world.size));
#endif
  return code;
}

std::atomic<int> g_signals{0};
/// First SIGINT/SIGTERM: stop cleanly after the current output time. Second: exit at once (the file was
/// flushed at the last output time it lists).
extern "C" void on_signal(int) {
  if (g_signals.fetch_add(1) == 0) {
    g_stop.store(true);
    return;
  }
  static const char msg[] = "\nfockmix: second signal, exiting now (the file holds every output time it lists)\n";
  [[maybe_unused]] const auto n = write(STDERR_FILENO, msg, sizeof msg - 1);
  _exit(130);
}

/// `-t`: 0 (all cores) or 1..1024 threads.
const CLI::Validator thread_count(
    [](std::string& text) -> std::string {
      std::size_t used = 0;
      long long n = -1;
      try {
        n = std::stoll(text, &used);
      } catch (const std::exception&) {
        used = 0;
      }
      if (used != text.size() || n < 0 || n > 1024)
        return "threads must be between 1 and 1024, or 0 for all cores; got '" + text + "'";
      return "";
    },
    "0..1024", "threads");

/// Where `fockmix run`/`fluct` may write: never over the model file itself, never over an existing file
/// unless --overwrite (or --resume, which continues it). Checked before any work.
void check_output(const std::string& model_path, const std::string& output, bool overwrite, bool resume) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (fs::exists(output, ec) && fs::equivalent(output, model_path, ec))
    throw InputError(output, "", "is the model file itself; choose another output file");
  if (fs::is_directory(output, ec)) throw InputError(output, "", "is a directory; the output must be a file name");
  if (resume && overwrite) throw InputError(output, "--resume", "cannot be combined with --overwrite (resume continues the existing file)");
  if (!overwrite && !resume && fs::exists(output, ec))
    throw InputError(output, "",
                     "the output file exists; pass --resume to continue it from its checkpoint, or --overwrite to replace it (it is kept "
                     "until the new run completes)");
}

/// A one-line progress bar on a terminal; on a pipe, a line every 10%.
class ProgressBar {
 public:
  explicit ProgressBar(std::string label) : label_(std::move(label)), tty_(isatty(STDERR_FILENO)) {}
  void update(double f, const std::string& note) {
    f = std::clamp(f, 0.0, 1.0);
    if (tty_) {
      const int width = 30, done = static_cast<int>(std::lround(f * width));
      fmt::print(stderr, "\r{} [{}{}] {:5.1f}%  {}   ", label_, std::string(done, '#'), std::string(width - done, '.'), 100 * f, note);
      std::fflush(stderr);
    } else if (f >= next_) {
      fmt::print(stderr, "{} {:5.1f}%  {}\n", label_, 100 * f, note);
      next_ = std::floor(f * 10 + 1e-9) / 10 + 0.1;
    }
  }
  void finish() {
    if (tty_) fmt::print(stderr, "\n");
  }

 private:
  std::string label_;
  bool tty_;
  double next_ = 0.0;
};

/// "0.12 s", "3.4 min", "2.1 h".
std::string duration_text(double s) {
  if (s < 120.0) return fmt::format("{:.2g} s", s);
  if (s < 7200.0) return fmt::format("{:.1f} min", s / 60.0);
  return fmt::format("{:.1f} h", s / 3600.0);
}

/// The terminal summary: one line per solver set-up, a table of about a dozen rows whose columns come
/// from the solvers and comparisons that ran, the maxima of the first comparison, times.
void print_run_summary(const RunSummary& s) {
  for (const std::string& line : s.setup_lines) fmt::print("{}\n", line);
  const auto& R = s.records;
  if (R.empty()) return;
  std::vector<double> first(s.columns.size());
  for (std::size_t c = 0; c < s.columns.size(); ++c) first[c] = R.front().value(s.columns[c].key);
  fmt::print("\n{:>8}", "t");
  for (const SummaryColumn& c : s.columns) fmt::print(" {:>11}", c.header);
  fmt::print("\n");
  const std::size_t rows = std::min<std::size_t>(R.size(), 11);
  for (std::size_t k = 0; k < rows; ++k) {
    const RunRecord& r = R[rows > 1 ? k * (R.size() - 1) / (rows - 1) : 0];
    fmt::print("{:8.3f}", r.t);
    for (std::size_t c = 0; c < s.columns.size(); ++c) {
      const double v = r.value(s.columns[c].key);
      if (std::isnan(v))
        fmt::print(" {:>11}", "--");
      else if (s.columns[c].drift)
        fmt::print(" {:11.2e}", (v - first[c]) / std::max(1.0, std::abs(first[c])));
      else
        fmt::print(" {:11.3e}", v);
    }
    fmt::print("\n");
  }
  for (const std::string& cmp : s.comparisons) {
    double eF = 0, eB = 0;
    for (const auto& r : R) {
      eF = std::max(eF, r.value("comparison/" + cmp + "/eF_trace"));
      eB = std::max(eB, r.value("comparison/" + cmp + "/eB_trace"));
    }
    fmt::print("\nmax over [0, {:.3g}] ({}): e_F = {:.3e}, e_B = {:.3e} (trace norm, SPEC §6)", R.back().t, cmp, eF, eB);
  }
  if (!s.comparisons.empty()) fmt::print("\n");
  for (const std::string& w : s.warnings) fmt::print("warning      {}\n", w);
  if (s.unconverged_steps > 0)
    fmt::print("warning      {} output interval(s) had a step that missed its tolerance (see the solvers' `converged` series)\n",
               s.unconverged_steps);
  std::string times;
  for (const auto& [label, sec] : s.seconds) times += fmt::format("{} {:.2f} s, ", label, sec);
  fmt::print("time         {}total {:.2f} s\n", times, s.seconds_total);
  fmt::print("results      {}{}\n", s.output, s.status == RunStatus::Interrupted ? " (interrupted: the file holds every output time reached)" : "");
  if (!s.checkpoint.empty()) fmt::print("resume       the same command with --resume continues from the checkpoint {}\n", s.checkpoint);
  fmt::print("plots        /usr/bin/python3 scripts/plot_run.py {}\n", s.output);
}

/// The exact solver's lines of `fockmix info`; returns whether it fits.
bool info_exact(const Model& m, Index L) {
  const ExactFootprint fp = exact_footprint(m);
  fmt::print("sector       D_F = C({}, {}) = {}, D_B = {}{}, D = {}\n", L, m.fermions.number, fp.dim_fermions, fp.dim_bosons,
             m.bosons.max_per_site > 0 && m.bosons.max_per_site < m.bosons.number
                 ? fmt::format(" (capped at {} per site: a truncation)", m.bosons.max_per_site)
                 : "",
             fp.dim);
  if (m.exact.initial == ExactInitial::Coherent)
    fmt::print("coherent     Poisson superposition of boson numbers: {} states over all sectors (tolerance {:.0e})\n",
               coherent_dimension(L, m.fermions.number, static_cast<double>(m.bosons.number), m.exact.coherent_tolerance,
                                  m.bosons.max_per_site),
               m.exact.coherent_tolerance);
  const double phys = physical_memory_bytes();
  const std::string with = fp.propagator == PropagatorKind::Lanczos ? fmt::format("Lanczos, Krylov dimension {}", fp.krylov_dim)
                                    : fp.chebyshev_window > 1
                                        ? fmt::format("Chebyshev, {} state vectors: {} output times per expansion",
                                                      kChebyshevStates + fp.chebyshev_window, fp.chebyshev_window)
                                        : "Chebyshev, 4 state vectors";
  const std::string moments = fp.moments_bytes > 0 ? ", moments scratch " + format_bytes(fp.moments_bytes) : "";
  fmt::print("memory       one state {}, tables {}{}, peak estimate {} ({}; limit {}; machine {})\n", format_bytes(fp.state_bytes),
             format_bytes(fp.table_bytes), moments, format_bytes(fp.total_bytes), with,
             m.exact.memory_limit_gib > 0 ? fmt::format("{:.1f} GiB", m.exact.memory_limit_gib) : "physical memory", format_bytes(phys));
  const bool fits = fp.fits && fp.total_bytes <= phys;
  fmt::print("fits         {}\n", fits ? "yes" : "NO: reduce the sector or raise exact.memory_limit_gib");
  // time (docs/performance.md, "Time prediction"): matvec counts from a bound on the spectrum of H, seconds
  // from the real kernels timed on a small sector of this lattice, with the threads the run would use
  if (!fits) {
    fmt::print("time         not predicted: the exact solver does not fit\n");
    return fits;
  }
  if (m.exact.initial == ExactInitial::Coherent) {
    fmt::print("time         not predicted for coherent initial data (the boson-number sectors are evolved one by one)\n");
    return fits;
  }
  configure_threads(m.threads);
  const ModelOperators ops = build_operators(m);
  const TimePrediction p = predict_exact_time(m, ops, fp);
  const KernelCalibration& c = p.calibration;
  const std::string prop = p.propagator == PropagatorKind::Lanczos ? fmt::format("Lanczos ({} vectors)", p.krylov_dim)
                                                                   : fmt::format("Chebyshev (+{} matvecs for its bounds)", p.bound_matvecs);
  fmt::print("spectrum     H within [{:.4g}, {:.4g}] (Weyl bound from the one-body operators, lambda, V, M, N)\n", p.bounds.lower,
             p.bounds.upper);
  auto count = [](Index n) { return n < 0 ? std::string("too many to count") : std::to_string(n); };
  fmt::print("matvecs      {}: {} per output interval ({:g}{}), {} for one unit of time; {} in all ({} outputs)\n", prop,
             count(p.matvecs_per_interval), p.interval,
             p.propagator == PropagatorKind::Lanczos ? ", on average: one basis serves several outputs"
             : fp.chebyshev_window > 1              ? fmt::format(", on average: up to {} outputs an expansion", fp.chebyshev_window)
                                                    : "",
             count(p.matvecs_unit_time), count(p.matvecs_total), p.outputs);
  fmt::print("calibration  M = {}, N = {} on this lattice (D = {}), {} threads: matvec {}, observables {} (with the moments {}), vector "
             "work {} and dense work {} an iteration; took {}\n",
             c.M, c.N, c.dim, c.threads, format_seconds(c.matvec_seconds), format_seconds(c.observe_seconds),
             format_seconds(c.observe_all_seconds), format_seconds(c.vector_seconds), format_seconds(c.iteration_seconds),
             format_seconds(c.total_seconds));
  fmt::print("time         one matvec {} (x {:.3g} nonzeros), one output interval {}, one unit time {}, one output's "
             "observables {}, setup {}\n",
             format_seconds(p.matvec_seconds), p.scale, format_seconds(p.step_seconds), format_seconds(p.unit_step_seconds),
             format_seconds(p.output_seconds), format_seconds(p.setup_seconds));
  if (p.krylov_used > 0 && p.krylov_used < p.krylov_dim)
    fmt::print("memory       expected peak {} (the Krylov basis fills to about {} of its {} vectors for these output times)\n",
               format_bytes(p.expected_peak_bytes), p.krylov_used, p.krylov_dim);
  fmt::print("estimate     the exact solver: about {} for the whole run (matvec counts modelled, seconds calibrated on "
             "this machine: docs/performance.md, \"Time prediction\"; other solvers not included){}\n",
             format_seconds(p.total_seconds),
             m.exact.initial == ExactInitial::GroundState ? ", plus the ground-state search (not modelled)" : "");
  return fits;
}

#ifdef FOCKMIX_HAVE_MPI
/// The distributed engine's lines of `fockmix info` (docs/distributed.md, "Memory per rank"): the largest rank's
/// memory on P ranks (--ranks, else mpirun's size), and the fewest ranks of a given memory the sector needs.
void info_distributed(const Model& m) {
  const ExactFootprint fp = exact_footprint(m);
  const ModelOperators ops = build_operators(m);
  const Sector sector(ops.lattice.sites(), ops.M, ops.N, m.bosons.max_per_site);
  const SectorHamiltonian H(sector, ops);
  const Index basis = MfnOptions{}.max_dim;
  const Index P = std::min<Index>(g_info_ranks > 0 ? g_info_ranks : g_world.size, fp.dim_bosons);
  const DistributedFootprint d = distributed_footprint(H, P, basis, fp.table_bytes);
  const RankMemory& r = d.largest;
  fmt::print("distributed  {} rank{} (blocks of boson columns; largest: rank {}, {} columns): own part {}, {} state parts {} (MFN basis {} + "
             "4), ghost columns {} (H) + {} (observables) = {}, tables {} (replicated); total {} per rank\n",
             P, P == 1 ? "" : "s", r.rank, r.columns, format_bytes(r.own_bytes), basis + 4, format_bytes(r.vectors_bytes), basis, r.ghost_columns,
             r.observer_columns, format_bytes(r.ghost_bytes), format_bytes(r.table_bytes), format_bytes(r.total_bytes));
  fmt::print("exchange     {} received per matvec by all ranks ({:.2f} x the state){}\n", format_bytes(d.exchanged_bytes),
             d.exchanged_bytes / fp.state_bytes,
             d.fits_indices ? "" : "; D exceeds PETSc's 32-bit indices: needs a PETSc built with --with-64-bit-indices");
  const double per_rank = g_info_rank_gib > 0 ? g_info_rank_gib * 1024.0 * 1024.0 * 1024.0 : physical_memory_bytes();
  DistributedFootprint at;
  const Index needed = ranks_needed(H, basis, fp.table_bytes, per_rank, &at);
  if (needed > 0)
    fmt::print("ranks        {} rank{} of {} each (one per node) hold the run ({} on the largest rank)\n", needed, needed == 1 ? "" : "s",
               format_bytes(per_rank), format_bytes(at.largest.total_bytes));
  else
    fmt::print("ranks        no number of ranks of {} each holds it: the replicated tables and ghost buffers do not fit\n",
               format_bytes(per_rank));
}
#endif

int cmd_info(const std::string& path) {
  // a FOCKMIX_MPI build reports both engines: a sector too large for one machine is no error here
#ifdef FOCKMIX_HAVE_MPI
  const Model m = load_model(path, ExactMemoryCheck::PerRankAtBuild);
#else
  const Model m = load_model(path);
#endif
  Index L = 1;
  for (Index e : m.sites) L *= e;
  fmt::print("model        {} ({})\n", m.name, path);
  fmt::print("grid         {} sites, d = {}, h = {}, kinetic = {}\n", L, m.sites.size(), m.spacing, to_string(m.kinetic));
  fmt::print("particles    M = {} fermions (m_F = {}), N = {} bosons (m_B = {}), lambda = {}, hbar = {}\n", m.fermions.number,
             m.fermions.mass, m.bosons.number, m.bosons.mass, m.lambda, m.hbar);
  fmt::print("time         T = {}, output every {} ({} output times)\n", m.t_final, m.output_every, m.output_times().size());
  std::string solvers;
  for (const SolverEntry& e : solver_registry())
    if (e.enabled(m)) solvers += (solvers.empty() ? "" : ", ") + e.name;
  fmt::print("solvers      {}\n", solvers.empty() ? "none enabled" : solvers);
  bool fits = true;
  if (m.exact.enabled) fits = info_exact(m, L);
#ifdef FOCKMIX_HAVE_MPI
  if (m.exact.enabled) info_distributed(m);
#endif
  if (m.vlasov.enabled) {
    VlasovOptions o;
    o.momentum_points = m.vlasov.momentum_points;
    o.momentum_box = m.vlasov.momentum_box;
    const Index P = m.vlasov.momentum_points > 0 ? m.vlasov.momentum_points : 0;
    Index cells = 1;
    for (Index e : m.sites) cells *= P > 0 ? P : 2 * e;
    fmt::print("phase space  {} sites x {} momenta = {} cells, about {}\n", L, cells, L * cells,
               format_bytes(static_cast<double>(VlasovHartree::memory_bytes(m.lattice(), m.kinetic, o))));
  }
  if (m.fluct.enabled) {
    const FluctuationFootprint ff = fluctuation_footprint(L, m.fermions.number, m.fluct.boson_cutoff);
    fmt::print("fluctuations C({}, {}) x C({} + {}, {}) = {} x {} = {} states (K_B = {}), about {}\n", L, m.fermions.number,
               m.fluct.boson_cutoff, L, L, ff.dim_fermions, ff.dim_bosons, ff.dim, m.fluct.boson_cutoff, format_bytes(ff.total_bytes));
  }
  return fits ? 0 : 3;
}

/// What a distributed run (mpirun) does not support yet, refused before any work (docs/distributed.md).
void check_distributed(const Model& m, const std::string& path, bool resume) {
  if (!g_world.active) return;
  if (resume && g_world.size > 1)
    throw InputError(m.output, "--resume",
                     "is not supported on more than one MPI rank yet (the exact state is spread over the ranks and no checkpoint is "
                     "written; docs/distributed.md); a checkpoint of a serial or one-rank run continues under mpirun -n 1");
  if (m.exact.enabled && m.exact.initial != ExactInitial::Product)
    throw InputError(path, "exact.initial",
                     "the distributed engine (mpirun) starts from the product state only; 'ground_state' and 'coherent' need the serial "
                     "engine (run without mpirun)");
}

/// `fockmix run` (fluct_only = false) and `fockmix fluct` (only the fluctuation dynamics, into NAME_fluct.h5).
int cmd_run(const std::string& path, const std::string& output, int threads, bool overwrite, bool resume, bool fluct_only = false) {
  Model m;
  const int refused = agreed_outcome([&] {
    m = load_model(path, exact_solver_distributed() ? ExactMemoryCheck::PerRankAtBuild : ExactMemoryCheck::WholeState);
    if (fluct_only) {
      m.exact.enabled = m.hartree.enabled = m.vlasov.enabled = false;
      m.fluct.enabled = true;
      m.output = "results/" + m.name + "_fluct.h5";
      validate(m);
    }
    if (!output.empty()) m.output = output;
    if (g_world.rank == 0) check_output(path, m.output, overwrite, resume);  // the rank that writes
    check_distributed(m, path, resume);
  });
  if (refused != 0) return refused;
  if (threads > 0) m.threads = threads;
  if (m.threads == 0 && g_world.ranks_on_node > 1)  // "all cores" shared by the ranks of a node
    m.threads = std::max(1, static_cast<int>(std::thread::hardware_concurrency()) / g_world.ranks_on_node);
  configure_threads(m.threads);
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  const bool speaks = g_world.rank == 0;  // prints, and writes the file
  if (g_world.active) std::signal(SIGUSR1, on_signal);  // mpirun forwards SIGUSR1 to every rank (SIGINT ends the job)
  if (speaks)
    fmt::print("fockmix {} — {} {} ({}){}{}\n", version, fluct_only ? "fluct" : "run", m.name, path,
               resume ? ", resumed from its checkpoint" : "",
               g_world.active ? fmt::format(", {} MPI rank{}", g_world.size, g_world.size == 1 ? "" : "s") : "");
  ProgressBar bar("run");
  RunHooks hooks;
  hooks.stop = &g_stop;
  hooks.overwrite = overwrite;
  hooks.resume = resume;
#ifdef FOCKMIX_HAVE_MPI
  if (g_world.active) {
    hooks.write_output = speaks;
    hooks.checkpoints = g_world.size == 1;
    hooks.any_process = [](bool flag) {
      int v = flag ? 1 : 0;
      MPI_Allreduce(MPI_IN_PLACE, &v, 1, MPI_INT, MPI_LOR, MPI_COMM_WORLD);
      return v != 0;
    };
  }
#endif
  const auto started = std::chrono::steady_clock::now();
  std::size_t outputs = 0;
  double done_before = -1.0;  // fraction of the horizon done before this process (resume: up to the checkpoint)
  hooks.progress = [&](double f, const RunRecord& r) {
    if (done_before < 0.0) done_before = resume && m.t_final > 0 ? std::max(0.0, f - m.output_every / m.t_final) : 0.0;
    // time per output and an ETA from the fraction of the horizon done, then the leading comparison's
    // trace-norm errors, if any comparison ran
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    ++outputs;
    std::string note = fmt::format("t = {:.3g}  {}/output", r.t, duration_text(elapsed / static_cast<double>(outputs)));
    if (f > done_before && f < 1.0) note += fmt::format("  ETA {}", duration_text(elapsed * (1.0 - f) / (f - done_before)));
    for (const auto& [key, v] : r.values)
      if (key.starts_with("comparison/") && (key.ends_with("/eF_trace") || key.ends_with("/eB_trace"))) {
        note += fmt::format("  {} = {:.2e}", key.ends_with("/eF_trace") ? "e_F" : "e_B", v);
        if (key.ends_with("/eB_trace")) break;
      }
    bar.update(f, note);
  };
  if (!speaks) hooks.progress = nullptr;
  const RunSummary s = run_model(m, hooks);
  if (speaks) {
    bar.finish();
    print_run_summary(s);
  }
#ifdef FOCKMIX_HAVE_MPI
  if (g_world.active) {  // no rank ends (and makes mpirun end the others) before rank 0 has closed the file and printed
    std::fflush(stdout);
    MPI_Barrier(MPI_COMM_WORLD);
    for (int sig : {SIGINT, SIGTERM, SIGUSR1}) std::signal(sig, SIG_DFL);
  }
#endif
  return s.status == RunStatus::Completed ? 0 : 130;
}

// `fockmix scan SCAN.toml` and `fockmix info SCAN.toml` (include/fockmix/app/scan.hpp).
int cmd_scan_info(const std::string& path) { return scan_info(parse_scan(path), std::cout) ? 0 : 3; }

int cmd_scan(const std::string& path, int threads) {
  ScanSpec spec = load_scan(path);  // refuses a point that cannot run, before any work
  if (threads > 0) spec.threads = threads;
  configure_threads(0);
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  fmt::print("fockmix {} — scan {} ({})\n", version, spec.name, path);
  for (const auto& w : spec.warnings) fmt::print("warning: {}\n", w);
  std::fflush(stdout);
  ProgressBar bar("scan");
  ScanHooks hooks;
  hooks.stop = &g_stop;
  hooks.progress = [&](const ScanProgress& p) {
    const std::string eta = p.eta_seconds < 0 ? "--" : p.eta_seconds < 120 ? fmt::format("{:.0f} s", p.eta_seconds)
                                                                           : fmt::format("{:.1f} min", p.eta_seconds / 60);
    bar.update(p.fraction, fmt::format("{}/{} points, ETA {}  {}", p.points_done, p.points_total, eta, p.note));
  };
  const ScanResult r = run_scan(spec, hooks);
  bar.finish();
  print_scan_summary(spec, r, std::cout);
  fmt::print("time         {:.1f} s ({} of {} points reused from earlier runs)\n", r.seconds, r.points_reused, r.points_total);
  fmt::print("results      {}{}\n", r.output, r.status == ScanStatus::Completed ? "" : " (interrupted: run the same command again to resume)");
  fmt::print("plots        /usr/bin/python3 scripts/plot_scan.py {}\n", r.output);
  return r.status == ScanStatus::Completed ? 0 : 130;
}

/// An error that ends the command: printed, and the exit code returned. On several MPI ranks the error arose after
/// the ranks agreed to run, possibly on one rank while the others wait in a collective step: the rank prints it
/// and ends every rank with MPI_Abort. Rank 0 does so at once; another rank waits two seconds first, with the
/// default action restored for SIGTERM (which MPI_Abort sends), so that an error all ranks meet alike (rank 0
/// included) is printed once, by rank 0.
int report_error(const std::string& what, int code) {
  if (!g_world.active || g_world.size == 1) {
    fmt::print(stderr, "error: {}\n", what);
    return code;
  }
#ifdef FOCKMIX_HAVE_MPI
  // MPI_Abort on another rank ends this one with SIGTERM: no longer a request to stop at the next output time
  for (int sig : {SIGINT, SIGTERM, SIGUSR1}) std::signal(sig, SIG_DFL);
  if (g_world.rank != 0) std::this_thread::sleep_for(std::chrono::seconds(2));
  fmt::print(stderr, "error: {}{}\n", what, g_world.rank == 0 ? "" : fmt::format(" (rank {} of {})", g_world.rank, g_world.size));
  std::fflush(stderr);
  MPI_Abort(MPI_COMM_WORLD, code);
#endif
  return code;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"fockmix: exact and mean-field dynamics of Bose–Fermi mixtures on a lattice"};
  app.set_version_flag("--version", std::string(version));
  app.require_subcommand(1);
  std::string model_path, output;
  int threads = 0;
  auto* run = app.add_subcommand("run", "run the solvers a model enables, write HDF5 and print a summary");
  run->add_option("model", model_path, "model file (TOML, see models/README.md)")->required();
  bool overwrite = false;
  run->add_option("-o,--output", output, "HDF5 output file (default: the model's output.file)");
  run->add_flag("--overwrite", overwrite, "replace an existing output file (the old one is kept until the new run completes)");
  bool resume = false;
  run->add_flag("--resume", resume, "continue an interrupted or crashed run in its output file from its checkpoint FILE.ckpt");
  run->add_option("-t,--threads", threads, "OpenMP threads, 1..1024 or 0 = all cores (default: the model's, else all cores)")
      ->check(thread_count);
  auto* fluct = app.add_subcommand("fluct", "the fluctuation dynamics U(t,0) Omega and its truncated version U~ only (SPEC §7)");
  fluct->add_option("model", model_path, "model file (its [fluct] section; see models/README.md)")->required();
  fluct->add_option("-o,--output", output, "HDF5 output file (default: results/NAME_fluct.h5)");
  fluct->add_flag("--overwrite", overwrite, "replace an existing output file (the old one is kept until the new run completes)");
  fluct->add_flag("--resume", resume, "continue an interrupted or crashed run in its output file from its checkpoint FILE.ckpt");
  fluct->add_option("-t,--threads", threads, "OpenMP threads, 1..1024 or 0 = all cores (default: the model's, else all cores)")
      ->check(thread_count);
  auto* info = app.add_subcommand("info", "sector dimensions, memory and time estimates, before anything runs");
  info->add_option("model", model_path, "model file")->required();
#ifdef FOCKMIX_HAVE_MPI
  info->add_option("--ranks", g_info_ranks, "the distributed engine's memory per rank on this many MPI ranks (default: mpirun's, else 1)")
      ->check(CLI::PositiveNumber);
  info->add_option("--rank-memory", g_info_rank_gib, "memory of one rank in GiB for the ranks needed (default: this machine's)")
      ->check(CLI::PositiveNumber);
#endif
  BenchOptions bopt;
  auto* bench = app.add_subcommand("bench", "benchmark the exact engine (matvec bandwidth, unit-time Krylov step, memory)");
  bench->add_option("--repeats", bopt.repeats, "matvec repetitions")->check(CLI::PositiveNumber);
  bench->add_option("--export", bopt.export_dir, "write each case's sparse H for benchmarks/scipy_expm.py into this folder");
  bench->add_flag("--quick", bopt.quick, "only the smallest case");
  bool bench_vlasov = false;
  bench->add_flag("--vlasov", bench_vlasov, "only the Vlasov–Hartree transport step (32 x 32 sites x 64 x 64 momenta)");
  bench->add_flag("--large", bopt.large, "one unit step and one output on L = 14, M = 7, N = 6 (9.3e7 states, about 5.8 GiB), time and peak memory");
  bool bench_stretch = false;
  bench->add_flag("--stretch", bench_stretch,
                  "as --large on L = 14, M = N = 7 (2.66e8 states, about 16 GiB, under a 22 GiB limit)");
  bench->add_option("-t,--threads", threads, "OpenMP threads, 1..1024 or 0 = all cores (default: all cores)")->check(thread_count);
  auto* scan = app.add_subcommand("scan", "run a family of models along a scaling regime, fit error exponents (resumable)");
  scan->add_option("scan", model_path, "scan file (TOML with a [scan] table, see models/README.md)")->required();
  scan->add_option("-t,--threads", threads, "OpenMP threads in all, 1..1024 or 0 = all cores (default: the scan's, else all cores)")
      ->check(thread_count);
  std::string names;
  bool known = false;
  for (const CLI::App* sub : app.get_subcommands({})) {
    names += (names.empty() ? "" : ", ") + sub->get_name();
    known = known || (argc > 1 && sub->get_name() == argv[1]);
  }
  if (argc > 1 && argv[1][0] != '-' && !known) {
    fmt::print(stderr, "error: unknown command '{}'; the commands are {} (fockmix --help)\n", argv[1], names);
    return 2;
  }
  CLI11_PARSE(app, argc, argv);
#ifdef FOCKMIX_HAVE_MPI
  // under mpirun: one MPI/SLEPc session for the process (PETSc reads its options from PETSC_OPTIONS only, the
  // command line is fockmix's); without mpirun the build runs serially exactly as the default build
  std::optional<MpiSession> session;
  if (launched_by_mpirun()) {
    try {
      session.emplace();
    } catch (const std::exception& e) {
      fmt::print(stderr, "error: cannot start MPI: {}\n", e.what());
      return 1;
    }
    g_world.active = true;
    g_world.rank = session->rank();
    g_world.size = session->size();
    MPI_Comm node;
    MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL, &node);
    MPI_Comm_size(node, &g_world.ranks_on_node);
    MPI_Comm_free(&node);
    if (!*run && !*info) {
      if (g_world.rank == 0) fmt::print(stderr, "error: under mpirun, fockmix runs `run` and `info` only (docs/distributed.md)\n");
      return 2;
    }
    if (*info && g_world.rank != 0) return 0;  // rank 0 prints; the others have nothing to do
  }
#endif
  try {
    for (CLI::App* sub : {run, fluct})
      if (*sub && sub->count("--output") > 0 && output.empty()) throw InputError("-o", "", "the output file name is empty");
    if (*run) return cmd_run(model_path, output, threads, overwrite, resume);
    if (*fluct) return cmd_run(model_path, output, threads, overwrite, resume, true);
    if (*info) return is_scan_file(model_path) ? cmd_scan_info(model_path) : cmd_info(model_path);
    if (*scan) return cmd_scan(model_path, threads);
    if (*bench) {
      configure_threads(threads);
      if (bench_stretch) {
        bopt.large = true;
        bopt.large_cases = {{14, 7, 7}};
        bopt.large_memory_limit_gib = 22.0;
      }
      if (bench_vlasov)
        run_vlasov_bench({}, std::cout);
      else
        run_bench(bopt, std::cout);
      return 0;
    }
  } catch (const InputError& e) {
    return report_error(e.what(), 2);
  } catch (const std::exception& e) {
    return report_error(e.what(), 1);
  }
  return 0;
}
