// Wigner transform and Weyl quantisation on the grid (SPEC §5) and the (2.24) norm (NOTES §1.6, N4):
// inverse maps, marginals, realness, closed forms (coherent state, Fermi sea), Tr(O omega) = hat f.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <array>
#include <complex>
#include <utility>
#include <vector>

#include "fockmix/analysis/phase_space.hpp"
#include "fockmix/core/error.hpp"
#include "fockmix/meanfield/wigner.hpp"

using namespace fockmix;

namespace {

constexpr double pi = 3.14159265358979323846;

/// A random density matrix: rank-k projection onto random complex vectors (Tr = k).
arma::cx_mat random_projection(Index L, Index k, unsigned seed) {
  arma::arma_rng::set_seed(seed);
  arma::cx_mat A(L, k, arma::fill::randn);
  arma::cx_mat Q, R;
  arma::qr_econ(Q, R, A);
  return Q * Q.t();
}

/// A random Hermitian matrix (not a projection).
arma::cx_mat random_hermitian(Index L, unsigned seed) {
  arma::arma_rng::set_seed(seed);
  arma::cx_mat A(L, L, arma::fill::randn);
  return 0.5 * (A + A.t());
}

double max_abs(const arma::cx_mat& A) { return arma::abs(A).max(); }

struct Case {
  std::vector<Index> sites;
  double h;
};

const std::vector<Case> cases = {{{8}, 0.5}, {{7}, 1.0}, {{2}, 1.0}, {{4, 4}, 0.7}, {{4, 3}, 1.0}, {{5, 6}, 0.4}};

}  // namespace

TEST(Wigner, WeylIsTheInverseOfWigner) {
  for (const auto& c : cases) {
    const Lattice lat(c.sites, c.h);
    const double hbar = 0.8;
    const auto grid = brillouin_grid(lat, hbar);
    const arma::cx_mat omega = random_hermitian(lat.sites(), 11);
    const arma::mat W = wigner_transform(omega, lat, hbar, grid);
    const arma::cx_mat back = weyl_quantisation(W, lat, hbar, grid);
    EXPECT_LT(max_abs(back - omega), 1e-12) << "L = " << lat.sites();
    // Also on a grid with L_a + 1 points per axis (the smallest exact one).
    const auto grid_small = brillouin_grid(lat, hbar, *std::max_element(c.sites.begin(), c.sites.end()) + 1);
    const arma::cx_mat back2 = weyl_quantisation(wigner_transform(omega, lat, hbar, grid_small), lat, hbar, grid_small);
    EXPECT_LT(max_abs(back2 - omega), 1e-12);
  }
}

TEST(Wigner, RealForHermitianAndMarginalIsTheDensity) {
  for (const auto& c : cases) {
    const Lattice lat(c.sites, c.h);
    const double hbar = 1.3;
    const Index L = lat.sites();
    const Index M = std::max<Index>(1, L / 3);
    const auto grid = brillouin_grid(lat, hbar);
    const arma::cx_mat omega = random_projection(L, M, 5);
    const arma::cx_mat Wc = wigner_transform_complex(omega, lat, hbar, grid);
    EXPECT_LT(arma::abs(arma::imag(Wc)).max(), 1e-13 * std::max(1.0, arma::abs(arma::real(Wc)).max()));
    const arma::mat f = wigner_function(omega, M, lat, hbar, grid);
    const arma::vec rho = position_marginal(f, lat, grid);
    const arma::vec expect = arma::real(omega.diag()) / static_cast<double>(M);
    EXPECT_LT(arma::abs(rho - expect).max(), 1e-14);
    // int f dx dp = 1 with dx dp = h^d dp^d.
    EXPECT_NEAR(arma::accu(f) * std::pow(lat.spacing(), lat.dim()) * grid.cell(), 1.0, 1e-13);
    // A non-Hermitian omega: the anti-Hermitian part goes to the imaginary part.
    const arma::cx_mat A = omega * cplx(0.0, 1.0);
    EXPECT_LT(arma::abs(arma::real(wigner_transform_complex(A, lat, hbar, grid))).max(), 1e-13);
  }
}

TEST(Wigner, FermiSeaHasUnitOccupationOnTheLatticeMomenta) {
  // Plane-wave Fermi sea on a ring: n(x, p) = 1 at the occupied lattice momenta, 0 at the empty ones (these are the
  // even points of the doubled grid), for every x.
  const Index L = 12, M = 5;
  const double h = 0.5, hbar = 0.7;
  const Lattice lat({L}, h);
  arma::cx_mat orb(L, M);
  for (Index j = 0; j < M; ++j) {
    const Index q = j - M / 2;  // -2..2
    for (Index x = 0; x < L; ++x) orb(x, j) = std::polar(1.0 / std::sqrt(double(L)), 2.0 * pi * double(q * x) / double(L));
  }
  const auto grid = brillouin_grid(lat, hbar);  // 2L points
  const arma::mat n = occupation(wigner_function(orb * orb.t(), M, lat, hbar, grid), M, hbar, 1);
  for (Index j = 0; j < grid.size(); j += 2) {
    const double p = grid.momentum(j)[0];
    const double q = p * L * h / (2.0 * pi * hbar);  // lattice momentum index
    const double expect = std::abs(q) <= M / 2 + 1e-9 ? 1.0 : 0.0;
    for (Index x = 0; x < L; ++x) EXPECT_NEAR(n(x, j), expect, 1e-12) << "p index " << j;
  }
}

TEST(Wigner, CoherentStateMatchesClosedForm) {
  // psi(x) ~ exp(-(x-x0)^2/(4 s^2) + i p0 x / hbar): W(x,p) = (pi hbar)^{-1} exp(-(x-x0)^2/(2 s^2) - 2 s^2 (p-p0)^2/hbar^2).
  const Index L = 96;
  const double h = 0.125, hbar = 0.5, s = 0.4, x0 = 5.3, p0 = 0.8;  // box 12: displacements |y| <= 6 cut at e^{-28}
  const Lattice lat({L}, h);
  arma::cx_vec psi(L);
  for (Index x = 0; x < L; ++x) {
    const double r = h * double(x) - x0;
    psi(x) = std::exp(-r * r / (4 * s * s)) * std::polar(1.0, p0 * r / hbar);
  }
  psi /= arma::norm(psi);
  const auto grid = brillouin_grid(lat, hbar);
  const arma::mat f = wigner_function(psi * psi.t(), 1, lat, hbar, grid);
  double err = 0.0, fmax = 0.0;
  for (Index x = 0; x < L; ++x)
    for (Index j = 0; j < grid.size(); ++j) {
      const double r = h * double(x) - x0, q = grid.momentum(j)[0] - p0;
      const double exact = std::exp(-r * r / (2 * s * s) - 2 * s * s * q * q / (hbar * hbar)) / (pi * hbar);
      err = std::max(err, std::abs(f(x, j) - exact));
      fmax = std::max(fmax, exact);
    }
  std::printf("[coherent 1D] max |W - closed form| / max W = %.3e\n", err / fmax);
  EXPECT_LT(err / fmax, 1e-9);

  // 2D: product of two coherent states on a 28 x 26 grid (L_a + 1 momenta per axis, to stay fast). The grid sets the
  // error: the half-site shift of the odd-displacement products psi(x+y/2) conj(psi(x-y/2)) (twice psi's bandwidth) errs
  // by ~ exp(-(pi s/h)^2/2) = 4e-4 here, and displacements are cut at ell_a/2 (factor ~ e^{-13}); in 1D above both are < 1e-20.
  const Lattice lat2({28, 26}, 0.3);
  arma::cx_vec psi2(lat2.sites());
  const double sx = 0.4, sy = 0.38, cx = 4.1, cy = 3.4, px = -0.5, py = 0.3, hb = 0.6;
  for (Index i = 0; i < lat2.sites(); ++i) {
    const auto pos = lat2.position(i);
    const double rx = pos[0] - cx, ry = pos[1] - cy;
    psi2(i) = std::exp(-rx * rx / (4 * sx * sx) - ry * ry / (4 * sy * sy)) * std::polar(1.0, (px * rx + py * ry) / hb);
  }
  psi2 /= arma::norm(psi2);
  const auto g2 = brillouin_grid(lat2, hb, 29);
  const arma::mat f2 = wigner_function(psi2 * psi2.t(), 1, lat2, hb, g2);
  double err2 = 0.0, fmax2 = 0.0;
  for (Index i = 0; i < lat2.sites(); ++i)
    for (Index j = 0; j < g2.size(); ++j) {
      const auto pos = lat2.position(i);
      const auto p = g2.momentum(j);
      const double rx = pos[0] - cx, ry = pos[1] - cy, qx = p[0] - px, qy = p[1] - py;
      const double exact = std::exp(-rx * rx / (2 * sx * sx) - 2 * sx * sx * qx * qx / (hb * hb)) *
                           std::exp(-ry * ry / (2 * sy * sy) - 2 * sy * sy * qy * qy / (hb * hb)) / (pi * pi * hb * hb);
      err2 = std::max(err2, std::abs(f2(i, j) - exact));
      fmax2 = std::max(fmax2, exact);
    }
  std::printf("[coherent 2D] max |W - closed form| / max W = %.3e\n", err2 / fmax2);
  EXPECT_LT(err2 / fmax2, 1e-4);
}

TEST(Wigner, FourierNormFromTraceEqualsExplicitWignerFunction) {
  for (const auto& c : cases) {
    const Lattice lat(c.sites, c.h);
    const double hbar = 0.9;
    const Index L = lat.sites(), M = std::max<Index>(1, L / 2);
    const arma::cx_mat omega = random_projection(L, M, 3);
    const arma::cx_mat from_trace = fourier_from_omega(omega, M, lat, hbar);
    for (Index pts : {Index(0), Index(3 * c.sites[0])}) {
      const auto grid = brillouin_grid(lat, hbar, pts);
      const arma::cx_mat from_f = fourier_from_phase_space(wigner_function(omega, M, lat, hbar, grid), lat, hbar, grid);
      EXPECT_LT(max_abs(from_trace - from_f), 1e-12) << "L = " << L;
    }
    // hat f(0, 0) = 1 and |f|_1 <= ||f||_{L^1}-like bound |hat f| <= 1 at zeta = 0.
    const auto g = fourier_grid(lat, hbar);
    const Index zero = (g.size() - 1) / 2;  // row-major centre of the symmetric grid
    EXPECT_NEAR(std::abs(from_trace(zero, zero)), 1.0, 1e-12);
    EXPECT_NEAR(fourier_norm(from_trace, lat, hbar), 1.0, 1e-12);
    // A distance of a state to its own Wigner function is zero.
    const auto grid = brillouin_grid(lat, hbar);
    EXPECT_LT(fourier_distance(omega, M, wigner_function(omega, M, lat, hbar, grid), lat, hbar, grid), 1e-12);
  }
}

TEST(Wigner, PhaseSpaceComparisonsVanishForTheSameState) {
  const Lattice lat({10}, 0.5);
  const double hbar = 1.0;
  const Index M = 3;
  const arma::cx_mat omega = random_projection(10, M, 9);
  const auto grid = brillouin_grid(lat, hbar);
  const arma::mat f = wigner_function(omega, M, lat, hbar, grid);
  EXPECT_LT(fermion_trace_error(omega, f, M, lat, hbar, grid), 1e-12);
  EXPECT_LT(density_error(omega, f, M, lat, grid), 1e-14);
  const arma::cx_mat other = random_projection(10, M, 10);
  EXPECT_GT(fermion_trace_error(other, f, M, lat, hbar, grid), 0.1);
}

TEST(Wigner, RejectsBadArguments) {
  const Lattice lat({6}, 1.0);
  EXPECT_THROW(brillouin_grid(lat, 0.0), InputError);
  EXPECT_THROW(brillouin_grid(lat, 1.0, 1), InputError);
  EXPECT_THROW(box_grid(lat, -1.0, 8), InputError);
  EXPECT_THROW(box_grid(lat, 1.0, 1), InputError);
  const auto grid = brillouin_grid(lat, 1.0);
  EXPECT_THROW(wigner_transform(arma::cx_mat(5, 5, arma::fill::zeros), lat, 1.0, grid), InputError);
  EXPECT_THROW(weyl_quantisation(arma::mat(6, 5, arma::fill::zeros), lat, 1.0, grid), InputError);
  EXPECT_THROW(wigner_function(arma::cx_mat(6, 6, arma::fill::eye), 0, lat, 1.0, grid), InputError);
  try {
    box_grid(lat, 0.0, 4);
    FAIL();
  } catch (const InputError& e) {
    EXPECT_EQ(e.key(), "box");
  }
  const Lattice lat2({4, 4}, 1.0);
  EXPECT_THROW(wigner_transform(arma::cx_mat(16, 16, arma::fill::eye), lat2, 1.0, grid), InputError);  // 1D grid, 2D lattice
}

// ---------------------------------------------------------------------------------------------------------
// The transforms apply their phase matrices axis by axis (a Kronecker product never formed). Reference: the
// formulas of wigner.hpp written out as plain sums over every site, momentum and displacement, with the
// half-site shift S as an explicit DFT, on small 2D and 3D lattices and on grids that are not the Brillouin
// zone (so no inverse identity can hide an error).

namespace {

Index ref_frequency(Index k, Index n) { return 2 * k <= n ? k : k - n; }
Index ref_floor_half(Index m) { return static_cast<Index>(std::floor(static_cast<double>(m) / 2.0)); }
Index ref_ceil_half(Index m) { return m - ref_floor_half(m); }

/// S (sign = -1) or S^{-1} (sign = +1) along `axis` of a site vector: explicit DFT, multiplier exp(sign i pi q / L_a)
/// with the Nyquist mode unshifted.
arma::cx_vec ref_half_shift(const arma::cx_vec& v, const Lattice& lat, int axis, double sign) {
  const Index La = lat.extent()[axis];
  arma::cx_vec out(v.n_elem, arma::fill::zeros);
  for (Index x = 0; x < lat.sites(); ++x) {
    const auto cx = lat.coords(x);
    for (Index j = 0; j < La; ++j) {
      auto cy = cx;
      cy[axis] = j;
      const Index y = lat.site(cy);
      cplx kernel = 0.0;  // (1/La) sum_k e^{2 pi i q (x_a - j)/La} multiplier(q)
      for (Index k = 0; k < La; ++k) {
        const Index q = ref_frequency(k, La);
        const cplx mult = (2 * q == La) ? cplx(1.0) : std::polar(1.0, sign * pi * static_cast<double>(q) / static_cast<double>(La));
        kernel += mult * std::polar(1.0, 2.0 * pi * static_cast<double>(q * (cx[axis] - j)) / static_cast<double>(La));
      }
      out(x) += kernel / static_cast<double>(La) * v(y);
    }
  }
  return out;
}

/// Every displacement channel m (minimum image, both +-L_a/2 for even L_a) with its weight w_m.
std::vector<std::pair<std::array<Index, 3>, double>> ref_channels(const Lattice& lat) {
  std::vector<std::pair<std::array<Index, 3>, double>> out{{{0, 0, 0}, 1.0}};
  for (int a = 0; a < lat.dim(); ++a) {
    std::vector<std::pair<std::array<Index, 3>, double>> next;
    const Index La = lat.extent()[a];
    for (const auto& [m, w] : out)
      for (Index ma = -(La / 2); ma <= La / 2; ++ma) {
        auto mm = m;
        mm[a] = ma;
        next.push_back({mm, (La % 2 == 0 && 2 * std::abs(ma) == La) ? 0.5 * w : w});
      }
    out = next;
  }
  return out;
}

double ref_dot(const std::array<double, 3>& p, const std::array<Index, 3>& m, int d) {
  double s = 0.0;
  for (int a = 0; a < d; ++a) s += p[a] * static_cast<double>(m[a]);
  return s;
}

/// W[omega](x, p) = (2 pi hbar)^{-d} sum_m w_m (S^{[m odd]} u_m)(x) e^{-i p.m h/hbar}, u_m(x) = omega(x + ceil(m/2), x - floor(m/2)).
arma::cx_mat ref_wigner(const arma::cx_mat& omega, const Lattice& lat, double hbar, const MomentumGrid& grid) {
  const Index L = lat.sites(), P = grid.size();
  const int d = lat.dim();
  arma::cx_mat W(L, P, arma::fill::zeros);
  for (const auto& [m, w] : ref_channels(lat)) {
    arma::cx_vec u(L);
    for (Index x = 0; x < L; ++x) {
      auto up = lat.coords(x), down = lat.coords(x);
      for (int a = 0; a < d; ++a) {
        up[a] += ref_ceil_half(m[a]);
        down[a] -= ref_floor_half(m[a]);
      }
      u(x) = omega(lat.site(up), lat.site(down));
    }
    for (int a = 0; a < d; ++a)
      if (m[a] % 2 != 0) u = ref_half_shift(u, lat, a, -1.0);
    for (Index j = 0; j < P; ++j) {
      const cplx e = std::polar(1.0, -ref_dot(grid.momentum(j), m, d) * lat.spacing() / hbar);
      for (Index x = 0; x < L; ++x) W(x, j) += w * u(x) * e;
    }
  }
  return W * std::pow(2.0 * pi * hbar, -d);
}

/// Op(f): G_m(x) = h^d sum_p f(x, p) e^{+i p.m h/hbar} dp^d, omega(x + ceil(m/2), x - floor(m/2)) += (S^{-1} G_m)(x).
arma::cx_mat ref_weyl(const arma::mat& f, const Lattice& lat, double hbar, const MomentumGrid& grid) {
  const Index L = lat.sites(), P = grid.size();
  const int d = lat.dim();
  arma::cx_mat omega(L, L, arma::fill::zeros);
  for (const auto& [m, w] : ref_channels(lat)) {
    (void)w;
    arma::cx_vec G(L, arma::fill::zeros);
    for (Index j = 0; j < P; ++j) {
      const cplx e = std::polar(1.0, ref_dot(grid.momentum(j), m, d) * lat.spacing() / hbar);
      for (Index x = 0; x < L; ++x) G(x) += f(x, j) * e;
    }
    G *= std::pow(lat.spacing(), d) * grid.cell();
    for (int a = 0; a < d; ++a)
      if (m[a] % 2 != 0) G = ref_half_shift(G, lat, a, +1.0);
    for (Index x = 0; x < L; ++x) {
      auto up = lat.coords(x), down = lat.coords(x);
      for (int a = 0; a < d; ++a) {
        up[a] += ref_ceil_half(m[a]);
        down[a] -= ref_floor_half(m[a]);
      }
      omega(lat.site(up), lat.site(down)) += G(x);
    }
  }
  return omega;
}

/// The (xi, eta) values of flat zeta index k (row-major, last axis fastest).
std::array<double, 3> ref_zeta(const std::vector<std::vector<double>>& values, const PhaseSpaceFourierGrid& g, Index k) {
  std::array<double, 3> z{0.0, 0.0, 0.0};
  for (int a = static_cast<int>(g.counts.size()) - 1; a >= 0; --a) {
    z[a] = values[a][k % g.counts[a]];
    k /= g.counts[a];
  }
  return z;
}

/// hat f(xi, eta) = sum_{x, p} f(x, p) e^{i (xi.x + eta.p)} h^d dp^d.
arma::cx_mat ref_fourier_phase_space(const arma::mat& f, const Lattice& lat, double hbar, const MomentumGrid& grid) {
  const auto g = fourier_grid(lat, hbar);
  const Index K = g.size();
  const int d = lat.dim();
  arma::cx_mat T(K, K, arma::fill::zeros);
  for (Index kx = 0; kx < K; ++kx)
    for (Index ke = 0; ke < K; ++ke) {
      const auto xi = ref_zeta(g.xi, g, kx), eta = ref_zeta(g.eta, g, ke);
      cplx s = 0.0;
      for (Index x = 0; x < lat.sites(); ++x)
        for (Index j = 0; j < grid.size(); ++j) {
          const auto pos = lat.position(x), p = grid.momentum(j);
          double ph = 0.0;
          for (int a = 0; a < d; ++a) ph += xi[a] * pos[a] + eta[a] * p[a];
          s += f(x, j) * std::polar(1.0, ph);
        }
      T(kx, ke) = s * std::pow(lat.spacing(), d) * grid.cell();
    }
  return T;
}

/// (1/M) Tr(O_{xi,eta} omega) = (1/M) sum_x e^{i xi.(x + n h/2)} omega(x + n, x), eta = n h / hbar.
arma::cx_mat ref_fourier_omega(const arma::cx_mat& omega, Index M, const Lattice& lat, double hbar) {
  const auto g = fourier_grid(lat, hbar);
  const Index K = g.size();
  const int d = lat.dim();
  arma::cx_mat T(K, K, arma::fill::zeros);
  for (Index kx = 0; kx < K; ++kx)
    for (Index ke = 0; ke < K; ++ke) {
      const auto xi = ref_zeta(g.xi, g, kx), eta = ref_zeta(g.eta, g, ke);
      cplx s = 0.0;
      for (Index x = 0; x < lat.sites(); ++x) {
        auto c = lat.coords(x);
        const auto pos = lat.position(x);
        double ph = 0.0;
        for (int a = 0; a < d; ++a) {
          const double nh = eta[a] * hbar;  // n_a h
          c[a] += static_cast<Index>(std::lround(nh / lat.spacing()));
          ph += xi[a] * (pos[a] + 0.5 * nh);
        }
        s += std::polar(1.0, ph) * omega(lat.site(c), x);
      }
      T(kx, ke) = s / static_cast<double>(M);
    }
  return T;
}

}  // namespace

TEST(Wigner, AxisByAxisTransformsMatchTheWrittenOutSums) {
  struct Grid3 {
    std::vector<Index> sites;
    double h;
    Index points;  // momentum points per axis (0: 2 L_a)
  };
  const std::vector<Grid3> grids = {{{4, 5}, 0.7, 0}, {{5, 6}, 0.4, 7}, {{6, 3}, 0.5, 0}, {{3, 4, 2}, 0.6, 5}};
  for (const auto& c : grids) {
    const Lattice lat(c.sites, c.h);
    const double hbar = 0.83;
    const Index L = lat.sites();
    for (bool box : {false, true}) {
      // The Brillouin-zone grid (default or another size) and a box grid with its own period.
      const MomentumGrid grid = box ? box_grid(lat, 2.3, c.points == 0 ? 6 : c.points) : brillouin_grid(lat, hbar, c.points);
      const arma::cx_mat omega = random_hermitian(L, 21) + cplx(0.0, 1.0) * random_hermitian(L, 22);  // not Hermitian
      const arma::cx_mat W = wigner_transform_complex(omega, lat, hbar, grid);
      const arma::cx_mat W_ref = ref_wigner(omega, lat, hbar, grid);
      EXPECT_LT(max_abs(W - W_ref), 1e-12 * std::max(1.0, max_abs(W_ref))) << "W, L = " << L << ", box " << box;
      arma::arma_rng::set_seed(23);
      const arma::mat f(L, grid.size(), arma::fill::randn);
      const arma::cx_mat op = weyl_quantisation(f, lat, hbar, grid);
      const arma::cx_mat op_ref = ref_weyl(f, lat, hbar, grid);
      EXPECT_LT(max_abs(op - op_ref), 1e-12 * std::max(1.0, max_abs(op_ref))) << "Op, L = " << L << ", box " << box;
      const arma::cx_mat fh = fourier_from_phase_space(f, lat, hbar, grid);
      const arma::cx_mat fh_ref = ref_fourier_phase_space(f, lat, hbar, grid);
      EXPECT_LT(max_abs(fh - fh_ref), 1e-12 * std::max(1.0, max_abs(fh_ref))) << "hat f, L = " << L << ", box " << box;
    }
    const Index M = std::max<Index>(1, L / 3);
    const arma::cx_mat omega = random_projection(L, M, 24);
    const arma::cx_mat t = fourier_from_omega(omega, M, lat, hbar);
    const arma::cx_mat t_ref = ref_fourier_omega(omega, M, lat, hbar);
    EXPECT_LT(max_abs(t - t_ref), 1e-12) << "Tr(O omega), L = " << L;
    // The inverse identity on the Brillouin-zone grid as well: Op(W[omega]) = omega.
    const auto bz = brillouin_grid(lat, hbar);
    EXPECT_LT(max_abs(weyl_quantisation(wigner_transform(omega, lat, hbar, bz), lat, hbar, bz) - omega), 1e-12);
  }
}
