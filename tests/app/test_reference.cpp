// Regression against stored reference results (data/README.md): each reference model is run fresh into
// the build tree and every numeric dataset of data/reference/<name>.h5 is compared with the fresh file to
// 1e-10 absolute (complex datasets by the modulus of the difference). The set of datasets must be the same.
//
// Regeneration happens only on purpose: with FOCKMIX_REGENERATE_DATA=1 in the environment a compact copy
// of the fresh file replaces data/reference/<name>.h5 and the test reports (as a skip) that it regenerated
// instead of comparing. The copy holds every dataset bit for bit, but vectors and matrices are stored
// contiguously instead of in the writer's ~256 KiB time-series chunks (a run file is ~3 MB however short
// the run), plus the root and solver attributes; the /model echo is left out (the model text is in the
// root attribute model_toml). Command:
//
//     FOCKMIX_REGENERATE_DATA=1 ctest --test-dir build -R StoredReference
#include <gtest/gtest.h>

#include <cmath>
#include <complex>
#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "fockmix/app/run.hpp"
#include "fockmix/io/h5.hpp"
#include "fockmix/io/model.hpp"

namespace fs = std::filesystem;
using namespace fockmix;

namespace {

/// Absolute tolerance of the comparison (data/README.md).
constexpr double kTolerance = 1e-10;

/// Every dataset of the run-file layout (docs/output.md) the comparison knows, with its scalar type.
struct KnownDataset {
  const char* path;
  bool complex;
};

const std::vector<KnownDataset>& known_datasets() {
  static const std::vector<KnownDataset> list{
      {"times", false},
      {"grid/V", false},
      {"grid/one_body_F", false},
      {"grid/one_body_B", false},
      {"grid/positions", false},
      {"grid/orbitals_0", true},
      {"grid/phi_0", true},
      {"exact/energy", false},
      {"exact/norm", false},
      {"exact/matvecs", false},
      {"exact/krylov_error", false},
      {"exact/gamma_F", true},
      {"exact/gamma_B", true},
      {"exact/rho_F", false},
      {"exact/rho_B", false},
      {"hartree/energy", false},
      {"hartree/trace_omega", false},
      {"hartree/idempotency", false},
      {"hartree/orthonormality", false},
      {"hartree/norm_phi", false},
      {"hartree/iterations", false},
      {"hartree/converged", false},
      {"hartree/fixed_point_residual", false},
      {"hartree/omega", true},
      {"hartree/phi", true},
      {"hartree/rho_F", false},
      {"hartree/rho_B", false},
      {"comparison/exact_hartree/eF_trace", false},
      {"comparison/exact_hartree/eB_trace", false},
      {"comparison/exact_hartree/eF_hs", false},
      {"comparison/exact_hartree/eB_hs", false},
      {"comparison/exact_hartree/rhoF_l1", false},
      {"comparison/exact_hartree/rhoB_l1", false},
      {"comparison/exact_hartree/nF_exc", false},
      {"comparison/exact_hartree/nB_exc", false},
      {"comparison/exact_hartree/nF_exc2", false},
      {"comparison/exact_hartree/nB_exc2", false},
  };
  return list;
}

/// A dataset read as a flat array in Armadillo's (column-major) order, with its HDF5 shape.
struct Flat {
  std::vector<std::int64_t> shape;
  arma::cx_vec values;
};

Flat read_flat(const h5::Group& root, const KnownDataset& ds) {
  Flat f;
  f.shape = root.shape(ds.path);
  const auto cx = [](const auto& real) { return arma::cx_vec(arma::vectorise(real), arma::zeros(real.n_elem)); };
  switch (f.shape.size()) {
    case 1:
      f.values = ds.complex ? root.read_cx_vec(ds.path) : cx(root.read_vec(ds.path));
      break;
    case 2:
      f.values = ds.complex ? arma::cx_vec(arma::vectorise(root.read_cx_mat(ds.path))) : cx(root.read_mat(ds.path));
      break;
    case 3:
      f.values = ds.complex ? arma::cx_vec(arma::vectorise(root.read_cx_cube(ds.path))) : cx(root.read_cube(ds.path));
      break;
    default:
      ADD_FAILURE() << ds.path << ": unexpected rank " << f.shape.size();
  }
  return f;
}

/// The HDF5 (h5py) index "[t, i, j]" of the Armadillo flat index k of a dataset of the given shape.
std::string h5_index(arma::uword k, const std::vector<std::int64_t>& shape) {
  std::ostringstream s;
  if (shape.size() == 1) {
    s << "[" << k << "]";
  } else if (shape.size() == 2) {  // read_mat: A(i, j) == ds[i, j]
    const auto rows = static_cast<arma::uword>(shape[0]);
    s << "[" << k % rows << ", " << k / rows << "]";
  } else {  // read_cube: C.slice(t)(i, j) == ds[t, i, j]
    const auto rows = static_cast<arma::uword>(shape[1]), cols = static_cast<arma::uword>(shape[2]);
    s << "[" << k / (rows * cols) << ", " << k % rows << ", " << (k / rows) % cols << "]";
  }
  return s.str();
}

std::string shape_string(const std::vector<std::int64_t>& shape) {
  std::ostringstream s;
  s << "(";
  for (std::size_t i = 0; i < shape.size(); ++i) s << (i ? ", " : "") << shape[i];
  s << ")";
  return s.str();
}

/// Attributes copied into the compact reference file (docs/output.md), by type.
enum class AttrType { String, Double, Int, Bool };
struct KnownAttr {
  const char* group;
  const char* name;
  AttrType type;
};

const std::vector<KnownAttr>& known_attributes() {
  static const std::vector<KnownAttr> list{
      {"/", "program", AttrType::String},          {"/", "version", AttrType::String},
      {"/", "status", AttrType::String},           {"/", "t_reached", AttrType::Double},
      {"/", "unconverged_steps", AttrType::Int},   {"/", "seconds", AttrType::Double},
      {"/", "model_toml", AttrType::String},       {"exact", "dim_fermions", AttrType::Int},
      {"exact", "dim_bosons", AttrType::Int},      {"exact", "dim", AttrType::Int},
      {"exact", "krylov_dim", AttrType::Int},      {"exact", "boson_cap_truncates", AttrType::Bool},
      {"exact", "truncated_weight", AttrType::Double}, {"exact", "threads", AttrType::Int},
      {"exact", "propagator", AttrType::String},   {"hartree", "dt", AttrType::Double},
      {"hartree", "scheme", AttrType::String},     {"hartree", "tolerance", AttrType::Double},
  };
  return list;
}

/// Write a compact copy of the run file `from` to `to` (see the head of this file): every known dataset
/// with the same shape, type and values, 1-D and 2-D ones contiguous, 3-D ones (series of matrices) as a
/// series; the known attributes of the root and the solver groups.
void write_compact_copy(const fs::path& from, const fs::path& to) {
  const h5::File in_file = h5::File::open(from.string());
  const h5::File out_file = h5::File::create(to.string());
  const h5::Group in = in_file.root();
  const h5::Group out = out_file.root();
  for (const KnownDataset& ds : known_datasets()) {
    if (!in.has(ds.path)) continue;
    const std::vector<std::int64_t> shape = in.shape(ds.path);
    if (shape.size() == 1) {
      if (ds.complex) out.write(ds.path, arma::cx_vec(in.read_cx_vec(ds.path)));
      else out.write(ds.path, arma::vec(in.read_vec(ds.path)));
    } else if (shape.size() == 2) {
      if (ds.complex) out.write(ds.path, arma::cx_mat(in.read_cx_mat(ds.path)));
      else out.write(ds.path, arma::mat(in.read_mat(ds.path)));
    } else if (shape.size() == 3) {
      if (ds.complex) {
        const arma::cx_cube c = in.read_cx_cube(ds.path);
        h5::Series series = out.series(ds.path, {shape[1], shape[2]}, true);
        for (arma::uword t = 0; t < c.n_slices; ++t) series.append(arma::cx_mat(c.slice(t)));
      } else {
        const arma::cube c = in.read_cube(ds.path);
        h5::Series series = out.series(ds.path, {shape[1], shape[2]});
        for (arma::uword t = 0; t < c.n_slices; ++t) series.append(arma::mat(c.slice(t)));
      }
    } else {
      ADD_FAILURE() << ds.path << ": unexpected rank " << shape.size();
    }
  }
  for (const KnownAttr& a : known_attributes()) {
    const std::string group = a.group;
    if (group != "/" && !in.has(group)) continue;
    const h5::Group g_in = group == "/" ? in_file.root() : in.group(group);
    if (!g_in.has_attr(a.name)) continue;
    const h5::Group g_out = group == "/" ? out_file.root() : out.group(group);
    switch (a.type) {
      case AttrType::String: g_out.set_attr(a.name, g_in.attr_string(a.name)); break;
      case AttrType::Double: g_out.set_attr(a.name, g_in.attr_double(a.name)); break;
      case AttrType::Int: g_out.set_attr(a.name, g_in.attr_int(a.name)); break;
      case AttrType::Bool: g_out.set_attr(a.name, g_in.attr_bool(a.name)); break;
    }
  }
  out.set_attr("reference_note",
               "compact copy of a fockmix run file, written by tests/app/test_reference.cpp under "
               "FOCKMIX_REGENERATE_DATA=1 (data/README.md); /model omitted, see model_toml");
  out_file.flush();
}

bool regenerating() {
  const char* v = std::getenv("FOCKMIX_REGENERATE_DATA");
  return v != nullptr && std::string(v) == "1";
}

/// Run `model_file` (relative to the source tree) into the build tree, then compare with (or, when
/// regenerating, replace) data/reference/<name>.h5.
void check_against_reference(const std::string& model_file, const std::string& name) {
  const fs::path source(FOCKMIX_SOURCE_DIR);
  const fs::path reference = source / "data" / "reference" / (name + ".h5");
  const fs::path out_dir = fs::path(FOCKMIX_BINARY_DIR) / "test_output" / "app_reference";
  fs::create_directories(out_dir);
  const fs::path fresh = out_dir / (name + ".h5");

  // One OpenMP thread: the comparison does not depend on it (thread counts change results at round-off,
  // far below the tolerance), and on a loaded machine two spinning threads make the run ~15x slower.
  configure_threads(1);
  Model model = load_model((source / model_file).string());
  model.output = fresh.string();
  const RunSummary summary = run_model(model);
  ASSERT_EQ(summary.status, RunStatus::Completed);

  if (regenerating()) {
    write_compact_copy(fresh, reference);
    GTEST_SKIP() << "FOCKMIX_REGENERATE_DATA=1: regenerated " << reference.string() << " from " << model_file
                 << " (nothing compared)";
  }

  ASSERT_TRUE(fs::exists(reference)) << reference.string()
                                     << " is missing; regenerate it on purpose (data/README.md)";
  const h5::File ref_file = h5::File::open(reference.string());
  const h5::File new_file = h5::File::open(fresh.string());
  const h5::Group ref = ref_file.root();
  const h5::Group now = new_file.root();
  EXPECT_EQ(ref.attr_string("status"), "completed");

  int compared = 0;
  for (const KnownDataset& ds : known_datasets()) {
    const bool in_ref = ref.has(ds.path), in_new = now.has(ds.path);
    if (in_ref != in_new) {
      ADD_FAILURE() << ds.path << ": present only in the " << (in_ref ? "reference" : "fresh run");
      continue;
    }
    if (!in_ref) continue;
    const Flat a = read_flat(ref, ds), b = read_flat(now, ds);
    if (a.shape != b.shape) {
      ADD_FAILURE() << ds.path << ": shape " << shape_string(a.shape) << " in the reference, "
                    << shape_string(b.shape) << " in the fresh run";
      continue;
    }
    ++compared;
    double worst = 0.0;
    arma::uword where = 0;
    for (arma::uword k = 0; k < a.values.n_elem; ++k) {
      double d = std::abs(a.values(k) - b.values(k));
      if (std::isnan(d)) d = INFINITY;  // a NaN on either side is a difference
      if (d > worst) {
        worst = d;
        where = k;
      }
    }
    EXPECT_LE(worst, kTolerance) << ds.path << h5_index(where, a.shape) << ": |fresh - reference| = " << worst
                                 << " (reference " << a.values(where) << ", fresh " << b.values(where) << ")";
  }
  // Both reference models enable both solvers: every known dataset must be there, so that an empty or
  // truncated reference file cannot pass by comparing nothing.
  EXPECT_EQ(compared, static_cast<int>(known_datasets().size())) << "datasets compared in " << reference.string();
}

}  // namespace

// models/default.toml: the 1D ring of the default run (L = 10, M = N = 3, T = 4).
TEST(StoredReference, Default) { check_against_reference("models/default.toml", "default"); }

// data/models/trap2d_small.toml: a 4 x 3 spectral torus (M = N = 2, T = 1).
TEST(StoredReference, Trap2dSmall) { check_against_reference("data/models/trap2d_small.toml", "trap2d_small"); }
