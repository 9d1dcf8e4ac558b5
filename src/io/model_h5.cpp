#include "fockmix/io/model_h5.hpp"

#include <cstdint>
#include <string>
#include <vector>

#include "fockmix/io/h5.hpp"

namespace fockmix {

namespace {

std::vector<std::int64_t> as_int64(const std::vector<Index>& v) { return {v.begin(), v.end()}; }

void write_potential(const h5::Group& g, const std::string& key, const PotentialSpec& p) {
  g.set_attr(key + ".kind", to_string(p.kind));
  g.set_attr(key + ".strength", p.strength);
  g.set_attr(key + ".width", p.width);
  if (!p.centre.empty()) g.set_attr(key + ".centre", p.centre);
  if (!p.table.empty()) g.set_attr(key + ".table", p.table);
}

void write_species(const h5::Group& g, const std::string& s, const SpeciesSpec& sp) {
  g.set_attr(s + ".number", static_cast<std::int64_t>(sp.number));
  g.set_attr(s + ".mass", sp.mass);
  write_potential(g, s + ".trap", sp.trap);
  write_potential(g, s + ".potential", sp.potential);
  g.set_attr(s + ".init.kind", to_string(sp.init.kind));
  if (!sp.init.centre.empty()) g.set_attr(s + ".init.centre", sp.init.centre);
  g.set_attr(s + ".init.width", sp.init.width);
  if (!sp.init.momentum.empty()) g.set_attr(s + ".init.momentum", sp.init.momentum);
  if (!sp.init.file.empty()) g.set_attr(s + ".init.file", sp.init.file);
  if (s == "bosons") g.set_attr(s + ".max_per_site", static_cast<std::int64_t>(sp.max_per_site));
}

}  // namespace

void write_model_attributes(const Model& m, const h5::Group& g) {
  g.set_attr("name", m.name);
  g.set_attr("source", m.source);
  g.set_attr("grid.sites", as_int64(m.sites));
  g.set_attr("grid.spacing", m.spacing);
  g.set_attr("grid.kinetic", to_string(m.kinetic));
  g.set_attr("physics.hbar", m.hbar);
  g.set_attr("physics.lambda", m.lambda);
  g.set_attr("interaction.kind", to_string(m.interaction.kind));
  g.set_attr("interaction.amplitude", m.interaction.amplitude);
  g.set_attr("interaction.width", m.interaction.width);
  g.set_attr("interaction.epsilon", m.interaction.epsilon);
  if (!m.interaction.table.empty()) g.set_attr("interaction.table", m.interaction.table);
  write_species(g, "fermions", m.fermions);
  write_species(g, "bosons", m.bosons);
  g.set_attr("time.final", m.t_final);
  g.set_attr("time.output_every", m.output_every);
  g.set_attr("exact.enabled", m.exact.enabled);
  g.set_attr("exact.tolerance", m.exact.tolerance);
  g.set_attr("exact.krylov_dim", static_cast<std::int64_t>(m.exact.krylov_dim));
  g.set_attr("exact.initial", std::string(m.exact.initial == ExactInitial::Product ? "product" : "ground_state"));
  g.set_attr("exact.memory_limit_gib", m.exact.memory_limit_gib);
  g.set_attr("hartree.enabled", m.hartree.enabled);
  g.set_attr("hartree.dt", m.hartree.dt);
  g.set_attr("hartree.scheme", to_string(m.hartree.scheme));
  g.set_attr("hartree.tolerance", m.hartree.tolerance);
  g.set_attr("output.file", m.output);
  g.set_attr("output.threads", static_cast<std::int64_t>(m.threads));
}

}  // namespace fockmix
