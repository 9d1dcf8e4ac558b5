#include "fockmix/io/model_h5.hpp"

#include <cstdint>
#include <string>
#include <vector>

#include "fockmix/io/h5.hpp"
#include "fockmix/model/model_schema.hpp"

namespace fockmix {

namespace {

std::vector<std::int64_t> as_int64(const std::vector<Index>& v) { return {v.begin(), v.end()}; }

}  // namespace

void write_model_attributes(const Model& m, const h5::Group& g) {
  g.set_attr("source", m.source);
  Model& mm = const_cast<Model&>(m);  // the schema's accessors only read here
  for (const ModelKey& k : model_schema()) {
    switch (k.type) {
      case KeyType::Real: g.set_attr(k.name, k.real(mm)); break;
      case KeyType::Integer: g.set_attr(k.name, static_cast<std::int64_t>(k.integer(mm))); break;
      case KeyType::Bool: g.set_attr(k.name, k.boolean(mm)); break;
      case KeyType::String:
      case KeyType::Choice: g.set_attr(k.name, k.get_text(m)); break;
      case KeyType::Path:
        if (!k.get_text(m).empty()) g.set_attr(k.name, k.get_text(m));
        break;
      case KeyType::Reals:
      case KeyType::Table:
        if (!k.reals(mm).empty()) g.set_attr(k.name, k.reals(mm));
        break;
      case KeyType::Sites: g.set_attr(k.name, as_int64(k.integers(mm))); break;
    }
  }
}

bool model_echo_matches(const h5::Group& g, const Model& m) { return model_echo_difference(g, m).empty(); }

std::string model_echo_difference(const h5::Group& g, const Model& m) {
  Model& mm = const_cast<Model&>(m);
  for (const ModelKey& k : model_schema()) {
    if (!k.physics) continue;
    switch (k.type) {
      case KeyType::Real:
        if (g.attr_double(k.name) != k.real(mm)) return k.name;
        break;
      case KeyType::Integer:
        if (g.attr_int(k.name) != k.integer(mm)) return k.name;
        break;
      case KeyType::Bool:
        if (g.attr_bool(k.name) != k.boolean(mm)) return k.name;
        break;
      case KeyType::String:
      case KeyType::Choice:
      case KeyType::Path: {
        const std::string v = k.get_text(m);
        if (k.type == KeyType::Path && v.empty()) {
          if (g.has_attr(k.name)) return k.name;
        } else if (g.attr_string(k.name) != v) {
          return k.name;
        }
        break;
      }
      case KeyType::Reals:
      case KeyType::Table: {
        const std::vector<double>& v = k.reals(mm);
        if (v.empty() ? g.has_attr(k.name) : g.attr_doubles(k.name) != v) return k.name;
        break;
      }
      case KeyType::Sites:
        if (g.attr_ints(k.name) != as_int64(k.integers(mm))) return k.name;
        break;
    }
  }
  return "";
}

}  // namespace fockmix
