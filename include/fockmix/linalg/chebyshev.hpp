#pragma once
/// \file Memory-lean propagator psi <- exp(-i t H / hbar) psi by a Chebyshev expansion, for any Hermitian
/// LinearOperator with complex scalars. It keeps four state vectors (psi and three recurrence buffers)
/// whatever the accuracy, against max_dim + 1 for the Krylov propagator (krylov.hpp).
///
/// With the spectrum of H inside [a - s, a + s] and Hn = (H - a)/s,
///   exp(-i tau H/hbar) = exp(-i tau a/hbar) [J_0(R) + 2 sum_{k>=1} (-i)^k J_k(R) T_k(Hn)],   R = tau s/hbar,
/// with J_k the Bessel functions and T_k the Chebyshev polynomials (|T_k| <= 1 on [-1, 1]). Truncating after
/// K terms leaves an error of at most 2 sum_{k>K} |J_k(R)| ||psi|| (the a-priori bound): K is the smallest
/// order for which that bound is <= tolerance * tau. The bounds a -+ s come from a few Lanczos steps on a
/// fixed pseudo-random vector, widened by the Ritz residuals and a relative safety margin (once per
/// propagator; SpectralBounds can also be given). A violated bound shows up as ||T_k(Hn) psi|| > ||psi||,
/// which the recurrence monitors (status BoundsViolated).
#include <armadillo>
#include <algorithm>
#include <atomic>
#include <cmath>
#include <concepts>
#include <memory>
#include <utility>
#include <vector>

#include "fockmix/core/error.hpp"
#include "fockmix/core/operator.hpp"
#include "fockmix/linalg/vector_ops.hpp"

namespace fockmix {

/// An interval [lower, upper] containing the spectrum of H (lower < upper).
struct SpectralBounds {
  double lower = 0.0;
  double upper = 0.0;
};

/// Options of the Chebyshev propagator.
struct ChebyshevOptions {
  double tolerance = 1e-10;  ///< allowed error per unit time, relative to ||psi|| (> 0)
  double hbar = 1.0;         ///< Planck's constant in exp(-i t H/hbar) (> 0)
  Index bound_steps = 24;    ///< Lanczos steps of the spectral-bound estimate (>= 4)
  double bound_margin = 0.01;  ///< each end widened by this fraction of the width (on top of the Ritz residual) (>= 0)
  double max_phase = 200.0;  ///< largest R = tau s/hbar of one sub-step (>= 1); longer times take sub-steps
  bool given_bounds = false; ///< use `bounds` as they are instead of estimating them
  SpectralBounds bounds;     ///< with given_bounds: an interval known to contain the spectrum
};

/// Outcome of a Chebyshev propagation.
enum class ChebyshevStatus {
  Converged,       ///< the a-priori bound met the tolerance and the recurrence stayed bounded
  BoundsViolated,  ///< ||T_k(Hn) psi|| grew beyond ||psi||: the spectrum leaks out of the bounds (result unreliable)
  Stopped          ///< the stop flag was set: psi holds the state after the last completed sub-step
};

struct ChebyshevResult {
  ChebyshevStatus status = ChebyshevStatus::Converged;
  Index matvecs = 0;            ///< applications of H, including bound_matvecs
  Index bound_matvecs = 0;      ///< of which spent on the spectral-bound estimate (first call only)
  Index substeps = 0;           ///< expansions used
  Index terms = 0;              ///< Chebyshev terms of the last sub-step (K + 1)
  double error_estimate = 0.0;  ///< sum of the sub-steps' a-priori truncation bounds (relative to ||psi||)
};

namespace chebyshev {

/// J_0(R) .. J_n(R) (R >= 0) by Miller's backward recurrence normalised with J_0 + 2 sum J_2k = 1; accurate
/// to a few ulps relative to 1 and in the decaying tail.
std::vector<double> bessel_j(Index n, double R);

/// Smallest K with 2 sum_{k>K} |J_k(R)| <= bound (R >= 0, bound > 0), and that sum in `tail`.
Index terms_for(double R, double bound, double& tail);

/// Extreme eigenvalues of the k x k tridiagonal matrix (alpha, beta) widened by the Ritz residuals
/// beta_k |s_k| of the extreme Ritz pairs and by margin x (upper - lower) on each side.
SpectralBounds widen_ritz(const std::vector<double>& alpha, const std::vector<double>& beta, double margin);

}  // namespace chebyshev

template <LinearOperator Op>
  requires std::same_as<typename Op::Scalar, cplx>
class ChebyshevPropagator {
 public:
  /// Allocates three work vectors of H.rows() complex numbers (psi is the fourth).
  ChebyshevPropagator(const Op& H, ChebyshevOptions opt) : H_(H), opt_(opt) {
    if (!(opt_.tolerance > 0.0)) throw InputError("", "tolerance", "must be positive");
    if (!(opt_.hbar > 0.0)) throw InputError("", "hbar", "must be positive");
    if (opt_.bound_steps < 4) throw InputError("", "bound_steps", "must be at least 4");
    if (!(opt_.bound_margin >= 0.0)) throw InputError("", "margin", "must be non-negative");
    if (!(opt_.max_phase >= 1.0)) throw InputError("", "max_phase", "must be at least 1");
    if (opt_.given_bounds && !(opt_.bounds.upper > opt_.bounds.lower))
      throw InputError("", "bounds", "need lower < upper");
    buf_ = vec::StateBlock(H_.rows(), 3);  // not initialised: first touch happens in the kernels
    if (opt_.given_bounds) {
      bounds_ = opt_.bounds;
      have_bounds_ = true;
    }
  }

  const ChebyshevOptions& options() const noexcept { return opt_; }

  /// The spectral interval used (estimated at the first call if not given); costs bound_steps matvecs once.
  SpectralBounds bounds(Index* matvecs = nullptr) {
    if (!have_bounds_) {
      const Index used = estimate_bounds();
      if (matvecs) *matvecs += used;
      have_bounds_ = true;
    }
    return bounds_;
  }

  /// psi <- exp(-i t H/hbar) psi (t of either sign). psi has H.rows() entries. With `stop`, the flag is
  /// read before every sub-step and a set flag ends the propagation (Stopped).
  ChebyshevResult propagate(cplx* psi, double t, const std::atomic<bool>* stop = nullptr) {
    ChebyshevResult res;
    const Index n = H_.rows();
    bounds(&res.bound_matvecs);
    res.matvecs = res.bound_matvecs;
    const double s = 0.5 * (bounds_.upper - bounds_.lower);
    const double direction = t < 0 ? -1.0 : 1.0;
    double remaining = std::abs(t);
    const double tau_max = opt_.max_phase * opt_.hbar / s;
    const Index substeps = static_cast<Index>(std::ceil(remaining / tau_max - 1e-12));
    for (Index step = 0; step < substeps && remaining > 0.0; ++step) {
      if (stop != nullptr && stop->load(std::memory_order_relaxed)) {
        res.status = ChebyshevStatus::Stopped;
        return res;
      }
      const double tau = remaining / static_cast<double>(substeps - step);
      remaining -= tau;
      const double nrm2 = vec::norm2(n, psi);
      if (nrm2 == 0.0) break;
      const std::vector<double> taus{tau};
      cplx* const acc[] = {psi};
      double tail = 0.0;
      if (expand(psi, nrm2, taus, direction, acc, nullptr, res, &tail) == ChebyshevStatus::BoundsViolated)
        res.status = ChebyshevStatus::BoundsViolated;
      res.error_estimate += tail;
      ++res.substeps;
    }
    return res;
  }

  /// The longest time one expansion covers (R = tau s/hbar <= max_phase): the reach of propagate_window. Estimates
  /// the bounds if they are not known yet (matvecs added to *matvecs).
  double window_reach(Index* matvecs = nullptr) {
    const SpectralBounds b = bounds(matvecs);
    return opt_.max_phase * opt_.hbar / (0.5 * (b.upper - b.lower));
  }

  /// Several output times from one expansion: outs[m] = exp(-i taus[m] H/hbar) psi for 0 < taus[0] < taus[1] < ...
  /// <= window_reach(), psi unchanged (no aliasing with outs). The recurrence runs to the order of the last time;
  /// output m takes its own K_m terms, so each meets the tolerance as its own propagate() would, and errors[m] (if
  /// given) gets its a-priori bound. Each accumulator costs a read and a write of a state per term while active.
  /// With `stop`, the flag is read at every term; a set flag ends the expansion (Stopped; outs unspecified).
  ChebyshevResult propagate_window(const cplx* psi, const std::vector<double>& taus, cplx* const* outs,
                                   std::vector<double>* errors = nullptr, const std::atomic<bool>* stop = nullptr) {
    ChebyshevResult res;
    bounds(&res.bound_matvecs);
    res.matvecs = res.bound_matvecs;
    if (taus.empty()) return res;
    for (std::size_t m = 0; m < taus.size(); ++m)
      if (!(taus[m] > (m == 0 ? 0.0 : taus[m - 1])))
        throw InputError("", "taus", "propagate_window: the times must be positive and increasing");
    if (taus.back() > window_reach() * (1.0 + 1e-12)) throw InputError("", "taus", "propagate_window: beyond one expansion's reach");
    std::vector<double> tails(taus.size(), 0.0);
    const double nrm2 = vec::norm2(H_.rows(), psi);
    res.status = expand(psi, nrm2, taus, 1.0, outs, stop, res, tails.data());
    res.substeps = 1;
    res.error_estimate = tails.back();
    if (errors != nullptr) *errors = std::move(tails);
    return res;
  }

 private:
  /// The expansion of psi0 (squared norm nrm2) to the times taus (increasing, direction dir) into acc[m]; acc[0] may
  /// be psi0 itself when there is one time (in place). Adds the matvecs to res; tails[m] gets output m's bound.
  /// Returns BoundsViolated if ||T_k(Hn) psi|| outgrew ||psi||, Stopped if the flag was set, else Converged.
  ChebyshevStatus expand(const cplx* psi0, double nrm2, const std::vector<double>& taus, double dir, cplx* const* acc,
                         const std::atomic<bool>* stop, ChebyshevResult& res, double* tails) {
    const Index n = H_.rows();
    const Index m = static_cast<Index>(taus.size());
    if (nrm2 == 0.0) {
      for (Index o = 0; o < m; ++o)
        if (acc[o] != psi0) vec::copy(n, psi0, acc[o]);
      return ChebyshevStatus::Converged;
    }
    const double a = 0.5 * (bounds_.upper + bounds_.lower), s = 0.5 * (bounds_.upper - bounds_.lower);
    // c_k of output o = (2 - delta_k0) (-i dir)^k J_k(R_o) exp(-i dir tau_o a/hbar), K_o terms
    std::vector<Index> K(static_cast<std::size_t>(m));
    std::vector<std::vector<cplx>> c(static_cast<std::size_t>(m));
    for (Index o = 0; o < m; ++o) {
      const double R = taus[o] * s / opt_.hbar;
      K[o] = chebyshev::terms_for(R, opt_.tolerance * taus[o], tails[o]);
      const std::vector<double> J = chebyshev::bessel_j(K[o], R);
      const cplx phase = std::polar(1.0, -dir * taus[o] * a / opt_.hbar);
      const cplx minus_i(0.0, -dir);
      c[o].resize(static_cast<std::size_t>(K[o] + 1));
      cplx ik = 1.0;
      for (Index k = 0; k <= K[o]; ++k, ik *= minus_i) c[o][k] = (k == 0 ? 1.0 : 2.0) * J[k] * ik * phase;
    }
    const Index Kmax = *std::max_element(K.begin(), K.end());
    for (auto& co : c) co.resize(static_cast<std::size_t>(Kmax + 1), 0.0);  // past its K_o an output takes zeros
    cplx* prev = buf_.col(0);
    cplx* cur = buf_.col(1);
    cplx* next = buf_.col(2);
    // phi_0 = psi0; acc[o] = c_0 psi0
    if (m == 1 && acc[0] == psi0) {
      vec::copy_and_scale(n, c[0][0], acc[0], cur);
    } else {
      vec::copy(n, psi0, cur);
      for (Index o = 0; o < m; ++o) vec::combine(n, 1, psi0, &c[o][0], acc[o]);
    }
    double grow = 1.0;
    std::vector<cplx> ck(static_cast<std::size_t>(m));
    Index first = 0;  // outputs [first, m) still take terms (K grows with tau; one that does not just takes zeros)
    for (Index k = 1; k <= Kmax; ++k) {
      if (m > 1 && stop != nullptr && stop->load(std::memory_order_relaxed)) return ChebyshevStatus::Stopped;
      while (first < m && K[first] < k) ++first;
      H_.apply(cur, next);
      ++res.matvecs;
      // phi_1 = Hn phi_0; phi_k = 2 Hn phi_{k-1} - phi_{k-2}
      const double f = (k == 1 ? 1.0 : 2.0) / s;
      for (Index o = first; o < m; ++o) ck[o] = c[o][k];
      const double g2 = vec::chebyshev_update(n, f, -f * a, cur, k == 1 ? nullptr : prev, next, m - first, ck.data() + first, acc + first);
      grow = std::max(grow, g2 / nrm2);
      std::swap(prev, cur);
      std::swap(cur, next);
    }
    res.terms = Kmax + 1;
    return grow > 1.0 + 1e-6 ? ChebyshevStatus::BoundsViolated : ChebyshevStatus::Converged;
  }

  /// bound_steps Lanczos steps (three vectors, no reorthogonalisation: ghosts do not move the extremes).
  Index estimate_bounds() {
    const Index n = H_.rows();
    cplx* u = buf_.col(0);
    cplx* v = buf_.col(1);
    cplx* w = buf_.col(2);
    vec::fill_random(n, 0x5eed5eedULL, v);
    vec::scale(n, 1.0 / std::sqrt(vec::norm2(n, v)), v);
    std::vector<double> alpha, beta;
    Index used = 0;
    for (Index k = 0; k < opt_.bound_steps; ++k) {
      H_.apply(v, w);
      ++used;
      const double al = vec::dot(n, v, w).real();
      const double bprev = beta.empty() ? 0.0 : beta.back();
      const double b = std::sqrt(vec::lanczos_update(n, al, v, bprev, beta.empty() ? nullptr : u, w));
      alpha.push_back(al);
      beta.push_back(b);
      if (b <= 1e-14 * (std::abs(al) + bprev + 1e-300)) break;  // invariant subspace: the Ritz values are exact
      vec::scale(n, 1.0 / b, w);
      std::swap(u, v);
      std::swap(v, w);
    }
    bounds_ = chebyshev::widen_ritz(alpha, beta, opt_.bound_margin);
    if (!(bounds_.upper > bounds_.lower)) {  // one-dimensional Krylov space (eigenvector or 1 x 1 H)
      const double c = 0.5 * (bounds_.upper + bounds_.lower), h = std::max(1e-3, 1e-3 * std::abs(c));
      bounds_ = {c - h, c + h};
    }
    return used;
  }

  const Op& H_;
  ChebyshevOptions opt_;
  vec::StateBlock buf_;
  SpectralBounds bounds_;
  bool have_bounds_ = false;
};

}  // namespace fockmix
