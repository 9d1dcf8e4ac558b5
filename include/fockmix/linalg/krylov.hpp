#pragma once
/// \file Krylov (Lanczos) propagator psi <- exp(-i t H / hbar) psi for any Hermitian LinearOperator with
/// complex scalars, with an a-posteriori error estimate and adaptive sub-steps.
///
/// Each sub-step builds a Lanczos basis v_1..v_k of K_k(H, psi) (k <= max_dim) and uses
/// exp(-i tau H/hbar) psi ~ ||psi|| V_k exp(-i tau T_k/hbar) e_1 with T_k the tridiagonal Lanczos matrix.
/// The error of a sub-step is bounded by the defect integral
///   err(tau) = ||psi|| (beta_k/hbar) int_0^tau |e_k^T exp(-i s T_k/hbar) e_1| ds,
/// an upper bound in exact arithmetic that grows monotonically with tau (the one-point estimate
/// beta_k |e_k^T exp(-i tau T_k/hbar) e_1| oscillates and can vanish by accident at large tau ||H||).
/// The integral is evaluated by Simpson's rule on the small k x k problem. The Lanczos recursion stops as
/// soon as err(remaining time) <= tol * remaining time; otherwise the largest tau with err(tau) <= tol * tau
/// is taken (bisection).
///
/// Memory traffic per Lanczos step: the basis is kept unnormalised (s_k = sigma_k v_k), so no pass normalises a
/// vector, and an operator with `double apply_dot(const cplx* in, cplx* out, double s)` (out = s H in, returning
/// Re <in, out>, e.g. SectorHamiltonian) gives alpha_k in the matvec's own pass: a step is the matvec plus one
/// three-term update (7 state-sized reads and writes instead of 11).
#include <armadillo>
#include <atomic>
#include <cmath>
#include <concepts>
#include <string>

#include "fockmix/core/error.hpp"
#include "fockmix/core/operator.hpp"
#include "fockmix/linalg/vector_ops.hpp"

namespace fockmix {

/// Options of the Krylov propagator.
struct KrylovOptions {
  double tolerance = 1e-10;  ///< allowed error per unit time, relative to ||psi|| (> 0)
  Index max_dim = 30;        ///< Krylov dimension per sub-step, 4 <= max_dim
  double hbar = 1.0;         ///< Planck's constant in exp(-i t H/hbar) (> 0)
};

/// Outcome of a propagation.
enum class KrylovStatus {
  Converged,    ///< every sub-step met the tolerance
  StepTooSmall,  ///< a sub-step shrank below 1e-13 of the interval: the tolerance cannot be met
  Stopped        ///< the stop flag was set: psi holds the state after the last completed sub-step
};

struct KrylovResult {
  KrylovStatus status = KrylovStatus::Converged;
  Index matvecs = 0;            ///< applications of H
  Index substeps = 0;           ///< Lanczos sub-steps taken
  double error_estimate = 0.0;  ///< sum of the sub-steps' a-posteriori estimates (relative to ||psi||)
};

template <LinearOperator Op>
  requires std::same_as<typename Op::Scalar, cplx>
class KrylovPropagator {
 public:
  /// Allocates max_dim + 1 vectors of H.rows() complex numbers.
  KrylovPropagator(const Op& H, KrylovOptions opt) : H_(H), opt_(opt) {
    if (!(opt_.tolerance > 0.0)) throw InputError("", "tolerance", "must be positive");
    if (opt_.max_dim < 4) throw InputError("", "max_dim", "must be at least 4");
    if (!(opt_.hbar > 0.0)) throw InputError("", "hbar", "must be positive");
    V_ = vec::StateBlock(H_.rows(), opt_.max_dim + 1);  // uninitialised: unused vectors are never touched
  }

  const KrylovOptions& options() const noexcept { return opt_; }

  /// psi <- exp(-i t H/hbar) psi (t of either sign). psi has H.rows() entries.
  /// With `stop`, the flag is read before every sub-step and a set flag ends the propagation (Stopped).
  KrylovResult propagate(cplx* psi, double t, const std::atomic<bool>* stop = nullptr) {
    KrylovResult res;
    const Index n = H_.rows();
    const double direction = t < 0 ? -1.0 : 1.0;
    double remaining = std::abs(t);
    const double smallest = 1e-13 * std::max(remaining, 1e-300);
    while (remaining > 0.0) {
      if (stop != nullptr && stop->load(std::memory_order_relaxed)) {
        res.status = KrylovStatus::Stopped;
        return res;
      }
      const double nrm = std::sqrt(vec::norm2(n, psi));
      if (nrm == 0.0) break;
      // The basis is stored unnormalised: column k holds s_k = sigma_k v_k (sigma_0 = ||psi||, sigma_{k+1} =
      // beta_k), so no pass normalises a vector; the matvec scales by 1/sigma_k as it goes.
      vec::copy(n, psi, V_.col(0));
      alpha_.set_size(opt_.max_dim);
      beta_.set_size(opt_.max_dim);
      sigma_.set_size(opt_.max_dim + 1);
      sigma_(0) = nrm;
      Index k = 0;
      bool invariant = false;
      for (; k < opt_.max_dim; ++k) {
        cplx* sk = V_.col(k);
        cplx* w = V_.col(k + 1);
        // w = H v_k, a = Re <s_k, w> = sigma_k alpha_k
        double a = 0.0;
        if constexpr (requires { { H_.apply_dot(sk, w, 1.0) } -> std::convertible_to<double>; }) {
          a = H_.apply_dot(sk, w, 1.0 / sigma_(k));
        } else {
          H_.apply(sk, w);
          vec::scale(n, 1.0 / sigma_(k), w);
          a = vec::dot(n, sk, w).real();
        }
        ++res.matvecs;
        alpha_(k) = a / sigma_(k);
        // w <- H v_k - alpha_k v_k - beta_{k-1} v_{k-1}, of norm beta_k: s_{k+1}
        const double b = std::sqrt(vec::lanczos_update(n, alpha_(k) / sigma_(k), sk, k > 0 ? beta_(k - 1) / sigma_(k - 1) : 0.0,
                                                       k > 0 ? V_.col(k - 1) : nullptr, w));
        beta_(k) = b;
        sigma_(k + 1) = b;
        const double scale = std::abs(alpha_(k)) + (k > 0 ? beta_(k - 1) : 0.0) + 1e-300;
        if (b <= 1e-14 * scale) {  // invariant subspace: the sub-step is exact
          invariant = true;
          ++k;
          break;
        }
        if (k + 1 >= 2) {
          decompose(k + 1);
          if (error(remaining, k + 1) <= opt_.tolerance * remaining) {
            ++k;
            break;
          }
        }
      }
      const Index dim = std::min(k, opt_.max_dim);
      decompose(dim);
      double tau = remaining;
      double err = invariant ? 0.0 : error(tau, dim);
      if (err > opt_.tolerance * tau) {
        // largest tau with err(tau) <= tol tau: halve to a bracket, then bisect
        double lo = tau;
        while (lo > smallest && error(lo, dim) > opt_.tolerance * lo) lo *= 0.5;
        if (lo <= smallest) {
          res.status = KrylovStatus::StepTooSmall;
          return res;
        }
        double hi = std::min(2.0 * lo, remaining);
        for (int it = 0; it < 30; ++it) {
          const double mid = 0.5 * (lo + hi);
          (error(mid, dim) <= opt_.tolerance * mid ? lo : hi) = mid;
        }
        tau = lo;
        err = error(tau, dim);
      }
      arma::cx_vec c = nrm * coefficients(direction * tau, dim);
      for (Index i = 0; i < dim; ++i) c(i) /= sigma_(i);  // v_i = s_i / sigma_i
      vec::combine(n, dim, V_.data(), c.memptr(), psi);
      res.error_estimate += err;
      ++res.substeps;
      remaining -= tau;
      if (remaining < smallest) remaining = 0.0;
    }
    return res;
  }

 private:
  /// Eigen-decomposition of the k x k tridiagonal T_k.
  void decompose(Index k) {
    arma::mat T(k, k, arma::fill::zeros);
    for (Index i = 0; i < k; ++i) {
      T(i, i) = alpha_(i);
      if (i + 1 < k) T(i, i + 1) = T(i + 1, i) = beta_(i);
    }
    arma::eig_sym(evals_, evecs_, T);
  }
  /// exp(-i tau T_k/hbar) e_1.
  arma::cx_vec coefficients(double tau, Index k) const {
    arma::cx_vec phase(k);
    for (Index i = 0; i < k; ++i) phase(i) = std::polar(1.0, -tau * evals_(i) / opt_.hbar) * evecs_(0, i);
    return evecs_ * phase;
  }
  /// |e_k^T exp(-i s T_k/hbar) e_1|.
  double last_component(double s, Index k) const {
    cplx last = 0.0;
    for (Index i = 0; i < k; ++i) last += evecs_(k - 1, i) * std::polar(1.0, -s * evals_(i) / opt_.hbar) * evecs_(0, i);
    return std::abs(last);
  }
  /// The defect-integral bound (beta_k/hbar) int_0^tau |e_k^T exp(-i s T_k/hbar) e_1| ds (relative to ||psi||).
  double error(double tau, Index k) const {
    const double spread = (evals_(k - 1) - evals_(0)) / opt_.hbar;
    // Simpson's rule with ~16 points per oscillation period of the integrand
    // (range-checked as a double first: a huge or non-finite spread must not overflow the integer)
    const double wanted = std::ceil(16.0 * tau * spread / (2.0 * 3.141592653589793)) + 8.0;
    Index m = wanted < 20000.0 ? static_cast<Index>(std::max(wanted, 8.0)) : 20000;
    m = std::min<Index>(m + m % 2, 20000);
    const double hs = tau / static_cast<double>(m);
    double sum = last_component(0.0, k) + last_component(tau, k);
    for (Index j = 1; j < m; ++j) sum += (j % 2 ? 4.0 : 2.0) * last_component(j * hs, k);
    return beta_(k - 1) / opt_.hbar * sum * hs / 3.0;
  }

  const Op& H_;
  KrylovOptions opt_;
  vec::StateBlock V_;
  arma::vec alpha_, beta_, sigma_, evals_;
  arma::mat evecs_;
};

}  // namespace fockmix
