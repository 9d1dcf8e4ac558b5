// The model schema (model/model_schema.hpp) against models/README.md, and the echo, fingerprint and
// read paths that come from it.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "fockmix/io/h5.hpp"
#include "fockmix/io/model.hpp"
#include "fockmix/io/model_h5.hpp"
#include "fockmix/model/model_schema.hpp"

namespace {

using fockmix::Model;
using fockmix::ModelKey;
using fockmix::model_schema;

struct ReadmeRow {
  std::string type, default_text, range_text;
};

std::vector<std::string> cells(const std::string& line) {
  std::vector<std::string> out;
  std::string cell;
  for (std::size_t i = 1; i < line.size(); ++i) {
    if (line[i] == '|' && line[i - 1] != '\\') {
      const auto b = cell.find_first_not_of(' '), e = cell.find_last_not_of(' ');
      out.push_back(b == std::string::npos ? "" : cell.substr(b, e - b + 1));
      cell.clear();
    } else {
      cell += line[i];
    }
  }
  return out;
}

/// Every key row of the model tables of models/README.md, expanded to dotted keys (the species table
/// and the potential and init tables stand for both species and both potentials).
std::map<std::string, ReadmeRow> readme_keys() {
  std::ifstream in(std::string(FOCKMIX_SOURCE_DIR) + "/models/README.md");
  std::map<std::string, ReadmeRow> keys;
  std::vector<std::string> prefixes;
  bool active = false;
  std::string line;
  while (std::getline(in, line)) {
    if (line.starts_with("## Table and state files")) break;
    if (line.starts_with("## Top level")) prefixes = {""}, active = true;
    else if (line.starts_with("## `[fermions]` and `[bosons]`")) prefixes = {"fermions.", "bosons."};
    else if (line.starts_with("### Potential tables"))
      prefixes = {"fermions.trap.", "fermions.potential.", "bosons.trap.", "bosons.potential."};
    else if (line.starts_with("### Init tables")) prefixes = {"fermions.init.", "bosons.init."};
    else if (line.starts_with("## `[")) prefixes = {line.substr(5, line.find(']') - 5) + "."};
    if (!active || !line.starts_with("| `")) continue;
    const std::vector<std::string> c = cells(line);
    const std::string key = c[0].substr(1, c[0].size() - 2);
    if (c[1].find("table (below)") != std::string::npos) continue;  // the sub-tables themselves
    for (const std::string& p : prefixes) {
      if (line.find("**bosons only**") != std::string::npos && !p.starts_with("bosons")) continue;
      keys[p + key] = {c[1], c[2], c[3]};
    }
  }
  return keys;
}

}  // namespace

// models/README.md documents exactly the schema's keys, with the schema's type, default and range.
TEST(ModelSchema, ReadmeTablesMatchTheSchema) {
  const auto readme = readme_keys();
  ASSERT_GT(readme.size(), 40u);
  std::set<std::string> schema_names;
  for (const ModelKey& k : model_schema()) {
    schema_names.insert(k.name);
    const auto it = readme.find(k.name);
    ASSERT_NE(it, readme.end()) << k.name << " is not documented in models/README.md";
    EXPECT_EQ(it->second.type, k.type_text) << k.name;
    EXPECT_EQ(it->second.default_text, k.default_text) << k.name;
    EXPECT_EQ(it->second.range_text, k.range_text) << k.name;
  }
  for (const auto& [name, row] : readme) EXPECT_TRUE(schema_names.count(name)) << name << " is documented but not in the schema";
}

// The echo holds every key; a file recognises its own model and no model that differs in a physics key.
TEST(ModelSchema, EchoRoundTripAndFingerprint) {
  const Model m = fockmix::load_model(std::string(FOCKMIX_SOURCE_DIR) + "/models/default.toml");
  const std::string path = std::string(FOCKMIX_BINARY_DIR) + "/test_output/schema_echo.h5";
  {
    const fockmix::h5::File f = fockmix::h5::File::create(path);
    fockmix::write_model_attributes(m, f.root().group("model"));
  }
  const fockmix::h5::File f = fockmix::h5::File::open(path);
  const fockmix::h5::Group g = f.root().group("model");
  EXPECT_TRUE(fockmix::model_echo_matches(g, m));
  EXPECT_EQ(g.attr_double("physics.lambda"), m.lambda);
  EXPECT_EQ(g.attr_string("hartree.scheme"), "midpoint2");

  Model other = m;
  other.output = "elsewhere.h5";  // not physics
  other.threads = 3;
  other.checkpoint_minutes = 1.0;
  EXPECT_TRUE(fockmix::model_echo_matches(g, other));
  EXPECT_EQ(fockmix::model_fingerprint(other), fockmix::model_fingerprint(m));
  // each physics key, changed, is seen by both the echo check and the fingerprint
  for (const ModelKey& k : model_schema()) {
    if (!k.physics || !k.real) continue;
    Model changed = m;
    k.real(changed) += 0.125;
    EXPECT_FALSE(fockmix::model_echo_matches(g, changed)) << k.name;
    EXPECT_EQ(fockmix::model_echo_difference(g, changed), k.name);  // what `fockmix run --resume` names
    EXPECT_NE(fockmix::model_fingerprint(changed), fockmix::model_fingerprint(m)) << k.name;
  }
  other = m;
  other.bosons.trap.kind = fockmix::PotentialKind::Cosine;
  EXPECT_FALSE(fockmix::model_echo_matches(g, other));
  EXPECT_EQ(fockmix::model_echo_difference(g, other), "bosons.trap.kind");
}

// A key that is given in the file reaches the model, for every real key of the schema (written as a
// TOML dotted key on top of a small base model).
TEST(ModelSchema, EveryRealKeyIsRead) {
  const std::string dir = std::string(FOCKMIX_BINARY_DIR) + "/test_output";
  std::filesystem::create_directories(dir);
  const std::string base = "grid.sites = [6]\nfermions.number = 2\nbosons.number = 2\n";
  int checked = 0;
  for (const ModelKey& k : model_schema()) {
    if (!k.real) continue;
    Model defaults;
    const double value = k.real(defaults) == 0.0 ? 0.5 : 0.75 * k.real(defaults);  // in range for every real key
    std::ostringstream text;
    text.precision(17);
    text << k.name << " = " << value << "\n" << base;
    const std::string section = k.section();
    if (section.ends_with(".trap") || section.ends_with(".potential")) text << section << ".kind = \"gaussian\"\n";
    if (section.ends_with(".init")) text << section << ".kind = \"packet\"\n";
    const std::string path = dir + "/schema_read.toml";
    std::ofstream(path) << text.str();
    const Model m = fockmix::load_model(path);
    EXPECT_DOUBLE_EQ(k.real(const_cast<Model&>(m)), value) << k.name;
    ++checked;
  }
  EXPECT_GE(checked, 20);
}
