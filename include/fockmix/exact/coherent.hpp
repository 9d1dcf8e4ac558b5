#pragma once
/// \file Coherent boson initial data for the exact solver (SPEC §3, §7): the state
///
///   Psi = psi_F (x) W[sqrt(N) phi_0] Omega_B,   W[f] = exp(b*(f) - b(f)),
///
/// whose boson part is the Poisson superposition sum_n a_n phi_0^{(x)n} with real amplitudes
/// a_n = e^{-N/2} N^{n/2} / sqrt(n!) (the phases of phi_0 live in the product states; ||phi_0|| = 1, so the
/// Poisson mean is ||f||^2 = N). H conserves the boson number, so each sector n is an ordinary fixed-(M, n)
/// Sector state evolved with SectorHamiltonian + KrylovPropagator. Sectors n_lo..n_hi are kept, chosen so
/// that the neglected Poisson weight is at most a tolerance (reported by neglected_weight()).
/// Observables: gamma_F and gamma_B are sums over sectors (a*a and b*b conserve n, no cross terms); the field
/// <b_y> couples sectors n and n-1 through the annihilation map built with the boson bases' rank().
#include <armadillo>
#include <atomic>
#include <memory>
#include <vector>

#include "fockmix/core/types.hpp"
#include "fockmix/exact/sector.hpp"
#include "fockmix/exact/sector_hamiltonian.hpp"
#include "fockmix/linalg/krylov.hpp"
#include "fockmix/model/model_operators.hpp"

namespace fockmix {

/// The boson numbers kept for a Poisson distribution.
struct PoissonWindow {
  Index n_lo = 0;           ///< smallest boson number kept
  Index n_hi = 0;           ///< largest boson number kept
  double included = 1.0;    ///< sum of the Poisson weights e^{-mu} mu^n / n! over n_lo..n_hi
};

/// Smallest window [n_lo, n_hi] around the mode of Poisson(mean) whose neglected weight 1 - included is
/// at most `tolerance` (grown greedily by the larger neighbouring weight).
/// \param mean mu >= 0  \param tolerance in (0, 1)
PoissonWindow poisson_window(double mean, double tolerance);

/// Sum over the kept sectors n_lo..n_hi of C(L, M) x (boson states with n bosons, per-site cap `cap`, 0 = none),
/// without building anything (for `fockmix info`; one complex state of the solver is 16 x this many bytes, and the
/// Krylov workspace of the largest sector comes on top). Throws CapacityError on overflow.
Index coherent_dimension(Index sites, Index fermions, double N, double tolerance, Index cap = 0);

/// Options of the coherent-state solver.
struct CoherentOptions {
  double tolerance = 1e-12;  ///< largest neglected Poisson weight, in (0, 1)
  KrylovOptions krylov{};    ///< Krylov propagator options of every sector (krylov.hbar is overwritten by the model's hbar)
  Index cap = 0;             ///< per-site boson cap of every sector (0 = none; a truncation)
};

/// Outcome of CoherentState::evolve_to (summed over sectors; status is StepTooSmall if any sector failed).
struct CoherentEvolveInfo {
  KrylovStatus status = KrylovStatus::Converged;
  Index matvecs = 0;
  double error_estimate = 0.0;  ///< largest sector estimate, relative to the sector norm
};

/// Slater determinant (x) coherent condensate, evolved exactly sector by sector.
class CoherentState {
 public:
  /// \param sites L  \param orbitals L x M orthonormal fermion orbitals (M in [0, L])
  /// \param phi0 condensate, L entries, ||phi0|| = 1  \param N Poisson mean (the model's boson number), >= 0
  /// \param tF, tB real symmetric L x L one-body Hamiltonians  \param V real symmetric interaction matrix
  /// \param lambda coupling  \param hbar > 0. Throws InputError naming the parameter on bad input.
  CoherentState(Index sites, const arma::cx_mat& orbitals, const arma::cx_vec& phi0, double N, const arma::mat& tF,
                const arma::mat& tB, const arma::mat& V, double lambda, double hbar, CoherentOptions opt = {});
  /// Dynamics Hamiltonian of a model (ops.one_body_F/B, ops.V, ops.lambda, ops.hbar, mean ops.N).
  CoherentState(const ModelOperators& ops, const arma::cx_mat& orbitals, const arma::cx_vec& phi0, CoherentOptions opt = {});

  /// Boson-number window kept and its Poisson weight.
  const PoissonWindow& window() const noexcept { return window_; }
  /// 1 - included Poisson weight (the truncation of the coherent state).
  double neglected_weight() const noexcept { return 1.0 - window_.included; }
  /// Current time.
  double time() const noexcept { return t_; }
  /// Number of sectors (n_hi - n_lo + 1).
  Index sectors() const noexcept { return static_cast<Index>(sectors_.size()); }
  /// Sector k holds n_lo + k bosons.
  const Sector& sector(Index k) const { return *sectors_.at(static_cast<std::size_t>(k)); }
  /// State of sector k (D_F x D_B column-major, weight a_n included).
  const arma::cx_vec& state(Index k) const { return states_.at(static_cast<std::size_t>(k)); }
  /// Sum of the sector dimensions.
  Index dimension() const;

  /// Evolve every sector to time t (either direction) with exp(-i (t - time()) H / hbar). With `stop`, the
  /// flag is read before every sector and between the Krylov sub-steps; a set flag puts every sector back
  /// to its state at the call (a copy of all sectors is kept for that while the call runs) and returns
  /// status Stopped with time() unchanged.
  CoherentEvolveInfo evolve_to(double t, const std::atomic<bool>* stop = nullptr);
  /// For checkpoints: the state of sector k to be overwritten in place (same size), then set_time().
  arma::cx_vec& state_to_restore(Index k) { return states_.at(static_cast<std::size_t>(k)); }
  /// For checkpoints: the time of the restored states.
  void set_time(double t) { t_ = t; }

  /// sum_n ||psi_n||^2 (= included weight up to propagation error).
  double norm2() const;
  /// <H> = sum_n <psi_n, H psi_n> (conserved; equals E_HH at t = 0 up to the neglected weight).
  double energy() const;
  /// gamma_F(x, x') = <a*_{x'} a_x> summed over sectors.
  arma::cx_mat gamma_F() const;
  /// gamma_B(y, y') = <b*_{y'} b_y> summed over sectors.
  arma::cx_mat gamma_B() const;
  /// The field <b_y> = sum_n <psi_{n-1}, b_y psi_n> (L entries; = sqrt(N) phi_0 at t = 0 up to truncation).
  arma::cx_vec field() const;
  /// <N_B> = Tr gamma_B.
  double mean_bosons() const;

 private:
  void build(const arma::cx_mat& orbitals, const arma::cx_vec& phi0, double N, const arma::mat& tF, const arma::mat& tB,
             const arma::mat& V, double lambda);

  Index L_;
  CoherentOptions opt_;
  PoissonWindow window_;
  double t_ = 0.0;
  std::vector<std::unique_ptr<Sector>> sectors_;
  std::vector<std::unique_ptr<SectorHamiltonian>> hams_;
  std::vector<arma::cx_vec> states_;
};

}  // namespace fockmix
