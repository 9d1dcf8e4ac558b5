// `fockmix scan`: scaling studies along the regimes of SPEC §8 (include/fockmix/app/scan.hpp).
#include "fockmix/app/scan.hpp"

#include <fmt/format.h>
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <exception>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <numeric>
#include <ostream>
#include <sstream>
#include <thread>
#include <toml++/toml.h>

#include "fockmix/app/run.hpp"
#include "fockmix/core/error.hpp"
#include "fockmix/exact/footprint.hpp"
#include "fockmix/io/h5.hpp"
#include "fockmix/version.hpp"
#include "io/toml_reader.hpp"

namespace fockmix {

namespace fs = std::filesystem;
using detail::at_line;
using detail::TomlReader;
using detail::type_name;

// ---------------------------------------------------------------------------------------------
// Least squares on logs

LinearFit fit_power_law(const std::vector<double>& xs, const std::vector<double>& ys) {
  if (xs.size() != ys.size())
    throw InputError("", "fit_power_law", fmt::format("{} x values but {} y values", xs.size(), ys.size()));
  std::vector<double> u, v;
  for (std::size_t i = 0; i < xs.size(); ++i) {
    if (!(xs[i] > 0.0) || !(ys[i] > 0.0) || !std::isfinite(xs[i]) || !std::isfinite(ys[i])) continue;
    u.push_back(std::log(xs[i]));
    v.push_back(std::log(ys[i]));
  }
  LinearFit fit;
  const auto n = static_cast<Index>(u.size());
  fit.points = n;
  if (n < 2) return fit;
  const double nd = static_cast<double>(n);
  const double ubar = std::accumulate(u.begin(), u.end(), 0.0) / nd;
  const double vbar = std::accumulate(v.begin(), v.end(), 0.0) / nd;
  double Suu = 0.0, Suv = 0.0;
  for (Index i = 0; i < n; ++i) {
    Suu += (u[i] - ubar) * (u[i] - ubar);
    Suv += (u[i] - ubar) * (v[i] - vbar);
  }
  // all x equal (up to round-off of the logs): no slope
  if (!(Suu > 1e-24 * std::max(1.0, ubar * ubar) * nd)) return fit;
  fit.slope = Suv / Suu;
  fit.intercept = vbar - fit.slope * ubar;
  if (n < 3) return fit;
  double rss = 0.0;
  for (Index i = 0; i < n; ++i) {
    const double r = v[i] - fit.intercept - fit.slope * u[i];
    rss += r * r;
  }
  const double s2 = rss / (nd - 2.0);
  fit.residual_rms = std::sqrt(s2);
  fit.slope_stderr = std::sqrt(s2 / Suu);
  fit.intercept_stderr = std::sqrt(s2 * (1.0 / nd + ubar * ubar / Suu));
  return fit;
}

// ---------------------------------------------------------------------------------------------
// Names

const char* to_string(ScanQuantity q) {
  switch (q) {
    case ScanQuantity::EF_trace: return "eF_trace";
    case ScanQuantity::EB_trace: return "eB_trace";
    case ScanQuantity::EF_hs: return "eF_hs";
    case ScanQuantity::EB_hs: return "eB_hs";
    case ScanQuantity::NF_exc: return "nF_exc";
    case ScanQuantity::NB_exc: return "nB_exc";
  }
  return "?";
}

std::string to_string(ScanStatus s) {
  switch (s) {
    case ScanStatus::Running: return "running";
    case ScanStatus::Interrupted: return "interrupted";
    case ScanStatus::Completed: return "completed";
  }
  return "?";
}

std::string to_string(ScanRegime r) {
  switch (r) {
    case ScanRegime::Microscopic: return "microscopic";
    case ScanRegime::Semiclassical: return "semiclassical";
    case ScanRegime::Custom: return "custom";
  }
  return "?";
}

namespace {

constexpr std::array<ScanQuantity, scan_quantity_count> all_quantities{ScanQuantity::EF_trace, ScanQuantity::EB_trace,
                                                                        ScanQuantity::EF_hs,    ScanQuantity::EB_hs,
                                                                        ScanQuantity::NF_exc,   ScanQuantity::NB_exc};

const char* axis_name(FitAxis a) { return a == FitAxis::N ? "N" : "M"; }
const char* variable_name(ScanVariable v) { return v == ScanVariable::M ? "M" : "N"; }
std::string box_name(BoxRule b) { return b == BoxRule::Grow ? "grow" : "fixed"; }
std::string trap_name(TrapRule t) { return t == TrapRule::Fixed ? "fixed" : "box"; }

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

/// Equality of the time grid: within 1e-9 relative to max(1, T).
bool same_time(double a, double b, double T) { return std::abs(a - b) <= 1e-9 * std::max(1.0, std::abs(T)); }

// ---------------------------------------------------------------------------------------------
// Reading scan files (src/io/toml_reader.hpp: the model reader's conventions, FILE: KEY: REASON).
// Numbers in a scan file must be finite.

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

double law_value(const ScanLaw& law, double base, std::size_t i, double M, double N) {
  switch (law.kind) {
    case ScanLaw::Kind::Base: return base;
    case ScanLaw::Kind::Constant: return law.constant;
    case ScanLaw::Kind::List: return law.list[i];
    case ScanLaw::Kind::Power: return law.coef * std::pow(law.of == ScanVariable::M ? M : N, law.power);
  }
  return base;
}

Index total_sites(const std::vector<Index>& sites) {
  Index L = 1;
  for (Index e : sites) L *= e;
  return L;
}

std::string sites_text(const std::vector<Index>& sites) {
  std::string s;
  for (std::size_t a = 0; a < sites.size(); ++a) {
    if (a > 0) s += 'x';
    s += std::to_string(sites[a]);
  }
  return s;
}

// ---------------------------------------------------------------------------------------------
// Point identity

/// Every model parameter that changes the numbers a point produces (not: name, output, threads, Krylov
/// dimension or memory limit, which change at most round-off).
std::string fingerprint(const Model& m) {
  std::string s;
  auto add = [&](std::string_view k, const auto& v) { s += fmt::format("{}={};", k, v); };
  auto addv = [&](std::string_view k, const auto& v) { s += fmt::format("{}=[{}];", k, fmt::join(v, ",")); };
  auto pot = [&](const std::string& k, const PotentialSpec& p) {
    add(k + ".kind", to_string(p.kind));
    add(k + ".strength", p.strength);
    add(k + ".width", p.width);
    addv(k + ".centre", p.centre);
    addv(k + ".table", p.table);
  };
  auto species = [&](const std::string& k, const SpeciesSpec& sp) {
    add(k + ".number", sp.number);
    add(k + ".mass", sp.mass);
    add(k + ".max_per_site", sp.max_per_site);
    pot(k + ".trap", sp.trap);
    pot(k + ".potential", sp.potential);
    add(k + ".init.kind", to_string(sp.init.kind));
    addv(k + ".init.centre", sp.init.centre);
    add(k + ".init.width", sp.init.width);
    addv(k + ".init.momentum", sp.init.momentum);
    add(k + ".init.file", sp.init.file);
  };
  addv("grid.sites", m.sites);
  add("grid.spacing", m.spacing);
  add("grid.kinetic", to_string(m.kinetic));
  add("physics.hbar", m.hbar);
  add("physics.lambda", m.lambda);
  add("interaction.kind", to_string(m.interaction.kind));
  add("interaction.amplitude", m.interaction.amplitude);
  add("interaction.width", m.interaction.width);
  add("interaction.epsilon", m.interaction.epsilon);
  addv("interaction.table", m.interaction.table);
  species("fermions", m.fermions);
  species("bosons", m.bosons);
  add("time.final", m.t_final);
  add("time.output_every", m.output_every);
  add("exact.tolerance", m.exact.tolerance);
  add("exact.initial", m.exact.initial == ExactInitial::Product ? "product" : "ground_state");
  add("hartree.dt", m.hartree.dt);
  return s;
}

/// FNV-1a, 64 bit: a stable hash of the fingerprint (the same on every machine and run).
std::uint64_t fnv1a(const std::string& s) {
  std::uint64_t h = 14695981039346656037ull;
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

/// Scale the position-like parameters of a potential with the box (TrapRule::Box).
void scale_potential(PotentialSpec& p, const std::vector<double>& s_axis, double s) {
  for (std::size_t a = 0; a < p.centre.size() && a < s_axis.size(); ++a) p.centre[a] *= s_axis[a];
  if (p.kind == PotentialKind::Harmonic) p.strength /= s * s;
  if (p.kind == PotentialKind::Gaussian) p.width *= s;
}

void scale_species(SpeciesSpec& sp, const std::vector<double>& s_axis, double s) {
  scale_potential(sp.trap, s_axis, s);
  scale_potential(sp.potential, s_axis, s);
  for (std::size_t a = 0; a < sp.init.centre.size() && a < s_axis.size(); ++a) sp.init.centre[a] *= s_axis[a];
  sp.init.width *= s;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Points

Index ScanPoint::sites() const { return total_sites(model.sites); }

double ScanPoint::exponent_A() const {
  const double N = static_cast<double>(model.bosons.number), M = static_cast<double>(model.fermions.number);
  const double hbar = model.hbar;
  return std::abs(model.lambda) * std::sqrt(N * M / hbar) * (1.0 + std::sqrt(hbar * M / N));
}

std::string scan_points_dir(const ScanSpec& spec) {
  fs::path p(spec.output);
  return (p.parent_path() / (p.stem().string() + "_points")).string();
}

std::vector<ScanPoint> scan_plan(const ScanSpec& spec) {
  const Model& base = spec.base;
  const int d = static_cast<int>(base.sites.size());
  const Index L_base = total_sites(base.sites);
  const std::string dir = scan_points_dir(spec);
  auto fail = [&](const std::string& key, const std::string& reason) -> void { throw InputError(spec.source, key, reason); };
  std::vector<ScanPoint> points;
  for (std::size_t i = 0; i < spec.values.size(); ++i) {
    const std::string vkey = "scan.values[" + std::to_string(i) + "]";
    ScanPoint p;
    p.index = static_cast<Index>(i);
    p.value = spec.values[i];
    Model m = base;
    // particle numbers
    double M = 0, N = 0, Mu = 0, Nu = 0;
    if (spec.vary == ScanVariable::M) {
      M = Mu = static_cast<double>(p.value);
      switch (spec.regime) {
        case ScanRegime::Microscopic: Nu = M; break;
        case ScanRegime::Semiclassical: Nu = std::pow(M, 1.0 + 1.0 / d); break;
        case ScanRegime::Custom: Nu = law_value(spec.N_law, static_cast<double>(base.bosons.number), i, M, 0.0); break;
      }
      N = std::round(Nu);
      if (!(N >= 1.0) || !(N < 4e18))
        fail(spec.regime == ScanRegime::Custom ? std::string("scan.N") : vkey,
             fmt::format("point {}: N = {} rounds to {}, needs at least one boson", i, Nu, N));
    } else {
      N = Nu = static_cast<double>(p.value);
      Mu = law_value(spec.M_law, static_cast<double>(base.fermions.number), i, 0.0, N);
      M = std::round(Mu);
      if (!(M >= 1.0) || !(M < 4e18))
        fail("scan.M", fmt::format("point {}: M = {} rounds to {}, needs at least one fermion", i, Mu, M));
    }
    p.N_unrounded = Nu;
    p.M_unrounded = Mu;
    m.fermions.number = static_cast<Index>(M);
    m.bosons.number = static_cast<Index>(N);
    // coupling, hbar, masses
    switch (spec.regime) {
      case ScanRegime::Microscopic:
        m.lambda = 1.0 / N;
        m.hbar = 1.0;
        m.fermions.mass = m.bosons.mass = 0.5;
        break;
      case ScanRegime::Semiclassical:
        m.lambda = 1.0 / N;
        m.hbar = std::pow(M, -1.0 / d);
        m.fermions.mass = 1.0;
        m.bosons.mass = m.hbar;
        break;
      case ScanRegime::Custom:
        m.lambda = law_value(spec.lambda_law, base.lambda, i, M, N);
        m.hbar = law_value(spec.hbar_law, base.hbar, i, M, N);
        m.fermions.mass = law_value(spec.mass_F_law, base.fermions.mass, i, M, N);
        m.bosons.mass = law_value(spec.mass_B_law, base.bosons.mass, i, M, N);
        break;
    }
    // the lattice
    if (!spec.sites.empty()) {
      m.sites = spec.sites[i];
    } else if (spec.sites_per_fermion > 0) {
      if (d == 1) {
        m.sites = {std::max<Index>(1, std::llround(spec.sites_per_fermion * M))};
      } else {
        const double s = std::pow(spec.sites_per_fermion * M / static_cast<double>(L_base), 1.0 / d);
        for (int a = 0; a < d; ++a) m.sites[a] = std::max<Index>(1, std::llround(static_cast<double>(base.sites[a]) * s));
      }
    } else if (spec.extra_sites >= 0) {
      m.sites = {static_cast<Index>(M) + spec.extra_sites};
    }
    if (static_cast<int>(m.sites.size()) != d)
      fail("scan.sites[" + std::to_string(i) + "]", fmt::format("has {} axes, the base model has {}", m.sites.size(), d));
    for (int a = 0; a < d; ++a)
      if (m.sites[a] < 1) fail("scan.sites[" + std::to_string(i) + "]", "every axis needs at least one site");
    std::vector<double> s_axis(d, 1.0);
    if (spec.box == BoxRule::Fixed) {
      const double h = base.spacing * static_cast<double>(base.sites[0]) / static_cast<double>(m.sites[0]);
      for (int a = 1; a < d; ++a) {
        const double ha = base.spacing * static_cast<double>(base.sites[a]) / static_cast<double>(m.sites[a]);
        if (std::abs(ha - h) > 1e-12 * h)
          fail("scan.box", fmt::format("point {} ({} sites): a fixed box needs the same spacing on every axis, but the "
                                       "axes give h = {} and {}; choose sites proportional to the base lattice",
                                       i, sites_text(m.sites), h, ha));
      }
      m.spacing = h;
    } else {
      for (int a = 0; a < d; ++a) s_axis[a] = static_cast<double>(m.sites[a]) / static_cast<double>(base.sites[a]);
    }
    if (spec.trap == TrapRule::Box && spec.box == BoxRule::Grow) {
      double s = 1.0;
      for (double x : s_axis) s *= x;
      s = std::pow(s, 1.0 / d);
      scale_species(m.fermions, s_axis, s);
      scale_species(m.bosons, s_axis, s);
    }
    // time, output
    m.t_final = spec.horizon;
    m.output_every = spec.output_every;
    m.threads = 0;
    p.fingerprint = fingerprint(m);
    p.id = fmt::format("M{:03d}_N{:03d}_L{}_{:08x}", m.fermions.number, m.bosons.number, sites_text(m.sites),
                       static_cast<std::uint32_t>(fnv1a(p.fingerprint) & 0xffffffffu));
    m.name = spec.name + "_" + p.id;
    m.output = (fs::path(dir) / (p.id + ".h5")).string();
    p.model = std::move(m);
    points.push_back(std::move(p));
  }
  return points;
}

std::vector<Model> scan_points(const ScanSpec& spec) {
  std::vector<Model> models;
  for (auto& p : scan_plan(spec)) models.push_back(std::move(p.model));
  return models;
}

// ---------------------------------------------------------------------------------------------
// Parsing and validation

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
  spec.text = read_text(path);
  const toml::table root = detail::parse_toml(spec.text, path);
  const TomlReader r(path);
  r.check_keys(root, "", {"name", "scan"});
  spec.name = fs::path(path).stem().string();
  if (const auto* n = root.get("name")) spec.name = r.as_string(*n, "name");
  if (spec.name.empty()) r.fail("name", "must not be empty");
  const toml::table* st = r.table(root, "", "scan");
  if (st == nullptr) r.fail("scan", "missing: a scan file needs a [scan] table (models/README.md, \"Scan files\")");
  const toml::table& t = *st;
  r.check_keys(t, "scan", {"base", "regime", "vary", "values", "sites_per_fermion", "extra_sites", "sites", "box", "trap", "N",
                           "M", "lambda", "hbar", "mass_F", "mass_B", "horizon", "output_every", "times", "fit_from", "output",
                           "threads", "parallel_points", "parallel_max_dim"});
  auto get = [&](std::string_view k) { return t.get(k); };

  // base model
  const toml::node* bn = get("base");
  if (bn == nullptr) r.fail("scan.base", "missing: the base model file (relative to the scan file)");
  spec.base_path = r.resolve(r.as_string(*bn, "scan.base"));
  if (!fs::exists(spec.base_path, ec) || fs::is_directory(spec.base_path, ec))
    r.fail("scan.base", "no such model file '" + spec.base_path + "'");
  try {
    spec.base = load_model(spec.base_path);
  } catch (const InputError& e) {
    r.fail("scan.base", "the base model '" + spec.base_path + "' is invalid: " + e.what());
  }
  if (!spec.base.exact.enabled || !spec.base.hartree.enabled)
    r.fail("scan.base", "the base model must enable both the exact and the Hartree–Hartree solver (exact.enabled, hartree.enabled)");
  const int d = static_cast<int>(spec.base.sites.size());

  // regime and values
  const toml::node* rn = get("regime");
  if (rn == nullptr) r.fail("scan.regime", "missing (microscopic, semiclassical or custom)");
  const std::string regime = r.as_choice(*rn, "scan.regime", {"microscopic", "semiclassical", "custom"});
  spec.regime = regime == "microscopic" ? ScanRegime::Microscopic : regime == "semiclassical" ? ScanRegime::Semiclassical : ScanRegime::Custom;
  if (const auto* n = get("vary")) spec.vary = r.as_choice(*n, "scan.vary", {"M", "N"}) == "M" ? ScanVariable::M : ScanVariable::N;
  if (spec.vary == ScanVariable::N && spec.regime != ScanRegime::Custom)
    r.fail("scan.vary", "the " + regime + " regime fixes N by M: scan over M (vary = \"M\"), or use regime = \"custom\"");
  const toml::node* vn = get("values");
  if (vn == nullptr) r.fail("scan.values", std::string("missing: the list of ") + variable_name(spec.vary) + " values");
  spec.values = r.as_integers(*vn, "scan.values");
  if (spec.values.empty()) r.fail("scan.values", "is empty: a scan needs at least one point (and three for a fit with an error bar)");
  for (std::size_t i = 0; i < spec.values.size(); ++i) {
    if (spec.values[i] < 1)
      r.fail("scan.values[" + std::to_string(i) + "]", fmt::format("must be >= 1, got {}", spec.values[i]));
    for (std::size_t j = 0; j < i; ++j)
      if (spec.values[j] == spec.values[i])
        r.fail("scan.values[" + std::to_string(i) + "]", fmt::format("{} appears twice", spec.values[i]));
  }
  const std::size_t n = spec.values.size();

  // lattice rule
  int rules = 0;
  if (const auto* x = get("sites_per_fermion")) {
    ++rules;
    spec.sites_per_fermion = r.as_finite_number(*x, "scan.sites_per_fermion");
    if (!(spec.sites_per_fermion > 0)) r.fail("scan.sites_per_fermion", fmt::format("must be > 0, got {}", spec.sites_per_fermion));
  }
  if (const auto* x = get("extra_sites")) {
    ++rules;
    spec.extra_sites = r.as_integer(*x, "scan.extra_sites");
    if (spec.extra_sites < 0) r.fail("scan.extra_sites", fmt::format("must be >= 0, got {}", spec.extra_sites));
    if (d != 1) r.fail("scan.extra_sites", fmt::format("L = M + c applies to 1D lattices; the base model has d = {}", d));
  }
  if (const auto* x = get("sites")) {
    ++rules;
    std::size_t i = 0;
    for (const auto& e : r.as_array(*x, "scan.sites", "an array with the lattice of every point"))
      spec.sites.push_back(r.as_integer_list(e, "scan.sites[" + std::to_string(i++) + "]"));
    if (spec.sites.size() != n)
      r.fail("scan.sites", fmt::format("needs one lattice per value ({}), got {}", n, spec.sites.size()));
  }
  if (rules > 1) r.fail("scan", "give at most one lattice rule: sites_per_fermion, extra_sites or sites");
  spec.box = spec.regime == ScanRegime::Semiclassical ? BoxRule::Fixed : BoxRule::Grow;
  if (const auto* x = get("box")) spec.box = r.as_choice(*x, "scan.box", {"grow", "fixed"}) == "grow" ? BoxRule::Grow : BoxRule::Fixed;
  if (const auto* x = get("trap")) spec.trap = r.as_choice(*x, "scan.trap", {"fixed", "box"}) == "fixed" ? TrapRule::Fixed : TrapRule::Box;

  // regime parameters
  struct LawKey {
    const char* key;
    ScanLaw* law;
  };
  const LawKey laws[] = {{"N", &spec.N_law},         {"M", &spec.M_law},           {"lambda", &spec.lambda_law},
                         {"hbar", &spec.hbar_law},   {"mass_F", &spec.mass_F_law}, {"mass_B", &spec.mass_B_law}};
  for (const auto& [k, law] : laws) {
    const toml::node* x = get(k);
    if (x == nullptr) continue;
    const std::string key = std::string("scan.") + k;
    if (spec.regime != ScanRegime::Custom)
      r.fail(key, "is set by the " + regime + " regime (SPEC §8); use regime = \"custom\" to choose it");
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

  // time
  spec.horizon = spec.base.t_final;
  spec.output_every = spec.base.output_every;
  if (const auto* x = get("horizon")) spec.horizon = r.as_finite_number(*x, "scan.horizon");
  if (!(spec.horizon > 0)) r.fail("scan.horizon", fmt::format("must be > 0, got {}", spec.horizon));
  if (const auto* x = get("output_every")) spec.output_every = r.as_finite_number(*x, "scan.output_every");
  if (!(spec.output_every > 0)) r.fail("scan.output_every", fmt::format("must be > 0, got {}", spec.output_every));
  if (!(spec.horizon / spec.output_every <= 1e6))
    r.fail("scan.output_every", fmt::format("T / output_every = {} output times per point, more than 1e6", spec.horizon / spec.output_every));
  if (const auto* x = get("times")) spec.times = r.as_finite_numbers(*x, "scan.times");
  {
    Model probe = spec.base;
    probe.t_final = spec.horizon;
    probe.output_every = spec.output_every;
    const std::vector<double> grid = probe.output_times();
    for (std::size_t k = 0; k < spec.times.size(); ++k) {
      const std::string key = "scan.times[" + std::to_string(k) + "]";
      const double tk = spec.times[k];
      if (!(tk > 0) || tk > spec.horizon * (1 + 1e-12))
        r.fail(key, fmt::format("must lie in (0, T] = (0, {}], got {}", spec.horizon, tk));
      if (std::none_of(grid.begin(), grid.end(), [&](double g) { return same_time(g, tk, spec.horizon); }))
        r.fail(key, fmt::format("{} is not an output time (multiples of output_every = {}, and T = {})", tk, spec.output_every, spec.horizon));
      for (std::size_t j = 0; j < k; ++j)
        if (same_time(spec.times[j], tk, spec.horizon)) r.fail(key, fmt::format("{} appears twice", tk));
    }
  }

  if (const auto* x = get("fit_from")) {
    spec.fit_from = r.as_integer(*x, "scan.fit_from");
    Index usable = 0;
    for (Index v : spec.values) usable += v >= spec.fit_from ? 1 : 0;
    if (usable < 2)
      r.fail("scan.fit_from", fmt::format("leaves {} point(s) with value >= {} to fit; a fit needs at least 2 (3 for a standard error)",
                                          usable, spec.fit_from));
  }

  // output and execution
  spec.output = "results/" + spec.name + ".h5";
  if (const auto* x = get("output")) spec.output = r.as_string(*x, "scan.output");
  if (spec.output.empty()) r.fail("scan.output", "must not be empty");
  if (fs::path(spec.output).filename().empty() || fs::path(spec.output).stem().empty())
    r.fail("scan.output", "needs a file name, got '" + spec.output + "'");
  if (const auto* x = get("threads")) {
    const Index v = r.as_integer(*x, "scan.threads");
    if (v < 0 || v > 4096) r.fail("scan.threads", fmt::format("must be in 0..4096 (0 = all cores), got {}", v));
    spec.threads = static_cast<int>(v);
  }
  if (const auto* x = get("parallel_points")) {
    const Index v = r.as_integer(*x, "scan.parallel_points");
    if (v < 1 || v > 4096) r.fail("scan.parallel_points", fmt::format("must be in 1..4096, got {}", v));
    spec.parallel_points = static_cast<int>(v);
  }
  if (const auto* x = get("parallel_max_dim")) {
    spec.parallel_max_dim = r.as_integer(*x, "scan.parallel_max_dim");
    if (spec.parallel_max_dim < 0) r.fail("scan.parallel_max_dim", fmt::format("must be >= 0, got {}", spec.parallel_max_dim));
  }

  // warnings
  if (spec.regime == ScanRegime::Semiclassical && d == 1)
    spec.warnings.push_back(
        "the semiclassical regime (2.20) in d = 1 violates condition (2.15) of Theorem 1 (hbar M = 1, and k_l has d - 1 in its "
        "denominator): Theorem 1 makes no claim here; the papers assume d >= 2");
  if (spec.sites.empty() && spec.sites_per_fermion <= 0 && spec.extra_sites < 0 && spec.vary == ScanVariable::M)
    spec.warnings.push_back(
        "the lattice is fixed while M grows: the fermions have no mean-field limit on a fixed lattice (M <= L), and M = L is a "
        "filled band (trivially exact)");

  // the points (lattice rules, particle numbers); memory is checked by validate_scan
  const std::vector<ScanPoint> points = scan_plan(spec);
  for (const auto& p : points)
    if (std::abs(p.N_unrounded - static_cast<double>(p.model.bosons.number)) > 1e-9 ||
        std::abs(p.M_unrounded - static_cast<double>(p.model.fermions.number)) > 1e-9) {
      spec.warnings.push_back("particle numbers rounded to integers (recorded as N_unrounded, M_unrounded): see `fockmix info`");
      break;
    }
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

// ---------------------------------------------------------------------------------------------
// Point files

namespace {

/// The finished point in `file`, if it is a completed run of exactly this point's parameters.
std::optional<ScanPointResult> read_point_file(const ScanSpec& spec, const ScanPoint& p, const std::string& file) {
  std::error_code ec;
  if (!fs::exists(file, ec)) return std::nullopt;
  try {
    const h5::File f = h5::File::open(file);
    const h5::Group root = f.root();
    if (root.attr_string("status") != "completed") return std::nullopt;
    // identify by parameters: the name carries a hash of them; the echoed model must match exactly
    const h5::Group mg = root.group("model");
    const Model& m = p.model;
    const std::vector<std::int64_t> sites(m.sites.begin(), m.sites.end());
    if (mg.attr_ints("grid.sites") != sites || mg.attr_double("grid.spacing") != m.spacing ||
        mg.attr_int("fermions.number") != m.fermions.number || mg.attr_int("bosons.number") != m.bosons.number ||
        mg.attr_double("physics.lambda") != m.lambda || mg.attr_double("physics.hbar") != m.hbar ||
        mg.attr_double("fermions.mass") != m.fermions.mass || mg.attr_double("bosons.mass") != m.bosons.mass ||
        mg.attr_double("time.final") != m.t_final || mg.attr_double("time.output_every") != m.output_every ||
        mg.attr_double("exact.tolerance") != m.exact.tolerance || mg.attr_double("hartree.dt") != m.hartree.dt ||
        mg.attr_string("fermions.trap.kind") != to_string(m.fermions.trap.kind) ||
        mg.attr_double("fermions.trap.strength") != m.fermions.trap.strength ||
        mg.attr_double("bosons.trap.strength") != m.bosons.trap.strength ||
        mg.attr_double("interaction.amplitude") != m.interaction.amplitude ||
        mg.attr_double("interaction.width") != m.interaction.width)
      return std::nullopt;
    ScanPointResult r;
    r.point = p;
    r.file = file;
    r.seconds = root.attr_double("seconds");
    const h5::Group ex = root.group("exact");
    r.dim_fermions = ex.attr_int("dim_fermions");
    r.dim_bosons = ex.attr_int("dim_bosons");
    r.dim = ex.attr_int("dim");
    r.krylov_dim = ex.attr_int("krylov_dim");
    r.threads = ex.attr_int("threads");
    const arma::vec mv = ex.read_vec("matvecs");
    r.matvecs = mv.is_empty() ? 0 : static_cast<Index>(std::llround(mv(mv.n_elem - 1)));
    const arma::vec ts = root.read_vec("times");
    r.times.assign(ts.begin(), ts.end());
    if (r.times.empty() || !same_time(r.times.back(), m.t_final, m.t_final)) return std::nullopt;
    const h5::Group cmp = root.group("comparison/exact_hartree");
    for (std::size_t q = 0; q < scan_quantity_count; ++q) {
      const arma::vec s = cmp.read_vec(to_string(all_quantities[q]));
      if (s.n_elem != ts.n_elem) return std::nullopt;
      r.series[q].assign(s.begin(), s.end());
      double mx = 0.0;
      for (double x : r.series[q]) mx = std::max(mx, x);
      r.max_value[q] = mx;
      for (double tk : spec.times) {
        double v = std::numeric_limits<double>::quiet_NaN();
        for (std::size_t k = 0; k < r.times.size(); ++k)
          if (same_time(r.times[k], tk, m.t_final)) v = r.series[q][k];
        r.at_times[q].push_back(v);
      }
    }
    return r;
  } catch (const std::exception&) {
    return std::nullopt;  // unreadable (killed while writing) or incomplete: run it again
  }
}

/// Relative cost of a point for the time estimate: D (M + N + 1) (matvecs scale with the spectral width).
double point_cost(const ScanPoint& p) {
  double dim = 1.0;
  try {
    dim = static_cast<double>(exact_footprint(p.model).dim);
  } catch (const std::exception&) {
  }
  return dim * static_cast<double>(p.model.fermions.number + p.model.bosons.number + 1) + 1e3;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Fits

std::vector<ScanFit> fit_scan(const ScanSpec& spec, const std::vector<ScanPointResult>& all_points) {
  std::vector<ScanPointResult> points;
  for (const auto& r : all_points)
    if (r.point.value >= spec.fit_from) points.push_back(r);
  std::vector<ScanFit> fits;
  for (FitAxis axis : {FitAxis::N, FitAxis::M}) {
    std::vector<double> xs;
    for (const auto& r : points)
      xs.push_back(static_cast<double>(axis == FitAxis::N ? r.point.model.bosons.number : r.point.model.fermions.number));
    for (std::size_t q = 0; q < scan_quantity_count; ++q) {
      ScanFit f;
      f.quantity = all_quantities[q];
      f.axis = axis;
      std::vector<double> ys;
      for (const auto& r : points) ys.push_back(r.max_value[q]);
      f.columns.push_back(fit_power_law(xs, ys));
      for (std::size_t k = 0; k < spec.times.size(); ++k) {
        ys.clear();
        for (const auto& r : points) ys.push_back(r.at_times[q][k]);
        f.columns.push_back(fit_power_law(xs, ys));
      }
      fits.push_back(std::move(f));
    }
  }
  return fits;
}

// ---------------------------------------------------------------------------------------------
// The scan file

void write_scan_file(const ScanSpec& spec, const ScanResult& res) {
  const std::string tmp = spec.output + ".tmp";
  {
    h5::File file = h5::File::create(tmp);
    const h5::Group root = file.root();
    root.set_attr("program", "fockmix");
    root.set_attr("version", version);
    root.set_attr("kind", "scan");
    root.set_attr("name", spec.name);
    root.set_attr("status", to_string(res.status));
    root.set_attr("regime", to_string(spec.regime));
    root.set_attr("vary", variable_name(spec.vary));
    root.set_attr("box", box_name(spec.box));
    root.set_attr("trap", trap_name(spec.trap));
    root.set_attr("scan_file", spec.source);
    root.set_attr("scan_toml", spec.text);
    root.set_attr("base_file", spec.base_path);
    root.set_attr("base_toml", read_text(spec.base_path));
    root.set_attr("horizon", spec.horizon);
    root.set_attr("output_every", spec.output_every);
    root.set_attr("points_total", res.points_total);
    root.set_attr("points_done", static_cast<Index>(res.points.size()));
    root.set_attr("points_reused", res.points_reused);
    root.set_attr("points_dir", scan_points_dir(spec));
    std::string warnings, ids;
    for (const auto& w : spec.warnings) warnings += (warnings.empty() ? "" : "\n") + w;
    root.set_attr("warnings", warnings);
    for (const auto& r : res.points) ids += (ids.empty() ? "" : ",") + r.point.id;
    root.set_attr("point_ids", ids);
    root.set_attr("quantities", std::string("eF_trace,eB_trace,eF_hs,eB_hs,nF_exc,nB_exc"));
    if (!spec.times.empty()) root.write("times", spec.times);
    std::string columns = "max";
    for (double t : spec.times) columns += fmt::format(",{}", t);

    const std::size_t n = res.points.size();
    if (n > 0) {
      const h5::Group pg = root.group("points");
      auto column = [&](const std::string& name, auto get) {
        std::vector<double> v;
        for (const auto& r : res.points) v.push_back(static_cast<double>(get(r)));
        pg.write(name, v);
      };
      auto icolumn = [&](const std::string& name, auto get) {
        std::vector<std::int64_t> v;
        for (const auto& r : res.points) v.push_back(static_cast<std::int64_t>(get(r)));
        pg.write(name, v);
      };
      icolumn("value", [](const ScanPointResult& r) { return r.point.value; });
      icolumn("M", [](const ScanPointResult& r) { return r.point.model.fermions.number; });
      icolumn("N", [](const ScanPointResult& r) { return r.point.model.bosons.number; });
      column("M_unrounded", [](const ScanPointResult& r) { return r.point.M_unrounded; });
      column("N_unrounded", [](const ScanPointResult& r) { return r.point.N_unrounded; });
      icolumn("L", [](const ScanPointResult& r) { return r.point.sites(); });
      column("spacing", [](const ScanPointResult& r) { return r.point.model.spacing; });
      column("lambda", [](const ScanPointResult& r) { return r.point.model.lambda; });
      column("hbar", [](const ScanPointResult& r) { return r.point.model.hbar; });
      column("mass_F", [](const ScanPointResult& r) { return r.point.model.fermions.mass; });
      column("mass_B", [](const ScanPointResult& r) { return r.point.model.bosons.mass; });
      column("A", [](const ScanPointResult& r) { return r.point.exponent_A(); });
      icolumn("dim_F", [](const ScanPointResult& r) { return r.dim_fermions; });
      icolumn("dim_B", [](const ScanPointResult& r) { return r.dim_bosons; });
      icolumn("dim", [](const ScanPointResult& r) { return r.dim; });
      icolumn("krylov_dim", [](const ScanPointResult& r) { return r.krylov_dim; });
      icolumn("matvecs", [](const ScanPointResult& r) { return r.matvecs; });
      icolumn("threads", [](const ScanPointResult& r) { return r.threads; });
      icolumn("reused", [](const ScanPointResult& r) { return r.reused ? 1 : 0; });
      column("seconds", [](const ScanPointResult& r) { return r.seconds; });
      const int d = static_cast<int>(spec.base.sites.size());
      arma::mat sites(n, d);
      for (std::size_t i = 0; i < n; ++i)
        for (int a = 0; a < d; ++a) sites(i, a) = static_cast<double>(res.points[i].point.model.sites[a]);
      pg.write("sites", sites);

      const h5::Group mg = root.group("max"), ag = root.group("at_times"), sg = root.group("series");
      for (std::size_t q = 0; q < scan_quantity_count; ++q) {
        std::vector<double> mx;
        arma::mat at(n, spec.times.size());
        for (std::size_t i = 0; i < n; ++i) {
          mx.push_back(res.points[i].max_value[q]);
          for (std::size_t k = 0; k < spec.times.size(); ++k) at(i, k) = res.points[i].at_times[q][k];
        }
        mg.write(to_string(all_quantities[q]), mx);
        if (!spec.times.empty()) ag.write(to_string(all_quantities[q]), at);
      }
      for (const auto& r : res.points) {
        const h5::Group g = sg.group(r.point.id);
        g.set_attr("file", r.file);
        g.set_attr("fingerprint", r.point.fingerprint);
        g.write("times", r.times);
        for (std::size_t q = 0; q < scan_quantity_count; ++q) g.write(to_string(all_quantities[q]), r.series[q]);
      }
    }
    const h5::Group fg = root.group("fits");
    fg.set_attr("columns", columns);
    fg.set_attr("fit_from", spec.fit_from);
    fg.set_attr("model", std::string("log y = intercept + slope log x, least squares; slope_stderr = sqrt(s^2 / Sxx)"));
    for (const auto& f : res.fits) {
      const h5::Group g = fg.group(std::string(axis_name(f.axis)) + "/" + to_string(f.quantity));
      std::vector<double> slope, se, icpt, ise, rms;
      std::vector<std::int64_t> pts;
      for (const auto& c : f.columns) {
        slope.push_back(c.slope);
        se.push_back(c.slope_stderr);
        icpt.push_back(c.intercept);
        ise.push_back(c.intercept_stderr);
        rms.push_back(c.residual_rms);
        pts.push_back(c.points);
      }
      g.write("slope", slope);
      g.write("slope_stderr", se);
      g.write("intercept", icpt);
      g.write("intercept_stderr", ise);
      g.write("residual_rms", rms);
      g.write("points", pts);
    }
    file.flush();
  }  // every handle closed here
  std::error_code ec;
  fs::rename(tmp, spec.output, ec);
  if (ec) throw IoError("cannot move " + tmp + " to " + spec.output + ": " + ec.message());
}

// ---------------------------------------------------------------------------------------------
// Running

ScanResult collect_scan(const ScanSpec& spec) {
  ScanResult res;
  res.output = spec.output;
  const std::vector<ScanPoint> plan = scan_plan(spec);
  res.points_total = static_cast<Index>(plan.size());
  for (const auto& p : plan)
    if (auto r = read_point_file(spec, p, p.model.output)) {
      r->reused = true;
      res.points.push_back(std::move(*r));
    }
  res.points_reused = static_cast<Index>(res.points.size());
  res.fits = fit_scan(spec, res.points);
  res.status = res.points.size() == plan.size() ? ScanStatus::Completed : ScanStatus::Interrupted;
  return res;
}

ScanResult run_scan(const ScanSpec& spec, const ScanHooks& hooks) {
  using Clock = std::chrono::steady_clock;
  const auto t_start = Clock::now();
  validate_scan(spec);
  const std::vector<ScanPoint> plan = scan_plan(spec);
  const std::size_t n = plan.size();
  fs::create_directories(scan_points_dir(spec));
  if (const fs::path parent = fs::path(spec.output).parent_path(); !parent.empty()) fs::create_directories(parent);

  std::vector<std::optional<ScanPointResult>> done(n);
  std::vector<std::size_t> pending;
  for (std::size_t i = 0; i < n; ++i) {
    done[i] = read_point_file(spec, plan[i], plan[i].model.output);
    if (done[i])
      done[i]->reused = true;
    else
      pending.push_back(i);
  }

  std::mutex lock;  // guards done, progress state and the scan file
  std::atomic<bool> stop_all{false};
  auto external_stop = [&] { return hooks.stop != nullptr && hooks.stop->load(); };
  std::vector<double> cost(n, 0.0), fraction(n, 0.0);
  double cost_pending = 0.0;
  for (std::size_t i : pending) cost_pending += cost[i] = point_cost(plan[i]);
  std::vector<bool> running(n, false);

  auto result_so_far = [&](ScanStatus status) {
    ScanResult res;
    res.status = status;
    res.output = spec.output;
    res.points_total = static_cast<Index>(n);
    for (const auto& r : done)
      if (r) {
        res.points.push_back(*r);
        if (r->reused) ++res.points_reused;
      }
    res.fits = fit_scan(spec, res.points);
    res.seconds = std::chrono::duration<double>(Clock::now() - t_start).count();
    return res;
  };
  // call with `lock` held
  auto report = [&](const std::string& note) {
    if (!hooks.progress) return;
    ScanProgress pr;
    pr.points_total = static_cast<Index>(n);
    double work = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
      if (done[i]) ++pr.points_done;
      if (running[i]) ++pr.running;
      if (cost[i] > 0) work += cost[i] * (done[i] ? 1.0 : fraction[i]);
    }
    pr.fraction = cost_pending > 0 ? std::clamp(work / cost_pending, 0.0, 1.0) : 1.0;
    const double elapsed = std::chrono::duration<double>(Clock::now() - t_start).count();
    if (pr.fraction > 1e-3 && pr.fraction < 1.0) pr.eta_seconds = elapsed * (1.0 - pr.fraction) / pr.fraction;
    if (pr.fraction >= 1.0) pr.eta_seconds = 0.0;
    pr.note = note;
    hooks.progress(pr);
  };

  {
    std::lock_guard<std::mutex> g(lock);
    write_scan_file(spec, result_so_far(ScanStatus::Running));
    report(pending.size() < n ? fmt::format("{} of {} points reused from earlier runs", n - pending.size(), n) : "starting");
  }

  const int total_threads = spec.threads > 0 ? spec.threads : omp_get_max_threads();
  auto run_point = [&](std::size_t i, int threads) {
    const ScanPoint& p = plan[i];
    omp_set_num_threads(threads);
    {
      std::lock_guard<std::mutex> g(lock);
      running[i] = true;
      if (hooks.point_started) hooks.point_started(p);
      report(fmt::format("point {} (M = {}, N = {}, L = {}) started", i + 1, p.model.fermions.number, p.model.bosons.number,
                         sites_text(p.model.sites)));
    }
    RunHooks rh;
    rh.stop = &stop_all;
    rh.progress = [&, i](double f, const RunRecord& rec) {
      {
        std::lock_guard<std::mutex> g(lock);
        fraction[i] = f;
        report(fmt::format("M = {}, N = {}: t = {:.3g}, e_F = {:.2e}, e_B = {:.2e}", p.model.fermions.number,
                           p.model.bosons.number, rec.t, rec.value("comparison/exact_hartree/eF_trace"), rec.value("comparison/exact_hartree/eB_trace")));
      }
      if (external_stop()) stop_all.store(true);  // run_model checks stop_all right after this hook
    };
    RunSummary s;
    try {
      s = run_model(p.model, rh);
    } catch (const InputError&) {
      throw;
    } catch (const std::exception& e) {
      throw Error(fmt::format("point {} (M = {}, N = {}, L = {}, file {}): {}", i, p.model.fermions.number, p.model.bosons.number,
                              sites_text(p.model.sites), p.model.output, e.what()));
    }
    std::lock_guard<std::mutex> g(lock);
    running[i] = false;
    if (s.status == RunStatus::Completed) {
      done[i] = read_point_file(spec, p, p.model.output);
      if (!done[i]) throw Error("cannot read back the finished point file " + p.model.output);
      write_scan_file(spec, result_so_far(ScanStatus::Running));
      report(fmt::format("point {} (M = {}, N = {}) done in {:.1f} s", i + 1, p.model.fermions.number, p.model.bosons.number,
                         s.seconds_total));
    } else {
      fraction[i] = 0.0;
    }
  };

  // small points side by side, then the large ones with every thread; on an error the scan file says
  // `interrupted` (it holds every point finished before) and the error goes to the caller
  std::vector<std::size_t> small, large;
  for (std::size_t i : pending) {
    const bool is_small = spec.parallel_points > 1 && exact_footprint(plan[i].model).dim <= spec.parallel_max_dim;
    (is_small ? small : large).push_back(i);
  }
  std::exception_ptr error;
  std::mutex error_lock;
  if (!small.empty()) {
    const int workers = std::max(1, std::min({spec.parallel_points, total_threads, static_cast<int>(small.size())}));
    const int per_worker = std::max(1, total_threads / workers);
    std::atomic<std::size_t> next{0};
    auto worker = [&] {
      for (;;) {
        if (stop_all.load() || external_stop()) return;
        const std::size_t k = next.fetch_add(1);
        if (k >= small.size()) return;
        try {
          run_point(small[k], per_worker);
        } catch (...) {
          std::lock_guard<std::mutex> g(error_lock);
          if (!error) error = std::current_exception();
          stop_all.store(true);
          return;
        }
      }
    };
    if (workers == 1) {
      const int saved = omp_get_max_threads();
      worker();
      omp_set_num_threads(saved);
    } else {
      std::vector<std::thread> pool;
      for (int w = 0; w < workers; ++w) pool.emplace_back(worker);
      for (auto& th : pool) th.join();
    }
  }
  if (!error) {
    const int saved = omp_get_max_threads();
    for (std::size_t i : large) {
      if (stop_all.load() || external_stop()) break;
      try {
        run_point(i, total_threads);
      } catch (...) {
        error = std::current_exception();
        break;
      }
    }
    omp_set_num_threads(saved);
  }
  if (error) {
    {
      std::lock_guard<std::mutex> g(lock);
      write_scan_file(spec, result_so_far(ScanStatus::Interrupted));
    }
    std::rethrow_exception(error);
  }

  std::lock_guard<std::mutex> g(lock);
  const bool complete = std::all_of(done.begin(), done.end(), [](const auto& r) { return r.has_value(); });
  ScanResult res = result_so_far(complete ? ScanStatus::Completed : ScanStatus::Interrupted);
  write_scan_file(spec, res);
  report(complete ? "done" : "interrupted");
  return res;
}

// ---------------------------------------------------------------------------------------------
// Terminal output

bool scan_info(const ScanSpec& spec, std::ostream& out) {
  const std::vector<ScanPoint> plan = scan_plan(spec);
  const int d = static_cast<int>(spec.base.sites.size());
  out << fmt::format("scan         {} ({}), {} regime, {} points over {} = {}\n", spec.name, spec.source, to_string(spec.regime),
                     plan.size(), variable_name(spec.vary), fmt::join(spec.values, ", "));
  out << fmt::format("base         {} (d = {}, box: {}, traps: {})\n", spec.base_path, d, box_name(spec.box), trap_name(spec.trap));
  out << fmt::format("time         T = {}, output every {}, chosen times {}\n", spec.horizon, spec.output_every,
                     spec.times.empty() ? std::string("none") : fmt::format("{}", fmt::join(spec.times, ", ")));
  out << fmt::format("output       {} (point files in {}/)\n", spec.output, scan_points_dir(spec));
  for (const auto& w : spec.warnings) out << "warning      " << w << "\n";
  const double phys = physical_memory_bytes();
  out << fmt::format("\n{:>3} {:>5} {:>9} {:>7} {:>8} {:>9} {:>8} {:>7} {:>7} {:>6} {:>9} {:>10} {:>12} {:>10} {:>3}  {}\n", "#", "M", "N", "L",
                     "h", "lambda", "hbar", "m_F", "m_B", "A", "D_F", "D_B", "D", "memory", "K", "status");
  bool all_fit = true;
  for (const auto& p : plan) {
    const Model& m = p.model;
    std::string Ntext = std::to_string(m.bosons.number);
    if (std::abs(p.N_unrounded - static_cast<double>(m.bosons.number)) > 1e-9) Ntext += fmt::format("({:.4g})", p.N_unrounded);
    std::string Mtext = std::to_string(m.fermions.number);
    if (std::abs(p.M_unrounded - static_cast<double>(m.fermions.number)) > 1e-9) Mtext += fmt::format("({:.4g})", p.M_unrounded);
    std::string dims = fmt::format("{:>9} {:>10} {:>12} {:>10} {:>3}", "?", "?", "?", "?", "?");
    std::string status;
    try {
      const ExactFootprint f = exact_footprint(m);
      dims = fmt::format("{:>9} {:>10} {:>12} {:>10} {:>3}", f.dim_fermions, f.dim_bosons, f.dim, format_bytes(f.total_bytes), f.krylov_dim);
    } catch (const std::exception& e) {
      status = e.what();
    }
    try {
      validate(m);
      std::error_code ec;
      status = fs::exists(m.output, ec) && read_point_file(spec, p, m.output) ? "done (will be reused)" : "ok";
    } catch (const InputError& e) {
      all_fit = false;
      status = "REFUSED: " + (e.key().empty() ? "" : e.key() + ": ") + e.reason();
    }
    out << fmt::format("{:>3} {:>5} {:>9} {:>7} {:>8.4g} {:>9.4g} {:>8.4g} {:>7.4g} {:>7.4g} {:>6.3g} {}  {}\n", p.index, Mtext, Ntext,
                       sites_text(m.sites), m.spacing, m.lambda, m.hbar, m.fermions.mass, m.bosons.mass, p.exponent_A(), dims,
                       status);
  }
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

namespace {

std::string pm(const LinearFit& f) {
  if (!std::isfinite(f.slope)) return "n/a";
  if (!std::isfinite(f.slope_stderr)) return fmt::format("{:+.3f}", f.slope);
  return fmt::format("{:+.3f} ± {:.3f}", f.slope, f.slope_stderr);
}

/// The theorems' exponent b of X^b for each quantity, and the conjectured/optimal one.
std::pair<std::string, std::string> theory(ScanQuantity q) {
  switch (q) {
    case ScanQuantity::EF_trace: return {"<= -1/2 (2.16)", "-1"};
    case ScanQuantity::EB_trace: return {"<= -1/2 (2.17)", "-1"};
    case ScanQuantity::EF_hs:
    case ScanQuantity::EB_hs: return {"<= -1/2 (HS<=Tr)", "-1"};
    case ScanQuantity::NF_exc:
    case ScanQuantity::NB_exc: return {"0 (Thm 3: O(1))", "0"};
  }
  return {"", ""};
}

}  // namespace

void print_scan_summary(const ScanSpec& spec, const ScanResult& res, std::ostream& out) {
  out << fmt::format("\n{:>5} {:>5} {:>7} {:>11} {:>9} {:>9} | max over [0, T]: {:>9} {:>9} {:>9} {:>9} {:>9} {:>9}\n", "M", "N", "L",
                     "D", "matvecs", "seconds", "eF_Tr", "eB_Tr", "eF_HS", "eB_HS", "nF_exc", "nB_exc");
  for (const auto& r : res.points) {
    out << fmt::format("{:>5} {:>5} {:>7} {:>11} {:>9} {:>9.2f} |                  ", r.point.model.fermions.number,
                       r.point.model.bosons.number, sites_text(r.point.model.sites), r.dim, r.matvecs, r.seconds);
    for (double v : r.max_value) out << fmt::format(" {:>9.3e}", v);
    out << (r.reused ? "  (reused)" : "") << (r.point.value < spec.fit_from ? "  (not in the fits)" : "") << "\n";
  }
  if (res.points.size() < 2) {
    out << "\n(fits need at least two finished points, and three for a standard error)\n";
    return;
  }
  bool M_varies = false, same_axes = true;
  for (const auto& r : res.points) {
    if (r.point.model.fermions.number != res.points.front().point.model.fermions.number) M_varies = true;
    if (r.point.model.fermions.number != r.point.model.bosons.number) same_axes = false;
  }
  std::vector<std::string> labels{"max[0,T]"};
  for (double t : spec.times) labels.push_back(fmt::format("t={}", t));
  const auto fitted = std::count_if(res.points.begin(), res.points.end(), [&](const auto& r) { return r.point.value >= spec.fit_from; });
  out << fmt::format("\nfitted exponents b of e ~ X^b (least squares on logs, ± one standard error; {} points{})\n", fitted,
                     spec.fit_from > 0 ? fmt::format(" with {} >= {}", variable_name(spec.vary), spec.fit_from) : std::string());
  out << fmt::format("{:<9} {:<9} {:>17}{} {:>17} {:>8}\n", "quantity", "time", same_axes ? "b vs N (= M)" : "b vs N",
                     same_axes || !M_varies ? "" : fmt::format(" {:>17}", "b vs M"), "theorem", "optimal");
  for (std::size_t q = 0; q < scan_quantity_count; ++q) {
    const ScanFit* fN = nullptr;
    const ScanFit* fM = nullptr;
    for (const auto& f : res.fits)
      if (f.quantity == all_quantities[q]) (f.axis == FitAxis::N ? fN : fM) = &f;
    if (fN == nullptr || fM == nullptr) continue;
    const auto [thm, opt] = theory(all_quantities[q]);
    for (std::size_t c = 0; c < fN->columns.size(); ++c) {
      out << fmt::format("{:<9} {:<9} {:>17}{} {:>17} {:>8}\n", c == 0 ? to_string(all_quantities[q]) : "", labels[c], pm(fN->columns[c]),
                         same_axes || !M_varies ? "" : fmt::format(" {:>17}", pm(fM->columns[c])),
                         thm, opt);
    }
  }
  out << "theorem: Theorem 1 bounds e_F by C/sqrt(M) (2.16) and e_B by C/sqrt(N) (2.17), i.e. b <= -1/2; the Hilbert–Schmidt\n"
         "errors are at most the trace-norm ones; Theorem 3 keeps the fluctuation numbers O(1). optimal: 1/N (1/M) is the known\n"
         "optimal rate for one species and the conjectured one here (SPEC §8).\n";
}

}  // namespace fockmix
