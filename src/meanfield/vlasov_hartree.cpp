#include "fockmix/meanfield/vlasov_hartree.hpp"

#include "fockmix/core/time_steps.hpp"
#include "fockmix/core/parallel.hpp"

#include <algorithm>
#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "fockmix/core/error.hpp"

namespace fockmix {

namespace {

constexpr double pi = 3.14159265358979323846;

/// Signed frequency of FFT index k on n points (Nyquist, if any, at +n/2).
Index frequency(Index k, Index n) { return 2 * k <= n ? k : k - n; }

/// Shift every line of a row-major array along dimension k by a line-dependent amount s (in units of the
/// coordinate whose period is `period`): g(y) <- g(y - s), as the exact shift of the trigonometric interpolant
/// (multiplier exp(-i kappa_q s); the Nyquist mode gets the real part cos(kappa_N s) so real data stay real).
/// The k = 0 mode is untouched, so the line sums are conserved to round-off. shift_of(base) gives s for the line
/// that starts at flat index `base`. One batched FFT per chunk of lines; OpenMP over chunks for sweeps of >= 2^18 points.
template <class ShiftOf>
void shift_lines(arma::mat& f, const std::vector<Index>& dims, std::size_t k, double period, const ShiftOf& shift_of) {
  const Index n = dims[k];
  if (n == 1) return;
  Index inner = 1, outer = 1;
  for (std::size_t i = k + 1; i < dims.size(); ++i) inner *= dims[i];
  for (std::size_t i = 0; i < k; ++i) outer *= dims[i];
  const Index lines = inner * outer;
  const Index chunk = 512;
  const Index nchunks = (lines + chunk - 1) / chunk;
  arma::vec kappa(n);
  for (Index q = 0; q < n; ++q) kappa(q) = 2.0 * pi * static_cast<double>(frequency(q, n)) / period;
  const bool has_nyquist = n % 2 == 0;
  double* data = f.memptr();
  bool bad = false;
  // Threads only pay off for large sweeps (and a fork/join on a busy machine costs milliseconds).
  const bool parallel = worth_threading(lines * n) && nchunks >= 2;
#pragma omp parallel for schedule(dynamic) reduction(|| : bad) if (parallel)
  for (Index c = 0; c < nchunks; ++c) {
    const Index l0 = c * chunk, l1 = std::min(lines, l0 + chunk);
    arma::cx_mat buf(n, l1 - l0);
    for (Index l = l0; l < l1; ++l) {
      const Index base = (l / inner) * n * inner + l % inner;
      for (Index j = 0; j < n; ++j) buf(j, l - l0) = data[base + j * inner];
    }
    arma::cx_mat F = arma::fft(buf);
    for (Index l = l0; l < l1; ++l) {
      const Index base = (l / inner) * n * inner + l % inner;
      const double s = shift_of(base);
      if (s == 0.0) continue;
      cplx* col = F.colptr(l - l0);
      for (Index q = 0; q < n; ++q) {
        if (has_nyquist && 2 * q == n)
          col[q] *= std::cos(kappa(q) * s);
        else
          col[q] *= std::polar(1.0, -kappa(q) * s);
      }
    }
    buf = arma::ifft(F);
    if (!buf.is_finite()) bad = true;
    for (Index l = l0; l < l1; ++l) {
      const Index base = (l / inner) * n * inner + l % inner;
      for (Index j = 0; j < n; ++j) data[base + j * inner] = buf(j, l - l0).real();
    }
  }
  if (bad) throw Error("VlasovHartree: non-finite FFT result in a phase-space shift");
}

/// Spectral derivative d/dx_a of a periodic site function (row-major lattice), Nyquist mode dropped.
arma::vec spectral_derivative(const arma::vec& U, const Lattice& lat, int axis) {
  const Index La = lat.extent()[axis];
  const Index L = lat.sites();
  arma::vec out(L, arma::fill::zeros);
  if (La == 1) return out;
  Index stride = 1;
  for (int b = lat.dim() - 1; b > axis; --b) stride *= lat.extent()[b];
  for (Index base = 0; base < L; ++base) {
    if ((base / stride) % La != 0) continue;
    arma::cx_vec line(La);
    for (Index j = 0; j < La; ++j) line(j) = U(base + j * stride);
    arma::cx_vec F = arma::fft(line);
    for (Index q = 0; q < La; ++q) {
      const Index fq = frequency(q, La);
      F(q) *= (2 * fq == La) ? cplx(0.0, 0.0) : cplx(0.0, 2.0 * pi * static_cast<double>(fq) / lat.box(axis));
    }
    const arma::cx_vec d = arma::ifft(F);
    for (Index j = 0; j < La; ++j) out(base + j * stride) = d(j).real();
  }
  if (!out.is_finite()) throw Error("VlasovHartree: non-finite FFT result in the force");
  return out;
}

Index points_for(const VlasovOptions& opt, Index La) { return opt.momentum_points == 0 ? 2 * La : opt.momentum_points; }

MomentumGrid make_grid(const Lattice& lat, KineticKind kind, double hbar, const VlasovOptions& opt) {
  if (kind == KineticKind::Spectral && opt.momentum_box > 0.0) {
    MomentumGrid g;
    for (int a = 0; a < lat.dim(); ++a) {
      const Index n = points_for(opt, lat.extent()[a]);
      g.axes.push_back({n, -opt.momentum_box, 2.0 * opt.momentum_box / static_cast<double>(n)});
    }
    return g;
  }
  MomentumGrid g;
  const double h = lat.spacing();
  for (int a = 0; a < lat.dim(); ++a) {
    const Index n = points_for(opt, lat.extent()[a]);
    g.axes.push_back({n, -pi * hbar / h, 2.0 * pi * hbar / (h * static_cast<double>(n))});
  }
  return g;
}

}  // namespace

VlasovHartree::VlasovHartree(const ModelOperators& ops, VlasovOptions opt)
    : lat_(ops.lattice),
      opt_(std::move(opt)),
      kind_(ops.kinetic_kind),
      hbar_(ops.hbar),
      lambda_(ops.lambda),
      mass_F_(ops.mass_F),
      M_(ops.M),
      N_(ops.N),
      h0_B_(ops.one_body_B()),
      V_(ops.V),
      U_F_(ops.potential_F),
      trap_F_(ops.trap_F),
      U_B_(ops.potential_B),
      prop_B_(ops.lattice, ops.kinetic_kind, ops.hbar, ops.mass_B,
              ops.kinetic_B.n_rows == static_cast<arma::uword>(ops.lattice.sites())
                  ? ops.kinetic_B
                  : arma::mat(static_cast<arma::uword>(ops.lattice.sites()), static_cast<arma::uword>(ops.lattice.sites()),
                              arma::fill::zeros)) {
  const Index L = lat_.sites();
  if (!(opt_.dt > 0.0) || !std::isfinite(opt_.dt)) throw InputError("", "dt", "must be a positive number");
  if (opt_.momentum_points != 0 && opt_.momentum_points < 2)
    throw InputError("", "momentum_points", "must be >= 2 (or 0 for the default 2 L_a)");
  if (!(opt_.momentum_box >= 0.0) || !std::isfinite(opt_.momentum_box))
    throw InputError("", "momentum_box", "must be > 0 (or 0 for the Brillouin zone)");
  if (!std::isfinite(opt_.mu_FF)) throw InputError("", "mu_FF", "must be finite");
  if (!(opt_.edge_tolerance >= 0.0 && opt_.edge_tolerance < 1.0))
    throw InputError("", "edge_tolerance", "must lie in [0, 1)");
  if (!opt_.self_kernel.is_empty()) {
    const arma::mat& W = opt_.self_kernel;
    if (W.n_rows != static_cast<arma::uword>(L) || W.n_cols != static_cast<arma::uword>(L))
      throw InputError("", "self_kernel", "must be L x L with L = " + std::to_string(L));
    if (!W.is_finite()) throw InputError("", "self_kernel", "must be finite");
    if (arma::abs(W - W.t()).max() > 1e-12 * std::max(1.0, arma::abs(W).max()))
      throw InputError("", "self_kernel", "must be symmetric (an even kernel)");
  }
  if (!(hbar_ > 0.0)) throw InputError("", "hbar", "must be positive");
  if (!(mass_F_ > 0.0)) throw InputError("", "mass_F", "must be positive");
  if (M_ < 1) throw InputError("", "M", "Vlasov needs M >= 1 (f is normalised per fermion)");
  if (U_F_.n_elem != static_cast<arma::uword>(L)) U_F_.zeros(L);
  if (trap_F_.n_elem != static_cast<arma::uword>(L)) trap_F_.zeros(L);
  if (V_.n_rows != static_cast<arma::uword>(L)) V_.zeros(L, L);
  if (h0_B_.n_rows != static_cast<arma::uword>(L)) h0_B_.zeros(L, L);
  if (U_B_.n_elem != static_cast<arma::uword>(L)) U_B_.zeros(L);
  conv_V_ = PeriodicConvolution(lat_, V_);
  grid_ = make_grid(lat_, kind_, hbar_, opt_);
  const Index P = grid_.size();
  const int d = lat_.dim();
  eps_.set_size(P);
  vel_.zeros(P, d);
  const double h = lat_.spacing();
  for (Index j = 0; j < P; ++j) {
    const auto p = grid_.momentum(j);
    eps_(j) = dispersion(lat_, kind_, hbar_, mass_F_, p);
    for (int a = 0; a < d; ++a) {
      if (lat_.extent()[a] == 1) continue;  // dispersion() ignores a single-site axis
      vel_(j, a) = kind_ == KineticKind::Hopping ? (hbar_ / (mass_F_ * h)) * std::sin(p[a] * h / hbar_) : p[a] / mass_F_;
    }
  }
}

std::size_t VlasovHartree::memory_bytes(const Lattice& lat, KineticKind kind, const VlasovOptions& opt) {
  (void)kind;
  double P = 1.0;
  for (int a = 0; a < lat.dim(); ++a) P *= static_cast<double>(points_for(opt, lat.extent()[a]));
  const double L = static_cast<double>(lat.sites());
  return static_cast<std::size_t>(24.0 * L * P + 24.0 * L * L);
}

void VlasovHartree::check(const VlasovState& s) const {
  const Index L = lat_.sites(), P = grid_.size();
  if (s.f.n_rows != static_cast<arma::uword>(L) || s.f.n_cols != static_cast<arma::uword>(P))
    throw InputError("", "VlasovState.f", "must be L x P = " + std::to_string(L) + " x " + std::to_string(P));
  if (s.phi.n_elem != static_cast<arma::uword>(L))
    throw InputError("", "VlasovState.phi", "must have L = " + std::to_string(L) + " entries");
}

void VlasovHartree::check_tails(const arma::mat& f) const {
  if (!f.is_finite()) throw InputError("", "f", "must be finite");
  if (!(kind_ == KineticKind::Spectral && opt_.momentum_box > 0.0)) return;  // Brillouin zone: periodic in p
  const double fmax = arma::abs(f).max();
  if (fmax == 0.0) return;
  double edge = 0.0;
  const Index P = grid_.size();
  for (Index j = 0; j < P; ++j) {
    Index r = j;
    bool on_edge = false;
    for (int a = lat_.dim() - 1; a >= 0; --a) {
      const Index n = grid_.axes[a].points, ja = r % n;
      on_edge = on_edge || ja == 0 || ja == n - 1;
      r /= n;
    }
    if (on_edge) edge = std::max(edge, arma::abs(f.col(j)).max());
  }
  if (edge > opt_.edge_tolerance * fmax)
    throw InputError("", "momentum_box",
                     "too narrow for the initial f: max|f| on the box edge / max|f| = " + std::to_string(edge / fmax) +
                         " exceeds edge_tolerance = " + std::to_string(opt_.edge_tolerance));
}

VlasovState VlasovHartree::state_from_array(const arma::mat& f0, const arma::cx_vec& phi0) const {
  VlasovState s;
  s.f = f0;
  s.phi = phi0;
  check(s);
  check_tails(s.f);
  const double n = arma::norm(s.phi);
  if (!(n > 0.0) || !std::isfinite(n)) throw InputError("", "phi", "must be a finite nonzero vector");
  s.phi /= n;
  return s;
}

VlasovState VlasovHartree::wigner_state(const arma::cx_mat& omega0, const arma::cx_vec& phi0) const {
  arma::mat f = wigner_function(omega0, M_, lat_, hbar_, grid_);
  if (kind_ == KineticKind::Spectral && opt_.momentum_box > 0.0) {
    // W is a trigonometric polynomial of period 2 pi hbar/h in p: keep the Brillouin zone only.
    const double pmax = pi * hbar_ / lat_.spacing();
    for (Index j = 0; j < grid_.size(); ++j) {
      const auto p = grid_.momentum(j);
      for (int a = 0; a < lat_.dim(); ++a)
        if (std::abs(p[a]) > pmax) f.col(j).zeros();
    }
  }
  return state_from_array(f, phi0);
}

VlasovState VlasovHartree::thomas_fermi_state(const arma::cx_vec& phi0, const arma::vec& U) const {
  const Index L = lat_.sites(), P = grid_.size();
  const arma::vec Ux = U.is_empty() ? trap_F_ : U;
  if (Ux.n_elem != static_cast<arma::uword>(L)) throw InputError("", "U", "must have L entries");
  const int d = lat_.dim();
  const double cell = std::pow(lat_.spacing(), d) * grid_.cell();
  const double w = cell / std::pow(2.0 * pi * hbar_, d);  // states per phase-space cell
  const double need = static_cast<double>(M_) / w;         // occupied cells needed
  if (need > static_cast<double>(L * P) * (1.0 + 1e-12))
    throw InputError("", "M", "the phase-space grid holds fewer than M states (Thomas–Fermi)");
  std::vector<double> e(static_cast<std::size_t>(L * P));
  for (Index j = 0; j < P; ++j)
    for (Index x = 0; x < L; ++x) e[static_cast<std::size_t>(x + L * j)] = eps_(j) + Ux(x);
  std::vector<double> sorted = e;
  std::sort(sorted.begin(), sorted.end());
  // mu: the energy of the last cell needed, by bisection over the sorted energies.
  const Index kstar = std::max<Index>(1, static_cast<Index>(std::ceil(need - 1e-9)));
  const double mu = sorted[static_cast<std::size_t>(kstar - 1)];
  const double tol = 1e-12 * std::max(1.0, std::abs(mu));
  const auto lo = std::lower_bound(sorted.begin(), sorted.end(), mu - tol);
  const auto hi = std::upper_bound(sorted.begin(), sorted.end(), mu + tol);
  const double below = static_cast<double>(lo - sorted.begin());
  const double ties = static_cast<double>(hi - lo);
  const double theta = (need - below) / ties;
  arma::mat f(L, P);
  const double scale = 1.0 / (static_cast<double>(M_) * std::pow(2.0 * pi * hbar_, d));
  for (std::size_t i = 0; i < e.size(); ++i) {
    const double n = e[i] < mu - tol ? 1.0 : (e[i] <= mu + tol ? theta : 0.0);
    f(i) = n * scale;
  }
  return state_from_array(f, phi0);
}

VlasovStepInfo VlasovHartree::step(VlasovState& s) const { return step(s, opt_.dt); }

VlasovStepInfo VlasovHartree::step(VlasovState& s, double dt) const {
  check(s);
  if (!std::isfinite(dt)) throw InputError("", "dt", "must be finite");
  VlasovStepInfo info;
  if (dt == 0.0) return info;
  const double t0 = s.t;
  if (opt_.scheme == VlasovScheme::Strang2) {
    strang(s, dt);
    info.steps = 1;
  } else {
    const double g1 = 1.0 / (2.0 - std::cbrt(2.0));
    const double g2 = 1.0 - 2.0 * g1;
    strang(s, g1 * dt);
    strang(s, g2 * dt);
    strang(s, g1 * dt);
    info.steps = 3;
  }
  s.t = t0 + dt;
  return info;
}

VlasovStepInfo VlasovHartree::evolve_to(VlasovState& s, double t, const std::atomic<bool>* stop) const {
  check(s);
  VlasovStepInfo info;
  info.stopped = !step_through(s.t, t, opt_.dt, stop, [&](double target) {
    info.steps += step(s, target - s.t).steps;
    s.t = target;
  });
  return info;
}

void VlasovHartree::strang(VlasovState& s, double dt) const {
  boson_step(s, 0.5 * dt);
  p_transport(s.f, s, 0.5 * dt);
  x_transport(s.f, dt);
  p_transport(s.f, s, 0.5 * dt);
  boson_step(s, 0.5 * dt);
}

void VlasovHartree::boson_step(VlasovState& s, double tau) const {
  arma::vec u = U_B_;
  if (lambda_ != 0.0) u += (lambda_ * static_cast<double>(M_)) * conv_V_(fermion_density(s));
  arma::cx_mat phi(s.phi);
  prop_B_.propagate(phi, u, tau);
  s.phi = phi.col(0);
  if (!s.phi.is_finite()) throw Error("VlasovHartree: non-finite condensate after the boson step");
}

void VlasovHartree::x_transport(arma::mat& f, double tau) const {
  const int d = lat_.dim();
  const Index L = lat_.sites();
  std::vector<Index> dims;
  for (int a = 0; a < d; ++a) dims.push_back(grid_.axes[a].points);
  for (int a = 0; a < d; ++a) dims.push_back(lat_.extent()[a]);
  for (int a = 0; a < d; ++a) {
    const double* v = vel_.colptr(a);
    shift_lines(f, dims, static_cast<std::size_t>(d + a), lat_.box(a), [&](Index base) { return v[base / L] * tau; });
  }
}

void VlasovHartree::p_transport(arma::mat& f, const VlasovState& s, double tau) const {
  const int d = lat_.dim();
  const Index L = lat_.sites();
  std::vector<Index> dims;
  for (int a = 0; a < d; ++a) dims.push_back(grid_.axes[a].points);
  for (int a = 0; a < d; ++a) dims.push_back(lat_.extent()[a]);
  for (int a = 0; a < d; ++a) {
    const arma::vec F = force(s, a);
    const double* Fp = F.memptr();
    shift_lines(f, dims, static_cast<std::size_t>(a), grid_.axes[a].period(), [&](Index base) { return Fp[base % L] * tau; });
  }
}

arma::vec VlasovHartree::velocity(int axis) const {
  if (axis < 0 || axis >= lat_.dim()) throw InputError("", "axis", "must lie in 0..d-1");
  return vel_.col(axis);
}

arma::vec VlasovHartree::effective_potential(const VlasovState& s) const {
  check(s);
  arma::vec U = U_F_ + (lambda_ * static_cast<double>(N_)) * conv_V_(boson_density(s));
  if (!opt_.self_kernel.is_empty() && opt_.mu_FF != 0.0)
    U += (opt_.mu_FF * static_cast<double>(M_)) * (opt_.self_kernel * fermion_density(s));
  return U;
}

arma::vec VlasovHartree::force(const VlasovState& s, int axis) const {
  if (axis < 0 || axis >= lat_.dim()) throw InputError("", "axis", "must lie in 0..d-1");
  return -spectral_derivative(effective_potential(s), lat_, axis);
}

arma::vec VlasovHartree::fermion_density(const VlasovState& s) const { return position_marginal(s.f, lat_, grid_); }

arma::cx_mat VlasovHartree::fermion_density_matrix(const VlasovState& s) const {
  check(s);
  return static_cast<double>(M_) * weyl_quantisation(s.f, lat_, hbar_, grid_);
}

arma::vec VlasovHartree::boson_density(const VlasovState& s) const {
  return arma::square(arma::real(s.phi)) + arma::square(arma::imag(s.phi));
}

arma::mat VlasovHartree::occupation(const VlasovState& s) const { return fockmix::occupation(s.f, M_, hbar_, lat_.dim()); }

double VlasovHartree::energy(const VlasovState& s) const {
  check(s);
  const double m = static_cast<double>(M_), nb = static_cast<double>(N_);
  const double cell = std::pow(lat_.spacing(), lat_.dim()) * grid_.cell();
  const arma::vec rho = fermion_density(s);
  const arma::vec rhoB = boson_density(s);
  double e = m * cell * arma::accu(s.f * eps_);
  e += m * arma::dot(U_F_, rho);
  e += nb * std::real(arma::cdot(s.phi, h0_B_ * s.phi));
  e += lambda_ * nb * m * arma::dot(rho, V_ * rhoB);
  if (!opt_.self_kernel.is_empty()) e += 0.5 * opt_.mu_FF * m * m * arma::dot(rho, opt_.self_kernel * rho);
  return e;
}

VlasovDiagnostics VlasovHartree::diagnostics(const VlasovState& s) const {
  check(s);
  const double cell = std::pow(lat_.spacing(), lat_.dim()) * grid_.cell();
  VlasovDiagnostics d;
  d.energy = energy(s);
  d.mass = cell * arma::accu(s.f);
  d.f2 = cell * arma::accu(arma::square(s.f));
  d.min_f = s.f.min();
  d.max_occupation = static_cast<double>(M_) * std::pow(2.0 * pi * hbar_, lat_.dim()) * s.f.max();
  d.phi_norm = arma::norm(s.phi);
  return d;
}

}  // namespace fockmix
