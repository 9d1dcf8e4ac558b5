#pragma once
/// \file The coupled Hartree–Hartree system (2.5) of SPEC §4 on the grid, in the orbital gauge
///
///   i hbar d/dt phi_j = h_F phi_j,   h_F = K_F + U_F + lambda N diag(V * |phi|^2)          (j = 1..M)
///   i hbar d/dt phi   = h_B phi,     h_B = K_B + U_B + lambda diag(V * diag omega),         omega = sum_j |phi_j><phi_j|
///
/// (lambda V * diag omega = lambda M V * rho_F). Every orbital evolves under h_F (no re-diagonalisation),
/// the gauge the fluctuation generator of SPEC §7 needs. docs/hartree.md describes the integrator; the
/// exponentials exp(-i tau h_s/hbar) are Chebyshev expansions applied matrix-free (one_body_propagator.hpp).
#include <armadillo>
#include <atomic>

#include "fockmix/core/types.hpp"
#include "fockmix/meanfield/one_body_propagator.hpp"
#include "fockmix/model/model.hpp"
#include "fockmix/model/model_operators.hpp"

namespace fockmix {

/// A Hartree–Hartree state: M orbitals and the condensate at time t.
struct HartreeState {
  double t = 0.0;
  arma::cx_mat orbitals;  ///< L x M, orthonormal columns
  arma::cx_vec phi;       ///< L, ||phi|| = 1

  /// omega = sum_j |phi_j><phi_j| = orbitals * orbitals^* (L x L, a rank-M projection).
  arma::cx_mat omega() const;
  /// omega(x, x) = sum_j |phi_j(x)|^2 (sums to M; M rho_F in the paper's notation).
  arma::vec fermion_density() const;
  /// |phi(y)|^2 (sums to 1; rho_B).
  arma::vec boson_density() const;
};

/// Integrator options.
struct HartreeOptions {
  double dt = 0.01;            ///< time step, > 0
  double tolerance = 1e-12;    ///< fixed-point stop: |dt|/hbar * max change of the mean-field potentials, > 0
  int max_iterations = 50;     ///< fixed-point iterations per (sub)step, >= 1
  HartreeScheme scheme = HartreeScheme::Midpoint2;
};

/// Outcome of step() / evolve_to(): a value, never an exception.
struct HartreeStepInfo {
  int steps = 0;           ///< (sub)steps taken
  int iterations = 0;      ///< fixed-point iterations summed over the (sub)steps
  bool converged = true;   ///< every fixed-point iteration reached the tolerance
  double max_residual = 0; ///< largest final fixed-point change (the quantity compared with `tolerance`)
  bool stopped = false;    ///< evolve_to stopped on request before reaching t (s is at the last step reached)
};

/// The Hartree–Hartree propagator of a model (dynamics potentials U_F, U_B of ModelOperators).
class HartreeHartree {
 public:
  /// Copies the needed pieces of `ops`. Throws InputError for dt <= 0, tolerance <= 0 or max_iterations < 1.
  HartreeHartree(const ModelOperators& ops, HartreeOptions opt = {});

  const HartreeOptions& options() const noexcept { return opt_; }

  /// h_F = one_body_F + lambda N diag(V * |phi|^2) (real symmetric L x L).
  arma::mat h_F(const HartreeState& s) const;
  /// h_B = one_body_B + lambda diag(V * diag omega) (real symmetric L x L).
  arma::mat h_B(const HartreeState& s) const;

  /// Advance s by options().dt. Throws InputError if s does not have L x M orbitals and an L-vector phi.
  HartreeStepInfo step(HartreeState& s) const;
  /// Advance s by an arbitrary (possibly negative) dt.
  HartreeStepInfo step(HartreeState& s, double dt) const;
  /// Advance s to time t (t may be before s.t) in n = ceil(|t - s.t| / options().dt) equal steps
  /// (core/time_steps.hpp step_through); s.t == t after, unless `stop` was set between two steps.
  HartreeStepInfo evolve_to(HartreeState& s, double t, const std::atomic<bool>* stop = nullptr) const;

  /// E_HH = Tr[(K_F + U_F) omega] + N <phi, (K_B + U_B) phi> + lambda N sum_{x,y} V(x,y) omega(x,x) |phi(y)|^2 (SPEC §4).
  double energy(const HartreeState& s) const;

 private:
  HartreeStepInfo midpoint_step(HartreeState& s, double dt) const;
  void check(const HartreeState& s) const;

  arma::mat h0_F_, h0_B_, V_;
  arma::vec U_F_, U_B_;                 ///< dynamics potentials (the diagonal of h0 - K)
  OneBodyPropagator prop_F_, prop_B_;   ///< exp(-i tau (K_s + diag u)/hbar), matrix-free
  PeriodicConvolution conv_;            ///< V * rho
  double hbar_, lambda_;
  Index M_, N_;
  HartreeOptions opt_;
};

/// E_HH of a state with the given one-body Hamiltonians (K + U of either the trap or the dynamics).
double hartree_energy(const HartreeState& s, const arma::mat& one_body_F, const arma::mat& one_body_B,
                      const arma::mat& V, double lambda, Index N);

/// The self-consistent Hartree–Hartree ground state in the TRAP potentials.
struct HartreeGroundState {
  HartreeState state;      ///< t = 0; orbitals = M lowest eigenvectors of h_F^trap, phi = lowest of h_B^trap
  double energy = 0.0;     ///< E_HH with the trap one-body Hamiltonians
  arma::vec eps_F;         ///< orbital energies (eigenvalues of h_F^trap for the M orbitals)
  double mu = 0.0;         ///< condensate energy (lowest eigenvalue of h_B^trap)
  int iterations = 0;
  bool converged = false;
  double residual = 0.0;   ///< final max |rho_out - rho_in| over both densities
};

/// Self-consistent field in the traps: h_F^trap = trap_one_body_F + lambda N diag(V * rho_B),
/// h_B^trap = trap_one_body_B + lambda diag(V * diag omega); fermions fill the M lowest orbitals of h_F^trap
/// (aufbau), the condensate is the lowest state of h_B^trap. Densities are linearly mixed (weight 0.5 on the
/// output density, halved down to 0.05 whenever the residual grows) until max |rho_out - rho_in| <= tolerance.
/// Eigenvectors follow the phase convention of canonical_eig (real, largest entry positive).
/// Throws InputError naming `fermions.init` if the converged h_F^trap is an open shell.
HartreeGroundState hartree_ground_state(const ModelOperators& ops, double tolerance = 1e-12, int max_iterations = 2000);

}  // namespace fockmix
