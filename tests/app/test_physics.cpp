// Physics check (ctest label "slow"): in the microscopic regime of SPEC §8 (lambda = 1/N, hbar = 1,
// N = M, m_F = m_B = 1/2) the boson mean-field error e_B = ||gamma_B - N |phi><phi| ||_Tr / N decreases as
// N = M grows (Theorem 1 bounds it by C(t)/sqrt(N); 1/N is the optimal rate in simpler settings).
//
// Family: a ring of L = 2M sites (filling 1/2, spacing 1) with both species prepared in harmonic traps of
// strength kappa = 0.2 (10 / L)^2 around the box centre, so that the fermion cloud fills the same fraction
// of the ring for every M (local-density picture: kappa L^2 fixed), then released at t = 0 under a
// Gaussian V (A = 1, w = 1). M = 2, 3, 4, 5 (D = 60, 1120, 23100, 504504). The horizon T = 1 lies in the
// growth phase of every run (beyond t ~ 1.3 the small systems show recurrences that break the ordering).
// docs/physics_checks.md records the measured numbers.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "fockmix/app/run.hpp"
#include "fockmix/io/h5.hpp"

namespace fs = std::filesystem;
using namespace fockmix;

namespace {

Model microscopic_model(Index M) {
  const Index L = 2 * M;
  const double kappa = 0.2 * std::pow(10.0 / static_cast<double>(L), 2);
  Model m;
  m.name = "microscopic_M" + std::to_string(M);
  m.sites = {L};
  m.spacing = 1.0;
  m.hbar = 1.0;
  m.lambda = 1.0 / static_cast<double>(M);  // lambda = 1/N, N = M
  m.interaction.kind = InteractionKind::Gaussian;
  m.interaction.amplitude = 1.0;
  m.interaction.width = 1.0;
  for (SpeciesSpec* s : {&m.fermions, &m.bosons}) {
    s->number = M;
    s->mass = 0.5;
    s->trap = {PotentialKind::Harmonic, kappa, 1.0, {}, {}};
    s->potential = {};  // released at t = 0
    s->init.kind = InitKind::Trap;
  }
  m.t_final = 1.0;
  m.output_every = 0.1;
  m.hartree.dt = 0.005;
  m.exact.tolerance = 1e-10;
  const fs::path dir = fs::path(FOCKMIX_BINARY_DIR) / "test_output" / "physics";
  fs::create_directories(dir);
  m.output = (dir / (m.name + ".h5")).string();
  return m;
}

struct Point {
  Index N = 0;
  double eB_T = 0, eB_max = 0, eF_T = 0, eF_max = 0, nB_T = 0, seconds = 0;
};

/// Least-squares slope b of log y = a + b log x, and its standard error.
std::pair<double, double> fit_slope(const std::vector<double>& x, const std::vector<double>& y) {
  const double n = static_cast<double>(x.size());
  double sx = 0, sy = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    sx += std::log(x[i]);
    sy += std::log(y[i]);
  }
  const double mx = sx / n, my = sy / n;
  double sxx = 0, sxy = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    sxx += (std::log(x[i]) - mx) * (std::log(x[i]) - mx);
    sxy += (std::log(x[i]) - mx) * (std::log(y[i]) - my);
  }
  const double b = sxy / sxx;
  double rss = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double r = std::log(y[i]) - (my + b * (std::log(x[i]) - mx));
    rss += r * r;
  }
  return {b, std::sqrt(rss / (n - 2.0) / sxx)};
}

}  // namespace

TEST(MicroscopicRegime, BosonErrorDecreasesWithN) {
  std::vector<Point> points;
  for (const Index M : {2, 3, 4, 5}) {
    const Model m = microscopic_model(M);
    const RunSummary s = run_model(m);
    ASSERT_EQ(s.status, RunStatus::Completed);
    const h5::File file = h5::File::open(m.output);
    const h5::Group root = file.root();
    const arma::vec t = root.read_vec("times");
    const arma::vec eB = root.group("comparison/exact_hartree").read_vec("eB_trace");
    const arma::vec eF = root.group("comparison/exact_hartree").read_vec("eF_trace");
    const arma::vec nB = root.group("comparison/exact_hartree").read_vec("nB_exc");
    const arma::vec E = root.group("exact").read_vec("energy");
    const arma::vec E_hh = root.group("hartree").read_vec("energy");
    ASSERT_EQ(t.n_elem, 11u);
    EXPECT_NEAR(t(t.n_elem - 1), 1.0, 1e-12);
    // sanity of each run: same start, both energies conserved
    EXPECT_LE(eB(0), 1e-12);
    EXPECT_LE(arma::abs(E - E(0)).max(), 1e-9 * std::max(1.0, std::abs(E(0))));
    EXPECT_LE(arma::abs(E_hh - E_hh(0)).max(), 1e-9 * std::max(1.0, std::abs(E(0))));
    points.push_back({M, eB(eB.n_elem - 1), eB.max(), eF(eF.n_elem - 1), eF.max(), nB(nB.n_elem - 1), s.seconds_total});
  }

  std::printf("\n  microscopic regime, L = 2N, T = 1\n  %3s %12s %12s %12s %12s %12s %9s\n", "N", "e_B(T)", "max e_B",
              "e_F(T)", "max e_F", "N_B^exc(T)", "seconds");
  std::vector<double> Ns, eB_T, eB_max, eF_T;
  for (const Point& p : points) {
    std::printf("  %3lld %12.4e %12.4e %12.4e %12.4e %12.4e %9.2f\n", static_cast<long long>(p.N), p.eB_T, p.eB_max,
                p.eF_T, p.eF_max, p.nB_T, p.seconds);
    Ns.push_back(static_cast<double>(p.N));
    eB_T.push_back(p.eB_T);
    eB_max.push_back(p.eB_max);
    eF_T.push_back(p.eF_T);
  }
  const auto [b_T, se_T] = fit_slope(Ns, eB_T);
  const auto [b_max, se_max] = fit_slope(Ns, eB_max);
  const auto [bF, seF] = fit_slope(Ns, eF_T);
  std::printf("  slope of log e_B(T) vs log N: %.3f +- %.3f; of log max e_B: %.3f +- %.3f; of log e_F(T): %.3f +- %.3f\n",
              b_T, se_T, b_max, se_max, bF, seF);
  for (std::size_t i = 1; i < points.size(); ++i)
    std::printf("  local slope of log e_B(T), N = %lld -> %lld: %.3f\n", static_cast<long long>(Ns[i - 1]),
                static_cast<long long>(Ns[i]), std::log(eB_T[i] / eB_T[i - 1]) / std::log(Ns[i] / Ns[i - 1]));
  RecordProperty("slope_eB_T", std::to_string(b_T));
  RecordProperty("slope_eB_max", std::to_string(b_max));

  for (std::size_t i = 1; i < points.size(); ++i) {
    SCOPED_TRACE("N = " + std::to_string(points[i].N));
    EXPECT_LT(points[i].eB_T, points[i - 1].eB_T);      // e_B at the fixed time t = T
    EXPECT_LT(points[i].eB_max, points[i - 1].eB_max);  // and its maximum over [0, T]
  }
  // a clear decay, at least as fast as the 1/sqrt(N) of Theorem 1 (measured: about -1.2)
  EXPECT_LT(b_T, -0.5);
  EXPECT_LT(b_max, -0.5);
}
