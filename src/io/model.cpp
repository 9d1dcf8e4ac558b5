#include "fockmix/io/model.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string_view>
#include <toml++/toml.h>

#include "fockmix/core/error.hpp"
#include "fockmix/exact/footprint.hpp"
#include "fockmix/fock/binomial.hpp"
#include "fockmix/fock/boson_basis.hpp"
#include "io/toml_reader.hpp"

namespace fockmix {

namespace {

namespace fs = std::filesystem;
using detail::at_line;
using detail::join_key;
using detail::TomlReader;
using detail::type_name;


/// Allowed values of `init.kind` per species (SPEC §3): plane waves are a fermion recipe only.
const std::vector<InitKind> fermion_init_kinds{InitKind::Trap, InitKind::PlaneWaves, InitKind::Packet, InitKind::Hartree,
                                               InitKind::File};
const std::vector<InitKind> boson_init_kinds{InitKind::Trap, InitKind::Packet, InitKind::Hartree, InitKind::File};

std::string list_text(const std::vector<std::string>& names) {
  std::string out;
  for (std::size_t k = 0; k < names.size(); ++k) out += (k == 0 ? "" : k + 1 == names.size() ? " or " : ", ") + names[k];
  return out;
}

std::string init_kinds_text(const std::vector<InitKind>& kinds) {
  std::vector<std::string> names;
  for (InitKind k : kinds) names.push_back(to_string(k));
  return list_text(names);
}

/// Shortest round-trip text of a number (for messages).
std::string num(double x) { return fmt::format("{}", x); }

std::string gib(double bytes) { return fmt::format("{:.3g} GiB", bytes / 1073741824.0); }

/// Numbers of a text table: whitespace-separated; blank lines and lines whose first non-blank character
/// is '#' are skipped (the format the mean-field reader of init files accepts). Returns the rows.
/// Throws InputError(model_file, key, ...) on failure.
std::vector<std::vector<double>> read_table_rows(const std::string& path, const std::string& model_file,
                                                 const std::string& key) {
  std::ifstream in(path);
  if (!in || fs::is_directory(path)) throw InputError(model_file, key, "cannot read the table file '" + path + "'");
  std::vector<std::vector<double>> rows;
  std::string line;
  Index line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    const auto first = line.find_first_not_of(" \t\r");
    if (first == std::string::npos || line[first] == '#') continue;
    std::istringstream words(line);
    std::vector<double> row;
    std::string word;
    while (words >> word) {
      std::size_t used = 0;
      double v = 0.0;
      try {
        v = std::stod(word, &used);
      } catch (const std::exception&) {
        used = 0;
      }
      if (used != word.size() || !std::isfinite(v))
        throw InputError(model_file, key,
                         "table file '" + path + "' line " + std::to_string(line_no) + ": '" + word + "' is not a finite number");
      row.push_back(v);
    }
    if (!row.empty()) rows.push_back(std::move(row));
  }
  return rows;
}

// ---------------------------------------------------------------------------------------------
// Reading model files (src/io/toml_reader.hpp): types and names only; ranges are checked by validate().

/// A table of values: an array of numbers, or a string naming a text file of numbers (relative to
/// the model file's directory).
void table_values(const TomlReader& r, const toml::table& t, const std::string& path, std::string_view key,
                  std::vector<double>& out) {
  const toml::node* n = t.get(key);
  if (n == nullptr) return;
  const std::string k = join_key(path, key);
  if (n->is_string()) {
    out.clear();
    for (const auto& row : read_table_rows(r.resolve(n->as_string()->get()), r.file(), k))
      out.insert(out.end(), row.begin(), row.end());
    return;
  }
  if (!n->is_array()) r.fail(k, "expected an array of numbers or a file name, got " + type_name(*n) + at_line(*n));
  out = r.as_numbers(*n, k);
}

PotentialSpec read_potential(const TomlReader& r, const toml::table& t, const std::string& path) {
  r.check_keys(t, path, {"kind", "strength", "centre", "width", "table"});
  PotentialSpec p;
  std::string kind;
  if (!r.string(t, path, "kind", kind)) r.fail(join_key(path, "kind"), "missing (none, harmonic, cosine, gaussian or table)");
  try {
    p.kind = potential_kind_from(kind, join_key(path, "kind"));
  } catch (const InputError& e) {
    r.rethrow(e, e.key());
  }
  r.number(t, path, "strength", p.strength);
  r.number(t, path, "width", p.width);
  r.numbers(t, path, "centre", p.centre);
  table_values(r, t, path, "table", p.table);
  return p;
}

/// The recipe named `name`: any of InitKind by its file name (the species check is validate()'s);
/// an unknown name fails listing the names allowed for the species.
InitKind init_kind_from(const TomlReader& r, const std::string& name, const std::string& key, bool bosons) {
  for (InitKind k : fermion_init_kinds)
    if (name == to_string(k)) return k;
  r.fail(key, "unknown initial state '" + name + "' (expected " +
                  init_kinds_text(bosons ? boson_init_kinds : fermion_init_kinds) + ")");
}

InitSpec read_init(const TomlReader& r, const toml::table& t, const std::string& path, bool bosons) {
  r.check_keys(t, path, {"kind", "centre", "width", "momentum", "file"});
  InitSpec s;
  std::string kind;
  if (!r.string(t, path, "kind", kind)) r.fail(join_key(path, "kind"), "missing");
  s.kind = init_kind_from(r, kind, join_key(path, "kind"), bosons);
  r.numbers(t, path, "centre", s.centre);
  r.number(t, path, "width", s.width);
  r.numbers(t, path, "momentum", s.momentum);
  if (r.string(t, path, "file", s.file) && !s.file.empty()) s.file = r.resolve(s.file);
  return s;
}

void read_species(const TomlReader& r, const toml::table& t, const std::string& path, bool bosons, SpeciesSpec& s) {
  if (bosons)
    r.check_keys(t, path, {"number", "mass", "max_per_site", "trap", "potential", "init"});
  else
    r.check_keys(t, path, {"number", "mass", "trap", "potential", "init"});
  r.integer(t, path, "number", s.number);
  r.number(t, path, "mass", s.mass);
  if (bosons) r.integer(t, path, "max_per_site", s.max_per_site);
  if (const auto* u = r.table(t, path, "trap")) s.trap = read_potential(r, *u, join_key(path, "trap"));
  if (const auto* u = r.table(t, path, "potential")) s.potential = read_potential(r, *u, join_key(path, "potential"));
  if (const auto* u = r.table(t, path, "init")) s.init = read_init(r, *u, join_key(path, "init"), bosons);
}

Model read_model(const TomlReader& r, const toml::table& root) {
  Model m;
  m.source = r.file();
  m.name = fs::path(r.file()).stem().string();
  r.check_keys(root, "", {"name", "grid", "physics", "interaction", "fermions", "bosons", "time", "exact", "hartree", "output"});
  r.string(root, "", "name", m.name);
  m.output = "results/" + m.name + ".h5";

  if (const auto* t = r.table(root, "", "grid")) {
    r.check_keys(*t, "grid", {"sites", "spacing", "kinetic"});
    r.integer_list(*t, "grid", "sites", m.sites);
    r.number(*t, "grid", "spacing", m.spacing);
    std::string kinetic;
    if (r.string(*t, "grid", "kinetic", kinetic)) {
      try {
        m.kinetic = kinetic_kind_from(kinetic, "grid.kinetic");
      } catch (const InputError& e) {
        r.rethrow(e, "grid.kinetic");
      }
    }
  }
  if (const auto* t = r.table(root, "", "physics")) {
    r.check_keys(*t, "physics", {"hbar", "lambda"});
    r.number(*t, "physics", "hbar", m.hbar);
    r.number(*t, "physics", "lambda", m.lambda);
  }
  if (const auto* t = r.table(root, "", "interaction")) {
    r.check_keys(*t, "interaction", {"kind", "amplitude", "width", "epsilon", "table"});
    std::string kind;
    if (r.string(*t, "interaction", "kind", kind)) {
      try {
        m.interaction.kind = interaction_kind_from(kind, "interaction.kind");
      } catch (const InputError& e) {
        r.rethrow(e, "interaction.kind");
      }
    }
    r.number(*t, "interaction", "amplitude", m.interaction.amplitude);
    r.number(*t, "interaction", "width", m.interaction.width);
    r.number(*t, "interaction", "epsilon", m.interaction.epsilon);
    table_values(r, *t, "interaction", "table", m.interaction.table);
  }
  if (const auto* t = r.table(root, "", "fermions")) read_species(r, *t, "fermions", false, m.fermions);
  if (const auto* t = r.table(root, "", "bosons")) read_species(r, *t, "bosons", true, m.bosons);
  if (const auto* t = r.table(root, "", "time")) {
    r.check_keys(*t, "time", {"final", "output_every"});
    r.number(*t, "time", "final", m.t_final);
    r.number(*t, "time", "output_every", m.output_every);
  }
  if (const auto* t = r.table(root, "", "exact")) {
    r.check_keys(*t, "exact", {"enabled", "tolerance", "krylov_dim", "initial", "memory_limit_gib"});
    r.boolean(*t, "exact", "enabled", m.exact.enabled);
    r.number(*t, "exact", "tolerance", m.exact.tolerance);
    r.integer(*t, "exact", "krylov_dim", m.exact.krylov_dim);
    std::string initial;
    if (r.string(*t, "exact", "initial", initial)) {
      if (initial == "product")
        m.exact.initial = ExactInitial::Product;
      else if (initial == "ground_state")
        m.exact.initial = ExactInitial::GroundState;
      else
        r.fail("exact.initial", "unknown initial state '" + initial + "' (expected product or ground_state)");
    }
    r.number(*t, "exact", "memory_limit_gib", m.exact.memory_limit_gib);
  }
  if (const auto* t = r.table(root, "", "hartree")) {
    r.check_keys(*t, "hartree", {"enabled", "dt", "scheme", "tolerance"});
    r.boolean(*t, "hartree", "enabled", m.hartree.enabled);
    r.number(*t, "hartree", "dt", m.hartree.dt);
    std::string scheme;
    if (r.string(*t, "hartree", "scheme", scheme)) {
      if (scheme == to_string(HartreeScheme::Midpoint2))
        m.hartree.scheme = HartreeScheme::Midpoint2;
      else if (scheme == to_string(HartreeScheme::TripleJump4))
        m.hartree.scheme = HartreeScheme::TripleJump4;
      else
        r.fail("hartree.scheme", "unknown scheme '" + scheme + "' (expected midpoint2 or triple_jump4)");
    }
    r.number(*t, "hartree", "tolerance", m.hartree.tolerance);
  }
  if (const auto* t = r.table(root, "", "output")) {
    r.check_keys(*t, "output", {"file", "threads"});
    r.string(*t, "output", "file", m.output);
    r.integer(*t, "output", "threads", m.threads);
  }
  return m;
}

// ---------------------------------------------------------------------------------------------
// Value checks (validate)

class Checker {
 public:
  explicit Checker(const Model& m) : file_(m.source) {}

  [[noreturn]] void fail(const std::string& key, const std::string& reason) const { throw InputError(file_, key, reason); }

  void finite(double x, const std::string& key) const {
    if (!std::isfinite(x)) fail(key, "must be a finite number, got " + num(x));
  }
  void positive(double x, const std::string& key) const {
    if (!(x > 0.0) || !std::isfinite(x)) fail(key, "must be a positive finite number, got " + num(x));
  }
  void non_negative(double x, const std::string& key) const {
    if (!(x >= 0.0) || !std::isfinite(x)) fail(key, "must be a finite number >= 0, got " + num(x));
  }
  void all_finite(const std::vector<double>& v, const std::string& key) const {
    for (std::size_t i = 0; i < v.size(); ++i)
      if (!std::isfinite(v[i])) fail(key, "entry " + std::to_string(i) + " is not finite (" + num(v[i]) + ")");
  }
  /// An optional per-axis vector: empty, or exactly d finite entries.
  void per_axis(const std::vector<double>& v, int d, const std::string& key) const {
    if (!v.empty() && static_cast<int>(v.size()) != d)
      fail(key, "needs one entry per axis (" + std::to_string(d) + "), got " + std::to_string(v.size()));
    all_finite(v, key);
  }
  /// A grid function: exactly L finite entries.
  void per_site(const std::vector<double>& v, Index L, const std::string& key) const {
    if (static_cast<Index>(v.size()) != L)
      fail(key, "needs one value per site (L = " + std::to_string(L) + "), got " + std::to_string(v.size()));
    all_finite(v, key);
  }

 private:
  std::string file_;
};

void check_potential(const Checker& c, const PotentialSpec& p, const Lattice& lat, const std::string& path) {
  c.finite(p.strength, path + ".strength");
  if (p.kind == PotentialKind::Gaussian) c.positive(p.width, path + ".width");
  c.per_axis(p.centre, lat.dim(), path + ".centre");
  if (p.kind == PotentialKind::Table) c.per_site(p.table, lat.sites(), path + ".table");
  try {
    potential(lat, p);
  } catch (const InputError& e) {
    // grid functions name their keys "potential.<field>": put this potential's path in front
    std::string key = e.key();
    if (key.rfind("potential", 0) == 0) key = path + key.substr(9);
    c.fail(key, e.reason());
  }
}

void check_init_file(const Checker& c, const InitSpec& s, Index L, Index columns, const std::string& key) {
  if (s.file.empty()) c.fail(key, "init.kind = \"file\" needs a file name");
  std::vector<std::vector<double>> rows;
  try {
    rows = read_table_rows(s.file, "", key);
  } catch (const InputError& e) {
    c.fail(key, e.reason());
  }
  if (static_cast<Index>(rows.size()) != L)
    c.fail(key, "file '" + s.file + "' has " + std::to_string(rows.size()) + " rows, needs one per site (" +
                    std::to_string(L) + ")");
  for (std::size_t i = 0; i < rows.size(); ++i)
    if (static_cast<Index>(rows[i].size()) != columns)
      c.fail(key, "file '" + s.file + "' row " + std::to_string(i + 1) + " has " + std::to_string(rows[i].size()) +
                      " numbers, needs " + std::to_string(columns) + " (Re and Im of each orbital)");
}

void check_init(const Checker& c, const InitSpec& s, const Lattice& lat, const std::string& path,
                const std::vector<InitKind>& kinds, Index orbitals) {
  if (std::find(kinds.begin(), kinds.end(), s.kind) == kinds.end())
    c.fail(path + ".kind", "initial state '" + to_string(s.kind) + "' is not available for " +
                               path.substr(0, path.find('.')) + " (expected " + init_kinds_text(kinds) + ")");
  c.per_axis(s.centre, lat.dim(), path + ".centre");
  c.per_axis(s.momentum, lat.dim(), path + ".momentum");
  c.positive(s.width, path + ".width");
  if (s.kind == InitKind::File && orbitals > 0) check_init_file(c, s, lat.sites(), 2 * orbitals, path + ".file");
}

void check_species(const Checker& c, const SpeciesSpec& s, const Lattice& lat, const std::string& path, bool bosons) {
  if (s.number < 0) c.fail(path + ".number", "must be >= 0, got " + std::to_string(s.number));
  c.positive(s.mass, path + ".mass");
  check_potential(c, s.trap, lat, path + ".trap");
  check_potential(c, s.potential, lat, path + ".potential");
  check_init(c, s.init, lat, path + ".init", bosons ? boson_init_kinds : fermion_init_kinds,
             bosons ? (s.number > 0 ? 1 : 0) : s.number);
  if (!bosons && s.max_per_site != 0)
    c.fail(path + ".max_per_site", "a per-site cap only applies to bosons (fermions have at most one per site)");
  if (s.max_per_site < 0) c.fail(path + ".max_per_site", "must be >= 0 (0 = no cap), got " + std::to_string(s.max_per_site));
}

void check_exact_footprint(const Checker& c, const Model& m, Index L) {
  const Index M = m.fermions.number, N = m.bosons.number;
  Index dim_F = 0, dim_B = 0;
  try {
    dim_F = binomial(L, M);
  } catch (const CapacityError& e) {
    c.fail("fermions.number", std::string("the fermion sector dimension C(L, M) is too large: ") + e.what());
  }
  try {
    dim_B = BosonBasis::count_states(L, N, m.bosons.max_per_site);
  } catch (const CapacityError& e) {
    c.fail("bosons.number", std::string("the boson sector dimension is too large: ") + e.what());
  }
  ExactFootprint f;
  try {
    f = exact_footprint(m);
  } catch (const CapacityError&) {
    c.fail("bosons.number", "the sector dimension D = D_F x D_B = " + std::to_string(dim_F) + " x " + std::to_string(dim_B) +
                                " overflows 2^63; lower the particle numbers or set exact.enabled = false");
  }
  const double physical = physical_memory_bytes();
  const bool limited = m.exact.memory_limit_gib > 0;
  const double limit = limited ? m.exact.memory_limit_gib * 1073741824.0 : physical;
  const std::string sector = "the sector has D = D_F x D_B = " + std::to_string(f.dim_fermions) + " x " +
                             std::to_string(f.dim_bosons) + " = " + std::to_string(f.dim) + " states (" +
                             gib(f.state_bytes) + " per state vector)";
  const std::string advice = "; lower the particle numbers or the grid, or set exact.enabled = false";
  if (f.krylov_dim == 0) {
    const double minimum = 5.0 * f.state_bytes + f.table_bytes;  // 2 Krylov vectors + 3 working states + tables
    c.fail("exact", sector + ": the exact solver needs at least " + gib(minimum) + " but the limit is " + gib(limit) +
                        (limited ? " (exact.memory_limit_gib)" : " (physical memory)") + advice);
  }
  if (f.total_bytes > physical)
    c.fail("exact", sector + ": the exact solver needs " + gib(f.total_bytes) + " (Krylov dimension " +
                        std::to_string(f.krylov_dim) + ") but this machine has " + gib(physical) + " of physical memory" +
                        advice);
}

}  // namespace


void validate(const Model& m) {
  const Checker c(m);
  if (m.name.empty()) c.fail("name", "must not be empty");

  // [grid]
  if (m.sites.empty() || m.sites.size() > 3)
    c.fail("grid.sites", "needs 1 to 3 axes, got " + std::to_string(m.sites.size()));
  Index L = 1;
  for (std::size_t a = 0; a < m.sites.size(); ++a) {
    if (m.sites[a] < 1) c.fail("grid.sites", "every axis needs at least one site, axis " + std::to_string(a) + " has " +
                                                 std::to_string(m.sites[a]));
    try {
      L = checked_mul(L, m.sites[a], "number of sites L");
    } catch (const CapacityError& e) {
      c.fail("grid.sites", e.what());
    }
  }
  c.positive(m.spacing, "grid.spacing");
  std::optional<Lattice> lattice;
  try {
    lattice.emplace(m.sites, m.spacing);
  } catch (const InputError& e) {
    c.fail(e.key(), e.reason());
  }
  const Lattice& lat = *lattice;

  // [physics], [interaction]
  c.positive(m.hbar, "physics.hbar");
  c.finite(m.lambda, "physics.lambda");
  const InteractionSpec& v = m.interaction;
  c.finite(v.amplitude, "interaction.amplitude");
  if (v.kind == InteractionKind::Gaussian) c.positive(v.width, "interaction.width");
  if (v.kind == InteractionKind::SoftCoulomb) c.positive(v.epsilon, "interaction.epsilon");
  if (v.kind == InteractionKind::Table) c.per_site(v.table, L, "interaction.table");
  try {
    interaction_profile(lat, v);
  } catch (const InputError& e) {
    c.fail(e.key().empty() ? "interaction" : e.key(), e.reason());
  }

  // [fermions], [bosons]
  check_species(c, m.fermions, lat, "fermions", false);
  check_species(c, m.bosons, lat, "bosons", true);
  const Index M = m.fermions.number, N = m.bosons.number;
  if (M == 0 && N == 0) c.fail("fermions.number", "no particles at all: fermions.number and bosons.number are both 0");
  if (M > L)
    c.fail("fermions.number", "M = " + std::to_string(M) + " fermions do not fit on L = " + std::to_string(L) +
                                  " sites (Pauli: M <= L)");
  if (const Index cap = m.bosons.max_per_site; cap > 0) {
    __extension__ __int128 room = static_cast<__int128>(cap) * L;
    if (room < N)
      c.fail("bosons.max_per_site", "a per-site cap below N/L: n_max = " + std::to_string(cap) + " on L = " +
                                        std::to_string(L) + " sites holds at most " +
                                        std::to_string(static_cast<long long>(room)) + " < N = " + std::to_string(N) +
                                        " bosons");
  }

  // [time]
  c.non_negative(m.t_final, "time.final");
  c.positive(m.output_every, "time.output_every");
  if (!(m.t_final / m.output_every < max_output_times))
    c.fail("time.output_every", "time.final / time.output_every = " + num(m.t_final / m.output_every) +
                                    " output times, more than " + num(max_output_times));

  // [exact], [hartree], [output]
  c.positive(m.exact.tolerance, "exact.tolerance");
  if (m.exact.krylov_dim < 4) c.fail("exact.krylov_dim", "must be >= 4, got " + std::to_string(m.exact.krylov_dim));
  c.non_negative(m.exact.memory_limit_gib, "exact.memory_limit_gib");
  c.positive(m.hartree.dt, "hartree.dt");
  c.positive(m.hartree.tolerance, "hartree.tolerance");
  if (m.output.empty()) c.fail("output.file", "must not be empty");
  if (m.threads < 0) c.fail("output.threads", "must be >= 0 (0 = all cores), got " + std::to_string(m.threads));

  // Last, since it needs everything above: the exact sector must fit.
  if (m.exact.enabled) check_exact_footprint(c, m, L);
}

Model load_model(const std::string& path) {
  std::error_code ec;
  if (!fs::exists(path, ec)) throw InputError(path, "", "no such model file");
  if (fs::is_directory(path, ec)) throw InputError(path, "", "is a directory, not a model file");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path, "", "cannot open the model file");
  std::ostringstream text;
  text << in.rdbuf();

  const toml::table root = detail::parse_toml(text.str(), path);
  Model m = read_model(detail::TomlReader(path), root);
  validate(m);
  return m;
}

}  // namespace fockmix
