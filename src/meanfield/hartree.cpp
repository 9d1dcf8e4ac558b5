#include "fockmix/meanfield/hartree.hpp"

#include "fockmix/core/time_steps.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "fockmix/core/error.hpp"
#include "fockmix/meanfield/initial_data.hpp"

namespace fockmix {

namespace {

/// omega(x, x) = sum_j |phi_j(x)|^2 for L x M orbitals (zeros for M = 0).
arma::vec orbital_density(const arma::cx_mat& orbitals) {
  arma::vec rho(orbitals.n_rows, arma::fill::zeros);
  if (orbitals.n_cols > 0) rho = arma::sum(arma::square(arma::real(orbitals)) + arma::square(arma::imag(orbitals)), 1);
  return rho;
}

/// <X, H X> summed over columns, for real symmetric H.
double expectation(const arma::mat& H, const arma::cx_mat& X) {
  if (X.n_cols == 0) return 0.0;
  const arma::mat re = arma::real(X), im = arma::imag(X);
  return arma::accu(re % (H * re)) + arma::accu(im % (H * im));
}

}  // namespace

arma::cx_mat HartreeState::omega() const { return orbitals * orbitals.t(); }
arma::vec HartreeState::fermion_density() const { return orbital_density(orbitals); }
arma::vec HartreeState::boson_density() const { return orbital_density(arma::cx_mat(phi)); }

namespace {

/// The dynamics potential of a species (zeros if the model has none).
arma::vec potential_or_zero(const arma::vec& U, Index L) {
  return U.n_elem == static_cast<arma::uword>(L) ? U : arma::vec(static_cast<arma::uword>(L), arma::fill::zeros);
}

}  // namespace

HartreeHartree::HartreeHartree(const ModelOperators& ops, HartreeOptions opt)
    : h0_F_(ops.one_body_F()),
      h0_B_(ops.one_body_B()),
      V_(ops.V),
      U_F_(potential_or_zero(ops.potential_F, ops.lattice.sites())),
      U_B_(potential_or_zero(ops.potential_B, ops.lattice.sites())),
      prop_F_(ops.lattice, ops.kinetic_kind, ops.hbar, ops.mass_F, ops.kinetic_F),
      prop_B_(ops.lattice, ops.kinetic_kind, ops.hbar, ops.mass_B, ops.kinetic_B),
      conv_(ops.lattice, ops.V),
      hbar_(ops.hbar),
      lambda_(ops.lambda),
      M_(ops.M),
      N_(ops.N),
      opt_(opt) {
  if (!(opt_.dt > 0.0) || !std::isfinite(opt_.dt)) throw InputError("", "dt", "must be a positive number");
  if (!(opt_.tolerance > 0.0)) throw InputError("", "tolerance", "must be positive");
  if (opt_.max_iterations < 1) throw InputError("", "max_iterations", "must be at least 1");
  if (!(hbar_ > 0.0)) throw InputError("", "hbar", "must be positive");
}

void HartreeHartree::check(const HartreeState& s) const {
  const arma::uword L = h0_F_.n_rows;
  if (s.orbitals.n_rows != L || s.orbitals.n_cols != static_cast<arma::uword>(M_))
    throw InputError("", "HartreeState.orbitals",
                     "must be L x M = " + std::to_string(L) + " x " + std::to_string(M_) + ", got " +
                         std::to_string(s.orbitals.n_rows) + " x " + std::to_string(s.orbitals.n_cols));
  if (s.phi.n_elem != L)
    throw InputError("", "HartreeState.phi", "must have L = " + std::to_string(L) + " entries, got " + std::to_string(s.phi.n_elem));
}

arma::mat HartreeHartree::h_F(const HartreeState& s) const {
  check(s);
  return h0_F_ + arma::diagmat((lambda_ * static_cast<double>(N_)) * (V_ * s.boson_density()));
}

arma::mat HartreeHartree::h_B(const HartreeState& s) const {
  check(s);
  return h0_B_ + arma::diagmat(lambda_ * (V_ * s.fermion_density()));
}

double hartree_energy(const HartreeState& s, const arma::mat& one_body_F, const arma::mat& one_body_B,
                      const arma::mat& V, double lambda, Index N) {
  const double nb = static_cast<double>(N);
  const double kin_F = expectation(one_body_F, s.orbitals);
  const double kin_B = expectation(one_body_B, arma::cx_mat(s.phi));
  const double coupling = lambda * nb * arma::dot(s.fermion_density(), V * s.boson_density());
  return kin_F + nb * kin_B + coupling;
}

double HartreeHartree::energy(const HartreeState& s) const {
  check(s);
  return hartree_energy(s, h0_F_, h0_B_, V_, lambda_, N_);
}

HartreeStepInfo HartreeHartree::midpoint_step(HartreeState& s, double tau) const {
  HartreeStepInfo info;
  info.steps = 1;
  const double cF = lambda_ * static_cast<double>(N_);
  const arma::vec rhoF0 = s.fermion_density();
  const arma::vec rhoB0 = s.boson_density();
  // Mean-field potentials at the midpoint densities; first guess: the densities at the start.
  arma::vec UF = cF * conv_(rhoB0);
  arma::vec UB = lambda_ * conv_(rhoF0);
  arma::cx_mat Y;
  arma::cx_mat p;
  const arma::cx_mat phi0(s.phi);
  info.converged = false;
  for (int it = 1; it <= opt_.max_iterations; ++it) {
    info.iterations = it;
    Y = s.orbitals;
    prop_F_.propagate(Y, U_F_ + UF, tau);
    p = phi0;
    prop_B_.propagate(p, U_B_ + UB, tau);
    if (lambda_ == 0.0) {  // the mean fields vanish: the step is exact at once
      info.converged = true;
      info.max_residual = 0.0;
      break;
    }
    const arma::vec UF_new = cF * conv_(0.5 * (rhoB0 + orbital_density(p)));
    const arma::vec UB_new = lambda_ * conv_(0.5 * (rhoF0 + orbital_density(Y)));
    const double change = std::abs(tau / hbar_) * std::max(arma::abs(UF_new - UF).max(), arma::abs(UB_new - UB).max());
    UF = UF_new;
    UB = UB_new;
    info.max_residual = change;
    if (change <= opt_.tolerance) {
      info.converged = true;
      break;
    }
  }
  s.orbitals = std::move(Y);
  s.phi = p.col(0);
  s.t += tau;
  return info;
}

HartreeStepInfo HartreeHartree::step(HartreeState& s) const { return step(s, opt_.dt); }

HartreeStepInfo HartreeHartree::step(HartreeState& s, double dt) const {
  check(s);
  if (!std::isfinite(dt)) throw InputError("", "dt", "must be finite");
  const double t0 = s.t;
  HartreeStepInfo info;
  if (dt == 0.0) return info;
  auto add = [&info](const HartreeStepInfo& sub) {
    info.steps += sub.steps;
    info.iterations += sub.iterations;
    info.converged = info.converged && sub.converged;
    info.max_residual = std::max(info.max_residual, sub.max_residual);
  };
  if (opt_.scheme == HartreeScheme::Midpoint2) {
    add(midpoint_step(s, dt));
  } else {
    const double g1 = 1.0 / (2.0 - std::cbrt(2.0));
    const double g2 = 1.0 - 2.0 * g1;
    add(midpoint_step(s, g1 * dt));
    add(midpoint_step(s, g2 * dt));
    add(midpoint_step(s, g1 * dt));
  }
  s.t = t0 + dt;
  return info;
}

HartreeStepInfo HartreeHartree::evolve_to(HartreeState& s, double t, const std::atomic<bool>* stop) const {
  check(s);
  HartreeStepInfo info;
  info.stopped = !step_through(s.t, t, opt_.dt, stop, [&](double target) {
    const HartreeStepInfo sub = step(s, target - s.t);
    s.t = target;
    info.steps += sub.steps;
    info.iterations += sub.iterations;
    info.converged = info.converged && sub.converged;
    info.max_residual = std::max(info.max_residual, sub.max_residual);
  });
  return info;
}

HartreeGroundState hartree_ground_state(const ModelOperators& ops, double tolerance, int max_iterations) {
  if (!(tolerance > 0.0)) throw InputError("", "tolerance", "must be positive");
  if (max_iterations < 1) throw InputError("", "max_iterations", "must be at least 1");
  const Index L = ops.lattice.sites();
  const Index M = ops.M;
  if (M < 0 || M > L) throw InputError("", "M", "must lie in 0..L = " + std::to_string(L));
  const arma::mat H0F = ops.trap_one_body_F();
  const arma::mat H0B = ops.trap_one_body_B();
  const double cF = ops.lambda * static_cast<double>(ops.N);

  Spectrum specF, specB;
  auto occupied_density = [M](const Spectrum& sp) {
    arma::vec rho(sp.vectors.n_rows, arma::fill::zeros);
    for (Index j = 0; j < M; ++j) rho += arma::square(sp.vectors.col(j));
    return rho;
  };
  // Iteration 0: the bare trap states.
  specF = canonical_eig(H0F);
  specB = canonical_eig(H0B);
  arma::vec rhoF_in = occupied_density(specF);
  arma::vec rhoB_in = arma::square(specB.vectors.col(0));

  HartreeGroundState out;
  double alpha = 0.5;
  double previous = std::numeric_limits<double>::infinity();
  for (int it = 1; it <= max_iterations; ++it) {
    out.iterations = it;
    specF = canonical_eig(H0F + arma::diagmat(cF * (ops.V * rhoB_in)));
    specB = canonical_eig(H0B + arma::diagmat(ops.lambda * (ops.V * rhoF_in)));
    const arma::vec rhoF_out = occupied_density(specF);
    const arma::vec rhoB_out = arma::square(specB.vectors.col(0));
    const double residual = std::max(arma::abs(rhoF_out - rhoF_in).max(), arma::abs(rhoB_out - rhoB_in).max());
    out.residual = residual;
    if (residual <= tolerance) {
      out.converged = true;
      break;
    }
    if (residual > previous) alpha = std::max(0.05, 0.5 * alpha);
    previous = residual;
    rhoF_in += alpha * (rhoF_out - rhoF_in);
    rhoB_in += alpha * (rhoB_out - rhoB_in);
  }
  require_closed_shell(specF.values, M, "", "fermions.init");
  require_closed_shell(specB.values, 1, "", "bosons.init");

  out.state.t = 0.0;
  out.state.orbitals = M > 0 ? arma::conv_to<arma::cx_mat>::from(arma::mat(specF.vectors.cols(0, M - 1)))
                             : arma::cx_mat(L, 0);
  out.state.phi = arma::conv_to<arma::cx_vec>::from(arma::vec(specB.vectors.col(0)));
  out.eps_F = M > 0 ? arma::vec(specF.values.head(M)) : arma::vec();
  out.mu = specB.values(0);
  out.energy = hartree_energy(out.state, H0F, H0B, ops.V, ops.lambda, ops.N);
  return out;
}

}  // namespace fockmix
