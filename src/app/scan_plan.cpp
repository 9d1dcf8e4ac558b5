// The plan of a scan (include/fockmix/app/scan_plan.hpp): points, ids, point files, costs.
#include "fockmix/app/scan_plan.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <exception>
#include <filesystem>
#include <limits>

#include "fockmix/core/error.hpp"
#include "fockmix/model/footprint.hpp"
#include "fockmix/io/h5.hpp"
#include "fockmix/io/model_h5.hpp"
#include "fockmix/model/model_schema.hpp"
#include "fockmix/io/scan_file.hpp"

namespace fockmix {

namespace fs = std::filesystem;

namespace {

double law_value(const ScanLaw& law, double base, std::size_t i, double M, double N) {
  switch (law.kind) {
    case ScanLaw::Kind::Base: return base;
    case ScanLaw::Kind::Constant: return law.constant;
    case ScanLaw::Kind::List: return law.list[i];
    case ScanLaw::Kind::Power: return law.coef * std::pow(law.of == ScanVariable::M ? M : N, law.power);
  }
  return base;
}

// ---------------------------------------------------------------------------------------------
// Point identity

/// FNV-1a, 64 bit: a stable hash of the fingerprint (the same on every machine and run).
std::uint64_t fnv1a(const std::string& s) {
  std::uint64_t h = 14695981039346656037ull;
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

// ---------------------------------------------------------------------------------------------
// Building a point

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

[[noreturn]] void fail(const ScanSpec& spec, const std::string& key, const std::string& reason) {
  throw InputError(spec.source, key, reason);
}

/// M and N of point i (and their values before rounding) from the regime.
void set_particle_numbers(const ScanSpec& spec, std::size_t i, ScanPoint& p, Model& m) {
  const Model& base = spec.base;
  const int d = static_cast<int>(base.sites.size());
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
      fail(spec, spec.regime == ScanRegime::Custom ? std::string("scan.N") : "scan.values[" + std::to_string(i) + "]",
           fmt::format("point {}: N = {} rounds to {}, needs at least one boson", i, Nu, N));
  } else {
    N = Nu = static_cast<double>(p.value);
    Mu = law_value(spec.M_law, static_cast<double>(base.fermions.number), i, 0.0, N);
    M = std::round(Mu);
    if (!(M >= 1.0) || !(M < 4e18))
      fail(spec, "scan.M", fmt::format("point {}: M = {} rounds to {}, needs at least one fermion", i, Mu, M));
  }
  p.N_unrounded = Nu;
  p.M_unrounded = Mu;
  m.fermions.number = static_cast<Index>(M);
  m.bosons.number = static_cast<Index>(N);
}

/// Coupling, hbar and masses of point i from the regime (after the particle numbers).
void set_regime_parameters(const ScanSpec& spec, std::size_t i, Model& m) {
  const Model& base = spec.base;
  const int d = static_cast<int>(base.sites.size());
  const double M = static_cast<double>(m.fermions.number), N = static_cast<double>(m.bosons.number);
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
}

/// The lattice of point i (after the particle numbers) from the lattice rule.
void set_lattice(const ScanSpec& spec, std::size_t i, Model& m) {
  const Model& base = spec.base;
  const int d = static_cast<int>(base.sites.size());
  const double M = static_cast<double>(m.fermions.number);
  if (!spec.sites.empty()) {
    m.sites = spec.sites[i];
  } else if (spec.sites_per_fermion > 0) {
    if (d == 1) {
      m.sites = {std::max<Index>(1, std::llround(spec.sites_per_fermion * M))};
    } else {
      const double s = std::pow(spec.sites_per_fermion * M / static_cast<double>(total_sites(base.sites)), 1.0 / d);
      for (int a = 0; a < d; ++a) m.sites[a] = std::max<Index>(1, std::llround(static_cast<double>(base.sites[a]) * s));
    }
  } else if (spec.extra_sites >= 0) {
    m.sites = {m.fermions.number + spec.extra_sites};
  } else if (spec.points_per_hbar > 0) {
    // refine_with_hbar (box fixed): L_a = round(c ell_a / hbar), so that h = ell_a / L_a ~ hbar / c
    for (int a = 0; a < d; ++a) {
      const double ell = base.spacing * static_cast<double>(base.sites[a]);
      const double La = std::round(spec.points_per_hbar * ell / m.hbar);
      if (!(La >= 1.0) || !(La < 1e9))
        fail(spec, "scan.points_per_hbar", fmt::format("point {}: hbar = {} gives {} sites on axis {}", i, m.hbar, La, a));
      m.sites[a] = static_cast<Index>(La);
    }
  }
  if (static_cast<int>(m.sites.size()) != d)
    fail(spec, "scan.sites[" + std::to_string(i) + "]", fmt::format("has {} axes, the base model has {}", m.sites.size(), d));
  for (int a = 0; a < d; ++a)
    if (m.sites[a] < 1) fail(spec, "scan.sites[" + std::to_string(i) + "]", "every axis needs at least one site");
}

/// The spacing (BoxRule::Fixed) or the potentials (TrapRule::Box with a growing box) of point i.
void apply_box_rules(const ScanSpec& spec, std::size_t i, Model& m) {
  const Model& base = spec.base;
  const int d = static_cast<int>(base.sites.size());
  std::vector<double> s_axis(d, 1.0);
  if (spec.box == BoxRule::Fixed) {
    const double h = base.spacing * static_cast<double>(base.sites[0]) / static_cast<double>(m.sites[0]);
    for (int a = 1; a < d; ++a) {
      const double ha = base.spacing * static_cast<double>(base.sites[a]) / static_cast<double>(m.sites[a]);
      if (std::abs(ha - h) > 1e-12 * h)
        fail(spec, "scan.box",
             fmt::format("point {} ({} sites): a fixed box needs the same spacing on every axis, but the "
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
}

// ---------------------------------------------------------------------------------------------
// Point files

/// The exact solver's set-up and cost, if it ran.
void read_exact_setup(const h5::Group& root, ScanPointResult& r) {
  if (!root.has("exact")) return;
  const h5::Group ex = root.group("exact");
  r.dim_fermions = ex.attr_int("dim_fermions");
  r.dim_bosons = ex.attr_int("dim_bosons");
  r.dim = ex.attr_int("dim");
  r.krylov_dim = ex.attr_int("krylov_dim");
  r.threads = ex.attr_int("threads");
  const arma::vec mv = ex.read_vec("matvecs");
  r.matvecs = mv.is_empty() ? 0 : static_cast<Index>(std::llround(mv(mv.n_elem - 1)));
}

/// Each quantity of the table that the file has: its series, maximum and values at the chosen times.
/// Returns false if a series present has the wrong length.
bool read_quantities(const ScanSpec& spec, const h5::Group& root, double T, ScanPointResult& r) {
  const auto quantities = scan_quantities();
  for (std::size_t q = 0; q < quantities.size(); ++q) {
    const std::string path(quantities[q].run_path);
    r.at_times[q].assign(spec.times.size(), std::numeric_limits<double>::quiet_NaN());
    if (!root.has(path)) continue;  // not recorded in this run (a solver that did not run)
    const arma::vec s = root.read_vec(path);
    if (s.n_elem != r.times.size()) return false;
    r.series[q].assign(s.begin(), s.end());
    double mx = 0.0;
    for (double x : r.series[q]) mx = std::max(mx, x);
    r.max_value[q] = mx;
    for (std::size_t j = 0; j < spec.times.size(); ++j)
      for (std::size_t k = 0; k < r.times.size(); ++k)
        if (same_output_time(r.times[k], spec.times[j], T)) r.at_times[q][j] = r.series[q][k];
  }
  return true;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Points

std::vector<ScanPoint> scan_plan(const ScanSpec& spec) {
  const std::string dir = scan_points_dir(spec);
  std::vector<ScanPoint> points;
  for (std::size_t i = 0; i < spec.values.size(); ++i) {
    ScanPoint p;
    p.index = static_cast<Index>(i);
    p.value = spec.values[i];
    Model m = spec.base;
    set_particle_numbers(spec, i, p, m);
    set_regime_parameters(spec, i, m);
    set_lattice(spec, i, m);
    apply_box_rules(spec, i, m);
    // time, output
    m.t_final = spec.horizon;
    m.output_every = spec.output_every;
    m.threads = 0;
    p.fingerprint = model_fingerprint(m);
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

std::optional<ScanPointResult> read_point_file(const ScanSpec& spec, const ScanPoint& p, const std::string& file) {
  std::error_code ec;
  if (!fs::exists(file, ec)) return std::nullopt;
  try {
    const h5::File f = h5::File::open(file);
    const h5::Group root = f.root();
    if (root.attr_string("status") != "completed") return std::nullopt;
    // identify by parameters: the name carries a hash of them; the echoed model must match exactly
    const Model& m = p.model;
    if (!model_echo_matches(root.group("model"), m)) return std::nullopt;
    ScanPointResult r;
    r.point = p;
    r.file = file;
    r.seconds = root.attr_double("seconds");
    read_exact_setup(root, r);
    const arma::vec ts = root.read_vec("times");
    r.times.assign(ts.begin(), ts.end());
    if (r.times.empty() || !same_output_time(r.times.back(), m.t_final, m.t_final)) return std::nullopt;
    if (!read_quantities(spec, root, m.t_final, r)) return std::nullopt;
    return r;
  } catch (const std::exception&) {
    return std::nullopt;  // unreadable (killed while writing) or incomplete: run it again
  }
}

double point_cost(const ScanPoint& p) {
  if (!p.model.exact.enabled) {
    // mean-field solvers only: L x L eigen-decompositions every step
    const double L = static_cast<double>(p.sites());
    const double steps = p.model.t_final / std::max(1e-12, p.model.hartree.enabled ? p.model.hartree.dt : p.model.vlasov.dt);
    return L * L * L * std::min(steps, 1e9) + 1e3;
  }
  double dim = 1.0;
  try {
    dim = static_cast<double>(exact_footprint(p.model).dim);
  } catch (const std::exception&) {
  }
  return dim * static_cast<double>(p.model.fermions.number + p.model.bosons.number + 1) + 1e3;
}

bool scan_point_is_small(const ScanSpec& spec, const ScanPoint& p) {
  if (spec.parallel_points <= 1 || !p.model.exact.enabled) return false;
  return exact_footprint(p.model).dim <= spec.parallel_max_dim;
}

}  // namespace fockmix
