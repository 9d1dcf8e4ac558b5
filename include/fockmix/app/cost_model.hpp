#pragma once
/// \file The time prediction of `fockmix info` for the exact solver (docs/performance.md, "Time prediction").
///
/// Three parts:
/// * a rigorous interval containing the spectrum of H (3.4) in the sector, from the one-body operators,
///   lambda, V, M and N (hamiltonian_bounds);
/// * matvec-count models of the two propagators for one interval t at tolerance tol, given the spectral
///   half-width s of that interval (lanczos_matvecs, chebyshev_matvecs): pure functions, tested against
///   the propagators' real counts;
/// * the seconds of what the exact solver does, measured by timing the real kernels on a small sector of the
///   model's own lattice (calibrate_kernel): the matvec, the view pass of each output, alone or with the
///   fluctuation moments (observe with ObserveParts::View and ::All), the build of sector, Hamiltonian
///   and initial state, and the propagator's vector work on arrays of the model's size (up to 2^22 states);
///   scaled to the model's sector by scale_calibration, so that the prediction is measured on this machine,
///   not a constant.
#include <string>

#include "fockmix/core/types.hpp"
#include "fockmix/linalg/chebyshev.hpp"
#include "fockmix/model/footprint.hpp"
#include "fockmix/model/model.hpp"
#include "fockmix/model/model_operators.hpp"

namespace fockmix {

/// An interval containing the spectrum of H in the sector with ops.M fermions and ops.N bosons:
/// by Weyl's inequality the sum of the ranges of its three terms. dGamma(K_F + U_F) spans [sum of the M
/// lowest, sum of the M highest] eigenvalues of the one-body matrix, dGamma(K_B + U_B) spans N x [lowest,
/// highest] (no boson cap: with a cap the interval stays valid, only less tight); the interaction is diagonal
/// in the Fock basis with values lambda sum_y n_B(y) sum_x n_F(x) V(x, y), between N min_y and N max_y of
/// lambda times the sum of the M smallest (largest) V(., y) (a Gershgorin-type row bound).
SpectralBounds hamiltonian_bounds(const ModelOperators& ops);

/// Terms K of the Chebyshev expansion chebyshev::terms_for(R, bound) with R = tau s / hbar, guarded against
/// huge or non-finite R (returns -1 if R > 1e6 or not finite: no honest count exists).
Index chebyshev_terms(double R, double bound);

/// Matvecs of ChebyshevPropagator::propagate over an interval |t| (bound estimate excluded) when its spectral
/// interval has half-width `half_width`: sub-steps of phase R <= max_phase, each of chebyshev_terms(R,
/// tol tau) matvecs. Returns -1 if the count would exceed 1e15 or the inputs are not finite.
/// \param half_width > 0  \param tolerance > 0  \param hbar > 0  \param max_phase >= 1
Index chebyshev_matvecs(double t, double half_width, double tolerance, double hbar, double max_phase = 200.0);

/// Matvecs of KrylovPropagator::propagate over |t| with max_dim Lanczos vectors, modelled (not replayed).
/// A sub-step of length tau needs k(tau) = chebyshev_terms(tau s_eff/hbar, tol tau/2) + 1 matvecs: the
/// Lanczos error after k matvecs is at most about twice the best polynomial approximation of degree k - 1 of
/// exp(-i tau x/hbar) on the spectral measure of the state, and the Chebyshev tail bounds that on an interval
/// of half-width s_eff. Lanczos adapts to the measure, which is concentrated well inside the spectral interval
/// (half-width `half_width`): s_eff = half_width / 2, an effective width fitted on product and random states
/// (docs/performance.md, "Time prediction"; within 0.58x to 1.7x of the real counts for max_dim >= 12). If
/// k(|t|) <= max_dim one sub-step of k(|t|) matvecs covers the interval; otherwise sub-steps of max_dim
/// matvecs, each as long as the largest tau with k(tau) <= max_dim, then a last shorter one. Returns -1 as
/// chebyshev_matvecs. \param max_dim >= 4
Index lanczos_matvecs(double t, double half_width, double tolerance, double hbar, Index max_dim);

/// Matvecs of a run's Chebyshev propagation through the output times `times` with up to `window` (>= 1) of them
/// from one expansion (ExactSolver: ChebyshevPropagator::propagate_window), a window ending where one expansion's
/// reach (max_phase hbar / half_width) would be exceeded: chebyshev_matvecs of each window's span; bound
/// estimate excluded. `accumulations` (if given) gets the terms all outputs take together (each output its own
/// K_m): the accumulator passes beyond one a term are the window's extra vector work. Returns -1 as
/// chebyshev_matvecs.
Index chebyshev_run_matvecs(const std::vector<double>& times, double half_width, double tolerance, double hbar, Index window,
                            double max_phase = 200.0, double* accumulations = nullptr);

/// Matvecs of a run's Lanczos propagation with dense output (KrylovPropagator::advance) through the output
/// times `times` (increasing), the same k(tau) as lanczos_matvecs: a basis started at an output grows to the
/// next output and on to the following ones while k(next offset) <= max_dim (the propagator extrapolates that
/// from the reach its last vector gained); an interval no basis covers takes lanczos_matvecs. `filled` (if given) gets the most
/// vectors a basis holds. Returns -1 as lanczos_matvecs.
Index lanczos_run_matvecs(const std::vector<double>& times, double half_width, double tolerance, double hbar, Index max_dim,
                          Index* filled = nullptr);

/// Measured costs of the kernels on a calibration sector of the model's lattice.
struct KernelCalibration {
  Index M = 0, N = 0;             ///< the calibration sector (same sites and boson cap as the model)
  Index dim = 0;                  ///< its dimension
  int threads = 1;                ///< OpenMP threads of the timings (omp_get_max_threads)
  double nnz = 0.0;               ///< its SectorHamiltonian::nnz()
  double setup_seconds = 0.0;     ///< building Sector + SectorHamiltonian
  double initial_state_seconds = 0.0;  ///< product_state on that sector (the run's product initial state)
  double matvec_seconds = 0.0;    ///< SectorHamiltonian::apply on complex states, best of 7 (every time here is a best-of)
  double observe_seconds = 0.0;   ///< observe(..., ObserveParts::View): the exact solver's view after every step
  double observe_all_seconds = 0.0;  ///< observe(..., ObserveParts::All): the view with the moments, when compared with Hartree–Hartree
  double vector_seconds = 0.0;    ///< the state-sized vector work of one propagator iteration at D' states
                                  ///< (Lanczos: dot, three-term update, scale; Chebyshev: the recurrence update)
  double iteration_seconds = 0.0; ///< the propagator's dense work per matvec (T_k's eigenproblem, the error
                                  ///< integral), timed on a 64 x 64 diagonal operator filling the model's spectral
                                  ///< interval, not scaled with D
  double touch_bytes_per_second = 0.0;  ///< first touch of fresh memory (page faults), for the Krylov basis
  double total_seconds = 0.0;     ///< wall time of the calibration itself
};

/// Times the real kernels on the largest sector of `ops.lattice` (same boson cap) with M' <= M, N' <= N,
/// |M'/M - N'/N| <= 1/4 and at most `target_dim` states (the model's own sector if it is that small), each after a warm-up
/// call, best of several (on a shared machine the least disturbed call): the sector and Hamiltonian build and the
/// product initial state (once each), the matvec, the view pass alone and with the moments, the vector work of one
/// propagator iteration (on four vectors of max(D', min(vector_dim, 2^22)) states, whose first touch also gives
/// touch_bytes_per_second: long passes, which other processes on a shared machine disturb no more than the run's
/// own), the matvec again at the end (the better of the two rounds), and a propagation of length `interval` with
/// the model's propagator on a 64 x 64 diagonal operator (its dense work alone). Runs with the current OpenMP
/// threads.
/// \param vector_dim the model's dimension D (0: the calibration sector's)
/// \param target_dim >= 1000  \param krylov_dim Lanczos vectors (0: Chebyshev)
KernelCalibration calibrate_kernel(const ModelOperators& ops, Index cap, Index target_dim, double interval, double tolerance,
                                   Index krylov_dim, Index vector_dim = 0);

/// The seconds of one of each piece of the exact solver's work on a sector of `dim` states and `nnz` nonzeros,
/// scaled from a calibration: the kernels that walk the Hamiltonian's moves (matvec, view pass alone and with the
/// moments: per state they touch every move of the state's fermion row and boson column) by nnz / c.nnz; the
/// state-sized work (vector work of an iteration, sector and Hamiltonian build, initial state) by dim / c.dim;
/// the dense k x k work of an iteration not at all.
struct ScaledCosts {
  double matvec = 0.0;     ///< one SectorHamiltonian::apply
  double iteration = 0.0;  ///< one propagator iteration: matvec + vector work + dense work
  double view = 0.0;       ///< the view pass (after every step)
  double view_with_moments = 0.0;  ///< the view pass with the fluctuation moments (when compared with Hartree–Hartree)
  double setup = 0.0;      ///< Sector + SectorHamiltonian + product_state (first touch of the propagator's states excluded)
};
/// \param nnz > 0  \param dim >= 1 (a calibration with zero nnz or dim is taken as the model's own sector)
ScaledCosts scale_calibration(const KernelCalibration& c, double nnz, Index dim);

/// Nonzeros of the sector Hamiltonian (diagonal included) without building the sector: D plus
/// D_B x (off-diagonal fermion moves) plus D_F x (boson moves), counted from the one-body matrices'
/// off-diagonal nonzeros (exact without a boson cap; with a cap, the uncapped count scaled by D_B / D_B^uncapped).
double sector_nnz(const ModelOperators& ops, Index cap);

/// The predicted wall time of the exact solver of a run (`fockmix info`).
struct TimePrediction {
  SpectralBounds bounds;           ///< hamiltonian_bounds
  PropagatorKind propagator = PropagatorKind::Lanczos;
  Index krylov_dim = 0;
  Index outputs = 0;               ///< output times, t = 0 included
  double interval = 0.0;           ///< output_every (the last interval may be shorter)
  Index matvecs_per_interval = 0;  ///< propagator model for one output interval (Lanczos: the run's average)
  Index matvecs_unit_time = 0;     ///< the same model for t = 1 (the figure docs/performance.md quotes)
  Index bound_matvecs = 0;         ///< Chebyshev: the spectral-bound estimate (once)
  Index matvecs_total = 0;         ///< all of the run: propagation, bounds and one energy matvec per output
  double nnz = 0.0;                ///< sector_nnz of the model
  double scale = 1.0;              ///< nnz / calibration nnz
  double matvec_seconds = 0.0;     ///< one matvec on the model's sector
  double step_seconds = 0.0;       ///< one output interval's propagation (overhead included)
  double unit_step_seconds = 0.0;  ///< one unit of time's propagation
  double output_seconds = 0.0;     ///< one output: view pass (with the moments if Hartree–Hartree runs), energy matvec,
                                   ///< and for Lanczos recombine_seconds
  double recombine_seconds = 0.0;  ///< Lanczos: the state from the basis (a read of krylov_used vectors), per output
  double setup_seconds = 0.0;      ///< sector, Hamiltonian, initial state, first touch of the states the propagator fills
  double total_seconds = 0.0;      ///< setup + steps + outputs
  Index krylov_used = 0;           ///< Lanczos: vectors the basis is expected to fill, min(krylov_dim, most a basis holds + 1)
  double expected_peak_bytes = 0;  ///< the footprint with the Krylov basis filled to krylov_used (Lanczos allocates
                                   ///< on use; ExactFootprint::total_bytes is the bound with all krylov_dim vectors)
  KernelCalibration calibration;
};

/// The prediction for a model whose exact solver is enabled, with `fp` = exact_footprint(model).
/// Calibrates on this machine (calibrate_kernel with target_dim: up to ~2 s for a 1e6-state calibration
/// sector, much less for models that small; a shorter kernel is too easily disturbed on a shared machine).
TimePrediction predict_exact_time(const Model& model, const ModelOperators& ops, const ExactFootprint& fp,
                                  Index target_dim = 2000000);

/// "45 us", "850 ms", "12.3 s", "4.2 min", "3.1 h".
std::string format_seconds(double seconds);

}  // namespace fockmix
