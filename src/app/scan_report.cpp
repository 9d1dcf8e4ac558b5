// Terminal tables of a scan (include/fockmix/app/scan_report.hpp).
#include "fockmix/app/scan_report.hpp"

#include <fmt/format.h>
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <exception>
#include <filesystem>
#include <ostream>
#include <string>
#include <vector>

#include "fockmix/app/scan_plan.hpp"
#include "fockmix/core/error.hpp"
#include "fockmix/model/footprint.hpp"
#include "fockmix/io/model.hpp"
#include "fockmix/io/scan_file.hpp"

namespace fockmix {

namespace fs = std::filesystem;

namespace {

/// One row of `fockmix info`: the point's parameters, its exact-solver footprint and whether it runs
/// (`all_fit` becomes false if it cannot).
std::string point_row(const ScanSpec& spec, const ScanPoint& p, bool& all_fit) {
  const Model& m = p.model;
  std::string Ntext = std::to_string(m.bosons.number);
  if (std::abs(p.N_unrounded - static_cast<double>(m.bosons.number)) > 1e-9) Ntext += fmt::format("({:.4g})", p.N_unrounded);
  std::string Mtext = std::to_string(m.fermions.number);
  if (std::abs(p.M_unrounded - static_cast<double>(m.fermions.number)) > 1e-9) Mtext += fmt::format("({:.4g})", p.M_unrounded);
  std::string dims = fmt::format("{:>9} {:>10} {:>12} {:>10} {:>3}", "?", "?", "?", "?", "?");
  std::string status;
  if (!m.exact.enabled) {
    dims = fmt::format("{:>9} {:>10} {:>12} {:>10} {:>3}", "-", "-", "-", "-", "-");  // no exact solver
  } else {
    try {
      const ExactFootprint f = exact_footprint(m);
      dims = fmt::format("{:>9} {:>10} {:>12} {:>10} {:>3}", f.dim_fermions, f.dim_bosons, f.dim, format_bytes(f.total_bytes), f.krylov_dim);
    } catch (const std::exception& e) {
      status = e.what();
    }
  }
  try {
    validate(m);
    std::error_code ec;
    status = fs::exists(m.output, ec) && read_point_file(spec, p, m.output) ? "done (will be reused)" : "ok";
  } catch (const InputError& e) {
    all_fit = false;
    status = "REFUSED: " + (e.key().empty() ? "" : e.key() + ": ") + e.reason();
  }
  return fmt::format("{:>3} {:>5} {:>9} {:>7} {:>8.4g} {:>9.4g} {:>8.4g} {:>7.4g} {:>7.4g} {:>6.3g} {}  {}\n", p.index, Mtext, Ntext,
                     sites_text(m.sites), m.spacing, m.lambda, m.hbar, m.fermions.mass, m.bosons.mass, p.exponent_A(), dims, status);
}

std::string pm(const LinearFit& f) {
  if (!std::isfinite(f.slope)) return "n/a";
  if (!std::isfinite(f.slope_stderr)) return fmt::format("{:+.3f}", f.slope);
  return fmt::format("{:+.3f} ± {:.3f}", f.slope, f.slope_stderr);
}

/// fit_against = "hbar": the exponents b of e ~ hbar^b (the N and M fits are in the scan file).
void print_hbar_fits(const ScanSpec& spec, const ScanResult& res, const std::vector<std::string>& labels, std::ostream& out) {
  const auto quantities = scan_quantities();
  out << fmt::format("{:<12} {:<9} {:>17} {:>21} {:>8}\n", "quantity", "time", "b vs hbar", "theorem", "optimal");
  for (std::size_t q = 0; q < quantities.size(); ++q) {
    if (std::none_of(res.points.begin(), res.points.end(), [&](const auto& r) { return r.has(q); })) continue;
    const ScanFit* fh = nullptr;
    for (const auto& f : res.fits)
      if (f.quantity == q && f.axis == FitAxis::Hbar) fh = &f;
    if (fh == nullptr) continue;
    for (std::size_t c = 0; c < fh->columns.size(); ++c)
      out << fmt::format("{:<12} {:<9} {:>17} {:>21} {:>8}\n", c == 0 ? quantities[q].name : "", labels[c], pm(fh->columns[c]),
                         quantities[q].theorem, quantities[q].optimal);
  }
  out << fmt::format("theorem: Theorem 2 (2.29) bounds the HH -> VH distance in weak norms and ||phi - phi^hbar|| by C (hbar^(1/2) + the\n"
                     "initial distance), i.e. b >= 1/2; Remark 2.6 conjectures hbar (b = 1). Exact-vs-HH rows, if any, carry\n"
                     "Theorem 1's rates in N and M: see the fits against N and M in {} (fits/N, fits/M).\n",
                     spec.output);
}

/// The fitted exponents of every quantity some point has, next to the theorems' rates.
void print_fits(const ScanSpec& spec, const ScanResult& res, std::ostream& out) {
  bool M_varies = false, same_axes = true;
  for (const auto& r : res.points) {
    if (r.point.model.fermions.number != res.points.front().point.model.fermions.number) M_varies = true;
    if (r.point.model.fermions.number != r.point.model.bosons.number) same_axes = false;
  }
  const bool one_axis = same_axes || !M_varies;
  std::vector<std::string> labels{"max[0,T]"};
  for (double t : spec.times) labels.push_back(fmt::format("t={}", t));
  const auto fitted = std::count_if(res.points.begin(), res.points.end(), [&](const auto& r) { return r.point.value >= spec.fit_from; });
  out << fmt::format("\nfitted exponents b of e ~ {}^b (least squares on logs, ± one standard error; {} points{})\n",
                     spec.fit_against == FitAgainst::Hbar ? "hbar" : "X", fitted,
                     spec.fit_from > 0 ? fmt::format(" with {} >= {}", to_string(spec.vary), spec.fit_from) : std::string());
  if (spec.fit_against == FitAgainst::Hbar) {
    print_hbar_fits(spec, res, labels, out);
    return;
  }
  out << fmt::format("{:<9} {:<9} {:>17}{} {:>17} {:>8}\n", "quantity", "time", same_axes ? "b vs N (= M)" : "b vs N",
                     one_axis ? "" : fmt::format(" {:>17}", "b vs M"), "theorem", "optimal");
  const auto quantities = scan_quantities();
  for (std::size_t q = 0; q < quantities.size(); ++q) {
    if (std::none_of(res.points.begin(), res.points.end(), [&](const auto& r) { return r.has(q); })) continue;
    const ScanFit* fN = nullptr;
    const ScanFit* fM = nullptr;
    for (const auto& f : res.fits)
      if (f.quantity == q && f.axis != FitAxis::Hbar) (f.axis == FitAxis::N ? fN : fM) = &f;
    if (fN == nullptr || fM == nullptr) continue;
    for (std::size_t c = 0; c < fN->columns.size(); ++c)
      out << fmt::format("{:<9} {:<9} {:>17}{} {:>17} {:>8}\n", c == 0 ? quantities[q].name : "", labels[c], pm(fN->columns[c]),
                         one_axis ? "" : fmt::format(" {:>17}", pm(fM->columns[c])), quantities[q].theorem, quantities[q].optimal);
  }
  out << "theorem: Theorem 1 bounds e_F by C/sqrt(M) (2.16) and e_B by C/sqrt(N) (2.17), i.e. b <= -1/2; the Hilbert–Schmidt\n"
         "errors are at most the trace-norm ones; Theorem 3 keeps the fluctuation numbers O(1). optimal: 1/N (1/M) is the known\n"
         "optimal rate for one species and the conjectured one here (SPEC §8).\n";
}

}  // namespace

bool scan_info(const ScanSpec& spec, std::ostream& out) {
  const std::vector<ScanPoint> plan = scan_plan(spec);
  const int d = static_cast<int>(spec.base.sites.size());
  out << fmt::format("scan         {} ({}), {} regime, {} points over {} = {}\n", spec.name, spec.source, to_string(spec.regime),
                     plan.size(), to_string(spec.vary), fmt::join(spec.values, ", "));
  out << fmt::format("base         {} (d = {}, box: {}, traps: {})\n", spec.base_path, d, to_string(spec.box), to_string(spec.trap));
  out << fmt::format("time         T = {}, output every {}, chosen times {}\n", spec.horizon, spec.output_every,
                     spec.times.empty() ? std::string("none") : fmt::format("{}", fmt::join(spec.times, ", ")));
  out << fmt::format("output       {} (point files in {}/)\n", spec.output, scan_points_dir(spec));
  for (const auto& w : spec.warnings) out << "warning      " << w << "\n";
  const double phys = physical_memory_bytes();
  out << fmt::format("\n{:>3} {:>5} {:>9} {:>7} {:>8} {:>9} {:>8} {:>7} {:>7} {:>6} {:>9} {:>10} {:>12} {:>10} {:>3}  {}\n", "#", "M", "N", "L",
                     "h", "lambda", "hbar", "m_F", "m_B", "A", "D_F", "D_B", "D", "memory", "K", "status");
  bool all_fit = true;
  for (const auto& p : plan) out << point_row(spec, p, all_fit);
  out << fmt::format("\nmemory       peak estimate of the exact solver with K Krylov vectors (the base's krylov_dim, lowered to fit\n"
                     "             exact.memory_limit_gib = {} GiB); this machine has {} of physical memory\n",
                     spec.base.exact.memory_limit_gib, format_bytes(phys));
  const int threads = spec.threads > 0 ? spec.threads : omp_get_max_threads();
  out << fmt::format("execution    {} threads; {}\n", threads,
                     spec.parallel_points > 1
                         ? fmt::format("points with D <= {} run {} at a time ({} thread{} each), larger ones alone",
                                       spec.parallel_max_dim, spec.parallel_points, std::max(1, threads / spec.parallel_points),
                                       threads / spec.parallel_points > 1 ? "s" : "")
                         : std::string("points run one after another"));
  out << (all_fit ? "fits         yes: every point can run\n" : "fits         NO: the points marked REFUSED cannot run; `fockmix scan` refuses the scan\n");
  return all_fit;
}

void print_scan_summary(const ScanSpec& spec, const ScanResult& res, std::ostream& out) {
  // the quantities some point has (a scan without the exact solver has no exact-vs-HH columns)
  std::vector<std::size_t> shown;
  for (std::size_t q = 0; q < scan_quantities().size(); ++q)
    if (std::any_of(res.points.begin(), res.points.end(), [&](const auto& r) { return r.has(q); })) shown.push_back(q);
  if (shown.empty())
    for (std::size_t q = 0; q < scan_quantities().size(); ++q) shown.push_back(q);
  out << fmt::format("\n{:>5} {:>5} {:>7} {:>8} {:>11} {:>9} {:>9} | max over [0, T]:", "M", "N", "L", "hbar", "D", "matvecs", "seconds");
  for (std::size_t q : shown) out << fmt::format(" {:>9}", scan_quantities()[q].column);
  out << "\n";
  for (const auto& r : res.points) {
    out << fmt::format("{:>5} {:>5} {:>7} {:>8.4g} {:>11} {:>9} {:>9.2f} |                  ", r.point.model.fermions.number,
                       r.point.model.bosons.number, sites_text(r.point.model.sites), r.point.model.hbar, r.dim, r.matvecs, r.seconds);
    for (std::size_t q : shown) out << fmt::format(" {:>9.3e}", r.max_value[q]);
    out << (r.reused ? "  (reused)" : "") << (r.point.value < spec.fit_from ? "  (not in the fits)" : "") << "\n";
  }
  if (res.points.size() < 2) {
    out << "\n(fits need at least two finished points, and three for a standard error)\n";
    return;
  }
  print_fits(spec, res, out);
}

}  // namespace fockmix
