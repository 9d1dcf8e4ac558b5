// Scan files (include/fockmix/io/scan_file.hpp), read with the model reader's conventions
// (src/io/toml_reader.hpp: FILE: KEY: REASON). Numbers in a scan file must be finite.
#include "fockmix/io/scan_file.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <exception>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <toml++/toml.h>

#include "fockmix/app/scan_plan.hpp"
#include "fockmix/core/error.hpp"
#include "fockmix/model/footprint.hpp"
#include "fockmix/io/model.hpp"
#include "io/toml_reader.hpp"
#include "io/text_file.hpp"

namespace fockmix {

namespace fs = std::filesystem;
using detail::at_line;
using detail::TomlReader;
using detail::type_name;

namespace {

/// A custom-regime parameter: a number, an array (one per value) or { coef, power, of }.
ScanLaw read_law(const TomlReader& r, const toml::node& n, const std::string& k, ScanVariable vary) {
  ScanLaw law;
  law.of = vary;
  if (n.is_table()) {
    const toml::table& t = *n.as_table();
    r.check_keys(t, k, {"coef", "power", "of"});
    law.kind = ScanLaw::Kind::Power;
    if (const auto* c = t.get("coef")) law.coef = r.as_finite_number(*c, k + ".coef");
    if (const auto* p = t.get("power"))
      law.power = r.as_finite_number(*p, k + ".power");
    else
      r.fail(k + ".power", "missing (the law is coef * X^power)");
    if (const auto* o = t.get("of")) law.of = r.as_choice(*o, k + ".of", {"M", "N"}) == "M" ? ScanVariable::M : ScanVariable::N;
    return law;
  }
  if (n.is_array()) {
    law.kind = ScanLaw::Kind::List;
    law.list = r.as_finite_numbers(n, k);
    return law;
  }
  if (n.is_integer() || n.is_floating_point()) {
    law.kind = ScanLaw::Kind::Constant;
    law.constant = r.as_finite_number(n, k);
    return law;
  }
  r.fail(k, "expected a number, an array of numbers (one per value) or a power law { coef, power, of }, got " + type_name(n) +
                at_line(n));
}

/// scan.base: the base model, loaded and validated; its enabled solvers must give at least one comparison
/// (two of exact, Hartree–Hartree, Vlasov–Hartree: e.g. exact + HH for Theorem 1, HH + VH for Theorem 2).
void read_base(const TomlReader& r, const toml::table& t, ScanSpec& spec) {
  std::error_code ec;
  const toml::node* bn = t.get("base");
  if (bn == nullptr) r.fail("scan.base", "missing: the base model file (relative to the scan file)");
  spec.base_path = r.resolve(r.as_string(*bn, "scan.base"));
  if (!fs::exists(spec.base_path, ec) || fs::is_directory(spec.base_path, ec))
    r.fail("scan.base", "no such model file '" + spec.base_path + "'");
  try {
    spec.base = load_model(spec.base_path);
  } catch (const InputError& e) {
    r.fail("scan.base", "the base model '" + spec.base_path + "' is invalid: " + e.what());
  }
  const int compared = (spec.base.exact.enabled ? 1 : 0) + (spec.base.hartree.enabled ? 1 : 0) + (spec.base.vlasov.enabled ? 1 : 0);
  if (compared < 2)
    r.fail("scan.base",
           "the base model must enable at least two of the exact, Hartree–Hartree and Vlasov–Hartree solvers (exact.enabled, "
           "hartree.enabled, vlasov.enabled): a scan records their comparisons");
}

/// scan.regime, scan.vary and scan.values.
void read_regime_and_values(const TomlReader& r, const toml::table& t, ScanSpec& spec) {
  const toml::node* rn = t.get("regime");
  if (rn == nullptr) r.fail("scan.regime", "missing (microscopic, semiclassical or custom)");
  const std::string regime = r.as_choice(*rn, "scan.regime", {"microscopic", "semiclassical", "custom"});
  spec.regime = regime == "microscopic" ? ScanRegime::Microscopic : regime == "semiclassical" ? ScanRegime::Semiclassical : ScanRegime::Custom;
  if (const auto* n = t.get("vary")) spec.vary = r.as_choice(*n, "scan.vary", {"M", "N"}) == "M" ? ScanVariable::M : ScanVariable::N;
  if (spec.vary == ScanVariable::N && spec.regime != ScanRegime::Custom)
    r.fail("scan.vary", "the " + regime + " regime fixes N by M: scan over M (vary = \"M\"), or use regime = \"custom\"");
  const toml::node* vn = t.get("values");
  if (vn == nullptr) r.fail("scan.values", "missing: the list of " + to_string(spec.vary) + " values");
  spec.values = r.as_integers(*vn, "scan.values");
  if (spec.values.empty()) r.fail("scan.values", "is empty: a scan needs at least one point (and three for a fit with an error bar)");
  for (std::size_t i = 0; i < spec.values.size(); ++i) {
    if (spec.values[i] < 1)
      r.fail("scan.values[" + std::to_string(i) + "]", fmt::format("must be >= 1, got {}", spec.values[i]));
    for (std::size_t j = 0; j < i; ++j)
      if (spec.values[j] == spec.values[i])
        r.fail("scan.values[" + std::to_string(i) + "]", fmt::format("{} appears twice", spec.values[i]));
  }
}

/// The lattice rule (at most one of sites_per_fermion, extra_sites, sites), scan.box and scan.trap.
void read_lattice_rule(const TomlReader& r, const toml::table& t, ScanSpec& spec) {
  const int d = static_cast<int>(spec.base.sites.size());
  const std::size_t n = spec.values.size();
  int rules = 0;
  if (const auto* x = t.get("sites_per_fermion")) {
    ++rules;
    spec.sites_per_fermion = r.as_finite_number(*x, "scan.sites_per_fermion");
    if (!(spec.sites_per_fermion > 0)) r.fail("scan.sites_per_fermion", fmt::format("must be > 0, got {}", spec.sites_per_fermion));
  }
  if (const auto* x = t.get("extra_sites")) {
    ++rules;
    spec.extra_sites = r.as_integer(*x, "scan.extra_sites");
    if (spec.extra_sites < 0) r.fail("scan.extra_sites", fmt::format("must be >= 0, got {}", spec.extra_sites));
    if (d != 1) r.fail("scan.extra_sites", fmt::format("L = M + c applies to 1D lattices; the base model has d = {}", d));
  }
  if (const auto* x = t.get("sites")) {
    ++rules;
    std::size_t i = 0;
    for (const auto& e : r.as_array(*x, "scan.sites", "an array with the lattice of every point"))
      spec.sites.push_back(r.as_integer_list(e, "scan.sites[" + std::to_string(i++) + "]"));
    if (spec.sites.size() != n)
      r.fail("scan.sites", fmt::format("needs one lattice per value ({}), got {}", n, spec.sites.size()));
  }
  if (const auto* x = t.get("lattice")) {
    ++rules;
    r.as_choice(*x, "scan.lattice", {"refine_with_hbar"});
    const toml::node* c = t.get("points_per_hbar");
    if (c == nullptr) r.fail("scan.points_per_hbar", "missing: lattice = \"refine_with_hbar\" needs hbar / h (e.g. 1.25)");
    spec.points_per_hbar = r.as_finite_number(*c, "scan.points_per_hbar");
    if (!(spec.points_per_hbar > 0)) r.fail("scan.points_per_hbar", fmt::format("must be > 0, got {}", spec.points_per_hbar));
  } else if (t.get("points_per_hbar") != nullptr) {
    r.fail("scan.points_per_hbar", "applies only with lattice = \"refine_with_hbar\"");
  }
  if (rules > 1) r.fail("scan", "give at most one lattice rule: sites_per_fermion, extra_sites, sites or lattice");
  spec.box = spec.regime == ScanRegime::Semiclassical || spec.points_per_hbar > 0 ? BoxRule::Fixed : BoxRule::Grow;
  if (const auto* x = t.get("box")) spec.box = r.as_choice(*x, "scan.box", {"grow", "fixed"}) == "grow" ? BoxRule::Grow : BoxRule::Fixed;
  if (spec.points_per_hbar > 0 && spec.box != BoxRule::Fixed)
    r.fail("scan.box", "lattice = \"refine_with_hbar\" keeps the box and refines h = ell / L with hbar: it needs box = \"fixed\"");
  if (const auto* x = t.get("trap")) spec.trap = r.as_choice(*x, "scan.trap", {"fixed", "box"}) == "fixed" ? TrapRule::Fixed : TrapRule::Box;
}

/// The custom regime's laws: N, M, lambda, hbar, mass_F, mass_B.
void read_laws(const TomlReader& r, const toml::table& t, ScanSpec& spec) {
  const std::size_t n = spec.values.size();
  struct LawKey {
    const char* key;
    ScanLaw* law;
  };
  const LawKey laws[] = {{"N", &spec.N_law},         {"M", &spec.M_law},           {"lambda", &spec.lambda_law},
                         {"hbar", &spec.hbar_law},   {"mass_F", &spec.mass_F_law}, {"mass_B", &spec.mass_B_law}};
  for (const auto& [k, law] : laws) {
    const toml::node* x = t.get(k);
    if (x == nullptr) continue;
    const std::string key = std::string("scan.") + k;
    if (spec.regime != ScanRegime::Custom)
      r.fail(key, "is set by the " + to_string(spec.regime) + " regime (SPEC §8); use regime = \"custom\" to choose it");
    *law = read_law(r, *x, key, spec.vary);
    if (law->kind == ScanLaw::Kind::List && law->list.size() != n)
      r.fail(key, fmt::format("needs one entry per value ({}), got {}", n, law->list.size()));
  }
  if (spec.vary == ScanVariable::M && spec.M_law.kind != ScanLaw::Kind::Base)
    r.fail("scan.M", "M is the scanned variable (vary = \"M\"): its values are scan.values");
  if (spec.vary == ScanVariable::N && spec.N_law.kind != ScanLaw::Kind::Base)
    r.fail("scan.N", "N is the scanned variable (vary = \"N\"): its values are scan.values");
  if (spec.N_law.kind == ScanLaw::Kind::Power && spec.N_law.of == ScanVariable::N)
    r.fail("scan.N.of", "N cannot be a power of itself: use of = \"M\"");
  if (spec.M_law.kind == ScanLaw::Kind::Power && spec.M_law.of == ScanVariable::M)
    r.fail("scan.M.of", "M cannot be a power of itself: use of = \"N\"");
}

/// scan.horizon, scan.output_every, scan.times (each an output time) and scan.fit_from.
void read_time(const TomlReader& r, const toml::table& t, ScanSpec& spec) {
  spec.horizon = spec.base.t_final;
  spec.output_every = spec.base.output_every;
  if (const auto* x = t.get("horizon")) spec.horizon = r.as_finite_number(*x, "scan.horizon");
  if (!(spec.horizon > 0)) r.fail("scan.horizon", fmt::format("must be > 0, got {}", spec.horizon));
  if (const auto* x = t.get("output_every")) spec.output_every = r.as_finite_number(*x, "scan.output_every");
  if (!(spec.output_every > 0)) r.fail("scan.output_every", fmt::format("must be > 0, got {}", spec.output_every));
  if (!(spec.horizon / spec.output_every <= 1e6))
    r.fail("scan.output_every", fmt::format("T / output_every = {} output times per point, more than 1e6", spec.horizon / spec.output_every));
  if (const auto* x = t.get("times")) spec.times = r.as_finite_numbers(*x, "scan.times");
  Model probe = spec.base;
  probe.t_final = spec.horizon;
  probe.output_every = spec.output_every;
  const std::vector<double> grid = probe.output_times();
  for (std::size_t k = 0; k < spec.times.size(); ++k) {
    const std::string key = "scan.times[" + std::to_string(k) + "]";
    const double tk = spec.times[k];
    if (!(tk > 0) || tk > spec.horizon * (1 + 1e-12))
      r.fail(key, fmt::format("must lie in (0, T] = (0, {}], got {}", spec.horizon, tk));
    if (std::none_of(grid.begin(), grid.end(), [&](double g) { return same_output_time(g, tk, spec.horizon); }))
      r.fail(key, fmt::format("{} is not an output time (multiples of output_every = {}, and T = {})", tk, spec.output_every, spec.horizon));
    for (std::size_t j = 0; j < k; ++j)
      if (same_output_time(spec.times[j], tk, spec.horizon)) r.fail(key, fmt::format("{} appears twice", tk));
  }
  if (const auto* x = t.get("fit_against"))
    spec.fit_against = r.as_choice(*x, "scan.fit_against", {"particles", "hbar"}) == "hbar" ? FitAgainst::Hbar : FitAgainst::Particles;
  if (const auto* x = t.get("fit_from")) {
    spec.fit_from = r.as_integer(*x, "scan.fit_from");
    Index usable = 0;
    for (Index v : spec.values) usable += v >= spec.fit_from ? 1 : 0;
    if (usable < 2)
      r.fail("scan.fit_from", fmt::format("leaves {} point(s) with value >= {} to fit; a fit needs at least 2 (3 for a standard error)",
                                          usable, spec.fit_from));
  }
}

/// scan.output, scan.threads, scan.parallel_points, scan.parallel_max_dim.
void read_execution(const TomlReader& r, const toml::table& t, ScanSpec& spec) {
  spec.output = "results/" + spec.name + ".h5";
  if (const auto* x = t.get("output")) spec.output = r.as_string(*x, "scan.output");
  if (spec.output.empty()) r.fail("scan.output", "must not be empty");
  if (fs::path(spec.output).filename().empty() || fs::path(spec.output).stem().empty())
    r.fail("scan.output", "needs a file name, got '" + spec.output + "'");
  if (const auto* x = t.get("threads")) {
    const Index v = r.as_integer(*x, "scan.threads");
    if (v < 0 || v > 4096) r.fail("scan.threads", fmt::format("must be in 0..4096 (0 = all cores), got {}", v));
    spec.threads = static_cast<int>(v);
  }
  if (const auto* x = t.get("parallel_points")) {
    const Index v = r.as_integer(*x, "scan.parallel_points");
    if (v < 1 || v > 4096) r.fail("scan.parallel_points", fmt::format("must be in 1..4096, got {}", v));
    spec.parallel_points = static_cast<int>(v);
  }
  if (const auto* x = t.get("parallel_max_dim")) {
    spec.parallel_max_dim = r.as_integer(*x, "scan.parallel_max_dim");
    if (spec.parallel_max_dim < 0) r.fail("scan.parallel_max_dim", fmt::format("must be >= 0, got {}", spec.parallel_max_dim));
  }
}

/// Warnings about the regime, the lattice and rounded particle numbers (builds the points: a point the
/// rules cannot make throws here).
void add_warnings(ScanSpec& spec) {
  const int d = static_cast<int>(spec.base.sites.size());
  if (spec.regime == ScanRegime::Semiclassical && d == 1)
    spec.warnings.push_back(
        "the semiclassical regime (2.20) in d = 1 violates condition (2.15) of Theorem 1 (hbar M = 1, and k_l has d - 1 in its "
        "denominator): Theorem 1 makes no claim here; the papers assume d >= 2");
  if (spec.sites.empty() && spec.sites_per_fermion <= 0 && spec.extra_sites < 0 && spec.points_per_hbar <= 0 &&
      spec.vary == ScanVariable::M)
    spec.warnings.push_back(
        "the lattice is fixed while M grows: the fermions have no mean-field limit on a fixed lattice (M <= L), and M = L is a "
        "filled band (trivially exact)");
  // the points (lattice rules, particle numbers); memory is checked by validate_scan
  const std::vector<ScanPoint> points = scan_plan(spec);
  if (spec.fit_against == FitAgainst::Hbar) {
    bool varies = false;
    for (const auto& p : points) varies = varies || std::abs(p.model.hbar - points.front().model.hbar) > 1e-12 * points.front().model.hbar;
    if (!varies && points.size() > 1)
      spec.warnings.push_back("fit_against = \"hbar\" but hbar is the same at every point: the hbar fits have no slope");
  }
  for (const auto& p : points)
    if (std::abs(p.N_unrounded - static_cast<double>(p.model.bosons.number)) > 1e-9 ||
        std::abs(p.M_unrounded - static_cast<double>(p.model.fermions.number)) > 1e-9) {
      spec.warnings.push_back("particle numbers rounded to integers (recorded as N_unrounded, M_unrounded): see `fockmix info`");
      break;
    }
}

}  // namespace

std::string scan_points_dir(const ScanSpec& spec) {
  fs::path p(spec.output);
  return (p.parent_path() / (p.stem().string() + "_points")).string();
}

bool is_scan_file(const std::string& path) {
  try {
    const toml::table root = toml::parse_file(path);
    return root.contains("scan");
  } catch (const std::exception&) {
    return false;
  }
}

ScanSpec parse_scan(const std::string& path) {
  std::error_code ec;
  if (!fs::exists(path, ec)) throw InputError(path, "", "no such scan file");
  if (fs::is_directory(path, ec)) throw InputError(path, "", "is a directory, not a scan file");
  ScanSpec spec;
  spec.source = path;
  spec.text = detail::read_text_file(path);
  const toml::table root = detail::parse_toml(spec.text, path);
  const TomlReader r(path);
  r.check_keys(root, "", {"name", "scan"});
  spec.name = fs::path(path).stem().string();
  if (const auto* n = root.get("name")) spec.name = r.as_string(*n, "name");
  if (spec.name.empty()) r.fail("name", "must not be empty");
  const toml::table* st = r.table(root, "", "scan");
  if (st == nullptr) r.fail("scan", "missing: a scan file needs a [scan] table (models/README.md, \"Scan files\")");
  const toml::table& t = *st;
  r.check_keys(t, "scan", {"base", "regime", "vary", "values", "sites_per_fermion", "extra_sites", "sites", "lattice", "points_per_hbar", "box",
                           "trap", "N", "M", "lambda", "hbar", "mass_F", "mass_B", "horizon", "output_every", "times", "fit_from",
                           "fit_against", "output", "threads", "parallel_points", "parallel_max_dim"});
  read_base(r, t, spec);
  read_regime_and_values(r, t, spec);
  read_lattice_rule(r, t, spec);
  read_laws(r, t, spec);
  read_time(r, t, spec);
  read_execution(r, t, spec);
  add_warnings(spec);
  return spec;
}

void validate_scan(const ScanSpec& spec) {
  const std::vector<ScanPoint> points = scan_plan(spec);
  for (const auto& p : points) {
    try {
      validate(p.model);
    } catch (const InputError& e) {
      throw InputError(spec.source, "scan.values[" + std::to_string(p.index) + "]",
                       fmt::format("point {} (M = {}, N = {}, L = {}) cannot run: {}{}", p.index, p.model.fermions.number,
                                   p.model.bosons.number, sites_text(p.model.sites), e.key().empty() ? "" : e.key() + ": ",
                                   e.reason()));
    }
  }
  // small points run side by side: together they must fit
  if (spec.parallel_points > 1) {
    std::vector<double> small;
    for (const auto& p : points) {
      if (!p.model.exact.enabled) continue;  // without the exact solver every point runs alone (scan_point_is_small)
      const ExactFootprint f = exact_footprint(p.model);
      if (f.dim <= spec.parallel_max_dim) small.push_back(f.total_bytes);
    }
    std::sort(small.rbegin(), small.rend());
    double together = 0.0;
    for (std::size_t k = 0; k < small.size() && k < static_cast<std::size_t>(spec.parallel_points); ++k) together += small[k];
    if (together > physical_memory_bytes())
      throw InputError(spec.source, "scan.parallel_points",
                       fmt::format("{} small points at once need {} but this machine has {}; lower parallel_points or parallel_max_dim",
                                   spec.parallel_points, format_bytes(together), format_bytes(physical_memory_bytes())));
  }
}

ScanSpec load_scan(const std::string& path) {
  ScanSpec spec = parse_scan(path);
  validate_scan(spec);
  return spec;
}

}  // namespace fockmix
