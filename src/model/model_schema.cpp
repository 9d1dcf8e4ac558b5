#include "fockmix/model/model_schema.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>

namespace fockmix {

namespace {

/// A row of the schema (the field accessor is set by the caller).
ModelKey row(std::string name, KeyType type, std::string type_text, std::string dflt, std::string range_text, std::string doc,
             KeyRange range, std::vector<std::string> choices, bool physics) {
  ModelKey k;
  k.name = std::move(name);
  k.type = type;
  k.type_text = std::move(type_text);
  k.default_text = std::move(dflt);
  k.range_text = std::move(range_text);
  k.doc = std::move(doc);
  k.range = range;
  k.choices = std::move(choices);
  k.physics = physics;
  return k;
}

// Row builders: one line per key below. `doc` is the meaning column of models/README.md, shortened.

ModelKey real(std::string name, double& (*get)(Model&), std::string dflt, KeyRange range, std::string range_text, std::string doc,
              bool physics = true) {
  ModelKey k = row(std::move(name), KeyType::Real, "real", std::move(dflt), std::move(range_text), std::move(doc), range, {}, physics);
  k.real = get;
  return k;
}

ModelKey integer(std::string name, Index& (*get)(Model&), std::string dflt, KeyRange range, std::string range_text, std::string doc,
                 bool physics = true) {
  ModelKey k = row(std::move(name), KeyType::Integer, "integer", std::move(dflt), std::move(range_text), std::move(doc), range, {}, physics);
  k.integer = get;
  return k;
}

ModelKey boolean(std::string name, bool& (*get)(Model&), std::string dflt, std::string doc) {
  ModelKey k = row(std::move(name), KeyType::Bool, "bool", std::move(dflt), "", std::move(doc), KeyRange::Any, {}, false);
  k.boolean = get;
  return k;
}

/// A Choice key backed by an enum: `names` in enum order (the value's index is the enum value).
template <class E>
ModelKey choice(std::string name, E& (*get)(Model&), std::vector<std::string> names, std::string dflt, std::string doc,
                bool physics = true) {
  std::string range;
  for (std::size_t i = 0; i < names.size(); ++i) range += (i ? ", `" : "`") + names[i] + "`";
  ModelKey k = row(std::move(name), KeyType::Choice, "string", std::move(dflt), range, std::move(doc), KeyRange::Any, names, physics);
  k.get_text = [get, names](const Model& m) { return names.at(static_cast<std::size_t>(get(const_cast<Model&>(m)))); };
  k.set_text = [get, names](Model& m, const std::string& s) {
    for (std::size_t i = 0; i < names.size(); ++i)
      if (names[i] == s) get(m) = static_cast<E>(i);
  };
  return k;
}

ModelKey reals(std::string name, KeyType type, std::vector<double>& (*get)(Model&), std::string type_text, std::string dflt,
               std::string range_text, std::string doc) {
  ModelKey k = row(std::move(name), type, std::move(type_text), std::move(dflt), std::move(range_text), std::move(doc), KeyRange::Finite, {}, true);
  k.reals = get;
  return k;
}

const std::vector<std::string> potential_names{"none", "harmonic", "cosine", "gaussian", "table"};
const std::vector<std::string> init_names{"trap", "plane_waves", "packet", "hartree", "file"};

// The species keys, for `s` = "fermions" or "bosons": the same rows, reached through the species.
using SpeciesOf = SpeciesSpec& (*)(Model&);
SpeciesSpec& fermions_of(Model& m) { return m.fermions; }
SpeciesSpec& bosons_of(Model& m) { return m.bosons; }

void add_potential(std::vector<ModelKey>& out, const std::string& path, PotentialSpec& (*get)(Model&)) {
  std::string range;
  for (std::size_t i = 0; i < potential_names.size(); ++i) range += (i ? ", `" : "`") + potential_names[i] + "`";
  ModelKey kind = row(path + ".kind", KeyType::Choice, "string", "**required**", range, "form of U (SPEC §2)", KeyRange::Any, potential_names, true);
  kind.get_text = [get](const Model& m) { return potential_names.at(static_cast<std::size_t>(get(const_cast<Model&>(m)).kind)); };
  kind.set_text = [get](Model& m, const std::string& s) {
    for (std::size_t i = 0; i < potential_names.size(); ++i)
      if (potential_names[i] == s) get(m).kind = static_cast<PotentialKind>(i);
  };
  out.push_back(kind);
  ModelKey strength = real(path + ".strength", nullptr, "`0.0`", KeyRange::Finite, "finite", "kappa (harmonic, cosine) or amplitude (gaussian)");
  strength.real = [get](Model& m) -> double& { return get(m).strength; };
  out.push_back(strength);
  ModelKey centre = reals(path + ".centre", KeyType::Reals, nullptr, "array of d reals", "box centre ell_a / 2", "exactly d finite entries", "c");
  centre.reals = [get](Model& m) -> std::vector<double>& { return get(m).centre; };
  out.push_back(centre);
  ModelKey width = real(path + ".width", nullptr, "`1.0`", KeyRange::Any, "> 0 (gaussian)", "w");
  width.real = [get](Model& m) -> double& { return get(m).width; };
  out.push_back(width);
  ModelKey table = reals(path + ".table", KeyType::Table, nullptr, "array of L reals, or string (file name)", "none",
                         "exactly L finite values", "U at every site (row-major)");
  table.reals = [get](Model& m) -> std::vector<double>& { return get(m).table; };
  out.push_back(table);
}

template <SpeciesOf S>
void add_species(std::vector<ModelKey>& out, const std::string& s, bool bosons) {
  auto key = [&](ModelKey k) { out.push_back(std::move(k)); };
  ModelKey number = integer(s + ".number", nullptr, "`0`", KeyRange::NonNegative, ">= 0; fermions M <= L; M + N > 0", "M (fermions) or N (bosons)");
  number.integer = [](Model& m) -> Index& { return S(m).number; };
  key(number);
  ModelKey mass = real(s + ".mass", nullptr, "`0.5`", KeyRange::Positive, "> 0", "m_s in K_s = hbar^2 / (2 m_s) (-Delta_h)");
  mass.real = [](Model& m) -> double& { return S(m).mass; };
  key(mass);
  if (bosons) {
    ModelKey cap = integer(s + ".max_per_site", nullptr, "`0`", KeyRange::NonNegative, ">= 0, and n_max L >= N",
                           "per-site cap n_max on the exact boson basis (0 = no cap)");
    cap.integer = [](Model& m) -> Index& { return S(m).max_per_site; };
    key(cap);
  }
  add_potential(out, s + ".trap", +[](Model& m) -> PotentialSpec& { return S(m).trap; });
  add_potential(out, s + ".potential", +[](Model& m) -> PotentialSpec& { return S(m).potential; });
  const std::string p = s + ".init";
  std::vector<std::string> kinds = init_names;
  if (bosons) kinds.erase(kinds.begin() + 1);  // plane waves are a fermion recipe (SPEC §3)
  ModelKey kind = choice<InitKind>(p + ".kind", +[](Model& m) -> InitKind& { return S(m).init.kind; }, init_names,
                                   "**required** (the table's default is `trap`)", "source of the initial one-body states (SPEC §3)");
  kind.choices = kinds;
  kind.range_text = "fermions: `trap`, `plane_waves`, `packet`, `hartree`, `file`; bosons: `trap`, `packet`, `hartree`, `file`";
  key(kind);
  ModelKey centre = reals(p + ".centre", KeyType::Reals, nullptr, "array of d reals", "box centre", "exactly d finite entries", "packet centre");
  centre.reals = [](Model& m) -> std::vector<double>& { return S(m).init.centre; };
  key(centre);
  ModelKey width = real(p + ".width", nullptr, "`1.0`", KeyRange::Positive, "> 0", "packet width");
  width.real = [](Model& m) -> double& { return S(m).init.width; };
  key(width);
  ModelKey momentum = reals(p + ".momentum", KeyType::Reals, nullptr, "array of d reals", "zero", "exactly d finite entries",
                            "momentum kick p (states times e^{i p.x / hbar})");
  momentum.reals = [](Model& m) -> std::vector<double>& { return S(m).init.momentum; };
  key(momentum);
  ModelKey file = row(p + ".file", KeyType::Path, "string", "none", "an existing file of the right shape", "text file with the states", KeyRange::Any, {}, true);
  file.get_text = [](const Model& m) { return S(const_cast<Model&>(m)).init.file; };
  file.set_text = [](Model& m, const std::string& v) { S(m).init.file = v; };
  key(file);
}

void add_top(std::vector<ModelKey>& k) {
  ModelKey name = row("name", KeyType::String, "string", "the file name without `.toml`", "non-empty", "run name, used in messages and in the default output file", KeyRange::Any, {}, false);
  name.get_text = [](const Model& m) { return m.name; };
  name.set_text = [](Model& m, const std::string& v) { m.name = v; };
  k.push_back(name);
}

/// [grid]
void add_grid(std::vector<ModelKey>& k) {
  ModelKey sites = row("grid.sites", KeyType::Sites, "integer or array of 1–3 integers", "`[8]`", "each >= 1", "points per axis L_a", KeyRange::Any, {}, true);
  sites.integers = [](Model& m) -> std::vector<Index>& { return m.sites; };
  k.push_back(sites);
  k.push_back(real("grid.spacing", +[](Model& m) -> double& { return m.spacing; }, "`1.0`", KeyRange::Positive, "> 0", "lattice spacing h"));
  k.push_back(choice<KineticKind>("grid.kinetic", +[](Model& m) -> KineticKind& { return m.kinetic; }, {"hopping", "spectral"}, "`\"hopping\"`",
                                  "discretisation of -Delta (SPEC §2)"));
}

/// [physics]
void add_physics(std::vector<ModelKey>& k) {
  k.push_back(real("physics.hbar", +[](Model& m) -> double& { return m.hbar; }, "`1.0`", KeyRange::Positive, "> 0", "Planck's constant"));
  k.push_back(real("physics.lambda", +[](Model& m) -> double& { return m.lambda; }, "`0.0`", KeyRange::Finite, "any finite",
                   "coupling lambda of the Bose–Fermi interaction"));
}

/// [interaction]
void add_interaction(std::vector<ModelKey>& k) {
  k.push_back(choice<InteractionKind>("interaction.kind", +[](Model& m) -> InteractionKind& { return m.interaction.kind; },
                                      {"gaussian", "cosine", "constant", "softcoulomb", "table"}, "`\"gaussian\"`", "shape of V"));
  k.push_back(real("interaction.amplitude", +[](Model& m) -> double& { return m.interaction.amplitude; }, "`1.0`", KeyRange::Finite, "finite", "A"));
  k.push_back(real("interaction.width", +[](Model& m) -> double& { return m.interaction.width; }, "`1.0`", KeyRange::Any, "> 0", "w (gaussian)"));
  k.push_back(real("interaction.epsilon", +[](Model& m) -> double& { return m.interaction.epsilon; }, "`1.0`", KeyRange::Any, "> 0",
                   "eps (softcoulomb)"));
  k.push_back(reals("interaction.table", KeyType::Table, +[](Model& m) -> std::vector<double>& { return m.interaction.table; },
                    "array of L reals, or string (file name)", "none", "exactly L finite values", "V at the displacement r = position of site s"));
}

/// [fermions], [bosons]
void add_fermions_bosons(std::vector<ModelKey>& k) {
  add_species<fermions_of>(k, "fermions", false);
  add_species<bosons_of>(k, "bosons", true);
}

/// [time]
void add_time(std::vector<ModelKey>& k) {
  k.push_back(real("time.final", +[](Model& m) -> double& { return m.t_final; }, "`1.0`", KeyRange::NonNegative, ">= 0", "horizon T"));
  k.push_back(real("time.output_every", +[](Model& m) -> double& { return m.output_every; }, "`0.1`", KeyRange::Positive,
                   "> 0, at most 10^7 outputs", "output interval"));
}

/// [exact]
void add_exact(std::vector<ModelKey>& k) {
  k.push_back(boolean("exact.enabled", +[](Model& m) -> bool& { return m.exact.enabled; }, "`true`", "run the exact solver"));
  k.push_back(real("exact.tolerance", +[](Model& m) -> double& { return m.exact.tolerance; }, "`1e-10`", KeyRange::Positive, "> 0",
                   "Krylov error per unit time"));
  k.push_back(integer("exact.krylov_dim", +[](Model& m) -> Index& { return m.exact.krylov_dim; }, "`30`", KeyRange::AtLeast4, ">= 4",
                      "maximal Krylov subspace dimension", false));
  k.push_back(choice<ExactInitial>("exact.initial", +[](Model& m) -> ExactInitial& { return m.exact.initial; }, {"product", "ground_state", "coherent"},
                                   "`\"product\"`", "initial state of the exact solver"));
  k.push_back(real("exact.memory_limit_gib", +[](Model& m) -> double& { return m.exact.memory_limit_gib; }, "`4.0`", KeyRange::NonNegative,
                   ">= 0", "cap on the solver's memory in GiB (0 = all physical memory)", false));
  k.push_back(choice<PropagatorPreference>("exact.propagator", +[](Model& m) -> PropagatorPreference& { return m.exact.propagator; },
                                           {"auto", "lanczos", "chebyshev"}, "`\"auto\"`",
                                           "Lanczos (Krylov basis) or the memory-lean Chebyshev expansion", false));
  k.push_back(real("exact.coherent_tolerance", +[](Model& m) -> double& { return m.exact.coherent_tolerance; }, "`1e-10`", KeyRange::Positive,
                   "> 0", "`coherent`: largest neglected Poisson weight of the boson-number window"));
}

/// [hartree]
void add_hartree(std::vector<ModelKey>& k) {
  k.push_back(boolean("hartree.enabled", +[](Model& m) -> bool& { return m.hartree.enabled; }, "`true`", "run the Hartree–Hartree solver"));
  k.push_back(real("hartree.dt", +[](Model& m) -> double& { return m.hartree.dt; }, "`0.01`", KeyRange::Positive, "> 0", "time step of the integrator"));
  k.push_back(choice<HartreeScheme>("hartree.scheme", +[](Model& m) -> HartreeScheme& { return m.hartree.scheme; }, {"midpoint2", "triple_jump4"},
                                    "`\"midpoint2\"`", "the integrator (docs/hartree.md)"));
  k.push_back(real("hartree.tolerance", +[](Model& m) -> double& { return m.hartree.tolerance; }, "`1e-12`", KeyRange::Positive, "> 0",
                   "fixed-point tolerance of each (sub)step"));
}

/// [vlasov]
void add_vlasov(std::vector<ModelKey>& k) {
  k.push_back(boolean("vlasov.enabled", +[](Model& m) -> bool& { return m.vlasov.enabled; }, "`false`", "run the Vlasov–Hartree solver"));
  k.push_back(integer("vlasov.momentum_points", +[](Model& m) -> Index& { return m.vlasov.momentum_points; }, "`0`", KeyRange::NonNegative,
                      "0 or >= 2", "momentum points per axis (0 = 2 L_a)"));
  k.push_back(real("vlasov.momentum_box", +[](Model& m) -> double& { return m.vlasov.momentum_box; }, "`0.0`", KeyRange::NonNegative, ">= 0",
                   "`spectral`: half-width P of the momentum box (0 = the Brillouin zone)"));
  k.push_back(real("vlasov.dt", +[](Model& m) -> double& { return m.vlasov.dt; }, "`0.01`", KeyRange::Positive, "> 0", "time step"));
  k.push_back(choice<VlasovScheme>("vlasov.scheme", +[](Model& m) -> VlasovScheme& { return m.vlasov.scheme; }, {"strang2", "triple_jump4"},
                                   "`\"strang2\"`", "the integrator (docs/vlasov.md)"));
  k.push_back(choice<VlasovInitial>("vlasov.initial", +[](Model& m) -> VlasovInitial& { return m.vlasov.initial; }, {"wigner", "thomas_fermi", "file"},
                                    "`\"wigner\"`", "f_0: the Wigner transform of omega_0, the Thomas–Fermi state, or a file"));
  ModelKey file = row("vlasov.file", KeyType::Path, "string", "none", "a table of L rows and P columns", "`file`: f_0 on sites x momenta",
                      KeyRange::Any, {}, true);
  file.get_text = [](const Model& m) { return m.vlasov.file; };
  file.set_text = [](Model& m, const std::string& v) { m.vlasov.file = v; };
  k.push_back(file);
}

/// [fluct]
void add_fluct(std::vector<ModelKey>& k) {
  k.push_back(boolean("fluct.enabled", +[](Model& m) -> bool& { return m.fluct.enabled; }, "`false`", "run the fluctuation dynamics"));
  k.push_back(integer("fluct.boson_cutoff", +[](Model& m) -> Index& { return m.fluct.boson_cutoff; }, "`8`", KeyRange::NonNegative,
                      "0 to 255", "K_B: boson quanta kept in the fluctuation Fock space"));
  k.push_back(real("fluct.cutoff", +[](Model& m) -> double& { return m.fluct.cutoff; }, "`-1.0`", KeyRange::Finite, "finite; < 0 = hbar M",
                   "c of chi = 1(N_B <= c) in the truncated generator"));
  k.push_back(real("fluct.dt", +[](Model& m) -> double& { return m.fluct.dt; }, "`0.01`", KeyRange::Positive, "> 0", "Magnus step"));
  k.push_back(choice<FluctScheme>("fluct.scheme", +[](Model& m) -> FluctScheme& { return m.fluct.scheme; }, {"midpoint2", "commutator_free4"},
                                  "`\"midpoint2\"`", "the Magnus integrator (docs/fluctuations.md)"));
  k.push_back(real("fluct.tolerance", +[](Model& m) -> double& { return m.fluct.tolerance; }, "`1e-12`", KeyRange::Positive, "> 0",
                   "Krylov error per unit time of each exponential"));
  k.push_back(real("fluct.top_shell_warning", +[](Model& m) -> double& { return m.fluct.top_shell_warning; }, "`1e-06`", KeyRange::Positive,
                   "> 0", "warn when the weight in the top boson shell exceeds this", false));
}

/// [output]
void add_output(std::vector<ModelKey>& k) {
  ModelKey file = row("output.file", KeyType::String, "string", "`\"results/NAME.h5\"`", "non-empty", "HDF5 output file", KeyRange::Any, {}, false);
  file.get_text = [](const Model& m) { return m.output; };
  file.set_text = [](Model& m, const std::string& v) { m.output = v; };
  k.push_back(file);
  k.push_back(integer("output.threads", +[](Model& m) -> Index& { return m.threads; }, "`0`", KeyRange::NonNegative, ">= 0",
                      "OpenMP threads (0 = all cores)", false));
  k.push_back(real("output.checkpoint_minutes", +[](Model& m) -> double& { return m.checkpoint_minutes; }, "`30.0`", KeyRange::NonNegative,
                   ">= 0", "wall-clock minutes between checkpoints for `fockmix run --resume` (0 = at every output time)", false));
}

std::vector<ModelKey> build_schema() {
  std::vector<ModelKey> k;
  add_top(k);
  add_grid(k);
  add_physics(k);
  add_interaction(k);
  add_fermions_bosons(k);
  add_time(k);
  add_exact(k);
  add_hartree(k);
  add_vlasov(k);
  add_fluct(k);
  add_output(k);
  return k;
}

}  // namespace

std::string ModelKey::section() const {
  const auto dot = name.rfind('.');
  return dot == std::string::npos ? "" : name.substr(0, dot);
}

std::string ModelKey::leaf() const {
  const auto dot = name.rfind('.');
  return dot == std::string::npos ? name : name.substr(dot + 1);
}

std::string ModelKey::text(const Model& m) const {
  Model& mm = const_cast<Model&>(m);  // the accessors only read here
  if (real) return fmt::format("{}", real(mm));
  if (integer) return std::to_string(integer(mm));
  if (boolean) return boolean(mm) ? "true" : "false";
  if (get_text) return get_text(m);
  if (reals) return fmt::format("[{}]", fmt::join(reals(mm), ","));
  if (integers) return fmt::format("[{}]", fmt::join(integers(mm), ","));
  return "";
}

std::optional<std::string> ModelKey::out_of_range(const Model& m) const {
  Model& mm = const_cast<Model&>(m);
  if (real) {
    const double x = real(mm);
    switch (range) {
      case KeyRange::Any: return std::nullopt;
      case KeyRange::Finite:
        if (!std::isfinite(x)) return fmt::format("must be a finite number, got {}", x);
        return std::nullopt;
      case KeyRange::Positive:
        if (!(x > 0.0) || !std::isfinite(x)) return fmt::format("must be a positive finite number, got {}", x);
        return std::nullopt;
      case KeyRange::NonNegative:
        if (!(x >= 0.0) || !std::isfinite(x)) return fmt::format("must be a finite number >= 0, got {}", x);
        return std::nullopt;
      case KeyRange::AtLeast4: return std::nullopt;
    }
  }
  if (integer) {
    const Index n = integer(mm);
    if (range == KeyRange::NonNegative && n < 0) return fmt::format("must be >= 0, got {}", n);
    if (range == KeyRange::AtLeast4 && n < 4) return fmt::format("must be >= 4, got {}", n);
    if (range == KeyRange::Positive && n < 1) return fmt::format("must be >= 1, got {}", n);
  }
  if (type == KeyType::Choice) {
    const std::string v = get_text(m);
    if (std::find(choices.begin(), choices.end(), v) == choices.end())
      return fmt::format("'{}' is not available here (expected {})", v, fmt::join(choices, ", "));
  }
  if (reals && range == KeyRange::Finite) {
    const auto& v = reals(mm);
    for (std::size_t i = 0; i < v.size(); ++i)
      if (!std::isfinite(v[i])) return fmt::format("entry {} is not finite ({})", i, v[i]);
  }
  return std::nullopt;
}

const std::vector<ModelKey>& model_schema() {
  static const std::vector<ModelKey> schema = build_schema();
  return schema;
}

const ModelKey* find_model_key(const std::string& name) {
  for (const ModelKey& k : model_schema())
    if (k.name == name) return &k;
  return nullptr;
}

std::string model_fingerprint(const Model& m) {
  std::string out;
  for (const ModelKey& k : model_schema())
    if (k.physics) out += k.name + "=" + k.text(m) + ";";
  return out;
}

}  // namespace fockmix
