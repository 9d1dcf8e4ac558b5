// Model files: parsing of models/*.toml, every validation rule (SPEC §10), output times.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>

#include "fockmix/core/error.hpp"
#include "fockmix/model/footprint.hpp"
#include "fockmix/io/model.hpp"

namespace fs = std::filesystem;
using fockmix::InputError;
using fockmix::Model;

namespace {

fs::path tmp_dir() {
  const fs::path dir = fs::path(FOCKMIX_BINARY_DIR) / "test_io_tmp" / "model";
  fs::create_directories(dir);
  return dir;
}

std::string write_file(const std::string& name, const std::string& text) {
  const fs::path p = tmp_dir() / name;
  std::ofstream(p) << text;
  return p.string();
}

/// A small valid model: L = 6, M = N = 2.
const std::string base = R"(name = "base"
[grid]
sites = [6]
spacing = 1.0
[physics]
hbar = 1.0
lambda = 0.5
[interaction]
kind = "gaussian"
amplitude = 1.0
width = 1.0
[fermions]
number = 2
mass = 0.5
trap = { kind = "harmonic", strength = 0.2 }
[bosons]
number = 2
mass = 0.5
trap = { kind = "harmonic", strength = 0.2 }
[time]
final = 1.0
output_every = 0.25
[exact]
enabled = true
)";

/// `text` with the unique occurrence of `from` replaced by `to`.
std::string with(std::string text, const std::string& from, const std::string& to) {
  const auto pos = text.find(from);
  EXPECT_NE(pos, std::string::npos) << "test bug: '" << from << "' not in the model text";
  EXPECT_EQ(text.find(from, pos + 1), std::string::npos) << "test bug: '" << from << "' is not unique";
  if (pos != std::string::npos) text.replace(pos, from.size(), to);
  return text;
}

/// Loading `text` must throw InputError naming the file and `key` (and `fragment` in the reason).
void expect_input_error(const std::string& name, const std::string& text, const std::string& key,
                        const std::string& fragment = "") {
  SCOPED_TRACE(name);
  const std::string path = write_file(name + ".toml", text);
  EXPECT_THROW(fockmix::load_model(path), InputError);
  try {
    fockmix::load_model(path);
  } catch (const InputError& e) {
    const std::string what = e.what();
    EXPECT_EQ(e.file(), path) << what;
    EXPECT_EQ(e.key(), key) << what;
    EXPECT_NE(what.find(path), std::string::npos) << what;
    EXPECT_NE(what.find(key), std::string::npos) << what;
    if (!fragment.empty()) {
      EXPECT_NE(e.reason().find(fragment), std::string::npos) << what;
    }
  } catch (const std::exception& e) {
    ADD_FAILURE() << "not an InputError: " << e.what();
  }
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// The shipped models

TEST(Model, DefaultModelParses) {
  const std::string path = std::string(FOCKMIX_SOURCE_DIR) + "/models/default.toml";
  const Model m = fockmix::load_model(path);
  EXPECT_EQ(m.source, path);
  EXPECT_EQ(m.name, "default");
  EXPECT_EQ(m.sites, std::vector<fockmix::Index>{10});
  EXPECT_EQ(m.spacing, 1.0);
  EXPECT_EQ(m.kinetic, fockmix::KineticKind::Hopping);
  EXPECT_EQ(m.hbar, 1.0);
  EXPECT_NEAR(m.lambda, 1.0 / 3.0, 1e-15);  // microscopic regime: lambda = 1/N
  EXPECT_EQ(m.interaction.kind, fockmix::InteractionKind::Gaussian);
  EXPECT_EQ(m.interaction.amplitude, 1.0);
  EXPECT_EQ(m.interaction.width, 1.0);
  EXPECT_EQ(m.fermions.number, 3);
  EXPECT_EQ(m.bosons.number, 3);
  EXPECT_EQ(m.fermions.mass, 0.5);
  EXPECT_EQ(m.bosons.mass, 0.5);
  EXPECT_EQ(m.bosons.max_per_site, 0);
  EXPECT_EQ(m.fermions.trap.kind, fockmix::PotentialKind::Harmonic);
  EXPECT_EQ(m.fermions.trap.strength, 0.2);
  EXPECT_TRUE(m.fermions.trap.centre.empty());
  EXPECT_EQ(m.bosons.trap.kind, fockmix::PotentialKind::Harmonic);
  EXPECT_EQ(m.fermions.potential.kind, fockmix::PotentialKind::None);
  EXPECT_EQ(m.bosons.potential.kind, fockmix::PotentialKind::None);
  EXPECT_EQ(m.fermions.init.kind, fockmix::InitKind::Trap);
  EXPECT_EQ(m.bosons.init.kind, fockmix::InitKind::Trap);
  EXPECT_EQ(m.t_final, 4.0);
  EXPECT_EQ(m.output_every, 0.1);
  EXPECT_TRUE(m.exact.enabled);
  EXPECT_EQ(m.exact.tolerance, 1e-10);
  EXPECT_EQ(m.exact.krylov_dim, 30);
  EXPECT_EQ(m.exact.initial, fockmix::ExactInitial::Product);
  EXPECT_EQ(m.exact.memory_limit_gib, 4.0);
  EXPECT_TRUE(m.hartree.enabled);
  EXPECT_EQ(m.hartree.dt, 0.01);
  EXPECT_EQ(m.output, "results/default.h5");
  EXPECT_EQ(m.threads, 0);
  const auto times = m.output_times();
  ASSERT_EQ(times.size(), 41u);
  EXPECT_EQ(times.front(), 0.0);
  EXPECT_EQ(times.back(), 4.0);
  EXPECT_NEAR(times[7], 0.7, 1e-14);
}

TEST(Model, OtherShippedModelsParse) {
  const Model m2 = fockmix::load_model(std::string(FOCKMIX_SOURCE_DIR) + "/models/trap2d.toml");
  EXPECT_EQ(m2.sites, (std::vector<fockmix::Index>{4, 4}));
  EXPECT_EQ(m2.kinetic, fockmix::KineticKind::Spectral);
  EXPECT_EQ(m2.fermions.number, 3);
  EXPECT_EQ(m2.bosons.number, 3);
  EXPECT_EQ(fockmix::exact_footprint(m2).dim, 560 * 816);

  const Model large = fockmix::load_model(std::string(FOCKMIX_SOURCE_DIR) + "/models/large.toml");
  EXPECT_EQ(large.sites, std::vector<fockmix::Index>{12});
  EXPECT_EQ(large.fermions.number, 6);
  EXPECT_EQ(large.bosons.number, 6);
  EXPECT_EQ(fockmix::exact_footprint(large).dim, 924 * 12376);
}

TEST(Model, DefaultsForAbsentKeys) {
  const std::string path = write_file("minimal.toml", "[fermions]\nnumber = 1\n");
  const Model m = fockmix::load_model(path);
  const Model d;
  EXPECT_EQ(m.name, "minimal");  // the file's stem
  EXPECT_EQ(m.output, "results/minimal.h5");
  EXPECT_EQ(m.sites, d.sites);
  EXPECT_EQ(m.spacing, d.spacing);
  EXPECT_EQ(m.hbar, d.hbar);
  EXPECT_EQ(m.lambda, d.lambda);
  EXPECT_EQ(m.t_final, d.t_final);
  EXPECT_EQ(m.output_every, d.output_every);
  EXPECT_EQ(m.exact.krylov_dim, d.exact.krylov_dim);
  EXPECT_EQ(m.bosons.number, 0);
  EXPECT_EQ(m.fermions.init.kind, fockmix::InitKind::Trap);
}

TEST(Model, ScalarSitesIntegersForFloatsAndSubTables) {
  // grid.sites as a single integer, integers where floats are expected, [fermions.trap] as a section
  std::string text = with(base, "sites = [6]", "sites = 6");
  text = with(text, "spacing = 1.0", "spacing = 2");
  text = with(text, "trap = { kind = \"harmonic\", strength = 0.2 }\n[bosons]", "[fermions.trap]\nkind = \"cosine\"\nstrength = 1\n[bosons]");
  const Model m = fockmix::load_model(write_file("variants.toml", text));
  EXPECT_EQ(m.sites, std::vector<fockmix::Index>{6});
  EXPECT_EQ(m.spacing, 2.0);
  EXPECT_EQ(m.fermions.trap.kind, fockmix::PotentialKind::Cosine);
  EXPECT_EQ(m.fermions.trap.strength, 1.0);
}

// ---------------------------------------------------------------------------------------------
// Unknown keys and wrong types

TEST(ModelErrors, UnknownKeyTopLevel) {
  expect_input_error("unknown_top", "colour = \"red\"\n" + base, "colour", "unknown key");
  expect_input_error("unknown_section", base + "[solver]\nx = 1\n", "solver", "unknown key");
}

TEST(ModelErrors, UnknownKeyNested) {
  expect_input_error("unknown_grid", with(base, "spacing = 1.0", "spacing = 1.0\nsize = 3"), "grid.size", "unknown key");
  expect_input_error("unknown_inline", with(base, "trap = { kind = \"harmonic\", strength = 0.2 }\n[bosons]",
                                            "trap = { kind = \"harmonic\", strenght = 0.2 }\n[bosons]"),
                     "fermions.trap.strenght", "unknown key");
  expect_input_error("unknown_init", base + "init = { kind = \"packet\", speed = 1.0 }\n", "exact.init");
  expect_input_error("unknown_boson_init",
                     with(base, "[time]", "init = { kind = \"packet\", speed = 1.0 }\n[time]"), "bosons.init.speed");
  // max_per_site belongs to the bosons only
  expect_input_error("fermion_cap", with(base, "number = 2\nmass = 0.5\ntrap = { kind = \"harmonic\", strength = 0.2 }\n[bosons]",
                                         "number = 2\nmass = 0.5\nmax_per_site = 1\ntrap = { kind = \"harmonic\", strength = 0.2 }\n[bosons]"),
                     "fermions.max_per_site", "unknown key");
}

TEST(ModelErrors, WrongType) {
  const std::string fermions = "[fermions]\nnumber = 2\nmass = 0.5\n";
  expect_input_error("type_string_for_number", with(base, fermions, "[fermions]\nnumber = 2\nmass = \"heavy\"\n"),
                     "fermions.mass", "expected a number");
  expect_input_error("type_float_for_int", with(base, fermions, "[fermions]\nnumber = 2.0\nmass = 0.5\n"),
                     "fermions.number", "expected an integer");
  expect_input_error("type_int_for_bool", with(base, "enabled = true", "enabled = 1"), "exact.enabled");
  expect_input_error("type_number_for_string", with(base, "kind = \"gaussian\"", "kind = 3"), "interaction.kind");
  expect_input_error("type_table_entry", with(base, "sites = [6]", "sites = [6, \"a\"]"), "grid.sites[1]");
  expect_input_error("type_section_scalar", "time = 3\n" + with(base, "[time]\nfinal = 1.0\noutput_every = 0.25\n", ""),
                     "time", "expected a table");
  expect_input_error("type_potential_scalar", with(base, "trap = { kind = \"harmonic\", strength = 0.2 }\n[time]",
                                                   "trap = \"harmonic\"\n[time]"),
                     "bosons.trap", "expected a table");
}

TEST(ModelErrors, UnknownNames) {
  expect_input_error("name_kinetic", with(base, "spacing = 1.0", "spacing = 1.0\nkinetic = \"magic\""), "grid.kinetic");
  expect_input_error("name_interaction", with(base, "kind = \"gaussian\"", "kind = \"yukawa\""), "interaction.kind");
  expect_input_error("name_potential", with(base, "trap = { kind = \"harmonic\", strength = 0.2 }\n[time]",
                                            "trap = { kind = \"box\", strength = 0.2 }\n[time]"),
                     "bosons.trap.kind");
  expect_input_error("name_potential_missing", with(base, "trap = { kind = \"harmonic\", strength = 0.2 }\n[time]",
                                                    "trap = { strength = 0.2 }\n[time]"),
                     "bosons.trap.kind", "missing");
  expect_input_error("name_boson_init", with(base, "[time]", "init = { kind = \"plane_waves\" }\n[time]"), "bosons.init.kind",
                     "trap, packet, hartree or file");
  expect_input_error("name_boson_init_unknown", with(base, "[time]", "init = { kind = \"gaussian\" }\n[time]"),
                     "bosons.init.kind", "unknown initial state 'gaussian' (expected trap, packet, hartree or file)");
  const std::string fermion_trap = "strength = 0.2 }\n[bosons]";
  expect_input_error("name_fermion_init",
                     with(base, fermion_trap, "strength = 0.2 }\ninit = { kind = \"gaussian\" }\n[bosons]"),
                     "fermions.init.kind", "unknown initial state 'gaussian' (expected trap, plane_waves, packet, hartree or file)");
  expect_input_error("name_fermion_init_space",
                     with(base, fermion_trap, "strength = 0.2 }\ninit = { kind = \"plane waves\" }\n[bosons]"),
                     "fermions.init.kind", "unknown initial state 'plane waves'");
  expect_input_error("name_exact_initial", base + "initial = \"vacuum\"\n", "exact.initial");
}

TEST(ModelErrors, SyntaxError) {
  const std::string path = write_file("syntax.toml", "[grid\nsites = [6]\n");
  EXPECT_THROW(fockmix::load_model(path), InputError);
  try {
    fockmix::load_model(path);
  } catch (const InputError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find(path), std::string::npos) << what;
    EXPECT_NE(what.find("line 1"), std::string::npos) << what;
    EXPECT_NE(what.find("column"), std::string::npos) << what;
  }
}

TEST(ModelErrors, MissingFile) {
  const std::string path = (tmp_dir() / "no_such_model.toml").string();
  EXPECT_THROW(fockmix::load_model(path), InputError);
  try {
    fockmix::load_model(path);
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find(path), std::string::npos);
  }
}

// ---------------------------------------------------------------------------------------------
// Impossible values

TEST(ModelErrors, MoreFermionsThanSites) {
  expect_input_error("m_gt_l", with(base, "[fermions]\nnumber = 2", "[fermions]\nnumber = 7"), "fermions.number", "M <= L");
  // M = L is allowed (a filled band)
  EXPECT_NO_THROW(fockmix::load_model(write_file("m_eq_l.toml", with(base, "[fermions]\nnumber = 2", "[fermions]\nnumber = 6"))));
}

TEST(ModelErrors, NonPositiveMass) {
  expect_input_error("mass_zero", with(base, "[fermions]\nnumber = 2\nmass = 0.5", "[fermions]\nnumber = 2\nmass = 0"),
                     "fermions.mass", "positive");
  expect_input_error("mass_negative", with(base, "[bosons]\nnumber = 2\nmass = 0.5", "[bosons]\nnumber = 2\nmass = -1.0"),
                     "bosons.mass", "positive");
}

TEST(ModelErrors, NonPositiveHbar) {
  expect_input_error("hbar_zero", with(base, "hbar = 1.0", "hbar = 0.0"), "physics.hbar", "positive");
  expect_input_error("hbar_negative", with(base, "hbar = 1.0", "hbar = -0.5"), "physics.hbar", "positive");
  expect_input_error("hbar_nan", with(base, "hbar = 1.0", "hbar = nan"), "physics.hbar");
}

TEST(ModelErrors, NoParticles) {
  std::string text = with(base, "[fermions]\nnumber = 2", "[fermions]\nnumber = 0");
  text = with(text, "[bosons]\nnumber = 2", "[bosons]\nnumber = 0");
  expect_input_error("no_particles", text, "fermions.number", "no particles");
  EXPECT_NO_THROW(fockmix::load_model(write_file("bosons_only.toml", with(base, "[fermions]\nnumber = 2", "[fermions]\nnumber = 0"))));
}

TEST(ModelErrors, NegativeNumber) {
  expect_input_error("negative_n", with(base, "[bosons]\nnumber = 2", "[bosons]\nnumber = -1"), "bosons.number");
}

TEST(ModelErrors, CapBelowNOverL) {
  const std::string capped = with(base, "[bosons]\nnumber = 2", "[bosons]\nmax_per_site = 1\nnumber = 7");
  expect_input_error("cap_below", capped, "bosons.max_per_site", "per-site cap below N/L");
  // n_max L = N is the smallest allowed cap
  EXPECT_NO_THROW(fockmix::load_model(write_file("cap_ok.toml", with(base, "[bosons]\nnumber = 2", "[bosons]\nmax_per_site = 1\nnumber = 6"))));
  expect_input_error("cap_negative", with(base, "[bosons]\nnumber = 2", "[bosons]\nmax_per_site = -1\nnumber = 2"),
                     "bosons.max_per_site");
}

TEST(ModelErrors, WrongLengthVectors) {
  expect_input_error("centre_length", with(base, "trap = { kind = \"harmonic\", strength = 0.2 }\n[bosons]",
                                           "trap = { kind = \"harmonic\", strength = 0.2, centre = [1.0, 2.0] }\n[bosons]"),
                     "fermions.trap.centre", "one entry per axis");
  expect_input_error("momentum_length",
                     with(base, "[time]", "init = { kind = \"packet\", centre = [3.0], momentum = [0.5, 0.5] }\n[time]"),
                     "bosons.init.momentum", "one entry per axis");
  expect_input_error("init_centre_length", with(base, "[time]", "init = { kind = \"packet\", centre = [1, 2, 3] }\n[time]"),
                     "bosons.init.centre", "one entry per axis");
  expect_input_error("potential_table_length",
                     with(base, "trap = { kind = \"harmonic\", strength = 0.2 }\n[bosons]",
                          "trap = { kind = \"harmonic\", strength = 0.2 }\npotential = { kind = \"table\", table = [1, 2] }\n[bosons]"),
                     "fermions.potential.table", "one value per site");
  // the right lengths load
  EXPECT_NO_THROW(fockmix::load_model(write_file(
      "vectors_ok.toml", with(base, "[time]", "init = { kind = \"packet\", centre = [3.0], momentum = [0.5], width = 2 }\n[time]"))));
}

TEST(ModelErrors, TableInteraction) {
  const std::string uneven = with(base, "kind = \"gaussian\"", "kind = \"table\"\ntable = [1, 2, 3, 4, 5, 6]");
  expect_input_error("table_not_even", uneven, "interaction", "even");
  expect_input_error("table_length", with(base, "kind = \"gaussian\"", "kind = \"table\"\ntable = [1, 0.5, 0.5]"),
                     "interaction.table", "one value per site");
  const Model m = fockmix::load_model(
      write_file("table_even.toml", with(base, "kind = \"gaussian\"", "kind = \"table\"\ntable = [1, 0.5, 0.2, 0.1, 0.2, 0.5]")));
  EXPECT_EQ(m.interaction.kind, fockmix::InteractionKind::Table);
  EXPECT_EQ(m.interaction.table, (std::vector<double>{1, 0.5, 0.2, 0.1, 0.2, 0.5}));
}

TEST(ModelErrors, TableFileRelativeToModel) {
  write_file("v_even.txt", "# V at each displacement site\n1.0 0.5 0.2\n\n  0.1\t0.2 0.5\n");
  write_file("v_bad.txt", "1.0 0.5 zero 0.1 0.2 0.5\n");
  const Model m = fockmix::load_model(
      write_file("table_file.toml", with(base, "kind = \"gaussian\"", "kind = \"table\"\ntable = \"v_even.txt\"")));
  EXPECT_EQ(m.interaction.table, (std::vector<double>{1, 0.5, 0.2, 0.1, 0.2, 0.5}));
  expect_input_error("table_file_bad", with(base, "kind = \"gaussian\"", "kind = \"table\"\ntable = \"v_bad.txt\""),
                     "interaction.table", "not a finite number");
  expect_input_error("table_file_missing", with(base, "kind = \"gaussian\"", "kind = \"table\"\ntable = \"v_missing.txt\""),
                     "interaction.table", "cannot read");
}

TEST(ModelErrors, InitFile) {
  // L = 6 rows, 2 M = 4 columns for the fermions
  std::string rows;
  for (int i = 0; i < 6; ++i) rows += "0.1 0 0.2 0\n";
  write_file("orbitals_ok.txt", rows);
  write_file("orbitals_short.txt", "0.1 0 0.2 0\n");
  const std::string init_ok = with(base, "trap = { kind = \"harmonic\", strength = 0.2 }\n[bosons]",
                                   "trap = { kind = \"harmonic\", strength = 0.2 }\ninit = { kind = \"file\", file = \"orbitals_ok.txt\" }\n[bosons]");
  const Model m = fockmix::load_model(write_file("init_file.toml", init_ok));
  EXPECT_EQ(m.fermions.init.kind, fockmix::InitKind::File);
  EXPECT_TRUE(fs::equivalent(m.fermions.init.file, tmp_dir() / "orbitals_ok.txt"));  // resolved against the model's folder
  expect_input_error("init_file_short", with(init_ok, "orbitals_ok.txt", "orbitals_short.txt"), "fermions.init.file", "rows");
  expect_input_error("init_file_none", with(init_ok, ", file = \"orbitals_ok.txt\"", ""), "fermions.init.file");
}

TEST(ModelErrors, OtherRanges) {
  expect_input_error("sites_zero", with(base, "sites = [6]", "sites = [6, 0]"), "grid.sites");
  expect_input_error("sites_four_axes", with(base, "sites = [6]", "sites = [2, 2, 2, 2]"), "grid.sites", "1 to 3 axes");
  expect_input_error("spacing_zero", with(base, "spacing = 1.0", "spacing = 0"), "grid.spacing");
  expect_input_error("lambda_inf", with(base, "lambda = 0.5", "lambda = inf"), "physics.lambda");
  expect_input_error("width_zero", with(base, "width = 1.0", "width = 0.0"), "interaction.width");
  expect_input_error("softcoulomb_eps", with(base, "kind = \"gaussian\"", "kind = \"softcoulomb\"\nepsilon = -1"),
                     "interaction.epsilon");
  expect_input_error("gaussian_potential_width",
                     with(base, "trap = { kind = \"harmonic\", strength = 0.2 }\n[time]",
                          "trap = { kind = \"gaussian\", strength = -1.0, width = 0 }\n[time]"),
                     "bosons.trap.width");
  expect_input_error("packet_width", with(base, "[time]", "init = { kind = \"packet\", width = 0 }\n[time]"),
                     "bosons.init.width");
  expect_input_error("final_negative", with(base, "final = 1.0", "final = -1.0"), "time.final");
  expect_input_error("output_every_zero", with(base, "output_every = 0.25", "output_every = 0"), "time.output_every");
  expect_input_error("output_every_tiny", with(base, "output_every = 0.25", "output_every = 1e-300"), "time.output_every");
  expect_input_error("tolerance_zero", base + "tolerance = 0.0\n", "exact.tolerance");
  expect_input_error("krylov_small", base + "krylov_dim = 3\n", "exact.krylov_dim");
  expect_input_error("memory_negative", base + "memory_limit_gib = -1\n", "exact.memory_limit_gib");
  expect_input_error("hartree_dt", base + "[hartree]\ndt = 0\n", "hartree.dt");
  expect_input_error("threads_negative", base + "[output]\nthreads = -2\n", "output.threads");
  expect_input_error("output_empty", base + "[output]\nfile = \"\"\n", "output.file");
  // output_every > final > 0 is allowed: outputs at 0 and T
  const Model m = fockmix::load_model(write_file("long_interval.toml", with(base, "output_every = 0.25", "output_every = 5")));
  EXPECT_EQ(m.output_times(), (std::vector<double>{0.0, 1.0}));
}

TEST(ModelErrors, SectorTooBig) {
  // L = 40, M = N = 20: D = C(40,20) C(59,20) overflows 2^63
  std::string overflow = with(base, "sites = [6]", "sites = [40]");
  overflow = with(overflow, "[fermions]\nnumber = 2", "[fermions]\nnumber = 20");
  overflow = with(overflow, "[bosons]\nnumber = 2", "[bosons]\nnumber = 20");
  expect_input_error("sector_overflow", overflow, "bosons.number", "overflows");
  // L = 200, M = 100: C(200, 100) alone overflows
  std::string fermions = with(base, "sites = [6]", "sites = [200]");
  fermions = with(fermions, "[fermions]\nnumber = 2", "[fermions]\nnumber = 100");
  expect_input_error("fermion_overflow", fermions, "fermions.number", "too large");
  // L = 20, M = N = 10: D = 184756 x 20030010 = 3.7e12 states, about 55 TiB per vector
  std::string memory = with(base, "sites = [6]", "sites = [20]");
  memory = with(memory, "[fermions]\nnumber = 2", "[fermions]\nnumber = 10");
  memory = with(memory, "[bosons]\nnumber = 2", "[bosons]\nnumber = 10");
  expect_input_error("sector_memory", memory, "exact", "GiB");
  expect_input_error("sector_memory_physical", memory + "memory_limit_gib = 0\n", "exact", "GiB");
  // a limit above the physical memory does not help: 1e6 GiB fits the Krylov space, the machine does not
  expect_input_error("sector_memory_huge_limit", memory + "memory_limit_gib = 1e6\n", "exact", "physical memory");
  // a per-run limit that is too small for an otherwise small sector
  expect_input_error("sector_limit", base + "memory_limit_gib = 1e-6\n", "exact", "exact.memory_limit_gib");
  // without the exact solver the same model is fine (Hartree–Hartree only)
  EXPECT_NO_THROW(fockmix::load_model(write_file("no_exact.toml", with(memory, "enabled = true", "enabled = false"))));
}

// ---------------------------------------------------------------------------------------------
// validate() on models built in code

TEST(ModelValidate, BuiltInCode) {
  Model m;
  m.fermions.number = 2;
  m.bosons.number = 2;
  EXPECT_NO_THROW(fockmix::validate(m));

  Model bad = m;
  bad.hbar = 0.0;
  EXPECT_THROW(fockmix::validate(bad), InputError);
  try {
    fockmix::validate(bad);
  } catch (const InputError& e) {
    EXPECT_EQ(e.file(), "");
    EXPECT_EQ(e.key(), "physics.hbar");
    EXPECT_NE(std::string(e.what()).find("physics.hbar"), std::string::npos);
  }

  bad = m;
  bad.bosons.init.kind = fockmix::InitKind::PlaneWaves;  // a fermion recipe only
  EXPECT_THROW(fockmix::validate(bad), InputError);
  try {
    fockmix::validate(bad);
  } catch (const InputError& e) {
    EXPECT_EQ(e.key(), "bosons.init.kind");
    EXPECT_NE(e.reason().find("plane_waves"), std::string::npos) << e.what();
  }
  bad = m;
  bad.fermions.init.kind = fockmix::InitKind::PlaneWaves;
  EXPECT_NO_THROW(fockmix::validate(bad));
  bad = m;
  bad.fermions.max_per_site = 1;
  EXPECT_THROW(fockmix::validate(bad), InputError);
  bad = m;
  bad.sites = {};
  EXPECT_THROW(fockmix::validate(bad), InputError);
  bad = m;
  bad.source = "in-code.toml";
  bad.interaction.kind = fockmix::InteractionKind::Table;
  bad.interaction.table = {1, 2, 3, 4, 5, 6, 7, 8};
  try {
    fockmix::validate(bad);
    ADD_FAILURE() << "uneven table accepted";
  } catch (const InputError& e) {
    EXPECT_EQ(e.file(), "in-code.toml");  // filled in from model.source
    EXPECT_EQ(e.key(), "interaction");
  }
}

// ---------------------------------------------------------------------------------------------
// Output times

TEST(ModelOutputTimes, Cases) {
  Model m;
  auto times = [&m](double T, double dt) {
    m.t_final = T;
    m.output_every = dt;
    return m.output_times();
  };
  EXPECT_EQ(times(1.0, 0.25), (std::vector<double>{0.0, 0.25, 0.5, 0.75, 1.0}));
  const auto t = times(1.0, 0.3);  // T not a multiple: appended
  ASSERT_EQ(t.size(), 5u);
  EXPECT_NEAR(t[3], 0.9, 1e-15);
  EXPECT_EQ(t[4], 1.0);
  EXPECT_EQ(times(0.0, 0.1), std::vector<double>{0.0});
  EXPECT_EQ(times(1.0, 5.0), (std::vector<double>{0.0, 1.0}));
  // 0.3 / 0.1 is 2.9999999999999996 in floating point: still a multiple, last output exactly T
  const auto r = times(0.3, 0.1);
  ASSERT_EQ(r.size(), 4u);
  EXPECT_EQ(r.back(), 0.3);
  // within 1e-9 relative counts as a multiple, beyond it does not
  EXPECT_EQ(times(1.0 + 1e-12, 0.5).size(), 3u);
  EXPECT_EQ(times(1.0 + 1e-6, 0.5).size(), 4u);
  const auto big = times(4.0, 0.1);
  ASSERT_EQ(big.size(), 41u);
  for (std::size_t i = 1; i < big.size(); ++i) EXPECT_GT(big[i], big[i - 1]);
  EXPECT_EQ(big.back(), 4.0);
}
