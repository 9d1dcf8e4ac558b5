#include "fockmix/fluct/dynamics.hpp"

#include "fockmix/core/time_steps.hpp"

#include <cmath>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "fockmix/core/error.hpp"

namespace fockmix {

namespace {

FluctuationOptions checked(FluctuationOptions o) {
  if (o.boson_cutoff < 0 || o.boson_cutoff > 255) throw InputError("", "boson_cutoff", "must lie in [0, 255]");
  if (!(o.dt > 0.0) || !std::isfinite(o.dt)) throw InputError("", "dt", "must be positive and finite");
  if (!(o.krylov_tolerance > 0.0)) throw InputError("", "krylov_tolerance", "must be positive");
  if (o.krylov_dim < 4) throw InputError("", "krylov_dim", "must be at least 4");
  if (!(o.trajectory_step >= 0.0) || !std::isfinite(o.trajectory_step))
    throw InputError("", "trajectory_step", "must be >= 0 and finite");
  if (!std::isfinite(o.cutoff)) throw InputError("", "cutoff", "must be finite");
  return o;
}

void accumulate(FluctuationStepInfo& info, const KrylovResult& r) {
  if (r.status != KrylovStatus::Converged) info.status = r.status;
  info.matvecs += r.matvecs;
  info.krylov_error += r.error_estimate;
}

}  // namespace

FluctuationNumbers fluctuation_numbers(const FluctuationSpace& space, const arma::cx_vec& psi) {
  if (psi.n_elem != static_cast<arma::uword>(space.size())) throw InputError("", "psi", "must have space.size() entries");
  FluctuationNumbers r;
  const Index DF = space.dim_fermions(), DB = space.dim_bosons();
  double w = 0, nF = 0, nB = 0, N1 = 0, N2 = 0, N3 = 0, top = 0;
  for (Index j = 0; j < DB; ++j) {
    const double b = space.boson_number(j);
    double colw = 0.0;
    for (Index i = 0; i < DF; ++i) {
      const double p = std::norm(psi(static_cast<arma::uword>(i + j * DF)));
      const double f = space.fermion_number(i), n = f + b;
      colw += p;
      nF += p * f;
      N1 += p * n;
      N2 += p * n * n;
      N3 += p * n * n * n;
    }
    w += colw;
    nB += colw * b;
    if (space.boson_number(j) == space.boson_cutoff()) top += colw;
  }
  r.norm = std::sqrt(w);
  r.nF = nF;
  r.nB = nB;
  r.N1 = N1;
  r.N2 = N2;
  r.N3 = N3;
  r.top_shell = top;
  return r;
}

double theorem3_rate(double lambda, double N, double M, double hbar) {
  if (!(N > 0.0) || !(M >= 0.0) || !(hbar > 0.0)) throw InputError("", "N, M, hbar", "need N > 0, M >= 0, hbar > 0");
  return lambda * std::sqrt(N * M / hbar) * (1.0 + std::sqrt(hbar * M / N));
}

FluctuationDynamics::FluctuationDynamics(const ModelOperators& ops, const arma::cx_mat& orbitals, const arma::cx_vec& phi0,
                                         FluctuationOptions opt)
    : opt_(checked(opt)),
      space_(std::make_unique<FluctuationSpace>(ops.lattice.sites(), ops.M, opt_.boson_cutoff)),
      traj_(ops, orbitals, phi0, opt_.trajectory_step > 0.0 ? opt_.trajectory_step : 0.5 * opt_.dt),
      V_(ops.V),
      lambda_(ops.lambda),
      N_(static_cast<double>(ops.N)),
      hbar_(ops.hbar),
      cutoff_(opt_.cutoff >= 0.0 ? opt_.cutoff : ops.hbar * static_cast<double>(ops.M)) {
  psi_.zeros(static_cast<arma::uword>(space_->size()));
  psi_(static_cast<arma::uword>(space_->vacuum())) = 1.0;
  if (opt_.truncated) psi_t_ = psi_;
}

FluctuationStepInfo FluctuationDynamics::step(double dt) {
  if (!(dt > 0.0) || !std::isfinite(dt)) throw InputError("", "dt", "must be positive and finite");
  FluctuationStepInfo info;
  const KrylovOptions kopt{opt_.krylov_tolerance, opt_.krylov_dim, hbar_};
  using Frames = std::vector<std::pair<double, FluctuationFrame>>;
  // One exponential exp(-i dt (sum_k w_k Lt(t_k)) / hbar) on both states.
  auto exponential = [&](const Frames& frames) {
    const FluctuationGenerator G(*space_, V_, lambda_, N_, frames, -1.0);
    KrylovPropagator<FluctuationGenerator> prop(G, kopt);
    accumulate(info, prop.propagate(psi_.memptr(), dt));
    if (opt_.truncated) {
      const FluctuationGenerator Gt(*space_, V_, lambda_, N_, frames, cutoff_);
      KrylovPropagator<FluctuationGenerator> propt(Gt, kopt);
      accumulate(info, propt.propagate(psi_t_.memptr(), dt));
    }
  };
  if (opt_.scheme == MagnusScheme::Midpoint2) {
    traj_.advance_to(t_ + 0.5 * dt);
    exponential(Frames{{1.0, traj_.frame()}});
  } else {
    const double r = std::sqrt(3.0) / 6.0;
    const double c1 = 0.5 - r, c2 = 0.5 + r, a1 = 0.25 - r, a2 = 0.25 + r;
    traj_.advance_to(t_ + c1 * dt);
    const FluctuationFrame f1 = traj_.frame();
    traj_.advance_to(t_ + c2 * dt);
    const FluctuationFrame f2 = traj_.frame();
    exponential(Frames{{a2, f1}, {a1, f2}});
    exponential(Frames{{a1, f1}, {a2, f2}});
  }
  t_ += dt;
  traj_.advance_to(t_);
  info.hartree_converged = traj_.info().converged;
  return info;
}

FluctuationStepInfo FluctuationDynamics::evolve_to(double t, const std::atomic<bool>* stop) {
  if (!std::isfinite(t) || t < t_) throw InputError("", "t", "must be finite and >= time()");
  FluctuationStepInfo info;
  const double t0 = t_;
  struct Start {
    arma::cx_vec psi, psi_t;
    ModeTrajectory traj;
  };
  std::optional<Start> start;
  if (stop != nullptr && t != t0) start = Start{psi_, psi_t_, traj_};
  const bool reached = step_through(t0, t, opt_.dt, stop, [&](double target) {
    const FluctuationStepInfo s = step(target - t_);
    t_ = target;
    if (s.status != KrylovStatus::Converged) info.status = s.status;
    info.matvecs += s.matvecs;
    info.krylov_error += s.krylov_error;
    info.hartree_converged = info.hartree_converged && s.hartree_converged;
  });
  if (!reached) {  // back to the state at the call
    psi_ = std::move(start->psi);
    psi_t_ = std::move(start->psi_t);
    traj_ = std::move(start->traj);
    t_ = t0;
    FluctuationStepInfo stopped;
    stopped.status = KrylovStatus::Stopped;
    return stopped;
  }
  return info;
}

void FluctuationDynamics::restore(double t, const arma::cx_vec& psi, const arma::cx_vec& psi_truncated, const HartreeState& hartree,
                                  const arma::cx_mat& modes, const HartreeStepInfo& info) {
  if (!std::isfinite(t)) throw InputError("", "t", "must be finite");
  if (psi.n_elem != psi_.n_elem) throw InputError("", "psi", "must have space().size() entries");
  if (psi_truncated.n_elem != psi_t_.n_elem) throw InputError("", "psi_truncated", "must have space().size() entries (none without truncated)");
  traj_.restore(hartree, modes, info);
  psi_ = psi;
  psi_t_ = psi_truncated;
  t_ = t;
}

FluctuationObservables FluctuationDynamics::observables() const {
  FluctuationObservables o;
  o.t = t_;
  o.exact = fluctuation_numbers(*space_, psi_);
  if (opt_.truncated) {
    o.truncated = fluctuation_numbers(*space_, psi_t_);
    o.distance = arma::norm(psi_ - psi_t_);
  }
  return o;
}

FluctuationGenerator FluctuationDynamics::generator_at(double t, double cutoff) const {
  ModeTrajectory copy = traj_;
  copy.advance_to(t);
  return FluctuationGenerator(*space_, V_, lambda_, N_, {{1.0, copy.frame()}}, cutoff);
}

}  // namespace fockmix
