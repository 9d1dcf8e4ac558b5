// The fockmix command line: a thin layer over the library (SPEC §10).
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <fmt/core.h>
#include <iostream>

#include "fockmix/app/bench.hpp"
#include "fockmix/app/run.hpp"
#include "fockmix/app/scan.hpp"
#include "fockmix/core/error.hpp"
#include "fockmix/exact/footprint.hpp"
#include "fockmix/fock/binomial.hpp"
#include "fockmix/model/model_operators.hpp"
#include "fockmix/io/model.hpp"
#include "fockmix/version.hpp"

using namespace fockmix;

namespace {

std::atomic<bool> g_stop{false};
extern "C" void on_signal(int) { g_stop.store(true); }

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

int cmd_info(const std::string& path) {
  const Model m = load_model(path);
  Index L = 1;
  for (Index e : m.sites) L *= e;
  fmt::print("model        {} ({})\n", m.name, path);
  fmt::print("grid         {} sites, d = {}, h = {}, kinetic = {}\n", L, m.sites.size(), m.spacing, to_string(m.kinetic));
  fmt::print("particles    M = {} fermions (m_F = {}), N = {} bosons (m_B = {}), lambda = {}, hbar = {}\n", m.fermions.number,
             m.fermions.mass, m.bosons.number, m.bosons.mass, m.lambda, m.hbar);
  fmt::print("time         T = {}, output every {} ({} output times)\n", m.t_final, m.output_every, m.output_times().size());
  const ExactFootprint fp = exact_footprint(m);
  fmt::print("sector       D_F = C({}, {}) = {}, D_B = {}{}, D = {}\n", L, m.fermions.number, fp.dim_fermions, fp.dim_bosons,
             m.bosons.max_per_site > 0 && m.bosons.max_per_site < m.bosons.number
                 ? fmt::format(" (capped at {} per site: a truncation)", m.bosons.max_per_site)
                 : "",
             fp.dim);
  const double phys = physical_memory_bytes();
  fmt::print("memory       one state {}, tables {}, peak estimate {} with Krylov dimension {} (limit {}; machine {})\n",
             format_bytes(fp.state_bytes), format_bytes(fp.table_bytes), format_bytes(fp.total_bytes), fp.krylov_dim,
             m.exact.memory_limit_gib > 0 ? fmt::format("{:.1f} GiB", m.exact.memory_limit_gib) : "physical memory", format_bytes(phys));
  const bool fits = fp.krylov_dim > 0 && fp.total_bytes <= phys;
  fmt::print("fits         {}\n", fits ? "yes" : "NO: reduce the sector or raise exact.memory_limit_gib");
  // rough time: spectral width W of H bounds the Krylov work (about 1.2 W T / hbar matvecs plus a few per
  // output), each matvec streaming ~5 states at an assumed 5 GB/s
  const ModelOperators ops = build_operators(m);
  auto width = [](const arma::mat& h) {
    const arma::vec e = arma::eig_sym(h);
    return e.max() - e.min();
  };
  const double W = m.fermions.number * width(ops.one_body_F()) + m.bosons.number * width(ops.one_body_B()) +
                   std::abs(m.lambda) * m.fermions.number * m.bosons.number * (ops.V.max() - ops.V.min());
  const double matvecs = 1.2 * W * m.t_final / m.hbar + 5.0 * m.output_times().size();
  const double seconds = matvecs * 5.0 * fp.state_bytes / 5e9;
  fmt::print("estimate     about {:.0f} matvecs, roughly {:.1f} s for the exact solver (order of magnitude)\n", matvecs, seconds);
  return fits ? 0 : 3;
}

int cmd_run(const std::string& path, const std::string& output, int threads) {
  Model m = load_model(path);
  if (!output.empty()) m.output = output;
  if (threads > 0) m.threads = threads;
  configure_threads(m.threads);
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  fmt::print("fockmix {} — run {} ({})\n", version, m.name, path);
  ProgressBar bar("run");
  RunHooks hooks;
  hooks.stop = &g_stop;
  hooks.progress = [&](double f, const RunRecord& r) {
    bar.update(f, m.exact.enabled && m.hartree.enabled ? fmt::format("t = {:.3g}  e_F = {:.2e}  e_B = {:.2e}", r.t, r.cmp.eF_trace, r.cmp.eB_trace)
                                                      : fmt::format("t = {:.3g}", r.t));
  };
  const RunSummary s = run_model(m, hooks);
  bar.finish();
  if (s.exact)
    fmt::print("exact        D_F = {}, D_B = {}, D = {}{}, Krylov dimension {}, {} matvecs, error estimate {:.1e}\n", s.dim_fermions,
               s.dim_bosons, s.dim, s.boson_cap_truncates ? fmt::format(" (boson cap: truncated weight {:.1e})", s.truncated_weight) : "",
               s.krylov_dim, s.records.back().matvecs, s.records.back().krylov_error);
  // summary table: about a dozen rows spread over the run
  const auto& R = s.records;
  const std::size_t rows = std::min<std::size_t>(R.size(), 11);
  const bool both = s.exact && s.hartree;
  fmt::print("\n{:>8}", "t");
  if (both) fmt::print(" {:>10} {:>10} {:>10} {:>10} {:>10} {:>10}", "e_F(Tr)", "e_B(Tr)", "e_F(HS)", "e_B(HS)", "N_F^exc", "N_B^exc");
  if (s.exact) fmt::print(" {:>11}", "dE_exact");
  if (s.hartree) fmt::print(" {:>11}", "dE_HH");
  fmt::print("\n");
  for (std::size_t k = 0; k < rows; ++k) {
    const std::size_t i = rows > 1 ? k * (R.size() - 1) / (rows - 1) : 0;
    const RunRecord& r = R[i];
    fmt::print("{:8.3f}", r.t);
    if (both) fmt::print(" {:10.3e} {:10.3e} {:10.3e} {:10.3e} {:10.3e} {:10.3e}", r.cmp.eF_trace, r.cmp.eB_trace, r.cmp.eF_hs, r.cmp.eB_hs, r.cmp.nF_exc, r.cmp.nB_exc);
    if (s.exact) fmt::print(" {:11.2e}", (r.exact_energy - R[0].exact_energy) / std::max(1.0, std::abs(R[0].exact_energy)));
    if (s.hartree) fmt::print(" {:11.2e}", (r.hartree_energy - R[0].hartree_energy) / std::max(1.0, std::abs(R[0].hartree_energy)));
    fmt::print("\n");
  }
  if (both) {
    double eF = 0, eB = 0;
    for (const auto& r : R) {
      eF = std::max(eF, r.cmp.eF_trace);
      eB = std::max(eB, r.cmp.eB_trace);
    }
    fmt::print("\nmax over [0, {:.3g}]: e_F = {:.3e}, e_B = {:.3e} (trace norm, SPEC §6)\n", R.back().t, eF, eB);
  }
  fmt::print("time         exact {:.2f} s, Hartree–Hartree {:.2f} s, total {:.2f} s\n", s.seconds_exact, s.seconds_hartree, s.seconds_total);
  fmt::print("results      {}{}\n", s.output, s.status == RunStatus::Interrupted ? " (interrupted: the file holds every output time reached)" : "");
  fmt::print("plots        /usr/bin/python3 scripts/plot_run.py {}\n", s.output);
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

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"fockmix: exact and mean-field dynamics of Bose–Fermi mixtures on a lattice"};
  app.set_version_flag("--version", std::string(version));
  app.require_subcommand(1);
  std::string model_path, output;
  int threads = 0;
  auto* run = app.add_subcommand("run", "run the solvers a model enables, write HDF5 and print a summary");
  run->add_option("model", model_path, "model file (TOML, see models/README.md)")->required();
  run->add_option("-o,--output", output, "HDF5 output file (default: the model's output.file)");
  run->add_option("-t,--threads", threads, "OpenMP threads (default: the model's, else all cores)")->check(CLI::NonNegativeNumber);
  auto* info = app.add_subcommand("info", "sector dimensions, memory and time estimates, before anything runs");
  info->add_option("model", model_path, "model file")->required();
  BenchOptions bopt;
  auto* bench = app.add_subcommand("bench", "benchmark the exact engine (matvec bandwidth, unit-time Krylov step, memory)");
  bench->add_option("--repeats", bopt.repeats, "matvec repetitions")->check(CLI::PositiveNumber);
  bench->add_option("--export", bopt.export_dir, "write each case's sparse H for benchmarks/scipy_expm.py into this folder");
  bench->add_flag("--quick", bopt.quick, "only the smallest case");
  bench->add_option("-t,--threads", threads, "OpenMP threads (default: all cores)")->check(CLI::NonNegativeNumber);
  auto* scan = app.add_subcommand("scan", "run a family of models along a scaling regime, fit error exponents (resumable)");
  scan->add_option("scan", model_path, "scan file (TOML with a [scan] table, see models/README.md)")->required();
  scan->add_option("-t,--threads", threads, "OpenMP threads in all (default: the scan's, else all cores)")->check(CLI::NonNegativeNumber);
  CLI11_PARSE(app, argc, argv);
  try {
    if (*run) return cmd_run(model_path, output, threads);
    if (*info) return is_scan_file(model_path) ? cmd_scan_info(model_path) : cmd_info(model_path);
    if (*scan) return cmd_scan(model_path, threads);
    if (*bench) {
      configure_threads(threads);
      run_bench(bopt, std::cout);
      return 0;
    }
  } catch (const InputError& e) {
    fmt::print(stderr, "error: {}\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    fmt::print(stderr, "error: {}\n", e.what());
    return 1;
  }
  return 0;
}
