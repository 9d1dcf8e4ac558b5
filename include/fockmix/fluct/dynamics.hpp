#pragma once
/// \file Time-ordered fluctuation dynamics (SPEC §7, docs/fluctuations.md §5): U(t, 0) Omega and the truncated
/// U~(t, 0) Omega along a Hartree–Hartree trajectory, by Magnus integrators whose exponentials are taken with
/// the Krylov propagator:
///   Midpoint2        psi <- exp(-i dt Lt(t + dt/2) / hbar) psi                                  (order 2)
///   CommutatorFree4  psi <- exp(-i dt (a1 L1 + a2 L2)/hbar) exp(-i dt (a2 L1 + a1 L2)/hbar) psi,   (order 4)
///                    L_k = Lt(t + c_k dt), c_{1,2} = 1/2 -+ sqrt(3)/6, a_{1,2} = 1/4 -+ sqrt(3)/6.
/// States live in the mode representation of fluct_space.hpp; the fluctuation vacuum is the initial state.
#include <armadillo>
#include <atomic>
#include <memory>

#include "fockmix/core/types.hpp"
#include "fockmix/fluct/fluct_space.hpp"
#include "fockmix/fluct/generator.hpp"
#include "fockmix/fluct/trajectory.hpp"
#include "fockmix/linalg/krylov.hpp"
#include "fockmix/model/model_operators.hpp"

namespace fockmix {

/// Magnus integrator of the time-ordered exponential.
enum class MagnusScheme {
  Midpoint2,       ///< exponential midpoint rule, order 2
  CommutatorFree4  ///< two exponentials at the Gauss points (Blanes–Moan), order 4
};

/// Options of FluctuationDynamics.
struct FluctuationOptions {
  Index boson_cutoff = 8;           ///< K_B: boson quanta kept, in [0, 255]
  double cutoff = -1.0;             ///< c of chi = 1(N_B <= c) in the truncated generator; negative = hbar M (SPEC default)
  double dt = 0.01;                 ///< Magnus step, > 0
  MagnusScheme scheme = MagnusScheme::Midpoint2;
  double krylov_tolerance = 1e-12;  ///< Krylov error per unit time, > 0
  Index krylov_dim = 30;            ///< Krylov dimension per sub-step, >= 4
  double trajectory_step = 0.0;     ///< largest Hartree–Hartree substep (order-4 composition), >= 0; 0 = dt / 2
  bool truncated = true;            ///< also evolve U~(t, 0) Omega
};

/// Fluctuation numbers of one state: N_F = fermionic fluctuation number (particles plus holes = 2 x particles,
/// the paper's N_F on the fluctuation space), N_B = boson quanta, N = N_F + N_B (4.5); moments are <N^k> = sum |psi|^2 N^k.
struct FluctuationNumbers {
  double norm = 0.0;       ///< ||psi|| (1 up to round-off: both dynamics are unitary)
  double nF = 0.0;         ///< <N_F>
  double nB = 0.0;         ///< <N_B>
  double N1 = 0.0;         ///< <N>
  double N2 = 0.0;         ///< <N^2>
  double N3 = 0.0;         ///< <N^3>
  double top_shell = 0.0;  ///< weight with N_B = K_B (truncation diagnostic)
};

/// Observables at one time.
struct FluctuationObservables {
  double t = 0.0;
  FluctuationNumbers exact;      ///< of U(t, 0) Omega
  FluctuationNumbers truncated;  ///< of U~(t, 0) Omega (zeros if not evolved)
  double distance = 0.0;         ///< ||U Omega - U~ Omega|| (0 if U~ is not evolved)
};

/// Outcome of a step (values, never exceptions).
struct FluctuationStepInfo {
  KrylovStatus status = KrylovStatus::Converged;  ///< StepTooSmall if any exponential failed
  Index matvecs = 0;                              ///< generator applications
  double krylov_error = 0.0;                      ///< summed Krylov error estimates
  bool hartree_converged = true;                  ///< every Hartree–Hartree fixed point converged
};

/// Numbers of a state of `space`.
FluctuationNumbers fluctuation_numbers(const FluctuationSpace& space, const arma::cx_vec& psi);

/// The rate lambda sqrt(N M / hbar) (1 + sqrt(hbar M / N)) in Theorem 3's K(t) = C exp[rate exp|t|] (4.8).
/// C is not specified by the paper, so K(t) itself is not computable; this is for reference only.
double theorem3_rate(double lambda, double N, double M, double hbar);

/// U(t, 0) Omega and U~(t, 0) Omega for a model's dynamics, starting from the Hartree–Hartree data
/// (orbitals, phi0) of Assumption 1.
class FluctuationDynamics {
 public:
  /// \param ops model operators (dynamics potentials, V, lambda, hbar, M, N)
  /// \param orbitals L x M orthonormal  \param phi0 normalised condensate. Throws InputError naming the parameter.
  FluctuationDynamics(const ModelOperators& ops, const arma::cx_mat& orbitals, const arma::cx_vec& phi0,
                      FluctuationOptions opt = {});

  const FluctuationOptions& options() const noexcept { return opt_; }
  const FluctuationSpace& space() const noexcept { return *space_; }
  const ModeTrajectory& trajectory() const noexcept { return traj_; }
  double time() const noexcept { return t_; }
  /// The cut-off c in force (hbar M unless set).
  double cutoff() const noexcept { return cutoff_; }
  /// U(t, 0) Omega (D_F x D_B column-major).
  const arma::cx_vec& state() const noexcept { return psi_; }
  /// U~(t, 0) Omega (empty if options().truncated is false).
  const arma::cx_vec& truncated_state() const noexcept { return psi_t_; }

  /// One Magnus step of size options().dt.
  FluctuationStepInfo step() { return step(opt_.dt); }
  /// One Magnus step of size dt (> 0).
  FluctuationStepInfo step(double dt);
  /// Advance to t >= time() in ceil((t - time()) / options().dt) equal steps. With `stop`, the flag is read
  /// before every step; a set flag puts both states and the trajectory back to where they were at the call
  /// (a copy is kept while the call runs) and returns status Stopped with time() unchanged.
  FluctuationStepInfo evolve_to(double t, const std::atomic<bool>* stop = nullptr);
  /// Continue from a saved state (checkpoints): time t, U(t,0) Omega, U~(t,0) Omega (empty unless
  /// options().truncated), and the trajectory's Hartree–Hartree state, mode matrix and accumulated
  /// diagnostics at t. Throws InputError naming the argument whose size does not fit.
  void restore(double t, const arma::cx_vec& psi, const arma::cx_vec& psi_truncated, const HartreeState& hartree,
               const arma::cx_mat& modes, const HartreeStepInfo& info);
  /// Observables now.
  FluctuationObservables observables() const;
  /// The generator at time t with weight 1 (advances a copy of the trajectory; for diagnostics and tests).
  /// \param cutoff negative = exact generator
  FluctuationGenerator generator_at(double t, double cutoff) const;

 private:
  FluctuationOptions opt_;
  std::unique_ptr<FluctuationSpace> space_;
  ModeTrajectory traj_;
  arma::mat V_;
  double lambda_, N_, hbar_, cutoff_, t_ = 0.0;
  arma::cx_vec psi_, psi_t_;
};

}  // namespace fockmix
