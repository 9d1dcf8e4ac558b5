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
/// Dense output (`advance`): the basis of the last sub-step is kept, and a run's later output times that it still
/// reaches within the tolerance are served by recombining it, without matvecs; a new basis grows past the
/// requested time towards the following outputs. With outputs every 0.1 this takes a run from one basis per
/// output to one per several (docs/performance.md).
///
/// Memory traffic per Lanczos step: the basis is kept unnormalised (s_k = sigma_k v_k), so no pass normalises a
/// vector, and an operator with `double apply_dot(const cplx* in, cplx* out, double s)` (out = s H in, returning
/// Re <in, out>, e.g. SectorHamiltonian) gives alpha_k in the matvec's own pass: a step is the matvec plus one
/// three-term update (7 state-sized reads and writes instead of 11).
#include <armadillo>
#include <atomic>
#include <cmath>
#include <limits>
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

/// The output times a run will ask for (dense output, KrylovPropagator::advance): every `interval` after the
/// requested one, up to `end`. interval = 0: none beyond the requested time.
struct OutputPlan {
  double interval = 0.0;
  double end = 0.0;
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

  /// psi <- exp(-i t H/hbar) psi (t of either sign). psi has H.rows() entries. Every call starts from psi (no
  /// basis is carried over; `advance` is the dense-output form). With `stop`, the flag is read before every
  /// sub-step and a set flag ends the propagation (Stopped).
  KrylovResult propagate(cplx* psi, double t, const std::atomic<bool>* stop = nullptr) {
    live_ = false;
    direction_ = t < 0 ? -1.0 : 1.0;
    KrylovResult res = run(psi, 0.0, std::abs(t), OutputPlan{0.0, std::abs(t)}, stop);
    live_ = false;
    return res;
  }

  /// Dense output: psi, the state at time t_from, becomes the state at t_to >= t_from. The basis of the last
  /// sub-step stays live, so a later call that it still reaches costs no matvec, only the recombination
  /// psi = ||psi_b|| V_k exp(-i s T_k/hbar) e_1 at the offset s from the basis start t_b (a read of the k basis
  /// vectors), provided the error bound err(s) <= tol s holds there. A new basis starts from psi at t_from; once
  /// it reaches t_to it keeps growing towards the following output times of `plan` (t_to + j interval <= end)
  /// while the reach its last vector gained, extrapolated, says max_dim vectors will get to the next one, so that
  /// one basis serves as many outputs as it can. psi must be the state the previous call returned (t_from its t_to), else a new
  /// basis is started. Times are absolute, so a basis rebuilt from (basis_start_state(), basis_start_time())
  /// with the same first target and plan reproduces the same states bitwise (checkpoints, app/solvers).
  KrylovResult advance(cplx* psi, double t_from, double t_to, const OutputPlan& plan, const std::atomic<bool>* stop = nullptr) {
    if (!(t_to >= t_from)) throw InputError("", "t_to", "advance: t_to must not precede t_from");
    KrylovResult res;
    if (t_to == t_from) return res;
    if (!(live_ && direction_ > 0.0 && t_from == last_time_)) live_ = false;
    direction_ = 1.0;
    if (live_) {
      const double s = t_to - start_;
      if (s <= reach_ * (1.0 + 1e-12)) {
        const double err = invariant_ ? 0.0 : error(s, dim_);
        if (err <= opt_.tolerance * s) {
          recombine(psi, s);
          res.error_estimate = std::max(0.0, err - served_error_);
          served_error_ = err;
          last_time_ = t_to;
          return res;
        }
      }
      live_ = false;
    }
    return run(psi, t_from, t_to, plan, stop);
  }

  /// The live basis (after advance): its start time, its start state (s_0, a copy of psi at that time) and
  /// the t_to of the call that built it. has_live_basis() is false after propagate() or a stop.
  bool has_live_basis() const noexcept { return live_; }
  /// Drop the live basis: the next advance starts a new one from the psi it is given.
  void restart() noexcept { live_ = false; }
  double basis_start_time() const noexcept { return start_; }
  double basis_first_target() const noexcept { return first_target_; }
  const cplx* basis_start_state() const noexcept { return V_.col(0); }

 private:
  /// Sub-steps from psi at t_from (offset 0 of the first basis) to t_to, each basis built by `build`; the last
  /// one stays live (direction_ applies).
  KrylovResult run(cplx* psi, double t_from, double t_to, const OutputPlan& plan, const std::atomic<bool>* stop) {
    KrylovResult res;
    const double smallest = 1e-13 * std::max(t_to - t_from, 1e-300);
    double now = t_from;
    live_ = false;
    while (t_to - now > 0.0) {
      if (stop != nullptr && stop->load(std::memory_order_relaxed)) {
        res.status = KrylovStatus::Stopped;
        live_ = false;  // psi may be between outputs: no basis to continue from
        return res;
      }
      const double nrm = std::sqrt(vec::norm2(H_.rows(), psi));
      if (nrm == 0.0) break;
      const double remaining = t_to - now;
      res.matvecs += build(psi, nrm, remaining, now, plan);
      start_ = now;
      first_target_ = t_to;
      double tau = remaining;
      double err = invariant_ ? 0.0 : error(tau, dim_);
      if (err > opt_.tolerance * tau) {
        // largest tau with err(tau) <= tol tau: halve to a bracket, then bisect
        double lo = tau;
        while (lo > smallest && error(lo, dim_) > opt_.tolerance * lo) lo *= 0.5;
        if (lo <= smallest) {
          res.status = KrylovStatus::StepTooSmall;
          live_ = false;
          return res;
        }
        double hi = std::min(2.0 * lo, remaining);
        for (int it = 0; it < 30; ++it) {
          const double mid = 0.5 * (lo + hi);
          (error(mid, dim_) <= opt_.tolerance * mid ? lo : hi) = mid;
        }
        tau = lo;
        err = error(tau, dim_);
        reach_ = tau;
      }
      recombine(psi, tau);
      res.error_estimate += err;
      ++res.substeps;
      now = remaining - tau < smallest ? t_to : now + tau;
      live_ = true;
      served_error_ = err;
      last_time_ = now;
    }
    return res;
  }

  /// A Lanczos basis of psi (norm nrm) in V_, stopped as soon as it reaches `goal` (err(goal) <= tol goal) and,
  /// from there, the following output times of `plan` as far as max_dim vectors are expected to go. Sets dim_,
  /// reach_ (the last target reached, infinite for an invariant subspace, else 0) and the decomposition of T_dim;
  /// returns the matvecs.
  Index build(const cplx* psi, double nrm, double goal, double now, const OutputPlan& plan) {
    const Index n = H_.rows();
    // The basis is stored unnormalised: column k holds s_k = sigma_k v_k (sigma_0 = ||psi||, sigma_{k+1} =
    // beta_k), so no pass normalises a vector; the matvec scales by 1/sigma_k as it goes.
    vec::copy(n, psi, V_.col(0));
    alpha_.set_size(opt_.max_dim);
    beta_.set_size(opt_.max_dim);
    sigma_.set_size(opt_.max_dim + 1);
    sigma_(0) = nrm;
    nrm_ = nrm;
    invariant_ = false;
    reach_ = 0.0;
    Index k = 0, k_reached = 0;
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
      alpha_(k) = a / sigma_(k);
      // w <- H v_k - alpha_k v_k - beta_{k-1} v_{k-1}, of norm beta_k: s_{k+1}
      const double b = std::sqrt(vec::lanczos_update(n, alpha_(k) / sigma_(k), sk, k > 0 ? beta_(k - 1) / sigma_(k - 1) : 0.0,
                                                     k > 0 ? V_.col(k - 1) : nullptr, w));
      beta_(k) = b;
      sigma_(k + 1) = b;
      const double scale = std::abs(alpha_(k)) + (k > 0 ? beta_(k - 1) : 0.0) + 1e-300;
      if (b <= 1e-14 * scale) {  // invariant subspace: the sub-step is exact
        invariant_ = true;
        ++k;
        break;
      }
      if (k + 1 >= 2) {
        decompose(k + 1);
        if (error(goal, k + 1) <= opt_.tolerance * goal) {
          reach_ = goal;
          k_reached = k + 1;
          // on towards the plan's next output time if the basis is expected to get there within max_dim vectors:
          // the vectors still needed extrapolated from the reach gained by the last one
          bool more = plan.interval > 0.0 && now + goal + plan.interval <= plan.end * (1.0 + 1e-12);
          if (more) {
            reach_ = reach_of(k + 1, goal);
            while (now + goal + plan.interval <= plan.end * (1.0 + 1e-12) && goal + plan.interval <= reach_) goal += plan.interval;
            const double next = goal + plan.interval;
            more = now + next <= plan.end * (1.0 + 1e-12);
            if (more) {
              decompose(k);
              const double gained = reach_ - (k >= 2 ? reach_of(k, 0.0) : 0.0);
              decompose(k + 1);
              more = gained > 0.0 && static_cast<double>(k + 1) + (next - reach_) / gained <= static_cast<double>(opt_.max_dim);
              if (more) goal = next;
            }
          }
          if (!more) {
            ++k;
            break;
          }
        }
      }
    }
    dim_ = std::min(k, opt_.max_dim);
    if (!invariant_ && k_reached > 0 && k_reached < dim_) dim_ = k_reached;  // vectors past the last target reached serve nothing
    decompose(dim_);
    if (invariant_) reach_ = std::numeric_limits<double>::infinity();
    return k;
  }

  /// The largest tau with err(tau) <= tol tau for the basis of k vectors (decomposed), searched above `lo`
  /// (reached, or 0): doubling to a bracket, then 40 bisections.
  double reach_of(Index k, double lo) const {
    double hi = lo > 0.0 ? 2.0 * lo : 1.0;
    while (error(hi, k) <= opt_.tolerance * hi) {
      lo = hi;
      hi *= 2.0;
      if (hi > 1e12) return hi;
    }
    for (int it = 0; it < 40; ++it) {
      const double mid = 0.5 * (lo + hi);
      (error(mid, k) <= opt_.tolerance * mid ? lo : hi) = mid;
    }
    return lo;
  }

  /// psi = ||psi_b|| V_dim exp(-i direction s T_dim/hbar) e_1 (the basis scaled back from s_i = sigma_i v_i).
  void recombine(cplx* psi, double s) {
    arma::cx_vec c = nrm_ * coefficients(direction_ * s, dim_);
    for (Index i = 0; i < dim_; ++i) c(i) /= sigma_(i);  // v_i = s_i / sigma_i
    vec::combine(H_.rows(), dim_, V_.data(), c.memptr(), psi);
  }

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
  // the live basis (dense output)
  bool live_ = false;
  bool invariant_ = false;
  Index dim_ = 0;
  double direction_ = 1.0;
  double nrm_ = 0.0;
  double start_ = 0.0;          // its start time t_b
  double first_target_ = 0.0;   // t_to of the call that built it
  double reach_ = 0.0;          // the largest offset from t_b it serves
  double served_error_ = 0.0;   // err at the offset of the last state it produced
  double last_time_ = 0.0;      // the time of that state
};

}  // namespace fockmix
