// Scans (include/fockmix/app/scan.hpp): the power-law fit on synthetic data with known exponents, the
// regimes of SPEC §8, validation of scan files, and resume after an interrupted scan.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "fockmix/app/scan.hpp"
#include "fockmix/core/error.hpp"
#include "fockmix/io/h5.hpp"

namespace fs = std::filesystem;
using namespace fockmix;

namespace {

// ---------------------------------------------------------------------------------------------
// The fit

TEST(FitPowerLaw, ExactOnNoiseFreeData) {
  const std::vector<double> xs{2, 3, 5, 8, 13, 21};
  for (double b : {-0.5, -1.0, 0.25, 2.0}) {
    std::vector<double> ys;
    for (double x : xs) ys.push_back(3.7 * std::pow(x, b));
    const LinearFit f = fit_power_law(xs, ys);
    EXPECT_EQ(f.points, 6);
    EXPECT_NEAR(f.slope, b, 1e-13);
    EXPECT_NEAR(f.intercept, std::log(3.7), 1e-12);
    EXPECT_LT(f.slope_stderr, 1e-13);
    EXPECT_LT(f.residual_rms, 1e-13);
  }
}

// log y = a + b log x + sigma xi with Gaussian xi: b within 3 standard errors in (about) 99.7% of the
// trials, and the reported standard error matching sigma / sqrt(S_xx) and the scatter of b over trials.
TEST(FitPowerLaw, NoisyDataWithinThreeStandardErrors) {
  const std::vector<double> xs{1, 2, 3, 4, 6, 8, 12, 16};
  const double a = -0.3, b = -0.5, sigma = 0.05;
  double ubar = 0, Suu = 0;
  for (double x : xs) ubar += std::log(x) / xs.size();
  for (double x : xs) Suu += (std::log(x) - ubar) * (std::log(x) - ubar);
  const double se_true = sigma / std::sqrt(Suu);
  std::mt19937_64 rng(20240611);
  std::normal_distribution<double> xi(0.0, 1.0);
  const int trials = 2000;
  int within = 0;
  double mean_b = 0, mean_b2 = 0, mean_s2 = 0;
  for (int k = 0; k < trials; ++k) {
    std::vector<double> ys;
    for (double x : xs) ys.push_back(std::exp(a + b * std::log(x) + sigma * xi(rng)));
    const LinearFit f = fit_power_law(xs, ys);
    ASSERT_TRUE(std::isfinite(f.slope_stderr));
    if (std::abs(f.slope - b) < 3 * f.slope_stderr) ++within;
    mean_b += f.slope / trials;
    mean_b2 += f.slope * f.slope / trials;
    mean_s2 += f.slope_stderr * f.slope_stderr / trials;
  }
  // t-distribution with 6 degrees of freedom: P(|t| < 3) = 0.976
  EXPECT_GT(within, 0.96 * trials);
  EXPECT_NEAR(mean_b, b, 4 * se_true / std::sqrt(trials));                // unbiased
  EXPECT_NEAR(std::sqrt(mean_s2), se_true, 0.05 * se_true);               // E[se^2] = se_true^2
  EXPECT_NEAR(std::sqrt(mean_b2 - mean_b * mean_b), se_true, 0.06 * se_true);  // the scatter it describes
}

TEST(FitPowerLaw, FewOrDegeneratePointsGiveNaN) {
  LinearFit f = fit_power_law({2, 4}, {1, 0.5});
  EXPECT_NEAR(f.slope, -1.0, 1e-14);
  EXPECT_TRUE(std::isnan(f.slope_stderr));  // n = 2: exact line, no error bar
  f = fit_power_law({2}, {1});
  EXPECT_TRUE(std::isnan(f.slope));
  f = fit_power_law({3, 3, 3}, {1, 2, 3});  // all x equal
  EXPECT_TRUE(std::isnan(f.slope));
  // non-positive or non-finite values are skipped (an error of exactly 0 at t = 0)
  f = fit_power_law({1, 2, 4, 8, 16}, {0.0, 0.5, 0.25, NAN, 0.0625});
  EXPECT_EQ(f.points, 3);
  EXPECT_NEAR(f.slope, -1.0, 1e-14);
  EXPECT_THROW(fit_power_law({1, 2, 3}, {1, 2}), InputError);
}

// ---------------------------------------------------------------------------------------------
// Scan files

/// A fresh folder for one test, removed at the end.
class ScanFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() / ("fockmix_scan_" + std::to_string(getpid()) + "_" + info->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    write("base.toml", base_model);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string write(const std::string& name, const std::string& text) const {
    const fs::path p = dir_ / name;
    std::ofstream(p) << text;
    return p.string();
  }
  /// A scan file over the tiny base model: `body` goes inside [scan] after base and output.
  std::string scan_file(const std::string& name, const std::string& body) const {
    return write(name + ".toml", "[scan]\nbase = \"base.toml\"\noutput = \"" + (dir_ / name).string() + ".h5\"\n" + body);
  }

  static inline const std::string base_model = R"(
[grid]
sites = 5
[physics]
lambda = 0.5
[interaction]
kind = "gaussian"
width = 1.0
[fermions]
number = 2
trap = { kind = "harmonic", strength = 0.3 }
[bosons]
number = 2
trap = { kind = "harmonic", strength = 0.3, centre = [2.0] }
[time]
final = 0.4
output_every = 0.1
[exact]
memory_limit_gib = 1.0
[hartree]
dt = 0.01
)";
  fs::path dir_;
};

/// The InputError of loading `path`, checking that it names the file and `key`.
void expect_error(const std::string& path, const std::string& key, const std::string& words) {
  try {
    load_scan(path);
    ADD_FAILURE() << "no error for " << key;
  } catch (const InputError& e) {
    EXPECT_EQ(e.file(), path);
    EXPECT_EQ(e.key(), key) << e.what();
    EXPECT_NE(std::string(e.what()).find(words), std::string::npos) << e.what();
  }
}

TEST_F(ScanFiles, MicroscopicRegimeAndGrowingLattice) {
  const ScanSpec spec = load_scan(scan_file("micro", "regime = \"microscopic\"\nvalues = [1, 2, 3]\nsites_per_fermion = 2\n"
                                                     "box = \"fixed\"\ntimes = [0.2, 0.4]\n"));
  const std::vector<ScanPoint> plan = scan_plan(spec);
  ASSERT_EQ(plan.size(), 3u);
  std::set<std::string> ids;
  for (const auto& p : plan) {
    const Model& m = p.model;
    EXPECT_EQ(m.fermions.number, p.value);
    EXPECT_EQ(m.bosons.number, p.value);  // N = M
    EXPECT_DOUBLE_EQ(m.lambda, 1.0 / p.value);
    EXPECT_DOUBLE_EQ(m.hbar, 1.0);
    EXPECT_DOUBLE_EQ(m.fermions.mass, 0.5);
    EXPECT_DOUBLE_EQ(m.bosons.mass, 0.5);
    EXPECT_EQ(m.sites, std::vector<Index>{2 * p.value});
    EXPECT_DOUBLE_EQ(m.spacing * m.sites[0], 5.0);  // fixed box ell = 5
    EXPECT_DOUBLE_EQ(m.t_final, 0.4);
    ids.insert(p.id);
  }
  EXPECT_EQ(ids.size(), 3u);
  EXPECT_EQ(scan_plan(spec)[2].id, plan[2].id);  // stable
  EXPECT_TRUE(spec.warnings.empty());
  EXPECT_TRUE(is_scan_file(spec.source));
  EXPECT_FALSE(is_scan_file((dir_ / "base.toml").string()));
}

TEST_F(ScanFiles, SemiclassicalRegimeRoundsNAndWarnsIn1D) {
  const ScanSpec spec = parse_scan(scan_file("semi", "regime = \"semiclassical\"\nvalues = [2, 3]\nsites_per_fermion = 2\n"));
  ASSERT_FALSE(spec.warnings.empty());
  EXPECT_NE(spec.warnings[0].find("(2.15)"), std::string::npos);
  const std::vector<ScanPoint> plan = scan_plan(spec);
  EXPECT_EQ(plan[1].model.bosons.number, 9);  // N = M^{1 + 1/d} = 3^2
  EXPECT_DOUBLE_EQ(plan[1].model.hbar, 1.0 / 3);
  EXPECT_DOUBLE_EQ(plan[1].model.bosons.mass, 1.0 / 3);
  EXPECT_DOUBLE_EQ(plan[1].model.fermions.mass, 1.0);
  EXPECT_DOUBLE_EQ(plan[1].model.lambda, 1.0 / 9);
  EXPECT_DOUBLE_EQ(plan[1].model.spacing * 6, 5.0);  // the box stays fixed by default

  // custom: N = 1.5 M rounds, recorded
  const ScanSpec c = parse_scan(scan_file("custom", "regime = \"custom\"\nvalues = [1, 3]\nextra_sites = 2\n"
                                                    "N = { coef = 1.5, power = 1 }\nlambda = { coef = 1, power = -1, of = \"N\" }\n"));
  const std::vector<ScanPoint> cp = scan_plan(c);
  EXPECT_EQ(cp[1].model.bosons.number, 5);  // round(4.5) = 5
  EXPECT_DOUBLE_EQ(cp[1].N_unrounded, 4.5);
  EXPECT_DOUBLE_EQ(cp[1].model.lambda, 1.0 / 5);
  EXPECT_EQ(cp[1].model.sites[0], 5);
}

TEST_F(ScanFiles, ValidationErrorsNameFileAndKey) {
  expect_error(scan_file("a", "regime = \"microscopic\"\nvalues = [1, 2]\nvalus = 3\n"), "scan.valus", "unknown key");
  expect_error(scan_file("b", "regime = \"microscopic\"\nvalues = [1, 2]\nhorizon = \"long\"\n"), "scan.horizon", "expected a number");
  expect_error(scan_file("c", "regime = \"microscopic\"\nvalues = [1, 2.5]\n"), "scan.values[1]", "expected an integer");
  expect_error(scan_file("d", "regime = \"mesoscopic\"\nvalues = [1, 2]\n"), "scan.regime", "unknown value");
  expect_error(scan_file("e", "regime = \"microscopic\"\nvalues = []\n"), "scan.values", "empty");
  expect_error(scan_file("f", "regime = \"microscopic\"\nvalues = [1, 2]\nlambda = 0.1\n"), "scan.lambda", "set by the microscopic regime");
  expect_error(scan_file("g", "regime = \"microscopic\"\nvalues = [1, 2]\ntimes = [0.25]\n"), "scan.times[0]", "not an output time");
  expect_error(scan_file("h", "regime = \"microscopic\"\nvalues = [1, 2]\nsites = [4]\n"), "scan.sites", "one lattice per value");
  expect_error(scan_file("i", "regime = \"custom\"\nvalues = [1, 2]\nN = [3]\n"), "scan.N", "one entry per value");
  // a fixed lattice of 5 sites cannot hold 6 fermions
  expect_error(scan_file("j", "regime = \"microscopic\"\nvalues = [2, 6]\n"), "scan.values[1]", "M <= L");
  // M = 12 on 24 sites: D = C(24,12) C(35,12) ~ 2e15 states, far beyond any memory
  expect_error(scan_file("k", "regime = \"microscopic\"\nvalues = [2, 12]\nsites_per_fermion = 2\n"), "scan.values[1]", "GiB");
  const std::string missing = write("nobase.toml", "[scan]\nbase = \"nothere.toml\"\nregime = \"microscopic\"\nvalues = [1]\n");
  expect_error(missing, "scan.base", "no such model file");
  const std::string notable = write("notable.toml", "name = \"x\"\n");
  expect_error(notable, "scan", "[scan]");
}

// ---------------------------------------------------------------------------------------------
// Running and resuming

void expect_same_results(const ScanResult& a, const ScanResult& b) {
  ASSERT_EQ(a.points.size(), b.points.size());
  for (std::size_t i = 0; i < a.points.size(); ++i) {
    const ScanPointResult& p = a.points[i];
    const ScanPointResult& q = b.points[i];
    EXPECT_EQ(p.point.id, q.point.id);
    EXPECT_EQ(p.dim, q.dim);
    ASSERT_EQ(p.times.size(), q.times.size());
    for (std::size_t k = 0; k < scan_quantities().size(); ++k) {
      ASSERT_EQ(p.series[k].size(), q.series[k].size());
      for (std::size_t t = 0; t < p.series[k].size(); ++t)
        EXPECT_NEAR(p.series[k][t], q.series[k][t], 1e-12 * std::max(1.0, std::abs(p.series[k][t])))
            << scan_quantities()[k].name << " point " << i << " time " << t;
      EXPECT_EQ(p.has(k), q.has(k)) << scan_quantities()[k].name;
      if (p.has(k)) {  // a missing quantity is NaN in both
        EXPECT_NEAR(p.max_value[k], q.max_value[k], 1e-12 * std::max(1.0, p.max_value[k]));
      }
    }
  }
  ASSERT_EQ(a.fits.size(), b.fits.size());
  for (std::size_t f = 0; f < a.fits.size(); ++f)
    for (std::size_t c = 0; c < a.fits[f].columns.size(); ++c) {
      const double x = a.fits[f].columns[c].slope, y = b.fits[f].columns[c].slope;
      if (std::isfinite(x) || std::isfinite(y)) {
        EXPECT_NEAR(x, y, 1e-9);
      }
    }
}

TEST_F(ScanFiles, InterruptedScanResumesToTheSameResults) {
  const std::string body = "regime = \"microscopic\"\nvalues = [1, 2, 3]\nextra_sites = 2\ntimes = [0.2, 0.4]\n";
  // uninterrupted reference
  const ScanSpec ref_spec = load_scan(scan_file("reference", body));
  const ScanResult ref = run_scan(ref_spec);
  ASSERT_EQ(ref.status, ScanStatus::Completed);
  ASSERT_EQ(ref.points.size(), 3u);
  EXPECT_EQ(ref.points_reused, 0);

  // the same scan, stopped in the middle of its second point (M = 2)
  const ScanSpec spec = load_scan(scan_file("resumed", body));
  std::atomic<bool> stop{false};
  std::vector<Index> started;
  ScanHooks hooks;
  hooks.stop = &stop;
  hooks.point_started = [&](const ScanPoint& p) { started.push_back(p.value); };
  hooks.progress = [&](const ScanProgress& pr) {
    if (pr.points_done == 1 && pr.running == 1 && pr.note.rfind("M = 2, N = 2: t = 0.2", 0) == 0) stop.store(true);
  };
  const ScanResult first = run_scan(spec, hooks);
  EXPECT_EQ(first.status, ScanStatus::Interrupted);
  ASSERT_EQ(first.points.size(), 1u);
  EXPECT_EQ(started, (std::vector<Index>{1, 2}));
  const ScanPoint cut = scan_plan(spec)[1];
  {
    const h5::File f = h5::File::open(cut.model.output);  // the interrupted point left a partial file
    EXPECT_EQ(f.root().attr_string("status"), "interrupted");
    const h5::File s = h5::File::open(spec.output);  // and the scan file holds the finished point
    EXPECT_EQ(s.root().attr_string("status"), "interrupted");
    EXPECT_EQ(s.root().attr_int("points_done"), 1);
  }

  // restart with the same file: the finished point is reused, the cut one and the last one run
  started.clear();
  stop.store(false);
  hooks.progress = nullptr;
  const ScanResult second = run_scan(load_scan(spec.source), hooks);
  EXPECT_EQ(second.status, ScanStatus::Completed);
  EXPECT_EQ(second.points_reused, 1);
  EXPECT_EQ(started, (std::vector<Index>{2, 3}));
  expect_same_results(ref, second);
  // a third run does nothing but rebuild the file
  started.clear();
  const ScanResult third = run_scan(load_scan(spec.source), hooks);
  EXPECT_TRUE(started.empty());
  EXPECT_EQ(third.points_reused, 3);
  expect_same_results(ref, third);
  EXPECT_EQ(collect_scan(spec).points.size(), 3u);

  // the scan file: points, chosen times, fits
  const h5::File f = h5::File::open(spec.output);
  const h5::Group root = f.root();
  EXPECT_EQ(root.attr_string("status"), "completed");
  EXPECT_EQ(root.group("points").read_ints("M"), (std::vector<std::int64_t>{1, 2, 3}));
  EXPECT_EQ(root.group("points").read_ints("N"), (std::vector<std::int64_t>{1, 2, 3}));
  EXPECT_EQ(root.group("at_times").shape("eF_trace"), (std::vector<std::int64_t>{3, 2}));
  const arma::vec slope = root.group("fits/N/eB_trace").read_vec("slope");
  EXPECT_EQ(slope.n_elem, 3u);  // max, t = 0.2, t = 0.4
  EXPECT_NEAR(slope(0), ref.fits[1].columns[0].slope, 1e-12);
}

TEST_F(ScanFiles, SmallPointsSideBySideGiveTheSameResults) {
  const std::string body = "regime = \"microscopic\"\nvalues = [1, 2, 3]\nextra_sites = 2\ntimes = [0.4]\nthreads = 2\n";
  const ScanResult one = run_scan(load_scan(scan_file("sequential", body)));
  const ScanResult two = run_scan(load_scan(scan_file("parallel", body + "parallel_points = 2\n")));
  EXPECT_EQ(two.status, ScanStatus::Completed);
  for (const auto& p : two.points) EXPECT_EQ(p.threads, 1);  // two threads split between two points
  expect_same_results(one, two);
}

// ---------------------------------------------------------------------------------------------
// Semiclassical scans: fits against hbar, scans without the exact solver

/// Synthetic point results with e = c hbar^b (times a little noise): fit_scan against hbar recovers b with
/// a standard error, and still fits against N and M.
TEST(ScanFitAgainstHbar, RecoversTheExponentOfSyntheticData) {
  ScanSpec spec;
  spec.fit_against = FitAgainst::Hbar;
  spec.times = {0.5};
  const std::size_t q = static_cast<std::size_t>(find_scan_quantity("vh_eF_trace") - scan_quantities().data());
  ASSERT_LT(q, scan_quantities().size());
  const double b = 0.75, c = 0.3;
  const std::vector<double> noise{0.01, -0.02, 0.015, 0.0, -0.01, 0.02};
  std::vector<ScanPointResult> points;
  for (std::size_t i = 0; i < noise.size(); ++i) {
    ScanPointResult r;
    const Index M = static_cast<Index>(10 + 6 * i);
    r.point.value = M;
    r.point.model.fermions.number = M;
    r.point.model.bosons.number = static_cast<Index>(std::llround(std::pow(M, 1.5)));
    r.point.model.hbar = 1.0 / std::sqrt(static_cast<double>(M));
    const double e = c * std::pow(r.point.model.hbar, b) * std::exp(noise[i]);
    for (auto& a : r.at_times) a.assign(spec.times.size(), NAN);  // as read_point_file leaves a missing quantity
    r.series[q] = {0.0, e};
    r.max_value[q] = e;
    r.at_times[q] = {0.5 * e};
    points.push_back(std::move(r));
  }
  EXPECT_EQ(fit_axes(spec), (std::vector<FitAxis>{FitAxis::Hbar, FitAxis::N, FitAxis::M}));
  const std::vector<ScanFit> fits = fit_scan(spec, points);
  ASSERT_EQ(fits.size(), 3 * scan_quantities().size());
  const ScanFit& f = fits[q];  // axis-major: hbar first
  EXPECT_EQ(f.axis, FitAxis::Hbar);
  EXPECT_EQ(to_string(f.axis), "hbar");
  ASSERT_EQ(f.columns.size(), 2u);
  for (const LinearFit& col : f.columns) {
    EXPECT_EQ(col.points, 6);
    EXPECT_GT(col.slope_stderr, 0.0);
    EXPECT_LT(col.slope_stderr, 0.1);
    EXPECT_NEAR(col.slope, b, 3 * col.slope_stderr);
  }
  EXPECT_NEAR(std::exp(f.columns[0].intercept), c, 0.05 * c);
  // hbar = M^{-1/2}: the slope against M is -b/2
  const ScanFit& fM = fits[2 * scan_quantities().size() + q];
  EXPECT_EQ(fM.axis, FitAxis::M);
  EXPECT_NEAR(fM.columns[0].slope, -0.5 * f.columns[0].slope, 1e-12);
  // quantities no point has: no fit
  EXPECT_EQ(fits[0].columns[0].points, 0);
  EXPECT_TRUE(std::isnan(fits[0].columns[0].slope));
}

/// A semiclassical 2D scan with Hartree–Hartree and Vlasov–Hartree only: the lattice refined with hbar,
/// the points run, the HH–VH quantities recorded and fitted against hbar (and the exact ones absent).
TEST_F(ScanFiles, SemiclassicalScanWithoutExactSolverRunsAndFitsAgainstHbar) {
  write("vh2d.toml", R"(
[grid]
sites = [4, 4]
spacing = 1.0
kinetic = "spectral"
[interaction]
kind = "gaussian"
amplitude = 2.0
width = 0.7
[fermions]
number = 3
trap = { kind = "harmonic", strength = 1.0 }
potential = { kind = "harmonic", strength = 1.0 }
[bosons]
number = 5
init = { kind = "packet", width = 0.6, centre = [2.5, 2.0] }
[time]
final = 0.2
output_every = 0.1
[exact]
enabled = false
[hartree]
dt = 0.02
[vlasov]
enabled = true
dt = 0.02
)");
  const std::string path = write("semi2d.toml", "[scan]\nbase = \"vh2d.toml\"\noutput = \"" + (dir_ / "semi2d").string() +
                                                    ".h5\"\nregime = \"semiclassical\"\nvalues = [3, 6, 10]\n"
                                                    "lattice = \"refine_with_hbar\"\npoints_per_hbar = 0.8\n"
                                                    "times = [0.2]\nfit_against = \"hbar\"\n");
  const ScanSpec spec = load_scan(path);
  EXPECT_EQ(spec.fit_against, FitAgainst::Hbar);
  EXPECT_EQ(spec.box, BoxRule::Fixed);
  const std::vector<ScanPoint> plan = scan_plan(spec);
  ASSERT_EQ(plan.size(), 3u);
  for (const auto& p : plan) {
    const Model& m = p.model;
    EXPECT_DOUBLE_EQ(m.hbar, 1.0 / std::sqrt(static_cast<double>(p.value)));  // (2.20), d = 2
    const Index La = std::llround(0.8 * 4.0 / m.hbar);
    EXPECT_EQ(m.sites, (std::vector<Index>{La, La}));
    EXPECT_DOUBLE_EQ(m.spacing * static_cast<double>(La), 4.0);  // the box is kept
    EXPECT_FALSE(m.exact.enabled);
  }
  const ScanResult res = run_scan(spec);
  ASSERT_EQ(res.status, ScanStatus::Completed);
  ASSERT_EQ(res.points.size(), 3u);
  const auto idx = [](const char* name) { return static_cast<std::size_t>(find_scan_quantity(name) - scan_quantities().data()); };
  for (const auto& r : res.points) {
    EXPECT_FALSE(r.has(idx("eF_trace")));  // no exact solver
    for (const char* name : {"vh_eF_trace", "vh_rhoF_l1", "vh_eB_trace", "vh_fourier"}) {
      ASSERT_TRUE(r.has(idx(name))) << name;
      EXPECT_NEAR(r.series[idx(name)].front(), 0.0, 1e-8) << name;  // VH starts from W[omega_0] / M
      EXPECT_GT(r.max_value[idx(name)], 0.0) << name;
      EXPECT_TRUE(std::isfinite(r.max_value[idx(name)])) << name;
    }
  }
  for (const auto& f : res.fits)
    if (f.axis == FitAxis::Hbar && f.quantity == idx("vh_eF_trace")) {
      EXPECT_EQ(f.columns[0].points, 3);
      EXPECT_TRUE(std::isfinite(f.columns[0].slope));
      EXPECT_TRUE(std::isfinite(f.columns[0].slope_stderr));
    }
  const h5::File file = h5::File::open(spec.output);
  const h5::Group root = file.root();
  EXPECT_EQ(root.attr_string("fit_against"), "hbar");
  EXPECT_EQ(root.group("fits/hbar/vh_eF_trace").read_vec("slope").n_elem, 2u);  // max, t = 0.2
  // refused: a growing box with refine_with_hbar, and a base with a single solver
  expect_error(write("bad1.toml", "[scan]\nbase = \"vh2d.toml\"\nregime = \"semiclassical\"\nvalues = [3]\n"
                                  "lattice = \"refine_with_hbar\"\npoints_per_hbar = 1\nbox = \"grow\"\n"),
               "scan.box", "fixed");
  expect_error(write("bad2.toml", "[scan]\nbase = \"vh2d.toml\"\nregime = \"semiclassical\"\nvalues = [3]\n"
                                  "lattice = \"refine_with_hbar\"\n"),
               "scan.points_per_hbar", "missing");
  write("hh_only.toml", "[grid]\nsites = 4\n[fermions]\nnumber = 1\n[exact]\nenabled = false\n");
  expect_error(write("bad3.toml", "[scan]\nbase = \"hh_only.toml\"\nregime = \"microscopic\"\nvalues = [1]\n"), "scan.base",
               "at least two");
}

}  // namespace
