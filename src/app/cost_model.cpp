#include "fockmix/app/cost_model.hpp"

#include <fmt/format.h>
#include <omp.h>

#include <algorithm>
#include <array>
#include <armadillo>
#include <cmath>
#include <limits>
#include <memory>
#include <vector>

#include "fockmix/core/error.hpp"
#include "fockmix/core/timing.hpp"
#include "fockmix/exact/initial_state.hpp"
#include "fockmix/exact/observables.hpp"
#include "fockmix/exact/sector.hpp"
#include "fockmix/exact/sector_hamiltonian.hpp"
#include "fockmix/fock/binomial.hpp"
#include "fockmix/fock/boson_basis.hpp"
#include "fockmix/linalg/krylov.hpp"
#include "fockmix/linalg/vector_ops.hpp"

namespace fockmix {

namespace {

constexpr double kMaxPhase = 1e6;     // larger R = tau s/hbar: no count is attempted (chebyshev_terms; 8 MB of Bessel values)
constexpr double kMaxMatvecs = 1e15;  // larger predicted counts are reported as -1
// Lanczos converges on the spectral measure of the state, not on the whole interval: the effective
// half-width of the Chebyshev-proxy model (fitted once on the test sectors, docs/performance.md)
constexpr double kLanczosWidthFactor = 0.5;

/// Sum of the `count` smallest (or largest) entries of v.
double extreme_sum(arma::vec v, Index count, bool largest) {
  v = arma::sort(v, largest ? "descend" : "ascend");
  double s = 0.0;
  for (Index k = 0; k < count && k < static_cast<Index>(v.n_elem); ++k) s += v(k);
  return s;
}

/// Ordered pairs x != x' with a nonzero one-body matrix element: the moves of dGamma(t).
double offdiagonal_pairs(const arma::mat& t) {
  double n = 0.0;
  for (arma::uword c = 0; c < t.n_cols; ++c)
    for (arma::uword r = 0; r < t.n_rows; ++r)
      if (r != c && t(r, c) != 0.0) n += 1.0;
  return n;
}

double binomial_or_zero(Index n, Index k) { return (n < 0 || k < 0 || k > n) ? 0.0 : static_cast<double>(binomial(n, k)); }

/// A 64 x 64 diagonal operator: the propagators' dense work without state-sized work.
struct DiagonalOperator {
  using Scalar = cplx;
  std::array<double, 64> d{};
  Index rows() const { return 64; }
  void apply(const cplx* in, cplx* out) const {
    for (std::size_t k = 0; k < d.size(); ++k) out[k] = d[k] * in[k];
  }
};


}  // namespace

SpectralBounds hamiltonian_bounds(const ModelOperators& ops) {
  const Index M = ops.M, N = ops.N;
  arma::vec eF, eB;
  if (!arma::eig_sym(eF, ops.one_body_F()) || !arma::eig_sym(eB, ops.one_body_B()))
    throw Error("hamiltonian_bounds: eig_sym of a one-body matrix failed");
  double lower = extreme_sum(eF, M, false) + static_cast<double>(N) * (N > 0 ? eB.min() : 0.0);
  double upper = extreme_sum(eF, M, true) + static_cast<double>(N) * (N > 0 ? eB.max() : 0.0);
  if (M > 0 && N > 0 && ops.lambda != 0.0) {
    // one boson at y sees lambda sum_x n_F(x) V(x, y): between lambda x (sum of the M smallest) and lambda x
    // (sum of the M largest) of V(., y), in the order the sign of lambda gives
    double lo = std::numeric_limits<double>::infinity(), hi = -lo;
    for (arma::uword y = 0; y < ops.V.n_cols; ++y) {
      const arma::vec col = ops.V.col(y);
      const double a = ops.lambda * extreme_sum(col, M, false), b = ops.lambda * extreme_sum(col, M, true);
      lo = std::min({lo, a, b});
      hi = std::max({hi, a, b});
    }
    lower += static_cast<double>(N) * lo;
    upper += static_cast<double>(N) * hi;
  }
  return {lower, upper};
}

Index chebyshev_terms(double R, double bound) {
  if (!(R >= 0.0) || !(R <= kMaxPhase) || !(bound > 0.0)) return -1;
  double tail = 0.0;
  return chebyshev::terms_for(R, bound, tail);
}

Index chebyshev_matvecs(double t, double half_width, double tolerance, double hbar, double max_phase) {
  if (!(half_width > 0.0) || !(tolerance > 0.0) || !(hbar > 0.0) || !(max_phase >= 1.0) || !std::isfinite(t)) return -1;
  const double T = std::abs(t);
  if (T == 0.0) return 0;
  const double tau_max = max_phase * hbar / half_width;
  const double n_sub = std::ceil(T / tau_max - 1e-12);  // as ChebyshevPropagator::propagate
  if (!(n_sub >= 1.0) || n_sub > kMaxMatvecs) return n_sub < 1.0 ? 0 : -1;
  const double tau = T / n_sub;
  const Index K = chebyshev_terms(tau * half_width / hbar, tolerance * tau);
  if (K < 0) return -1;
  const double total = n_sub * static_cast<double>(K);
  return total <= kMaxMatvecs ? static_cast<Index>(total) : -1;
}

Index lanczos_matvecs(double t, double half_width, double tolerance, double hbar, Index max_dim) {
  if (!(half_width > 0.0) || !(tolerance > 0.0) || !(hbar > 0.0) || max_dim < 4 || !std::isfinite(t)) return -1;
  const double T = std::abs(t);
  if (T == 0.0) return 0;
  const double s_eff = kLanczosWidthFactor * half_width;
  // k(tau): Lanczos vectors for a sub-step of length tau
  auto k_of = [&](double tau) -> Index {
    const double R = tau * s_eff / hbar;
    if (R > 2.0 * static_cast<double>(max_dim) + 100.0) return max_dim + 1;  // K >= R - O(R^(1/3)): too many, no need to count
    const Index K = chebyshev_terms(R, 0.5 * tolerance * tau);
    return K < 0 ? -1 : K + 1;
  };
  const Index k_all = k_of(T);
  if (k_all >= 0 && k_all <= max_dim) return std::max<Index>(k_all, 2);
  // the longest sub-step max_dim vectors cover: k is non-decreasing in tau; bisect on [lo, hi]
  double lo = T, hi = T;
  for (Index k = k_all; lo > 1e-300 && !(k >= 0 && k <= max_dim); k = k_of(lo)) {
    hi = lo;
    lo *= 0.5;
  }
  if (!(lo > 1e-300)) return -1;
  for (int it = 0; it < 50; ++it) {
    const double mid = 0.5 * (lo + hi);
    const Index k = k_of(mid);
    (k >= 0 && k <= max_dim ? lo : hi) = mid;
  }
  const double full = std::floor(T / lo);
  if (full > kMaxMatvecs / static_cast<double>(max_dim)) return -1;
  const double rest = T - full * lo;
  double total = full * static_cast<double>(max_dim);
  if (rest > 1e-12 * T) total += static_cast<double>(std::max<Index>(k_of(rest), 2));
  return total <= kMaxMatvecs ? static_cast<Index>(total) : -1;
}

Index chebyshev_run_matvecs(const std::vector<double>& times, double half_width, double tolerance, double hbar, Index window,
                            double max_phase, double* accumulations) {
  if (!(half_width > 0.0) || !(hbar > 0.0) || !(max_phase >= 1.0) || window < 1) return -1;
  const double reach = max_phase * hbar / half_width;
  double total = 0.0;
  for (std::size_t i = 0; i + 1 < times.size();) {
    std::size_t j = i + 1;  // the window: outputs i+1 .. j
    while (j + 1 < times.size() && static_cast<Index>(j + 1 - i) <= window && times[j + 1] - times[i] <= reach) ++j;
    const Index k = chebyshev_matvecs(times[j] - times[i], half_width, tolerance, hbar, max_phase);
    if (k < 0) return -1;
    total += static_cast<double>(k);
    for (std::size_t m = i + 1; m <= j && accumulations != nullptr; ++m)
      *accumulations += static_cast<double>(m == j ? k : chebyshev_matvecs(times[m] - times[i], half_width, tolerance, hbar, max_phase));
    if (total > kMaxMatvecs) return -1;
    i = j;
  }
  return static_cast<Index>(total);
}

Index lanczos_run_matvecs(const std::vector<double>& times, double half_width, double tolerance, double hbar, Index max_dim,
                          Index* filled) {
  if (!(half_width > 0.0) || !(tolerance > 0.0) || !(hbar > 0.0) || max_dim < 4) return -1;
  const double s_eff = kLanczosWidthFactor * half_width;
  auto k_of = [&](double tau) -> Index {  // as in lanczos_matvecs
    const double R = tau * s_eff / hbar;
    if (!std::isfinite(R) || R > 2.0 * static_cast<double>(max_dim) + 100.0) return max_dim + 1;
    const Index K = chebyshev_terms(R, 0.5 * tolerance * tau);
    return K < 0 ? -1 : std::max<Index>(K + 1, 2);
  };
  const std::size_t n = times.size();
  double total = 0.0;
  Index most = 0;
  for (std::size_t i = 0; i + 1 < n;) {
    const double now = times[i];
    Index k = k_of(times[i + 1] - now);
    if (k < 0) return -1;
    if (k > max_dim) {  // sub-steps of full bases; the last one starts between outputs and serves this one only
      const Index sub = lanczos_matvecs(times[i + 1] - now, half_width, tolerance, hbar, max_dim);
      if (sub < 0) return -1;
      total += static_cast<double>(sub);
      most = max_dim;
      ++i;
      continue;
    }
    std::size_t j = i + 1;
    while (j + 1 < n) {  // the propagator's extrapolation taken as exact: on while k(next) <= max_dim
      const Index kn = k_of(times[j + 1] - now);
      if (kn < 0 || kn > max_dim) break;
      k = kn;
      ++j;
    }
    total += static_cast<double>(k);
    most = std::max(most, k);
    if (total > kMaxMatvecs) return -1;
    i = j;
  }
  if (filled != nullptr) *filled = most;
  return static_cast<Index>(total);
}

double sector_nnz(const ModelOperators& ops, Index cap) {
  const Index L = ops.lattice.sites(), M = ops.M, N = ops.N;
  const double DF = binomial_or_zero(L, M);
  const double DB_free = binomial_or_zero(N + L - 1, N);
  const double DB = cap > 0 && cap < N ? static_cast<double>(BosonBasis::count_states(L, N, cap)) : DB_free;
  // a fermion move x -> x' needs x occupied and x' empty: C(L-2, M-1) states; a boson move needs n_x >= 1:
  // C(N-1 + L-1, N-1) states (one boson placed on x, the rest free)
  const double moves_F = offdiagonal_pairs(ops.one_body_F()) * binomial_or_zero(L - 2, M - 1);
  const double moves_B = offdiagonal_pairs(ops.one_body_B()) * binomial_or_zero(N + L - 2, N - 1) * (DB_free > 0 ? DB / DB_free : 0.0);
  return DF * DB + moves_F * DB + moves_B * DF;
}

KernelCalibration calibrate_kernel(const ModelOperators& ops, Index cap, Index target_dim, double interval, double tolerance,
                                   Index krylov_dim, Index vector_dim) {
  if (target_dim < 1000) throw InputError("", "target_dim", "must be at least 1000");
  const double t_start = omp_get_wtime();
  const Index L = ops.lattice.sites();
  // the largest sector with at most target_dim states among M' <= M, N' <= N with fillings in nearly the same
  // ratio, |M'/M - N'/N| <= 1/4 (the moves a state has, hence the work per nonzero, depend on both): the
  // model's own sector if it is that small
  KernelCalibration c;
  double best = -1.0;
  for (Index m = 0; m <= ops.M; ++m)
    for (Index n = 0; n <= ops.N; ++n) {
      const double fm = ops.M > 0 ? static_cast<double>(m) / static_cast<double>(ops.M) : 1.0;
      const double fn = ops.N > 0 ? static_cast<double>(n) / static_cast<double>(ops.N) : 1.0;
      if (std::abs(fm - fn) > 0.25 + 1e-12 && !(m == ops.M && n == ops.N)) continue;
      const double DF = binomial_or_zero(L, m);
      const double DB = cap > 0 && cap < n ? static_cast<double>(BosonBasis::count_states(L, n, cap)) : binomial_or_zero(n + L - 1, n);
      const double D = DF * DB;
      if (D <= static_cast<double>(target_dim) && D > best) {
        best = D;
        c.M = m;
        c.N = n;
      }
    }
  const double t0 = omp_get_wtime();
  const Sector s(L, c.M, c.N, cap);
  const SectorHamiltonian H(s, ops.one_body_F(), ops.one_body_B(), ops.V, ops.lambda);
  c.setup_seconds = omp_get_wtime() - t0;
  {
    // the run's product initial state (its cost does not depend on the orbitals' values)
    const arma::cx_mat orbitals = arma::eye<arma::cx_mat>(L, c.M);
    arma::cx_vec phi0(static_cast<arma::uword>(L));
    phi0.fill(cplx(1.0 / std::sqrt(static_cast<double>(L)), 0.0));
    const double t1 = omp_get_wtime();
    (void)product_state(s, orbitals, phi0);
    c.initial_state_seconds = omp_get_wtime() - t1;
  }
  c.dim = s.size();
  c.threads = omp_get_max_threads();
  c.nnz = static_cast<double>(H.nnz());
  const Index D = c.dim;
  arma::cx_vec psi(static_cast<arma::uword>(D)), out(static_cast<arma::uword>(D));
  vec::fill_random(D, 0x1234abcdULL, psi.memptr());
  vec::scale(D, 1.0 / std::sqrt(vec::norm2(D, psi.memptr())), psi.memptr());
  H.apply(psi.memptr(), out.memptr());  // warm-up
  c.matvec_seconds = best_time(7, [&] { H.apply(psi.memptr(), out.memptr()); });
  const arma::cx_mat omega = c.M > 0 ? arma::cx_mat(arma::eye<arma::cx_mat>(L, c.M) * arma::eye<arma::cx_mat>(L, c.M).t())
                                     : arma::cx_mat(L, L, arma::fill::zeros);
  arma::cx_vec phi(static_cast<arma::uword>(L));
  phi.fill(cplx(1.0 / std::sqrt(static_cast<double>(L)), 0.0));
  // what a run computes per output: the view pass, or with a Hartree–Hartree solver to compare with the view and
  // the fluctuation moments in one pass
  c.observe_seconds = best_time(3, [&] { (void)observe(s, psi.memptr(), arma::cx_mat(), arma::cx_vec(), ObserveParts::View); }, 1);
  ObserveScratch scratch;  // kept from call to call, as the exact solver keeps it
  c.observe_all_seconds = best_time(3, [&] { (void)observe(s, psi.memptr(), omega, phi, ObserveParts::All, &scratch); }, 1);
  // the state-sized vector work of one propagator iteration, per state, timed on vectors of nv states (the
  // model's size up to 2^22): long passes, disturbed by other processes no more than the run's own; their first
  // touch gives the page-fault rate of the propagator's fresh states
  const Index nv = std::max<Index>(D, std::min<Index>(vector_dim, Index{1} << 22));
  {
    std::unique_ptr<cplx[]> block(new cplx[static_cast<std::size_t>(4 * nv)]);
    cplx* const a = block.get();
    const double t1 = omp_get_wtime();
    vec::fill_random(4 * nv, 0x2468aceULL, a);  // first touch, with the kernels' OpenMP split
    c.touch_bytes_per_second = 64.0 * static_cast<double>(nv) / std::max(omp_get_wtime() - t1, 1e-9);
    cplx *v0 = a, *v1 = a + nv, *v2 = a + 2 * nv, *v3 = a + 3 * nv;
    double per_pass = 0.0;
    if (krylov_dim >= 4)
      per_pass = best_time(3, [&] {
        const double al = vec::dot(nv, v0, v1).real();
        const double b = vec::lanczos_update(nv, al, v0, 0.5, v3, v2);
        vec::scale(nv, 1.0 / std::sqrt(b + 1.0), v2);
      });
    else
      per_pass = best_time(3, [&] {
        {
          const cplx c1(1e-3, 0.0);
          cplx* acc[] = {v1};
          (void)vec::chebyshev_update(nv, 0.1, 0.0, v0, v3, v2, 1, &c1, acc);
        }
      });
    c.vector_seconds = per_pass * static_cast<double>(D) / static_cast<double>(nv);
  }
  // the matvec again, after the rest: a burst of other processes' work during the first round is not taken
  // for the kernel's speed
  c.matvec_seconds = std::min(c.matvec_seconds, best_time(7, [&] { H.apply(psi.memptr(), out.memptr()); }));
  // the propagator's dense work per iteration (T_k's eigenproblem, the error integral; the Bessel terms),
  // which does not grow with D: the same propagation on a 64 x 64 diagonal operator whose eigenvalues fill the
  // model's spectral interval, where matvec and vector work cost nothing
  if (interval > 0.0 && std::isfinite(interval)) {
    const SpectralBounds b = hamiltonian_bounds(ops);
    const double width = b.upper > b.lower ? b.upper - b.lower : 1.0;
    // at most a phase of 100 (a few hundred iterations): the cost per iteration, not the whole interval
    const double span = std::min(interval, 200.0 * ops.hbar / width);
    DiagonalOperator diag;
    for (Index k = 0; k < 64; ++k) diag.d[static_cast<std::size_t>(k)] = b.lower + width * static_cast<double>(k) / 63.0;
    std::array<cplx, 64> x{};
    vec::fill_random(64, 0x13579bdfULL, x.data());
    Index matvecs = 0;
    double seconds = 0.0;
    if (krylov_dim >= 4) {
      KrylovPropagator<DiagonalOperator> prop(diag, {tolerance, std::min<Index>(krylov_dim, 60), ops.hbar});
      seconds = best_time(3, [&] { matvecs = prop.propagate(x.data(), span).matvecs; });
    } else {
      ChebyshevOptions o;
      o.tolerance = tolerance;
      o.hbar = ops.hbar;
      o.given_bounds = true;
      o.bounds = {b.lower - 0.01 * width, b.lower + 1.01 * width};
      ChebyshevPropagator<DiagonalOperator> prop(diag, o);
      seconds = best_time(3, [&] { matvecs = prop.propagate(x.data(), span).matvecs; });
    }
    if (matvecs > 0) c.iteration_seconds = seconds / static_cast<double>(matvecs);
  }
  c.total_seconds = omp_get_wtime() - t_start;
  return c;
}

ScaledCosts scale_calibration(const KernelCalibration& c, double nnz, Index dim) {
  const double by_nnz = c.nnz > 0.0 ? nnz / c.nnz : 1.0;
  const double by_dim = c.dim > 0 ? static_cast<double>(dim) / static_cast<double>(c.dim) : 1.0;
  ScaledCosts s;
  s.matvec = c.matvec_seconds * by_nnz;
  s.iteration = s.matvec + c.vector_seconds * by_dim + c.iteration_seconds;
  s.view = c.observe_seconds * by_nnz;
  s.view_with_moments = c.observe_all_seconds * by_nnz;
  s.setup = (c.setup_seconds + c.initial_state_seconds) * by_dim;
  return s;
}

TimePrediction predict_exact_time(const Model& model, const ModelOperators& ops, const ExactFootprint& fp, Index target_dim) {
  TimePrediction p;
  p.bounds = hamiltonian_bounds(ops);
  const double s = 0.5 * (p.bounds.upper - p.bounds.lower);
  const double half = s > 0.0 ? s : 1e-3 * std::max(1.0, std::abs(p.bounds.upper));
  p.propagator = fp.propagator;
  p.krylov_dim = fp.propagator == PropagatorKind::Lanczos ? fp.krylov_dim : 0;
  const std::vector<double> times = model.output_times();
  p.outputs = static_cast<Index>(times.size());
  p.interval = model.output_every;
  const double tol = model.exact.tolerance, hbar = ops.hbar;
  const bool lanczos = p.propagator == PropagatorKind::Lanczos && p.krylov_dim >= 4;
  auto count = [&](double t) {
    return lanczos ? lanczos_matvecs(t, half, tol, hbar, p.krylov_dim) : chebyshev_matvecs(t, half, tol, hbar);
  };
  // the intervals between consecutive output times: all equal but the last, which may be shorter; Lanczos
  // serves several outputs from one basis (dense output), Chebyshev expands each interval on its own
  double propagation = 0.0;
  bool finite = true;
  const std::size_t intervals = times.size() > 1 ? times.size() - 1 : 0;
  Index filled = 0;
  double accumulations = 0.0;  // Chebyshev: terms taken by all outputs of the windows
  if (lanczos) {
    const Index run = lanczos_run_matvecs(times, half, tol, hbar, p.krylov_dim, &filled);
    finite = run >= 0;
    propagation = static_cast<double>(run);
  } else if (intervals > 0) {
    const Index run = chebyshev_run_matvecs(times, half, tol, hbar, std::max<Index>(fp.chebyshev_window, 1), 200.0, &accumulations);
    finite = run >= 0;
    propagation = static_cast<double>(run);
  }
  // the run's average (one Lanczos basis or one Chebyshev window serves several outputs)
  p.matvecs_per_interval = intervals == 0 ? 0 : finite ? static_cast<Index>(std::ceil(propagation / static_cast<double>(intervals))) : -1;
  p.matvecs_unit_time = count(1.0);
  p.bound_matvecs = lanczos ? 0 : ChebyshevOptions{}.bound_steps;
  // + the bound estimate and one energy matvec per output
  const double total = propagation + static_cast<double>(p.bound_matvecs) + static_cast<double>(p.outputs);
  p.matvecs_total = finite && total <= kMaxMatvecs ? static_cast<Index>(total) : -1;

  p.calibration = calibrate_kernel(ops, model.bosons.max_per_site, target_dim,
                                   times.size() > 1 ? times[1] - times[0] : 0.0, tol, lanczos ? p.krylov_dim : 0, fp.dim);
  const KernelCalibration& c = p.calibration;
  p.nnz = sector_nnz(ops, model.bosons.max_per_site);
  p.scale = c.nnz > 0 ? p.nnz / c.nnz : 1.0;
  const ScaledCosts sc = scale_calibration(c, p.nnz, fp.dim);
  p.matvec_seconds = sc.matvec;
  // one propagator iteration: the matvec, the state-sized vector work (scaled by D), the dense small work
  const double per_matvec = sc.iteration;
  p.step_seconds = static_cast<double>(std::max<Index>(p.matvecs_per_interval, 0)) * per_matvec;
  p.unit_step_seconds = static_cast<double>(std::max<Index>(p.matvecs_unit_time, 0)) * per_matvec;
  const bool moments = model.hartree.enabled;  // the exact solver's view reads the Hartree–Hartree one's
  // per output, what the run does: the view pass (with the moments if compared), the energy matvec
  // the Lanczos state of an output is a recombination of the basis: a read of its vectors, priced from the
  // iteration's vector work (the three-term update: three states read, one written)
  if (lanczos && finite) p.recombine_seconds = static_cast<double>(filled + 1) / 4.0 * std::max(sc.iteration - sc.matvec, 0.0);
  p.output_seconds = (moments ? sc.view_with_moments : sc.view) + sc.matvec + p.recombine_seconds;
  // sector, Hamiltonian and initial state (measured, scaled by D), first touch of the states the propagator
  // fills (Lanczos allocates its basis as it fills: the most vectors a basis holds, + 1)
  if (lanczos && finite) p.krylov_used = std::min(p.krylov_dim, filled + 1);
  const double states = lanczos ? static_cast<double>((p.krylov_used > 0 ? p.krylov_used : p.krylov_dim) + kLanczosExtraStates)
                                : static_cast<double>(kChebyshevStates);
  p.setup_seconds = sc.setup + states * fp.state_bytes / std::max(c.touch_bytes_per_second, 1.0);
  // a window's outputs beyond the first accumulator each take a read and a write of a state a term: a third of the
  // calibrated Chebyshev update (three states read, an accumulator read and written, one state written)
  const double window_passes = accumulations > propagation ? (accumulations - propagation) * std::max(sc.iteration - sc.matvec, 0.0) / 3.0 : 0.0;
  p.total_seconds = p.setup_seconds + propagation * per_matvec + window_passes + static_cast<double>(p.bound_matvecs) * p.matvec_seconds +
                    static_cast<double>(p.outputs) * p.output_seconds;
  if (p.matvecs_total < 0) p.total_seconds = std::numeric_limits<double>::infinity();
  p.expected_peak_bytes = fp.total_bytes;
  if (p.krylov_used > 0) p.expected_peak_bytes -= static_cast<double>(p.krylov_dim - p.krylov_used) * fp.state_bytes;
  return p;
}

std::string format_seconds(double seconds) {
  if (!std::isfinite(seconds)) return "beyond any practical time";
  if (seconds < 1e-3) return fmt::format("{:.0f} us", 1e6 * seconds);
  if (seconds < 1.0) return fmt::format("{:.0f} ms", 1e3 * seconds);
  if (seconds < 120.0) return fmt::format("{:.1f} s", seconds);
  if (seconds < 7200.0) return fmt::format("{:.1f} min", seconds / 60.0);
  if (seconds < 2.0 * 86400.0) return fmt::format("{:.1f} h", seconds / 3600.0);
  return fmt::format("{:.1f} days", seconds / 86400.0);
}

}  // namespace fockmix
