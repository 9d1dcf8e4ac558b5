#pragma once
/// \file The coupled Vlasov–Hartree system (2.22) of SPEC §5 on lattice sites x times a momentum grid:
///
///   d/dt f + v_F(p) . grad_x f - grad_x U_eff(x) . grad_p f = 0,   v_F = grad_p eps_F,
///   U_eff = U_F + lambda N (V * |phi|^2) [+ mu_FF M (W * rho_F)],
///   i hbar d/dt phi = (K_B + U_B + lambda M (V * rho_F)) phi,   rho_F(x) = h^d int f(x, p) dp (site-normalised).
///
/// Phase-space conventions (measure dx dp = h^d dp^d, f per unit phase-space volume, n = M (2 pi hbar)^d f) are
/// those of wigner.hpp. Velocities: `hopping` v_a = (hbar/(m_F h)) sin(p_a h/hbar) on the Brillouin-zone grid,
/// `spectral` v = p/m_F on the box [-P, P)^d. The optional fermion self-interaction is the Hartree term of SPEC §3's
/// (mu_FF/2) sum W(x-x') a*_x a*_x' a_x' a_x, i.e. mu_FF sum_x' W(x,x') omega(x',x') = mu_FF M (W * rho_F).
/// Integrator (docs/vlasov.md): Strang splitting C(dt/2) B(dt/2) A(dt) B(dt/2) C(dt/2) of three exactly solvable
/// flows — A: x-transport f(x,p) <- f(x - v(p) dt, p); B: p-transport f(x,p) <- f(x, p - F(x) dt) with
/// F = -grad_x U_eff (spectral derivative); C: phi <- exp(-i dt h_B[rho_F]/hbar) phi (the matrix-free Chebyshev
/// exponential HartreeHartree uses, one_body_propagator.hpp) — where
/// the shifts are exact Fourier-interpolation shifts, one FFT per grid line (mass conserved to round-off).
#include <armadillo>
#include <atomic>
#include <cstddef>

#include "fockmix/core/types.hpp"
#include "fockmix/grid/lattice.hpp"
#include "fockmix/grid/one_body.hpp"
#include "fockmix/meanfield/one_body_propagator.hpp"
#include "fockmix/meanfield/wigner.hpp"
#include "fockmix/model/model_operators.hpp"

namespace fockmix {

/// Time integrators: VlasovScheme (model/model.hpp).

/// Solver options.
struct VlasovOptions {
  /// Momentum points per axis, 0 or >= 2. 0 means 2 L_a (the doubled Brillouin-zone grid on which the Wigner
  /// transform is exact) for `hopping`, and 2 L_a on the box for `spectral`. The Wigner initial state needs
  /// points > L_a on the Brillouin-zone grid to be exact.
  Index momentum_points = 0;
  /// `spectral` only: half-width P of the momentum box [-P, P)^d, > 0; 0 means the Brillouin zone
  /// P = pi hbar / h (then the grid is the Brillouin-zone grid). Ignored for `hopping`.
  double momentum_box = 0.0;
  double dt = 0.01;  ///< time step, > 0
  VlasovScheme scheme = VlasovScheme::Strang2;
  /// Optional fermion self-interaction kernel W(x, x') (L x L real symmetric); empty = none.
  arma::mat self_kernel;
  double mu_FF = 0.0;  ///< coefficient of the self-interaction (used only with a kernel), finite
  /// `spectral` initial data: largest allowed max|f| on the box edge (first/last momentum of an axis) relative to
  /// max|f|, in [0, 1). A larger value means the box is too narrow for the initial f.
  double edge_tolerance = 1e-8;
};

/// A Vlasov–Hartree state at time t.
struct VlasovState {
  double t = 0.0;
  arma::mat f;       ///< L x P phase-space density (wigner.hpp conventions), int f dx dp = 1
  arma::cx_vec phi;  ///< condensate (L), ||phi|| = 1
};

/// Conserved quantities and bounds of a state (drift diagnostics, NOTES O6).
struct VlasovDiagnostics {
  double energy = 0;          ///< E_VH (see VlasovHartree::energy)
  double mass = 0;            ///< int f dx dp
  double f2 = 0;              ///< int f^2 dx dp (a Casimir)
  double min_f = 0;           ///< min f (negative for Wigner data)
  double max_occupation = 0;  ///< max n = M (2 pi hbar)^d max f
  double phi_norm = 0;        ///< ||phi||
};

/// Outcome of step() / evolve_to(): a value.
struct VlasovStepInfo {
  int steps = 0;         ///< Strang (sub)steps taken
  bool stopped = false;  ///< evolve_to stopped on request before reaching t (s is at the last step reached)
};

/// The Vlasov–Hartree propagator of a model (dynamics potentials U_F, U_B of ModelOperators).
class VlasovHartree {
 public:
  /// Copies the needed pieces of `ops`. Throws InputError naming the option: "dt" (<= 0 or not finite),
  /// "momentum_points" (1 or negative), "momentum_box" (negative or not finite), "self_kernel"
  /// (not L x L, not finite or not symmetric), "mu_FF" (not finite), "edge_tolerance" (outside [0, 1)),
  /// "hbar" (<= 0), "mass_F" (<= 0), "M" (< 1).
  VlasovHartree(const ModelOperators& ops, VlasovOptions opt = {});

  const VlasovOptions& options() const noexcept { return opt_; }
  const Lattice& lattice() const noexcept { return lat_; }
  /// The momentum grid of f (Brillouin zone for `hopping`, box or Brillouin zone for `spectral`).
  const MomentumGrid& momentum_grid() const noexcept { return grid_; }

  /// Default initial state: f_0 = W[omega_0]/M on the solver's grid (SPEC §5), phi_0 normalised copy.
  /// Throws InputError ("omega", "phi") for wrong shapes and ("momentum_box") if the box is too narrow.
  VlasovState wigner_state(const arma::cx_mat& omega0, const arma::cx_vec& phi0) const;
  /// Thomas–Fermi state n = 1(eps_F(p) + U(x) <= mu), f = n / (M (2 pi hbar)^d) with int f = 1. mu is found by
  /// bisection over the sorted cell energies e = eps_F(p) + U(x); the grid's step function is handled by giving all
  /// cells with e < mu occupation 1 and the cells with e == mu the common fraction that makes int f = 1 exactly.
  /// U defaults (empty) to the fermion trap U_F^trap. Throws InputError ("M") if the grid has fewer
  /// than M states, ("U") for a wrong length.
  VlasovState thomas_fermi_state(const arma::cx_vec& phi0, const arma::vec& U = arma::vec()) const;
  /// A state from a caller's array f0 (L x P), checked for shape, finiteness and (spectral) box tails.
  VlasovState state_from_array(const arma::mat& f0, const arma::cx_vec& phi0) const;

  /// Advance s by options().dt.
  VlasovStepInfo step(VlasovState& s) const;
  /// Advance s by dt (any sign). Throws InputError for a malformed state or a non-finite dt, Error on non-finite FFT/eig results.
  VlasovStepInfo step(VlasovState& s, double dt) const;
  /// Advance s to time t in n = ceil(|t - s.t|/options().dt) equal steps (core/time_steps.hpp step_through);
  /// s.t == t after, unless `stop` was set between two steps.
  VlasovStepInfo evolve_to(VlasovState& s, double t, const std::atomic<bool>* stop = nullptr) const;

  /// Velocity v_F,a(p) along `axis` for every momentum index (length P).
  arma::vec velocity(int axis) const;
  /// Dispersion eps_F(p) for every momentum index (length P).
  const arma::vec& dispersion_values() const noexcept { return eps_; }
  /// U_eff(x) = U_F + lambda N V |phi|^2 (+ mu_FF M W rho_F).
  arma::vec effective_potential(const VlasovState& s) const;
  /// Force -d U_eff / dx_a along `axis` (spectral derivative on the periodic grid, Nyquist mode dropped).
  arma::vec force(const VlasovState& s, int axis) const;

  /// rho_F(x) = h^d int f dp (site-normalised: sums to int f dx dp).
  arma::vec fermion_density(const VlasovState& s) const;
  /// The fermion one-body matrix M Op(f) (L x L Hermitian), to compare with gamma_F in trace norm.
  arma::cx_mat fermion_density_matrix(const VlasovState& s) const;
  /// |phi|^2.
  arma::vec boson_density(const VlasovState& s) const;
  /// Occupation n = M (2 pi hbar)^d f.
  arma::mat occupation(const VlasovState& s) const;

  /// E_VH = M int eps_F f dx dp + M sum_x U_F rho_F + N <phi, (K_B + U_B) phi> + lambda N M sum_{x,y} V(x,y) rho_F(x) |phi(y)|^2
  ///        [+ (mu_FF/2) M^2 sum_{x,y} W(x,y) rho_F(x) rho_F(y)], the normalisation of E_HH (SPEC §4): for f = W[omega]/M
  /// every term but the first equals its HH counterpart, and the first is the Weyl symbol of K_F paired with f.
  double energy(const VlasovState& s) const;
  /// All drift diagnostics at once.
  VlasovDiagnostics diagnostics(const VlasovState& s) const;

  /// Estimated bytes of the phase-space storage of one step: the state f (8 L P), the complex FFT work array of a
  /// sweep (16 L P) and 8 L^2 x 3 for L x L matrices (V and h_B are kept; a conservative estimate since the boson
  /// step no longer diagonalises h_B). For `fockmix info`.
  static std::size_t memory_bytes(const Lattice& lat, KineticKind kind, const VlasovOptions& opt);

 private:
  void check(const VlasovState& s) const;
  void check_tails(const arma::mat& f) const;
  void strang(VlasovState& s, double dt) const;
  void boson_step(VlasovState& s, double tau) const;
  void x_transport(arma::mat& f, double tau) const;
  void p_transport(arma::mat& f, const VlasovState& s, double tau) const;

  Lattice lat_;
  MomentumGrid grid_;
  VlasovOptions opt_;
  KineticKind kind_;
  double hbar_, lambda_, mass_F_;
  Index M_, N_;
  arma::mat h0_B_, V_;
  arma::vec U_F_, trap_F_, U_B_;
  OneBodyPropagator prop_B_;   ///< exp(-i tau (K_B + diag u)/hbar)
  PeriodicConvolution conv_V_; ///< V * rho
  arma::vec eps_;   ///< eps_F per momentum index
  arma::mat vel_;   ///< P x d velocities
};

}  // namespace fockmix
