// The HDF5 wrapper: round trips, index order, series, flush-while-writing, errors.
#include <gtest/gtest.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <string>
#include <sys/wait.h>
#include <unistd.h>

#include "fockmix/core/error.hpp"
#include "fockmix/io/h5.hpp"

namespace fs = std::filesystem;
namespace h5 = fockmix::h5;
using fockmix::IoError;

namespace {

fs::path tmp_dir() {
  const fs::path dir = fs::path(FOCKMIX_BINARY_DIR) / "test_io_tmp" / "h5";
  fs::create_directories(dir);
  return dir;
}

/// A fresh path for an .h5 file, in a subfolder that does not exist yet (File::create makes it).
std::string fresh_path(const std::string& name) {
  const fs::path folder = tmp_dir() / (name + "_dir");
  fs::remove_all(folder);
  return (folder / "sub" / (name + ".h5")).string();
}

/// A 3 x 5 matrix with A(i, j) = 10 i + j: non-square and every entry distinct.
arma::mat sample_mat() {
  arma::mat A(3, 5);
  for (arma::uword i = 0; i < A.n_rows; ++i)
    for (arma::uword j = 0; j < A.n_cols; ++j) A(i, j) = 10.0 * i + j;
  return A;
}

/// A 2 x 3 complex matrix with distinct entries and non-zero imaginary parts (catches .t() vs .st()).
arma::cx_mat sample_cx_mat() {
  arma::cx_mat A(2, 3);
  for (arma::uword i = 0; i < A.n_rows; ++i)
    for (arma::uword j = 0; j < A.n_cols; ++j) A(i, j) = {1.0 + 10.0 * i + j, -0.5 - static_cast<double>(3 * i + j)};
  return A;
}

}  // namespace

TEST(H5, DatasetsRoundTrip) {
  const std::string path = fresh_path("datasets");
  const arma::vec v = {1.5, -2.0, 3.25, 1e-300};
  const arma::mat A = sample_mat();
  const arma::cx_mat Z = sample_cx_mat();
  const arma::cx_vec z = {{1.0, 2.0}, {-3.0, 0.5}, {0.0, -1.0}};
  const std::vector<double> sv{0.1, 0.2};
  const std::vector<std::int64_t> iv{1, -2, 9007199254740993LL};
  {
    auto f = h5::File::create(path);  // creates the missing parent folders
    auto root = f.root();
    root.write("v", v);
    root.write("A", A);
    root.write("Z", Z);
    auto g = root.group("nested/deeper");  // intermediate groups created
    g.write("z", z);
    g.write("sv", sv);
    g.write("iv", iv);
    g.write("empty", arma::vec());
    root.write("replaced", arma::vec{1.0, 2.0});
    root.write("replaced", A);  // overwrite with another shape
  }
  const auto f = h5::File::open(path);
  const auto root = f.root();
  EXPECT_TRUE(root.has("v"));
  EXPECT_TRUE(root.has("nested/deeper/z"));
  EXPECT_TRUE(root.has("nested"));
  EXPECT_FALSE(root.has("nested/other"));
  EXPECT_FALSE(root.has("missing/deeper"));
  EXPECT_TRUE(arma::approx_equal(root.read_vec("v"), v, "absdiff", 0.0));
  // h5py shape (n_rows, n_cols) and ds[i, j] == A(i, j)
  EXPECT_EQ(root.shape("A"), (std::vector<std::int64_t>{3, 5}));
  const arma::mat B = root.read_mat("A");
  ASSERT_EQ(B.n_rows, 3u);
  ASSERT_EQ(B.n_cols, 5u);
  EXPECT_EQ(B(1, 4), 14.0);
  EXPECT_EQ(B(2, 0), 20.0);
  EXPECT_TRUE(arma::approx_equal(B, A, "absdiff", 0.0));
  EXPECT_EQ(root.shape("Z"), (std::vector<std::int64_t>{2, 3}));
  const arma::cx_mat W = root.read_cx_mat("Z");
  ASSERT_EQ(W.n_rows, 2u);
  ASSERT_EQ(W.n_cols, 3u);
  EXPECT_EQ(W(1, 2), Z(1, 2));
  EXPECT_TRUE(arma::approx_equal(W, Z, "absdiff", 0.0));
  const auto g = root.group("nested").group("deeper");
  EXPECT_EQ(g.path(), "/nested/deeper");
  EXPECT_TRUE(arma::approx_equal(g.read_cx_vec("z"), z, "absdiff", 0.0));
  EXPECT_EQ(arma::conv_to<std::vector<double>>::from(g.read_vec("sv")), sv);
  EXPECT_EQ(g.read_ints("iv"), iv);  // exact 64-bit integers
  EXPECT_EQ(g.read_vec("empty").n_elem, 0u);
  EXPECT_TRUE(arma::approx_equal(root.read_mat("replaced"), A, "absdiff", 0.0));
}

TEST(H5, MatrixLayoutMatchesRowRecords) {
  // The on-disk order of a matrix must be row-major [i, j]. A series of row vectors is laid out
  // [t, j] without any transpose, so reading both as matrices must give the same A.
  const std::string path = fresh_path("layout");
  const arma::mat A = sample_mat();
  auto f = h5::File::create(path);
  auto root = f.root();
  root.write("A", A);
  auto rows = root.series("rows", {static_cast<std::int64_t>(A.n_cols)});
  for (arma::uword i = 0; i < A.n_rows; ++i) rows.append(arma::vec(A.row(i).t()));
  EXPECT_TRUE(arma::approx_equal(root.read_mat("rows"), A, "absdiff", 0.0));
  EXPECT_TRUE(arma::approx_equal(root.read_mat("A"), root.read_mat("rows"), "absdiff", 0.0));
  EXPECT_EQ(root.shape("A"), root.shape("rows"));
}

TEST(H5, ComplexMatrixLayoutMatchesRowRecords) {
  // Same for complex matrices; also catches a conjugating transpose (.t() instead of .st()) on both
  // the write and the read side, which a plain round trip would not see.
  const std::string path = fresh_path("cx_layout");
  const arma::cx_mat Z = sample_cx_mat();
  auto f = h5::File::create(path);
  auto root = f.root();
  root.write("Z", Z);
  auto rows = root.series("rows", {static_cast<std::int64_t>(Z.n_cols)}, true);
  for (arma::uword i = 0; i < Z.n_rows; ++i) rows.append(arma::cx_vec(Z.row(i).st()));
  EXPECT_TRUE(arma::approx_equal(root.read_cx_mat("rows"), Z, "absdiff", 0.0));
  EXPECT_TRUE(arma::approx_equal(root.read_cx_mat("Z"), root.read_cx_mat("rows"), "absdiff", 0.0));
  // a Series of matrices against the same row records
  auto mats = root.series("mats", {static_cast<std::int64_t>(Z.n_rows), static_cast<std::int64_t>(Z.n_cols)}, true);
  mats.append(Z);
  EXPECT_TRUE(arma::approx_equal(root.read_cx_cube("mats").slice(0), root.read_cx_mat("rows"), "absdiff", 0.0));
}

TEST(H5, AttributesRoundTrip) {
  const std::string path = fresh_path("attributes");
  {
    auto f = h5::File::create(path);
    auto root = f.root();
    root.set_attr("program", std::string("fockmix"));
    root.set_attr("unicode", "ħ = 1, λ = 1/N");  // const char*: must not turn into a bool
    root.set_attr("hbar", 0.5);
    root.set_attr("sites", std::int64_t{12});
    root.set_attr("threads", 3);  // int
    root.set_attr("enabled", true);
    root.set_attr("disabled", false);
    root.set_attr("centre", std::vector<double>{1.0, 2.5});
    root.set_attr("extent", std::vector<std::int64_t>{4, 5});
    root.set_attr("nothing", std::vector<double>{});
    root.set_attr("changed", 1.0);
    root.set_attr("changed", std::string("now a string"));  // replaced
    root.group("exact").set_attr("dim", std::int64_t{26400});
  }
  const auto f = h5::File::open(path);
  const auto root = f.root();
  EXPECT_EQ(root.attr_string("program"), "fockmix");
  EXPECT_EQ(root.attr_string("unicode"), "ħ = 1, λ = 1/N");
  EXPECT_EQ(root.attr_double("hbar"), 0.5);
  EXPECT_EQ(root.attr_int("sites"), 12);
  EXPECT_EQ(root.attr_double("sites"), 12.0);  // integers read as reals
  EXPECT_EQ(root.attr_int("threads"), 3);
  EXPECT_TRUE(root.attr_bool("enabled"));
  EXPECT_FALSE(root.attr_bool("disabled"));
  EXPECT_EQ(root.attr_doubles("centre"), (std::vector<double>{1.0, 2.5}));
  EXPECT_EQ(root.attr_ints("extent"), (std::vector<std::int64_t>{4, 5}));
  EXPECT_EQ(root.attr_doubles("extent"), (std::vector<double>{4.0, 5.0}));
  EXPECT_TRUE(root.attr_doubles("nothing").empty());
  EXPECT_EQ(root.attr_string("changed"), "now a string");
  EXPECT_EQ(root.group("exact").attr_int("dim"), 26400);
  EXPECT_THROW(root.attr_int("hbar"), IoError);        // a real is not an integer
  EXPECT_THROW(root.attr_double("program"), IoError);  // a string is not a number
  EXPECT_THROW(root.attr_string("hbar"), IoError);
  EXPECT_THROW(root.attr_double("centre"), IoError);   // two values, not one
  EXPECT_THROW(root.attr_bool("sites"), IoError);
  EXPECT_THROW(root.attr_string("missing"), IoError);
}

TEST(H5, SeriesReadWhileWriterAlive) {
  const std::string path = fresh_path("series");
  const std::string copy = (fs::path(path).parent_path() / "copy.h5").string();
  auto f = h5::File::create(path);
  auto root = f.root();
  root.set_attr("model", std::string("test"));
  auto run = root.group("run");
  auto times = run.series("time", {});
  auto density = run.series("density", {4});
  auto gamma = run.series("gamma", {2, 3});
  auto gamma_c = run.series("gamma_c", {2, 3}, true);
  auto phi = run.series("phi", {3}, true);
  const arma::mat A = sample_mat().submat(0, 0, 1, 2);  // 2 x 3
  const arma::cx_mat Z = sample_cx_mat();
  for (int t = 0; t < 3; ++t) {
    times.append(0.5 * t);
    density.append(arma::vec{1.0 * t, 2.0, 3.0, 4.0 + t});
    gamma.append(arma::mat(A + t));
    gamma_c.append(arma::cx_mat(Z * static_cast<double>(t + 1)));
    phi.append(arma::cx_vec{{1.0, t * 1.0}, {2.0, 0.0}, {0.0, -1.0}});
  }
  EXPECT_EQ(times.size(), 3);
  EXPECT_EQ(gamma_c.size(), 3);
  f.flush();

  // (1) a byte copy of the file on disk, taken while the writer is alive, is complete
  fs::copy_file(path, copy, fs::copy_options::overwrite_existing);
  {
    const auto r = h5::File::open(copy).root();
    EXPECT_EQ(r.attr_string("model"), "test");
    EXPECT_TRUE(arma::approx_equal(r.read_vec("run/time"), arma::vec{0.0, 0.5, 1.0}, "absdiff", 0.0));
    EXPECT_EQ(r.shape("run/gamma_c"), (std::vector<std::int64_t>{3, 2, 3}));
  }

  // (2) the same path opened again (read-only) while the writer is alive
  {
    const auto reader = h5::File::open(path);
    const auto r = reader.root().group("run");
    EXPECT_TRUE(arma::approx_equal(r.read_vec("time"), arma::vec{0.0, 0.5, 1.0}, "absdiff", 0.0));
    const arma::mat d = r.read_mat("density");  // (time, site)
    ASSERT_EQ(d.n_rows, 3u);
    ASSERT_EQ(d.n_cols, 4u);
    EXPECT_EQ(d(2, 0), 2.0);
    EXPECT_EQ(d(2, 3), 6.0);
    EXPECT_EQ(r.shape("gamma"), (std::vector<std::int64_t>{3, 2, 3}));
    const arma::cube g = r.read_cube("gamma");  // slice per time, h5py ds[t, i, j] == slice(t)(i, j)
    ASSERT_EQ(g.n_slices, 3u);
    for (arma::uword t = 0; t < 3; ++t) EXPECT_TRUE(arma::approx_equal(g.slice(t), A + t, "absdiff", 0.0));
    const arma::cx_cube gc = r.read_cx_cube("gamma_c");
    for (arma::uword t = 0; t < 3; ++t)
      EXPECT_TRUE(arma::approx_equal(gc.slice(t), Z * static_cast<double>(t + 1), "absdiff", 0.0));
    const arma::cx_mat p = r.read_cx_mat("phi");  // (time, site)
    ASSERT_EQ(p.n_rows, 3u);
    EXPECT_EQ(p(2, 0), std::complex<double>(1.0, 2.0));
    EXPECT_EQ(p(1, 2), std::complex<double>(0.0, -1.0));
  }

  // appends continue after reading; a reopened series continues where it stopped
  times.append(1.5);
  auto again = run.series("time", {});
  EXPECT_EQ(again.size(), 4);
  again.append(2.0);
  f.flush();
  EXPECT_TRUE(arma::approx_equal(h5::File::open(path).root().read_vec("run/time"), arma::vec{0.0, 0.5, 1.0, 1.5, 2.0},
                                 "absdiff", 0.0));
}

TEST(H5, FlushSurvivesKill) {
  // A child process writes, flushes and is killed with SIGKILL: no destructor, no H5Fclose.
  const std::string path = fresh_path("killed");
  fs::create_directories(fs::path(path).parent_path());
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    try {
      auto f = h5::File::create(path);
      auto root = f.root();
      root.set_attr("status", std::string("running"));
      auto s = root.series("energy", {});
      auto m = root.series("gamma", {2, 3}, true);
      for (int t = 0; t < 5; ++t) {
        s.append(1.0 + t);
        m.append(sample_cx_mat());
      }
      f.flush();
      raise(SIGKILL);
    } catch (...) {
    }
    _exit(3);
  }
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFSIGNALED(status)) << "the child did not die from SIGKILL (exit code " << WEXITSTATUS(status) << ")";
  const auto r = h5::File::open(path).root();
  EXPECT_EQ(r.attr_string("status"), "running");
  EXPECT_TRUE(arma::approx_equal(r.read_vec("energy"), arma::vec{1, 2, 3, 4, 5}, "absdiff", 0.0));
  const arma::cx_cube g = r.read_cx_cube("gamma");
  ASSERT_EQ(g.n_slices, 5u);
  EXPECT_TRUE(arma::approx_equal(g.slice(4), sample_cx_mat(), "absdiff", 0.0));
}

TEST(H5, HandlesAreMovable) {
  const std::string path = fresh_path("moves");
  auto f = h5::File::create(path);
  h5::File g = std::move(f);
  auto root = g.root();
  h5::Group moved = std::move(root);
  auto s = moved.series("x", {2});
  h5::Series t = std::move(s);
  t.append(arma::vec{1.0, 2.0});
  EXPECT_EQ(t.size(), 1);
  g.flush();
  EXPECT_EQ(h5::File::open(path).root().shape("x"), (std::vector<std::int64_t>{1, 2}));
}

TEST(H5, Errors) {
  const std::string missing = (tmp_dir() / "does_not_exist.h5").string();
  EXPECT_THROW(h5::File::open(missing), IoError);
  try {
    h5::File::open(missing);
  } catch (const IoError& e) {
    EXPECT_NE(std::string(e.what()).find(missing), std::string::npos);
  }
  // a parent "directory" that is a regular file
  const fs::path blocker = tmp_dir() / "blocker";
  { std::ofstream(blocker) << "x"; }
  EXPECT_THROW(h5::File::create((blocker / "run.h5").string()), IoError);
  // not an HDF5 file
  EXPECT_THROW(h5::File::open(blocker.string()), IoError);

  const std::string path = fresh_path("errors");
  auto f = h5::File::create(path);
  auto root = f.root();
  root.write("v", arma::vec{1.0, 2.0});
  root.write("Z", sample_cx_mat());
  EXPECT_THROW(root.read_mat("v"), IoError);      // rank 1, not 2
  EXPECT_THROW(root.read_vec("missing"), IoError);
  EXPECT_THROW(root.read_cx_vec("v"), IoError);   // real, not complex
  EXPECT_THROW(root.read_mat("Z"), IoError);      // complex, not real
  EXPECT_THROW(root.read_ints("v"), IoError);     // real, not integer
  EXPECT_THROW(root.group("v"), IoError);         // a dataset, not a group
  auto s = root.series("s", {3});
  EXPECT_THROW(s.append(arma::vec{1.0, 2.0}), IoError);                     // wrong record length
  EXPECT_THROW(s.append(1.0), IoError);                                      // scalar into vector series
  EXPECT_THROW(s.append(arma::cx_vec{{1, 0}, {2, 0}, {3, 0}}), IoError);     // complex into real series
  EXPECT_EQ(s.size(), 0);
  EXPECT_THROW(root.series("s", {4}), IoError);   // exists with another record shape
  EXPECT_THROW(root.series("s", {3}, true), IoError);
  EXPECT_THROW(root.series("v", {}), IoError);    // a fixed-size dataset is not a series
  EXPECT_THROW(h5::File::create(path), IoError);  // already open in this process
}

// For `fockmix run --resume`: a file reopened for writing, every series cut back to a number of records
// (other datasets untouched), appends continuing after the cut, attributes removed, and a complex vector read
// into existing memory (refused if the length differs).
TEST(H5, ReopenShrinkSeriesAndReadInto) {
  const std::string path = fresh_path("shrink");
  const arma::cx_vec z = {{1.0, 2.0}, {-3.0, 0.5}, {0.0, -1.0}};
  {
    auto f = h5::File::create(path);
    const h5::Group root = f.root();
    auto s = root.series("times", {});
    auto m = root.group("a/b").series("m", {2, 3}, true);
    for (int k = 0; k < 5; ++k) {
      s.append(0.5 * k);
      m.append(arma::cx_mat(sample_cx_mat() * static_cast<double>(k)));
    }
    root.write("fixed", arma::vec{1.0, 2.0, 3.0, 4.0, 5.0, 6.0});
    root.write("z", z);
    root.set_attr("seconds", 1.5);
  }
  EXPECT_THROW(h5::File::open(path).root().set_attr("x", 1.0), IoError);  // read-only by default
  {
    auto f = h5::File::open(path, h5::File::Access::ReadWrite);
    const h5::Group root = f.root();
    EXPECT_EQ(root.shrink_series(2), 2);
    EXPECT_EQ(root.shrink_series(4), 0);  // nothing longer than 4 records any more
    root.remove_attr("seconds");
    root.remove_attr("absent");  // nothing to do
    auto s = root.series("times", {});
    EXPECT_EQ(s.size(), 2);
    s.append(7.0);
  }
  const auto f = h5::File::open(path);
  const h5::Group root = f.root();
  EXPECT_FALSE(root.has_attr("seconds"));
  const arma::vec times = root.read_vec("times");
  ASSERT_EQ(times.n_elem, 3u);
  EXPECT_EQ(times(1), 0.5);
  EXPECT_EQ(times(2), 7.0);
  const arma::cx_cube m = root.read_cx_cube("a/b/m");
  ASSERT_EQ(m.n_slices, 2u);
  EXPECT_TRUE(arma::approx_equal(m.slice(1), sample_cx_mat(), "absdiff", 0.0));
  EXPECT_EQ(root.read_vec("fixed").n_elem, 6u);
  arma::cx_vec into(3, arma::fill::zeros);
  const std::complex<double>* memory = into.memptr();
  root.read_into("z", into);
  EXPECT_EQ(into.memptr(), memory);
  EXPECT_TRUE(arma::approx_equal(into, z, "absdiff", 0.0));
  arma::cx_vec wrong(4);
  EXPECT_THROW(root.read_into("z", wrong), IoError);
}

// A file in memory (the ranks of a distributed run that do not write): the same API, nothing on disk.
TEST(H5, InMemoryFileWritesNothingToDisk) {
  const fs::path p = fs::temp_directory_path() / "fockmix_h5_in_memory.h5";
  fs::remove(p);
  {
    const h5::File f = h5::File::create_in_memory(p.string());
    const h5::Group root = f.root();
    root.set_attr("status", "running");
    root.group("a").write("x", arma::vec{1.0, 2.0, 3.0});
    h5::Series s = root.series("t", {});
    s.append(0.5);
    s.append(1.5);
    f.flush();
    EXPECT_EQ(root.attr_string("status"), "running");
    EXPECT_TRUE(arma::approx_equal(root.group("a").read_vec("x"), arma::vec{1.0, 2.0, 3.0}, "absdiff", 0.0));
    EXPECT_EQ(root.read_vec("t").n_elem, 2u);
  }
  EXPECT_FALSE(fs::exists(p));
}
