#include "fockmix/meanfield/wigner.hpp"

#include <cmath>
#include <string>

#include "fockmix/core/error.hpp"

namespace fockmix {

namespace {

constexpr double pi = 3.14159265358979323846;

Index floor_half(Index m) { return m >= 0 ? m / 2 : -((-m + 1) / 2); }
Index ceil_half(Index m) { return m - floor_half(m); }

/// Signed frequency of FFT index k on n points (Nyquist, if any, at +n/2).
Index frequency(Index k, Index n) { return 2 * k <= n ? k : k - n; }

/// Displacements -floor(L/2) .. floor(L/2) of one axis.
std::vector<Index> displacements(Index L) {
  std::vector<Index> d;
  for (Index m = -(L / 2); m <= L / 2; ++m) d.push_back(m);
  return d;
}

/// Row-major strides of the lattice (axis 0 slowest).
std::vector<Index> strides(const Lattice& lat) {
  const int d = lat.dim();
  std::vector<Index> s(d, 1);
  for (int a = d - 2; a >= 0; --a) s[a] = s[a + 1] * lat.extent()[a + 1];
  return s;
}

/// Apply the band-limited half-site shift S (or S^{-1}) along `axis` to a site vector (row-major):
/// multiplier exp(-+ i pi q / L_a), the Nyquist mode unshifted.
void half_shift(arma::cx_vec& v, const Lattice& lat, int axis, bool inverse) {
  const Index La = lat.extent()[axis];
  if (La == 1) return;
  const Index stride = strides(lat)[axis];
  const Index L = lat.sites();
  const Index lines = L / La;
  arma::cx_mat buf(La, lines);
  Index c = 0;
  for (Index base = 0; base < L; ++base) {
    if ((base / stride) % La != 0) continue;
    for (Index k = 0; k < La; ++k) buf(k, c) = v(base + k * stride);
    ++c;
  }
  arma::cx_mat F = arma::fft(buf);
  const double sign = inverse ? 1.0 : -1.0;
  for (Index k = 0; k < La; ++k) {
    const Index q = frequency(k, La);
    if (2 * q == La) continue;  // Nyquist: unshifted (real kernel, unitary)
    const cplx ph = std::polar(1.0, sign * pi * static_cast<double>(q) / static_cast<double>(La));
    F.row(k) *= ph;
  }
  buf = arma::ifft(F);
  c = 0;
  for (Index base = 0; base < L; ++base) {
    if ((base / stride) % La != 0) continue;
    for (Index k = 0; k < La; ++k) v(base + k * stride) = buf(k, c);
    ++c;
  }
}

/// Displacement channels of the lattice: per-axis lists, row-major flattening.
struct Channels {
  std::vector<std::vector<Index>> per_axis;
  Index count = 1;
  std::array<Index, 3> m(Index flat) const {
    std::array<Index, 3> out{0, 0, 0};
    for (int a = static_cast<int>(per_axis.size()) - 1; a >= 0; --a) {
      const Index n = static_cast<Index>(per_axis[a].size());
      out[a] = per_axis[a][flat % n];
      flat /= n;
    }
    return out;
  }
};

Channels channels(const Lattice& lat) {
  Channels ch;
  for (int a = 0; a < lat.dim(); ++a) {
    ch.per_axis.push_back(displacements(lat.extent()[a]));
    ch.count *= static_cast<Index>(ch.per_axis.back().size());
  }
  return ch;
}

/// Site of x + shift (per axis, periodic).
Index shifted_site(const Lattice& lat, Index x, const std::array<Index, 3>& shift) {
  auto c = lat.coords(x);
  for (int a = 0; a < lat.dim(); ++a) c[a] += shift[a];
  return lat.site(c);
}

/// The per-axis factors E_a(j, k) = exp(-i p_j m_k h / hbar) (points_a x |D_a|) of the phase matrix
/// K(j, m) = exp(-i p_j . m h / hbar) (P x |D|), which is their Kronecker product E_0 (x) E_1 (x) ... (row-major
/// indices, axis 0 slowest). K itself is never formed: kron_apply() multiplies by it axis by axis.
std::vector<arma::cx_mat> phase_factors(const Lattice& lat, double hbar, const MomentumGrid& grid, const Channels& ch) {
  std::vector<arma::cx_mat> E;
  const double h = lat.spacing();
  for (int a = 0; a < lat.dim(); ++a) {
    const MomentumAxis& ax = grid.axes[a];
    const auto& D = ch.per_axis[a];
    arma::cx_mat Ea(ax.points, D.size());
    for (Index j = 0; j < ax.points; ++j)
      for (std::size_t k = 0; k < D.size(); ++k)
        Ea(j, k) = std::polar(1.0, -ax.value(j) * static_cast<double>(D[k]) * h / hbar);
    E.push_back(std::move(Ea));
  }
  return E;
}

/// A * (E_0 (x) E_1 (x) ... (x) E_{d-1}) for an R x prod_a n_a matrix A whose column index is row-major over the
/// axes (axis 0 slowest), E_a being n_a x m_a; the result is R x prod_a m_a, row-major in the same way.
/// The Kronecker product is applied one axis at a time: in column-major memory A is the tensor
/// (R, n_{d-1}, ..., n_0), and contracting axis a is one GEMM (inner x n_a) * E_a per block of the slower axes,
/// inner = R prod_{b > a} (current extent of b). In 2D the cost is R n_0 n_1 m_1 + R m_1 n_0 m_0 complex
/// multiply-adds instead of R n_0 n_1 m_0 m_1 for the product with the formed Kronecker matrix.
arma::cx_mat kron_apply(const arma::cx_mat& A, const std::vector<arma::cx_mat>& E) {
  const int d = static_cast<int>(E.size());
  std::vector<Index> ext(d);
  Index cols = 1;
  for (int a = 0; a < d; ++a) {
    ext[a] = static_cast<Index>(E[a].n_rows);
    cols *= ext[a];
  }
  if (static_cast<Index>(A.n_cols) != cols) throw Error("wigner: kron_apply: column count does not match the factors");
  const Index R = static_cast<Index>(A.n_rows);
  arma::cx_mat cur = A;
  for (int a = d - 1; a >= 0; --a) {
    Index inner = R, outer = 1;
    for (int b = a + 1; b < d; ++b) inner *= ext[b];
    for (int b = 0; b < a; ++b) outer *= ext[b];
    const Index n = ext[a], m = static_cast<Index>(E[a].n_cols);
    arma::cx_mat next(static_cast<arma::uword>(R), cur.n_cols / static_cast<arma::uword>(n) * static_cast<arma::uword>(m));
    for (Index o = 0; o < outer; ++o) {
      const arma::cx_mat in(cur.memptr() + o * inner * n, static_cast<arma::uword>(inner), static_cast<arma::uword>(n), false, true);
      arma::cx_mat out(next.memptr() + o * inner * m, static_cast<arma::uword>(inner), static_cast<arma::uword>(m), false, true);
      out = in * E[a];
    }
    ext[a] = m;
    cur = std::move(next);
  }
  return cur;
}

/// The per-axis transposes E_a^T, so that kron_apply(G, transposes(E)) = G * K^T.
std::vector<arma::cx_mat> transposes(const std::vector<arma::cx_mat>& E) {
  std::vector<arma::cx_mat> T;
  for (const auto& e : E) T.push_back(e.st());
  return T;
}

/// The per-axis complex conjugates, so that kron_apply(F, conjugates(E)) = F * conj(K).
std::vector<arma::cx_mat> conjugates(const std::vector<arma::cx_mat>& E) {
  std::vector<arma::cx_mat> C;
  for (const auto& e : E) C.push_back(arma::conj(e));
  return C;
}

void check_common(const Lattice& lat, double hbar, const MomentumGrid& grid) {
  if (!(hbar > 0.0) || !std::isfinite(hbar)) throw InputError("", "hbar", "must be a positive number");
  if (static_cast<int>(grid.axes.size()) != lat.dim())
    throw InputError("", "grid", "needs one momentum axis per lattice axis (" + std::to_string(lat.dim()) + ")");
  for (const auto& ax : grid.axes)
    if (ax.points < 2 || !(ax.step > 0.0)) throw InputError("", "grid", "every axis needs >= 2 points and a positive step");
}

template <class T>
void require_finite(const T& A, const char* what) {
  if (!A.is_finite()) throw Error(std::string("wigner: non-finite result in ") + what);
}

/// G_m(x) (L x |D|) of an L x L matrix.
arma::cx_mat centre_form(const arma::cx_mat& omega, const Lattice& lat, const Channels& ch) {
  const Index L = lat.sites();
  arma::cx_mat G(L, ch.count);
  std::array<Index, 3> up{0, 0, 0}, down{0, 0, 0};
  for (Index c = 0; c < ch.count; ++c) {
    const auto m = ch.m(c);
    double w = 1.0;
    for (int a = 0; a < lat.dim(); ++a) {
      up[a] = ceil_half(m[a]);
      down[a] = -floor_half(m[a]);
      const Index La = lat.extent()[a];
      if (La % 2 == 0 && 2 * std::abs(m[a]) == La) w *= 0.5;
    }
    arma::cx_vec u(L);
    for (Index x = 0; x < L; ++x) u(x) = omega(shifted_site(lat, x, up), shifted_site(lat, x, down));
    for (int a = 0; a < lat.dim(); ++a)
      if (m[a] % 2 != 0) half_shift(u, lat, a, false);
    G.col(c) = w * u;
  }
  return G;
}

/// Inverse of centre_form: omega(x + ceil(m/2), x - floor(m/2)) += (S^{-1} G_m)(x).
arma::cx_mat from_centre_form(const arma::cx_mat& G, const Lattice& lat, const Channels& ch) {
  const Index L = lat.sites();
  arma::cx_mat omega(L, L, arma::fill::zeros);
  std::array<Index, 3> up{0, 0, 0}, down{0, 0, 0};
  for (Index c = 0; c < ch.count; ++c) {
    const auto m = ch.m(c);
    for (int a = 0; a < lat.dim(); ++a) {
      up[a] = ceil_half(m[a]);
      down[a] = -floor_half(m[a]);
    }
    arma::cx_vec u = G.col(c);
    for (int a = 0; a < lat.dim(); ++a)
      if (m[a] % 2 != 0) half_shift(u, lat, a, true);
    for (Index x = 0; x < L; ++x) omega(shifted_site(lat, x, up), shifted_site(lat, x, down)) += u(x);
  }
  return omega;
}

/// Values q (or n) with |q| < L/2 for one axis.
std::vector<Index> inner_modes(Index L) {
  std::vector<Index> v;
  const Index c = (L + 1) / 2;  // ceil(L/2)
  for (Index q = -c + 1; q <= c - 1; ++q) v.push_back(q);
  return v;
}

}  // namespace

Index MomentumGrid::size() const noexcept {
  Index n = 1;
  for (const auto& a : axes) n *= a.points;
  return n;
}

double MomentumGrid::cell() const noexcept {
  double c = 1.0;
  for (const auto& a : axes) c *= a.step;
  return c;
}

std::array<double, 3> MomentumGrid::momentum(Index j) const {
  std::array<double, 3> p{0.0, 0.0, 0.0};
  for (int a = static_cast<int>(axes.size()) - 1; a >= 0; --a) {
    p[a] = axes[a].value(j % axes[a].points);
    j /= axes[a].points;
  }
  return p;
}

MomentumGrid brillouin_grid(const Lattice& lat, double hbar, Index points_per_axis) {
  if (!(hbar > 0.0)) throw InputError("", "hbar", "must be positive");
  MomentumGrid g;
  const double h = lat.spacing();
  for (int a = 0; a < lat.dim(); ++a) {
    const Index n = points_per_axis == 0 ? 2 * lat.extent()[a] : points_per_axis;
    if (n < 2) throw InputError("", "points", "needs at least 2 momentum points per axis");
    g.axes.push_back({n, -pi * hbar / h, 2.0 * pi * hbar / (h * static_cast<double>(n))});
  }
  return g;
}

MomentumGrid box_grid(const Lattice& lat, double box, Index points_per_axis) {
  if (!(box > 0.0) || !std::isfinite(box)) throw InputError("", "box", "must be a positive number");
  if (points_per_axis < 2) throw InputError("", "points", "needs at least 2 momentum points per axis");
  MomentumGrid g;
  for (int a = 0; a < lat.dim(); ++a)
    g.axes.push_back({points_per_axis, -box, 2.0 * box / static_cast<double>(points_per_axis)});
  return g;
}

arma::cx_mat wigner_transform_complex(const arma::cx_mat& omega, const Lattice& lat, double hbar, const MomentumGrid& grid) {
  check_common(lat, hbar, grid);
  const Index L = lat.sites();
  if (omega.n_rows != static_cast<arma::uword>(L) || omega.n_cols != static_cast<arma::uword>(L))
    throw InputError("", "omega", "must be L x L with L = " + std::to_string(L));
  const Channels ch = channels(lat);
  const arma::cx_mat G = centre_form(omega, lat, ch);
  arma::cx_mat W = kron_apply(G, transposes(phase_factors(lat, hbar, grid, ch)));  // G K^T
  W *= std::pow(2.0 * pi * hbar, -lat.dim());
  require_finite(W, "the Wigner transform");
  return W;
}

arma::mat wigner_transform(const arma::cx_mat& omega, const Lattice& lat, double hbar, const MomentumGrid& grid) {
  return arma::real(wigner_transform_complex(omega, lat, hbar, grid));
}

arma::mat wigner_function(const arma::cx_mat& omega, Index M, const Lattice& lat, double hbar, const MomentumGrid& grid) {
  if (M < 1) throw InputError("", "M", "must be at least 1");
  return wigner_transform(omega, lat, hbar, grid) / static_cast<double>(M);
}

arma::cx_mat weyl_quantisation(const arma::mat& f, const Lattice& lat, double hbar, const MomentumGrid& grid) {
  check_common(lat, hbar, grid);
  const Index L = lat.sites();
  if (f.n_rows != static_cast<arma::uword>(L) || f.n_cols != static_cast<arma::uword>(grid.size()))
    throw InputError("", "f", "must be L x P = " + std::to_string(L) + " x " + std::to_string(grid.size()));
  const Channels ch = channels(lat);
  arma::cx_mat G = kron_apply(arma::cx_mat(f, arma::mat(f.n_rows, f.n_cols, arma::fill::zeros)),
                              conjugates(phase_factors(lat, hbar, grid, ch)));  // f conj(K)
  G *= std::pow(lat.spacing(), lat.dim()) * grid.cell();
  arma::cx_mat omega = from_centre_form(G, lat, ch);
  require_finite(omega, "the Weyl quantisation");
  return omega;
}

arma::vec position_marginal(const arma::mat& f, const Lattice& lat, const MomentumGrid& grid) {
  if (f.n_rows != static_cast<arma::uword>(lat.sites()) || f.n_cols != static_cast<arma::uword>(grid.size()))
    throw InputError("", "f", "must be L x P");
  return arma::sum(f, 1) * (std::pow(lat.spacing(), lat.dim()) * grid.cell());
}

arma::vec momentum_marginal(const arma::mat& f, const Lattice& lat) {
  return arma::sum(f, 0).t() * std::pow(lat.spacing(), lat.dim());
}

arma::mat occupation(const arma::mat& f, Index M, double hbar, int dim) {
  return f * (static_cast<double>(M) * std::pow(2.0 * pi * hbar, dim));
}

Index PhaseSpaceFourierGrid::size() const noexcept {
  Index n = 1;
  for (Index c : counts) n *= c;
  return n;
}

PhaseSpaceFourierGrid fourier_grid(const Lattice& lat, double hbar) {
  if (!(hbar > 0.0)) throw InputError("", "hbar", "must be positive");
  PhaseSpaceFourierGrid g;
  for (int a = 0; a < lat.dim(); ++a) {
    const auto modes = inner_modes(lat.extent()[a]);
    g.counts.push_back(static_cast<Index>(modes.size()));
    std::vector<double> xi, eta;
    for (Index q : modes) {
      xi.push_back(2.0 * pi * static_cast<double>(q) / lat.box(a));
      eta.push_back(static_cast<double>(q) * lat.spacing() / hbar);
    }
    g.xi.push_back(xi);
    g.eta.push_back(eta);
  }
  return g;
}

namespace {

/// The per-axis factors F_a(i, k) = exp(i w_a[k] y_a[i]) (|y_a| x K_a) of the phase matrix exp(i w_k . y_i) over a
/// product grid of points y (row-major, axis 0 slowest) and the zeta grid's xi (w = xi, y = site positions) or
/// eta (w = eta, y = momenta); the matrix itself is their Kronecker product, applied with kron_apply().
std::vector<arma::cx_mat> axis_phases(const std::vector<std::vector<double>>& y, const std::vector<std::vector<double>>& w) {
  std::vector<arma::cx_mat> F;
  for (std::size_t a = 0; a < y.size(); ++a) {
    arma::cx_mat Fa(y[a].size(), w[a].size());
    for (std::size_t i = 0; i < y[a].size(); ++i)
      for (std::size_t k = 0; k < w[a].size(); ++k) Fa(i, k) = std::polar(1.0, w[a][k] * y[a][i]);
    F.push_back(std::move(Fa));
  }
  return F;
}

/// Per-axis factors of E(x, k) = exp(i xi_k . x) over sites x and the xi grid (L x K in all).
std::vector<arma::cx_mat> xi_phases(const Lattice& lat, const PhaseSpaceFourierGrid& g) {
  std::vector<std::vector<double>> y;
  for (int a = 0; a < lat.dim(); ++a) {
    std::vector<double> ya;
    for (Index i = 0; i < lat.extent()[a]; ++i) ya.push_back(static_cast<double>(i) * lat.spacing());  // x_a = i_a h
    y.push_back(std::move(ya));
  }
  return axis_phases(y, g.xi);
}

/// Per-axis factors of exp(i eta_k . p_j) over the momentum grid and the eta grid (P x K in all).
std::vector<arma::cx_mat> eta_phases(const MomentumGrid& grid, const PhaseSpaceFourierGrid& g) {
  std::vector<std::vector<double>> y;
  for (const auto& ax : grid.axes) {
    std::vector<double> ya;
    for (Index j = 0; j < ax.points; ++j) ya.push_back(ax.value(j));
    y.push_back(std::move(ya));
  }
  return axis_phases(y, g.eta);
}

}  // namespace

arma::cx_mat fourier_from_omega(const arma::cx_mat& omega, Index M, const Lattice& lat, double hbar) {
  if (M < 1) throw InputError("", "M", "must be at least 1");
  const Index L = lat.sites();
  if (omega.n_rows != static_cast<arma::uword>(L) || omega.n_cols != static_cast<arma::uword>(L))
    throw InputError("", "omega", "must be L x L with L = " + std::to_string(L));
  const PhaseSpaceFourierGrid g = fourier_grid(lat, hbar);
  const Index K = g.size();
  // c_n(x) = omega(x + n, x) for every eta index n (L x K), then Tr(O omega) = e^{i xi.n h/2} sum_x e^{i xi.x} c_n(x).
  arma::cx_mat C(L, K);
  std::array<Index, 3> n{0, 0, 0};
  std::vector<std::vector<Index>> modes;
  for (int a = 0; a < lat.dim(); ++a) modes.push_back(inner_modes(lat.extent()[a]));
  for (Index k = 0; k < K; ++k) {
    Index r = k;
    for (int a = lat.dim() - 1; a >= 0; --a) {
      n[a] = modes[a][r % g.counts[a]];
      r /= g.counts[a];
    }
    for (Index x = 0; x < L; ++x) C(x, k) = omega(shifted_site(lat, x, n), x);
  }
  arma::cx_mat T = kron_apply(C.st(), xi_phases(lat, g)).st();  // E^T C = (C^T E)^T, E(x, k) = e^{i xi_k.x}: (xi, eta)
  for (Index kx = 0; kx < K; ++kx)
    for (Index ke = 0; ke < K; ++ke) {
      Index rx = kx, re = ke;
      double phase = 0.0;
      for (int a = lat.dim() - 1; a >= 0; --a) {
        const double xi = g.xi[a][rx % g.counts[a]];
        const double nh = g.eta[a][re % g.counts[a]] * hbar;  // n_a h
        phase += 0.5 * xi * nh;
        rx /= g.counts[a];
        re /= g.counts[a];
      }
      T(kx, ke) *= std::polar(1.0, phase);
    }
  T /= static_cast<double>(M);
  require_finite(T, "Tr(O omega)");
  return T;
}

arma::cx_mat fourier_from_phase_space(const arma::mat& f, const Lattice& lat, double hbar, const MomentumGrid& grid) {
  check_common(lat, hbar, grid);
  const Index L = lat.sites(), P = grid.size();
  if (f.n_rows != static_cast<arma::uword>(L) || f.n_cols != static_cast<arma::uword>(P))
    throw InputError("", "f", "must be L x P = " + std::to_string(L) + " x " + std::to_string(P));
  const PhaseSpaceFourierGrid g = fourier_grid(lat, hbar);
  const arma::cx_mat fc(f, arma::mat(L, P, arma::fill::zeros));
  const arma::cx_mat fe = kron_apply(fc, eta_phases(grid, g));      // sum_p f(x, p) e^{i eta.p}: L x K
  arma::cx_mat T = kron_apply(fe.st(), xi_phases(lat, g)).st();     // sum_x e^{i xi.x} (...): K x K
  T *= std::pow(lat.spacing(), lat.dim()) * grid.cell();
  require_finite(T, "the phase-space Fourier transform");
  return T;
}

double fourier_norm(const arma::cx_mat& ghat, const Lattice& lat, double hbar, double s) {
  const PhaseSpaceFourierGrid g = fourier_grid(lat, hbar);
  const Index K = g.size();
  if (ghat.n_rows != static_cast<arma::uword>(K) || ghat.n_cols != static_cast<arma::uword>(K))
    throw InputError("", "ghat", "must be K x K on the zeta grid (K = " + std::to_string(K) + ")");
  if (!(s >= 0.0)) throw InputError("", "s", "must be >= 0");
  double best = 0.0;
  for (Index kx = 0; kx < K; ++kx)
    for (Index ke = 0; ke < K; ++ke) {
      Index rx = kx, re = ke;
      double z2 = 0.0;
      for (int a = lat.dim() - 1; a >= 0; --a) {
        const double xi = g.xi[a][rx % g.counts[a]], eta = g.eta[a][re % g.counts[a]];
        z2 += xi * xi + eta * eta;
        rx /= g.counts[a];
        re /= g.counts[a];
      }
      best = std::max(best, std::abs(ghat(kx, ke)) * std::pow(1.0 + std::sqrt(z2), -s));
    }
  return best;
}

}  // namespace fockmix
