#pragma once
/// \file The Hartree–Hartree trajectory the fluctuation dynamics is built on (SPEC §7, docs/fluctuations.md §5):
/// HartreeHartree evolves the M orbitals and the condensate in the gauge i hbar d/dt phi_j = h_F phi_j; alongside,
/// the full mode matrix E(t) = U_F(t, 0) E(0) (L x L unitary, first M columns = the orbitals, the rest an
/// orthonormal completion) evolves under the *same* piecewise-constant midpoint Hamiltonians h_F that
/// HartreeHartree used (reconstructed from the condensate densities before and after each midpoint step).
/// Substeps are composed to order 4 (Yoshida triple jump of midpoint steps).
#include <armadillo>

#include "fockmix/core/types.hpp"
#include "fockmix/meanfield/hartree.hpp"
#include "fockmix/model/model_operators.hpp"

namespace fockmix {

/// What the fluctuation generator needs from the mean-field trajectory at one time t.
struct FluctuationFrame {
  double t = 0.0;
  arma::cx_mat modes;     ///< E(t): L x L unitary; columns 0..M-1 are the orbitals phi_j(t)
  arma::cx_vec phi;       ///< condensate phi(t), ||phi|| = 1
  arma::vec omega_diag;   ///< omega(t; x, x) = sum_{j<M} |phi_j(t, x)|^2
  arma::mat h_B;          ///< h_B(t) = K_B + U_B + lambda diag(V omega_diag) (real symmetric)
  double S = 0.0;         ///< scalar S(t) = -lambda N sum_{x,y} V(x - y) omega(x, x) |phi(y)|^2 (docs/fluctuations.md (F.15))
};

/// Hartree–Hartree orbitals, condensate and the full mode matrix, advanced together.
class ModeTrajectory {
 public:
  /// \param orbitals L x M orthonormal  \param phi0 L entries, normalised
  /// \param max_step largest substep (> 0); each substep is an order-4 composition of three midpoint steps
  /// \param tolerance fixed-point tolerance of the HartreeHartree midpoint steps (> 0)
  /// Throws InputError naming the parameter.
  ModeTrajectory(const ModelOperators& ops, const arma::cx_mat& orbitals, const arma::cx_vec& phi0, double max_step,
                 double tolerance = 1e-13);

  double time() const noexcept { return s_.t; }
  /// The Hartree–Hartree state (orbitals and condensate as evolved by HartreeHartree).
  const HartreeState& hartree() const noexcept { return s_; }
  /// E(t) (L x L).
  const arma::cx_mat& modes() const noexcept { return E_; }
  /// max |E(t)_{x j} - phi_j(t, x)| over the occupied columns: the consistency of the two propagations.
  double gauge_deviation() const;
  /// Accumulated HartreeHartree diagnostics.
  const HartreeStepInfo& info() const noexcept { return info_; }

  /// Advance (or go back) to time t in ceil(|t - time()| / max_step) equal substeps.
  void advance_to(double t);
  /// The frame at the current time.
  FluctuationFrame frame() const;
  /// Continue from a saved state (checkpoints): the Hartree–Hartree state (its time included), E at that
  /// time and the accumulated diagnostics. Throws InputError naming the argument whose shape does not fit.
  void restore(const HartreeState& hartree, const arma::cx_mat& modes, const HartreeStepInfo& info);

 private:
  void midpoint(double tau);

  HartreeHartree hh_;
  HartreeState s_;
  arma::cx_mat E_;
  arma::mat h0F_, h0B_, V_;
  double lambda_, N_, hbar_, max_step_;
  HartreeStepInfo info_;
};

}  // namespace fockmix
