// Extreme inputs do not crash: every real key of the model schema set to 1e308, -1e308 and 1e-300 in
// turn on models/default.toml (exact solver and Hartree–Hartree enabled) either is refused with an
// InputError naming the file and a key, or loads into a model whose one-body operators and their
// spectra are finite.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <toml++/toml.h>

#include "fockmix/core/error.hpp"
#include "fockmix/io/model.hpp"
#include "fockmix/model/model_operators.hpp"
#include "fockmix/model/model_schema.hpp"

namespace fs = std::filesystem;
using namespace fockmix;

namespace {

/// models/default.toml with the dotted `key` set to `value` (missing tables created).
std::string default_with(const std::string& key, double value) {
  toml::table root = toml::parse_file((fs::path(FOCKMIX_SOURCE_DIR) / "models" / "default.toml").string());
  toml::table* t = &root;
  std::string rest = key;
  for (std::size_t dot; (dot = rest.find('.')) != std::string::npos; rest = rest.substr(dot + 1)) {
    const std::string part = rest.substr(0, dot);
    if (!t->contains(part) || !(*t)[part].is_table()) t->insert_or_assign(part, toml::table{});
    t = (*t)[part].as_table();
  }
  t->insert_or_assign(rest, value);
  std::ostringstream out;
  out << root;
  return out.str();
}

bool spectrum_finite(const arma::mat& H) {
  arma::vec e;
  return arma::eig_sym(e, H) && e.is_finite();
}

TEST(ExtremeInputs, EveryRealKeyIsRefusedOrGivesFiniteOperators) {
  const fs::path dir = fs::path(FOCKMIX_BINARY_DIR) / "test_output" / "extreme_inputs";
  fs::create_directories(dir);
  int refused = 0, loaded = 0;
  for (const ModelKey& k : model_schema()) {
    if (k.type != KeyType::Real) continue;
    for (double value : {1e308, -1e308, 1e-300}) {
      const fs::path file = dir / "model.toml";
      std::ofstream(file) << default_with(k.name, value);
      SCOPED_TRACE(k.name + " = " + std::to_string(value));
      try {
        const Model m = load_model(file.string());
        const ModelOperators ops = build_operators(m);
        EXPECT_TRUE(ops.one_body_F().is_finite() && ops.one_body_B().is_finite() && ops.V.is_finite());
        EXPECT_TRUE(ops.trap_one_body_F().is_finite() && ops.trap_one_body_B().is_finite());
        EXPECT_TRUE(spectrum_finite(ops.one_body_F()) && spectrum_finite(ops.one_body_B()) && spectrum_finite(ops.V));
        EXPECT_TRUE(spectrum_finite(ops.trap_one_body_F()) && spectrum_finite(ops.trap_one_body_B()));
        ++loaded;
      } catch (const InputError& e) {
        EXPECT_EQ(e.file(), file.string()) << e.what();
        EXPECT_FALSE(e.key().empty()) << e.what();
        ++refused;
      }
    }
  }
  EXPECT_GT(refused, 0);
  EXPECT_GT(loaded, 0);
}

}  // namespace
