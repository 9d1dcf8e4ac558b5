#include "fockmix/io/model.hpp"

#include "fockmix/model/model_operators.hpp"

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
#include "fockmix/model/footprint.hpp"
#include "fockmix/fock/binomial.hpp"
#include "fockmix/fock/boson_basis.hpp"
#include "fockmix/model/model_schema.hpp"
#include "io/toml_reader.hpp"

namespace fockmix {

namespace {

namespace fs = std::filesystem;
using detail::at_line;
using detail::join_key;
using detail::TomlReader;
using detail::type_name;


std::string list_text(const std::vector<std::string>& names) {
  std::string out;
  for (std::size_t k = 0; k < names.size(); ++k) out += (k == 0 ? "" : k + 1 == names.size() ? " or " : ", ") + names[k];
  return out;
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

/// "a, b or c".
std::string choices_text(const std::vector<std::string>& names) { return list_text(names); }

/// The word for a Choice key's values in messages ("unknown initial state 'x' (expected ...)").
std::string choice_noun(const ModelKey& k) {
  if (k.leaf() == "initial" || k.name.ends_with("init.kind")) return "initial state";
  if (k.name.ends_with("trap.kind") || k.name.ends_with("potential.kind")) return "potential";
  return "value";
}

/// Read one key of the schema from table `t` (at `path`), if present.
void read_key(const TomlReader& r, const toml::table& t, const std::string& path, const ModelKey& k, Model& m) {
  const std::string leaf = k.leaf();
  if (t.get(leaf) == nullptr) {
    if (k.default_text.starts_with("**required**"))
      r.fail(k.name, k.type == KeyType::Choice && choice_noun(k) == "potential" ? "missing (" + choices_text(k.choices) + ")" : "missing");
    return;
  }
  std::string text;
  switch (k.type) {
    case KeyType::Real: r.number(t, path, leaf, k.real(m)); break;
    case KeyType::Integer: r.integer(t, path, leaf, k.integer(m)); break;
    case KeyType::Bool: r.boolean(t, path, leaf, k.boolean(m)); break;
    case KeyType::String: r.string(t, path, leaf, text); k.set_text(m, text); break;
    case KeyType::Path:
      r.string(t, path, leaf, text);
      k.set_text(m, text.empty() ? text : r.resolve(text));
      break;
    case KeyType::Choice:
      r.string(t, path, leaf, text);
      if (std::find(k.choices.begin(), k.choices.end(), text) == k.choices.end())
        r.fail(k.name, "unknown " + choice_noun(k) + " '" + text + "' (expected " + choices_text(k.choices) + ")");
      k.set_text(m, text);
      break;
    case KeyType::Reals: r.numbers(t, path, leaf, k.reals(m)); break;
    case KeyType::Sites: r.integer_list(t, path, leaf, k.integers(m)); break;
    case KeyType::Table: table_values(r, t, path, leaf, k.reals(m)); break;
  }
}

/// Read the table at `path` and, recursively, its sub-tables: every key must be a key of the schema
/// in this section or the name of a section below it.
void read_section(const TomlReader& r, const toml::table& t, const std::string& path, Model& m) {
  std::vector<std::string> allowed;
  auto allow = [&](const std::string& name) {
    if (std::find(allowed.begin(), allowed.end(), name) == allowed.end()) allowed.push_back(name);
  };
  const std::string prefix = path.empty() ? "" : path + ".";
  for (const ModelKey& k : model_schema()) {
    if (k.section() == path) allow(k.leaf());
    else if (k.name.starts_with(prefix)) allow(k.name.substr(prefix.size(), k.name.find('.', prefix.size()) - prefix.size()));
  }
  r.check_keys(t, path, allowed);
  for (const std::string& name : allowed) {
    if (find_model_key(join_key(path, name)) != nullptr) continue;
    if (const toml::table* sub = r.table(t, path, name)) read_section(r, *sub, join_key(path, name), m);
  }
  for (const ModelKey& k : model_schema())
    if (k.section() == path) read_key(r, t, path, k, m);
}

Model read_model(const TomlReader& r, const toml::table& root) {
  Model m;
  m.source = r.file();
  m.name = fs::path(r.file()).stem().string();
  read_section(r, root, "", m);
  const toml::node* out = root.at_path("output.file").node();
  if (out == nullptr) m.output = "results/" + m.name + ".h5";
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

void check_init(const Checker& c, const InitSpec& s, const Lattice& lat, const std::string& path, Index orbitals) {
  c.per_axis(s.centre, lat.dim(), path + ".centre");
  c.per_axis(s.momentum, lat.dim(), path + ".momentum");
  if (s.kind == InitKind::File && orbitals > 0) check_init_file(c, s, lat.sites(), 2 * orbitals, path + ".file");
}

void check_species(const Checker& c, const SpeciesSpec& s, const Lattice& lat, const std::string& path, bool bosons) {
  check_potential(c, s.trap, lat, path + ".trap");
  check_potential(c, s.potential, lat, path + ".potential");
  check_init(c, s.init, lat, path + ".init", bosons ? (s.number > 0 ? 1 : 0) : s.number);
  if (!bosons && s.max_per_site != 0)
    c.fail(path + ".max_per_site", "a per-site cap only applies to bosons (fermions have at most one per site)");
}

/// The f_0 table of vlasov.initial = "file": L rows of P numbers, P = prod over axes of the momentum points.
void check_vlasov_file(const Checker& c, const Model& m, Index L) {
  if (m.vlasov.file.empty()) c.fail("vlasov.file", "vlasov.initial = \"file\" needs a file name");
  Index P = 1;
  for (Index e : m.sites) P *= m.vlasov.momentum_points > 0 ? m.vlasov.momentum_points : 2 * e;
  std::vector<std::vector<double>> rows;
  try {
    rows = read_table_rows(m.vlasov.file, "", "vlasov.file");
  } catch (const InputError& e) {
    c.fail("vlasov.file", e.reason());
  }
  if (static_cast<Index>(rows.size()) != L)
    c.fail("vlasov.file", "file '" + m.vlasov.file + "' has " + std::to_string(rows.size()) + " rows, needs one per site (" + std::to_string(L) + ")");
  for (std::size_t i = 0; i < rows.size(); ++i)
    if (static_cast<Index>(rows[i].size()) != P)
      c.fail("vlasov.file", "file '" + m.vlasov.file + "' row " + std::to_string(i + 1) + " has " + std::to_string(rows[i].size()) +
                                " numbers, needs one per momentum (" + std::to_string(P) + ")");
}

void check_exact_footprint(const Checker& c, const Model& m, Index L, ExactMemoryCheck memory) {
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
  if (memory == ExactMemoryCheck::PerRankAtBuild) return;  // the distributed solver checks its ranks' blocks
  const double physical = physical_memory_bytes();
  const bool limited = m.exact.memory_limit_gib > 0;
  const double limit = limited ? m.exact.memory_limit_gib * 1073741824.0 : physical;
  const std::string sector = "the sector has D = D_F x D_B = " + std::to_string(f.dim_fermions) + " x " +
                             std::to_string(f.dim_bosons) + " = " + std::to_string(f.dim) + " states (" +
                             gib(f.state_bytes) + " per state vector)";
  const std::string advice = "; lower the particle numbers or the grid, or set exact.enabled = false";
  const std::string with = f.propagator == PropagatorKind::Lanczos ? "Lanczos, Krylov dimension " + std::to_string(f.krylov_dim)
                                                                   : "the memory-lean Chebyshev propagator, 4 state vectors";
  if (!f.fits)
    c.fail("exact", sector + ": the exact solver needs at least " + gib(f.total_bytes) + " (" + with + ") but the limit is " +
                        gib(limit) + (limited ? " (exact.memory_limit_gib)" : " (physical memory)") + advice);
  if (f.total_bytes > physical)
    c.fail("exact", sector + ": the exact solver needs " + gib(f.total_bytes) + " (" + with + ") but this machine has " +
                        gib(physical) + " of physical memory" + advice);
}

}  // namespace


namespace {

/// Most Hartree–Hartree steps a run may take (time.final / hartree.dt).
constexpr double max_hartree_steps = 1e9;

/// The one-body operators the solvers will use are finite, and small enough that their spectra (and
/// squares, in the propagators) stay finite: |A|_inf bounds every eigenvalue.
void check_operators(const Checker& c, const Model& m) {
  std::optional<ModelOperators> ops;
  try {
    ops.emplace(build_operators(m));
  } catch (const InputError& e) {
    c.fail(e.key().empty() ? "grid" : e.key(), e.reason());
  }
  auto check = [&](const arma::mat& A, const std::string& key, const char* what) {
    const double size = A.is_finite() ? arma::norm(A, "inf") : std::numeric_limits<double>::infinity();
    if (!(size <= 1e150))
      c.fail(key, std::string(what) + " is not finite or too large (max row sum " + num(size) + ", at most 1e150)");
  };
  check(ops->kinetic_F, "fermions.mass", "the fermion kinetic energy hbar^2/(2 m_F)(-Delta_h) (with physics.hbar, grid.spacing)");
  check(ops->kinetic_B, "bosons.mass", "the boson kinetic energy hbar^2/(2 m_B)(-Delta_h) (with physics.hbar, grid.spacing)");
  check(arma::mat(ops->potential_F), "fermions.potential", "the fermion potential");
  check(arma::mat(ops->potential_B), "bosons.potential", "the boson potential");
  check(arma::mat(ops->trap_F), "fermions.trap", "the fermion preparation trap");
  check(arma::mat(ops->trap_B), "bosons.trap", "the boson preparation trap");
  check(std::abs(m.lambda) * ops->V, "interaction", "the interaction lambda V (physics.lambda, interaction.amplitude)");
}

}  // namespace

void validate(const Model& m, ExactMemoryCheck memory) {
  const Checker c(m);
  if (m.name.empty()) c.fail("name", "must not be empty");
  if (m.name.find_first_of("/\\") != std::string::npos || m.name.find("..") != std::string::npos)
    c.fail("name", "must not contain '/', '\\' or '..' (it names the default output file results/NAME.h5), got '" + m.name + "'");
  // every key's own range (the schema); then what needs several keys
  for (const ModelKey& k : model_schema())
    if (const auto reason = k.out_of_range(m)) c.fail(k.name, *reason);

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
  std::optional<Lattice> lattice;
  try {
    lattice.emplace(m.sites, m.spacing);
  } catch (const InputError& e) {
    c.fail(e.key(), e.reason());
  }
  const Lattice& lat = *lattice;

  // [physics], [interaction]
  const InteractionSpec& v = m.interaction;
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
  if (!(m.t_final / m.output_every < max_output_times))
    c.fail("time.output_every", "time.final / time.output_every = " + num(m.t_final / m.output_every) +
                                    " output times, more than " + num(max_output_times));

  // [exact], [hartree], [output]
  if (m.output.empty()) c.fail("output.file", "must not be empty");
  if (m.vlasov.enabled && m.vlasov.initial == VlasovInitial::File) check_vlasov_file(c, m, L);
  if (m.vlasov.momentum_points == 1) c.fail("vlasov.momentum_points", "must be 0 (the default 2 L_a) or >= 2, got 1");
  if (m.vlasov.enabled && m.fermions.number < 1)
    c.fail("vlasov.enabled", "the Vlasov–Hartree solver needs fermions (f is normalised per fermion), fermions.number = 0");
  if (m.fluct.boson_cutoff > 255) c.fail("fluct.boson_cutoff", "must be at most 255, got " + std::to_string(m.fluct.boson_cutoff));
  if (m.exact.initial == ExactInitial::Coherent && !(m.exact.coherent_tolerance < 1.0))
    c.fail("exact.coherent_tolerance", "must be below 1 (it is a neglected probability), got " + num(m.exact.coherent_tolerance));

  if (m.hartree.enabled && !(m.t_final / m.hartree.dt <= max_hartree_steps))
    c.fail("hartree.dt", "time.final / hartree.dt = " + num(m.t_final / m.hartree.dt) + " steps, more than " + num(max_hartree_steps));

  check_operators(c, m);
  // Last, since it needs everything above: the exact sector must fit.
  if (m.exact.enabled) check_exact_footprint(c, m, L, memory);
}

Model load_model(const std::string& path, ExactMemoryCheck memory) {
  std::error_code ec;
  if (!fs::exists(path, ec)) throw InputError(path, "", "no such model file");
  if (fs::is_directory(path, ec)) throw InputError(path, "", "is a directory, not a model file");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path, "", "cannot open the model file");
  std::ostringstream text;
  text << in.rdbuf();

  const toml::table root = detail::parse_toml(text.str(), path);
  Model m = read_model(detail::TomlReader(path), root);
  validate(m, memory);
  return m;
}

}  // namespace fockmix
