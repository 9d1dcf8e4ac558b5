#pragma once
/// \file `fockmix bench`: the exact engine measured against the machine. For each sector of a fixed
/// 1D-ring model it times the matrix-free matvec (as GB/s of compulsory traffic and as a fraction of the
/// STREAM triad bandwidth measured in the same run), one unit-time Krylov step exp(-i H / hbar) psi with
/// the memory-capped Krylov dimension, and the peak resident memory. Optionally it exports each case
/// (sparse H, psi0 and fockmix's result) for benchmarks/scipy_expm.py. docs/performance.md explains the
/// numbers. The command line is a thin layer over run_bench.
#include <cstddef>
#include <iosfwd>
#include <string>
#include <vector>

#include "fockmix/core/types.hpp"
#include "fockmix/model/footprint.hpp"
#include "fockmix/linalg/chebyshev.hpp"
#include "fockmix/linalg/krylov.hpp"

namespace fockmix {

/// One benchmark sector: a 1D ring of L sites with M fermions and N bosons (no boson cap).
struct BenchCase {
  Index L = 0;  ///< sites, 2 <= L <= 64
  Index M = 0;  ///< fermions, 0 <= M <= L
  Index N = 0;  ///< bosons, N >= 1 (lambda = 1/N)
};

/// Options of run_bench.
struct BenchOptions {
  /// Sectors, run in this order (smallest first: the peak memory is the process peak so far where the
  /// kernel cannot reset it). Defaults: ~5e5, ~4e6 and ~1.1e7 states.
  std::vector<BenchCase> cases = {{10, 5, 5}, {11, 5, 6}, {12, 6, 6}};
  int repeats = 5;                ///< matvec timings: best and median of this many (>= 1)
  double tolerance = 1e-10;       ///< Krylov tolerance of the unit-time step (> 0)
  double memory_limit_gib = 4.0;  ///< Krylov dimension capped to fit (krylov_dim_for_memory) (> 0)
  Index max_krylov_dim = 30;      ///< Krylov dimension before the memory cap (>= 4)
  /// If non-empty: write export_dir/bench_L{L}_M{M}_N{N}.h5 per case (CSR of H, psi0, fockmix's result).
  std::string export_dir;
  bool quick = false;             ///< only the first case (tests, CI smoke)
  /// Triad arrays of this many doubles each (3 arrays; default 3 x 400 MB, far beyond the L3) (>= 1).
  std::size_t triad_doubles = std::size_t{50} << 20;
  int triad_repeats = 10;         ///< best of this many triad sweeps (>= 1)
  /// Also time a plain OpenMP CSR matvec of the assembled H (12 bytes a nonzero more memory, after the
  /// peak is read) and report the kernel's speed-up over it.
  bool csr_reference = true;
  /// Also time the fused observables on the propagated state: all parts in one pass (ObserveParts::All: what a
  /// run compared with Hartree–Hartree does per output), the view pass alone (ObserveParts::View: a run without
  /// it) and the moments alone (ObserveParts::Moments); with separate_observables also the separate functions
  /// (rdm_fermions, rdm_bosons and the moments from apply_fermion_one_body / apply_boson_one_body with a
  /// state-sized scratch, the path runs took before the fused passes) for comparison.
  bool observables = true;
  bool separate_observables = true;
  /// Also run the unit step with the Chebyshev propagator (its own peak memory, its matvecs, its
  /// difference from the Krylov result).
  bool chebyshev = true;
  /// Large mode (`fockmix bench --large`): instead of `cases`, run `large_cases` with the propagator that
  /// choose_propagator picks under large_memory_limit_gib (Chebyshev when the Krylov basis does not fit):
  /// one matvec timing, one unit step, one output (the all-in-one pass, and the view and the moments alone),
  /// peak memory against the estimate.
  bool large = false;
  std::vector<BenchCase> large_cases = {{14, 7, 6}};  ///< D = 9.3e7 (1.5 GB a state); stretch: {14, 7, 7}
  double large_memory_limit_gib = 12.0;               ///< (> 0)
  PropagatorPreference large_propagator = PropagatorPreference::Auto;  ///< large mode: force one (tests)
};

/// The measurements of one case. Bytes follow the STREAM convention (no write-allocate traffic).
struct BenchResult {
  BenchCase bench_case;
  Index dim_fermions = 0, dim_bosons = 0, dim = 0;  ///< D_F, D_B, D = D_F D_B
  Index nnz = 0;                  ///< nonzeros of the equivalent sparse H (diagonal included)
  int threads = 1;                ///< OpenMP threads of the kernels (omp_get_max_threads)
  double matvec_best_s = 0.0, matvec_median_s = 0.0;  ///< complex matvec
  double compulsory_bytes = 0.0;  ///< SectorHamiltonian::compulsory_bytes()
  double compulsory_gbs = 0.0;    ///< compulsory_bytes / matvec_best_s / 1e9
  double triad_gbs = 0.0;         ///< the triad bandwidth of this run, GB/s
  double fraction_of_triad = 0.0; ///< compulsory_gbs / triad_gbs
  Index krylov_dim = 0;           ///< Krylov dimension used (memory-capped)
  double step_seconds = 0.0;      ///< wall time of exp(-i H 1/hbar) psi0, the Krylov basis' allocation and first touch included
  double warm_step_seconds = 0.0; ///< the same propagator's next unit step (basis already touched), best of two
  KrylovResult step;              ///< matvecs, substeps, error estimate, status of that step
  double energy = 0.0;            ///< <psi0|H|psi0> (a deterministic fingerprint of the case)
  double peak_rss_bytes = 0.0;    ///< VmHWM after the solver work of this case, before any export
  bool peak_rss_per_case = false; ///< true if the peak was reset at the start of the case (clear_refs)
  std::string export_file;        ///< the file written, or empty

  double compulsory_ratio = 0.0;  ///< matvec_best_s / (compulsory_bytes / triad): 1 = at the triad bandwidth
  double step_matvec_share = 0.0; ///< warm step: its matvecs x matvec_median_s / warm_step_seconds
  // one unit of time as a run with outputs every 0.1 takes it (warm basis): dense output against a new basis per output
  Index run_dense_matvecs = 0, run_fresh_matvecs = 0;
  double run_dense_seconds = 0.0, run_fresh_seconds = 0.0;
  double run_difference = 0.0;    ///< ||psi_dense - psi_fresh|| at t = 1
  double csr_matvec_best_s = 0.0; ///< plain OpenMP CSR matvec of the same H (0 if not run)
  double csr_speedup = 0.0;       ///< csr_matvec_best_s / matvec_best_s
  double observe_seconds = 0.0;   ///< observe(..., ObserveParts::All): a run's output with Hartree–Hartree, best of 2 (0 if not run)
  double observe_matvecs = 0.0;   ///< observe_seconds / matvec_median_s
  double view_seconds = 0.0;      ///< observe(..., ObserveParts::View): a run's output without Hartree–Hartree, best of 2
  double view_matvecs = 0.0;      ///< view_seconds / matvec_median_s
  double moments_seconds = 0.0;   ///< observe(..., ObserveParts::Moments): the moments alone, best of 2
  double moments_matvecs = 0.0;   ///< moments_seconds / matvec_median_s
  double run_output_matvecs = 0.0;  ///< observe_matvecs: a run's output (energy matvec excluded)
  double separate_observables_seconds = 0.0;  ///< rdm_fermions + rdm_bosons + the moments through the one-body
                                              ///< operators on a state-sized scratch, once
  double separate_observables_matvecs = 0.0;  ///< in units of matvec_median_s
  PropagatorKind propagator = PropagatorKind::Lanczos;  ///< the propagator of step (large mode: the choice)
  double predicted_bytes = 0.0;   ///< choose_propagator's estimate of the solver's peak (tables measured)
  // the Chebyshev unit step (standard mode with options.chebyshev; large mode when chosen)
  ChebyshevResult cheb;           ///< its matvecs (bound estimate included), terms, status
  double cheb_bounds_seconds = 0.0;  ///< the spectral-bound estimate (once per propagator)
  double cheb_step_seconds = 0.0;    ///< the expansion itself, bounds excluded (first touch of its 3 buffers included)
  double cheb_warm_step_seconds = 0.0;  ///< the next unit step of the same propagator (t = -1, back to psi0)
  double cheb_matvec_share = 0.0;    ///< (cheb.matvecs - cheb.bound_matvecs) x matvec_median_s / cheb_warm_step_seconds
  // a window of outputs at t = 1, 2, ... (kMaxChebyshevWindow, within one expansion's reach) from psi0
  Index cheb_window_matvecs = 0;     ///< its matvecs (bounds excluded)
  double cheb_window_span = 0.0;     ///< its last time
  double cheb_window_seconds = 0.0;  ///< its wall time
  double cheb_peak_rss_bytes = 0.0;  ///< VmHWM of the Chebyshev step alone (reset before it)
  double cheb_vs_lanczos = 0.0;      ///< ||psi_cheb - psi_lanczos|| (standard mode)
  double output_seconds = 0.0;       ///< large mode: one output as a run makes it (observe_seconds)
};

/// Run the benchmark (the large cases with options.large), printing a readable line per case as it goes and a table at the end to `out`.
/// Throws InputError for invalid options or cases, CapacityError if a case's Krylov space does not fit
/// memory_limit_gib, IoError if an export fails.
std::vector<BenchResult> run_bench(const BenchOptions& options, std::ostream& out);

/// The Vlasov–Hartree transport benchmark (`fockmix bench --vlasov`): one Strang step on a hopping lattice
/// of `sites_per_axis`^dim sites times the default doubled Brillouin-zone momentum grid.
struct VlasovBenchOptions {
  int dim = 2;                 ///< 1 or 2
  Index sites_per_axis = 32;   ///< L_a (>= 2)
  int repeats = 3;             ///< best of this many steps (>= 1)
};
struct VlasovBenchResult {
  double lambda = 0.0;             ///< 0: transport only; else coupled to the condensate
  Index sites = 0, momenta = 0, cells = 0;
  double step_seconds = 0.0;       ///< best Strang step
  double cells_per_second = 0.0;   ///< phase-space cells advanced per second
  double mass_drift = 0.0;         ///< |int f - 1| after the steps (round-off)
  double bytes = 0.0;              ///< VlasovHartree::memory_bytes
};
/// Runs it uncoupled (lambda = 0: transport alone) and coupled (lambda = 0.5: boson half steps included).
std::vector<VlasovBenchResult> run_vlasov_bench(const VlasovBenchOptions& options, std::ostream& out);

/// STREAM triad a[i] = b[i] + s c[i] over three arrays of `n_doubles` doubles with OpenMP static
/// scheduling (first touch by the same threads), counted as 24 bytes per element; the best of
/// `repeats` sweeps, in bytes per second. Use arrays far beyond the last-level cache.
/// \param n_doubles >= 1  \param repeats >= 1
double stream_triad_bandwidth(std::size_t n_doubles, int repeats);

/// Peak resident set size of this process (VmHWM of /proc/self/status) in bytes; 0 if unavailable.
double peak_rss_bytes();

/// Reset the peak resident set size to the current one (writes "5" to /proc/self/clear_refs,
/// Linux >= 4.0). Returns whether the kernel accepted it.
bool reset_peak_rss();

}  // namespace fockmix
