#include "fockmix/app/bench.hpp"

#include "fockmix/linalg/spectrum.hpp"

#include <fmt/format.h>
#include <omp.h>

#include <algorithm>
#include <armadillo>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <limits>
#include <memory>
#include <ostream>
#include <string>

#include "fockmix/core/error.hpp"
#include "fockmix/core/timing.hpp"
#include "fockmix/model/footprint.hpp"
#include "fockmix/exact/initial_state.hpp"
#include "fockmix/exact/observables.hpp"
#include "fockmix/linalg/chebyshev.hpp"
#include "fockmix/linalg/krylov.hpp"
#include "fockmix/exact/sector.hpp"
#include "fockmix/exact/sector_hamiltonian.hpp"
#include "fockmix/linalg/vector_ops.hpp"
#include "fockmix/grid/lattice.hpp"
#include "fockmix/grid/one_body.hpp"
#include "fockmix/io/h5.hpp"

namespace fockmix {

namespace {

constexpr double kGiB = 1073741824.0;
constexpr double kMiB = 1048576.0;
constexpr double kHbar = 1.0;
constexpr double kMass = 0.5;          // m_F = m_B = 1/2: K = -Delta_h
constexpr double kTrapStrength = 0.1;  // harmonic trap in both one-body terms
constexpr double kStepTime = 1.0;      // exp(-i H t / hbar) psi0 at t = 1

/// The one-body pieces of a benchmark case (the same for both species, m_F = m_B).
struct BenchModel {
  arma::mat one_body;  ///< K + U_trap, L x L
  arma::mat V;         ///< gaussian V(x - y), amplitude 1, width 1
  double lambda = 0.0; ///< 1/N
  arma::cx_mat orbitals;  ///< the M lowest eigenvectors of one_body (L x M)
  arma::cx_vec phi;       ///< its ground state
};

void validate(const BenchOptions& opt) {
  if (opt.cases.empty()) throw InputError("", "bench.cases", "need at least one case");
  if (opt.repeats < 1) throw InputError("", "bench.repeats", "must be at least 1");
  if (!(opt.tolerance > 0.0)) throw InputError("", "bench.tolerance", "must be positive");
  if (!(opt.memory_limit_gib > 0.0)) throw InputError("", "bench.memory_limit_gib", "must be positive");
  if (opt.max_krylov_dim < 4) throw InputError("", "bench.max_krylov_dim", "must be at least 4");
  if (opt.triad_doubles < 1) throw InputError("", "bench.triad_doubles", "must be at least 1");
  if (opt.triad_repeats < 1) throw InputError("", "bench.triad_repeats", "must be at least 1");
  if (!(opt.large_memory_limit_gib > 0.0)) throw InputError("", "bench.large_memory_limit_gib", "must be positive");
  if (opt.large && opt.large_cases.empty()) throw InputError("", "bench.large_cases", "need at least one case");
  for (const BenchCase& c : opt.large ? opt.large_cases : opt.cases) {
    const std::string key = fmt::format("bench.cases[L={}, M={}, N={}]", c.L, c.M, c.N);
    if (c.L < 2 || c.L > 64) throw InputError("", key, "L must be in [2, 64]");
    if (c.M < 0 || c.M > c.L) throw InputError("", key, "M must be in [0, L]");
    if (c.N < 1) throw InputError("", key, "N must be at least 1 (lambda = 1/N)");
  }
}

/// Flip each eigenvector so that its largest component is positive: the exported psi0 does not then
/// depend on the LAPACK build's sign convention.
void fix_signs(arma::mat& Q) {
  for (arma::uword c = 0; c < Q.n_cols; ++c) {
    arma::vec q = Q.col(c);
    fix_eigenvector_sign(q);
    Q.col(c) = q;
  }
}

BenchModel build_model(const BenchCase& c) {
  const Lattice lat({c.L}, 1.0);
  BenchModel m;
  m.one_body = kinetic(lat, KineticKind::Hopping, kHbar, kMass) +
               arma::diagmat(potential(lat, {PotentialKind::Harmonic, kTrapStrength, 1.0, {}, {}}));
  m.V = interaction_matrix(lat, {InteractionKind::Gaussian, 1.0, 1.0, 1.0, {}});
  m.lambda = 1.0 / static_cast<double>(c.N);
  arma::vec e;
  arma::mat Q;
  if (!arma::eig_sym(e, Q, m.one_body)) throw Error("bench: eig_sym of the one-body matrix failed");
  fix_signs(Q);
  m.orbitals.set_size(static_cast<arma::uword>(c.L), static_cast<arma::uword>(c.M));  // M = 0: L x 0
  for (Index k = 0; k < c.M; ++k)
    for (Index x = 0; x < c.L; ++x) m.orbitals(x, k) = Q(x, k);
  m.phi = arma::conv_to<arma::cx_vec>::from(arma::vec(Q.col(0)));
  return m;
}

template <class T>
double vector_bytes(const std::vector<T>& v) {
  return static_cast<double>(v.size() * sizeof(T));
}

double hop_table_bytes(const HopTable& t) {
  return vector_bytes(t.hop_offset) + vector_bytes(t.hops) + vector_bytes(t.occ_offset) + vector_bytes(t.occ);
}

/// Memory besides the state vectors: bases, move tables, the kernel's tables and its per-thread scratch.
double table_bytes(const Sector& s, const SectorHamiltonian& H) {
  const double D = static_cast<double>(s.size());
  const double kernel = H.compulsory_bytes() - 32.0 * D;
  const double bases = 8.0 * static_cast<double>(s.dim_fermions()) + static_cast<double>(s.dim_bosons() * s.sites());
  const double scratch = 8.0 * static_cast<double>(s.dim_fermions()) * omp_get_max_threads();
  return kernel + bases + scratch + hop_table_bytes(s.fermion_moves()) + hop_table_bytes(s.boson_moves());
}

struct Timing {
  double best = 0.0, median = 0.0;
};

/// Best and median over `repeats` applications of H (after one untimed warm-up).
Timing time_matvec(const SectorHamiltonian& H, const cplx* in, cplx* out, int repeats) {
  H.apply(in, out);
  std::vector<double> t(static_cast<std::size_t>(repeats));
  for (double& ti : t) {
    const double t0 = omp_get_wtime();
    H.apply(in, out);
    ti = omp_get_wtime() - t0;
  }
  std::sort(t.begin(), t.end());
  const std::size_t n = t.size();
  return {t.front(), n % 2 ? t[n / 2] : 0.5 * (t[n / 2 - 1] + t[n / 2])};
}

/// The plain reference: one OpenMP-parallel row loop over a CSR matrix, out = A in (complex in, real A).
void csr_matvec(const Csr& A, const cplx* in, cplx* out) {
  const Index n = A.rows;
#pragma omp parallel for schedule(static)
  for (Index r = 0; r < n; ++r) {
    cplx acc = 0.0;
    for (Index k = A.row_ptr[r]; k < A.row_ptr[r + 1]; ++k) acc += A.val[k] * in[A.col[k]];
    out[r] = acc;
  }
}


std::string export_path(const std::string& dir, const BenchCase& c) {
  return fmt::format("{}/bench_L{}_M{}_N{}.h5", dir, c.L, c.M, c.N);
}

/// Write the case for benchmarks/scipy_expm.py: H as CSR (0-based, index i + j D_F), psi0 and fockmix's
/// exp(-i H t/hbar) psi0. H is real symmetric (exactly: its two triangles are computed identically), so
/// Armadillo's compressed-column arrays of H are the compressed-row arrays of H.
void write_export(const std::string& path, const BenchCase& c, const BenchModel& model, const Sector& s,
                  const SectorHamiltonian& H, const arma::cx_vec& psi_t, const BenchResult& r, const BenchOptions& opt) {
  const h5::File file = h5::File::create(path);
  const h5::Group root = file.root();
  root.set_attr("format", "fockmix bench export 1");
  root.set_attr("model", "1D ring, hopping kinetic, hbar = 1, m_F = m_B = 1/2, harmonic trap 0.1 in both one-body terms, "
                         "gaussian V (amplitude 1, width 1), lambda = 1/N");
  root.set_attr("index_convention", "psi[i + j D_F] = <fermion state i, boson state j | psi>; H is CSR of that index");
  root.set_attr("L", c.L);
  root.set_attr("M", c.M);
  root.set_attr("N", c.N);
  root.set_attr("D_F", r.dim_fermions);
  root.set_attr("D_B", r.dim_bosons);
  root.set_attr("D", r.dim);
  root.set_attr("lambda", model.lambda);
  root.set_attr("hbar", kHbar);
  root.set_attr("t", kStepTime);
  root.set_attr("tolerance", opt.tolerance);
  root.set_attr("threads", r.threads);
  root.set_attr("krylov_dim", r.krylov_dim);
  root.set_attr("fockmix_step_seconds", r.step_seconds);
  root.set_attr("fockmix_warm_step_seconds", r.warm_step_seconds);
  root.set_attr("fockmix_matvecs", r.step.matvecs);
  root.set_attr("fockmix_substeps", r.step.substeps);
  root.set_attr("fockmix_error_estimate", r.step.error_estimate);
  root.set_attr("fockmix_matvec_best_seconds", r.matvec_best_s);
  root.write("psi_t", psi_t);
  root.write("psi0", product_state(s, model.orbitals, model.phi));
  const arma::sp_mat S = H.assemble();
  const h5::Group g = root.group("H");
  g.set_attr("shape", std::vector<std::int64_t>{r.dim, r.dim});
  g.set_attr("nnz", static_cast<std::int64_t>(S.n_nonzero));
  g.write("indptr", std::vector<std::int64_t>(S.col_ptrs, S.col_ptrs + S.n_cols + 1));
  g.write("indices", std::vector<std::int64_t>(S.row_indices, S.row_indices + S.n_nonzero));
  // values without a copy: an Armadillo view of the sparse matrix's value array
  g.write("data", arma::vec(const_cast<double*>(S.values), S.n_nonzero, false, true));
}

std::string seconds_text(double s) {
  if (s < 1e-3) return fmt::format("{:.1f} us", s * 1e6);
  if (s < 1.0) return fmt::format("{:.2f} ms", s * 1e3);
  return fmt::format("{:.2f} s", s);
}

/// The bench's Chebyshev options: its tolerance and hbar.
ChebyshevOptions chebyshev_options(const BenchOptions& opt) {
  ChebyshevOptions co;
  co.tolerance = opt.tolerance;
  co.hbar = kHbar;
  return co;
}

/// Spectral bounds (timed), then the unit step psi <- exp(-i H) psi (timed); r.cheb counts the bound matvecs.
SpectralBounds time_chebyshev_step(ChebyshevPropagator<SectorHamiltonian>& cheb, cplx* psi, BenchResult& r) {
  double t0 = omp_get_wtime();
  Index bound_matvecs = 0;
  const SpectralBounds b = cheb.bounds(&bound_matvecs);
  r.cheb_bounds_seconds = omp_get_wtime() - t0;
  t0 = omp_get_wtime();
  r.cheb = cheb.propagate(psi, kStepTime);
  r.cheb_step_seconds = omp_get_wtime() - t0;
  r.cheb.bound_matvecs = bound_matvecs;
  r.cheb.matvecs += bound_matvecs;
  return b;
}

/// A window of `count` outputs one unit of time apart (as many as one expansion reaches) from psi: its matvecs
/// (bounds excluded), last time and wall time into r; the line printed.
void time_chebyshev_window(ChebyshevPropagator<SectorHamiltonian>& cheb, const cplx* psi, Index count, BenchResult& r, std::ostream& out) {
  std::vector<double> taus;
  for (Index m = 1; m <= count && static_cast<double>(m) * kStepTime <= cheb.window_reach(); ++m) taus.push_back(static_cast<double>(m) * kStepTime);
  if (taus.empty()) return;
  std::vector<arma::cx_vec> outs;  // reserved, then one by one: a prototype, or a reallocation that copies, would add states
  outs.reserve(taus.size());
  for (std::size_t m = 0; m < taus.size(); ++m) outs.emplace_back(static_cast<arma::uword>(r.dim));
  std::vector<cplx*> ptr;
  for (auto& v : outs) ptr.push_back(v.memptr());
  const double t0 = omp_get_wtime();
  const ChebyshevResult w = cheb.propagate_window(psi, taus, ptr.data());
  r.cheb_window_seconds = omp_get_wtime() - t0;
  r.cheb_window_span = taus.back();
  r.cheb_window_matvecs = w.matvecs - w.bound_matvecs;
  const double per_unit = static_cast<double>(r.cheb_window_matvecs) / r.cheb_window_span;
  const Index unit = r.cheb.matvecs - r.cheb.bound_matvecs;
  out << fmt::format("  Chebyshev window: {} outputs to t = {:g} from one expansion, {} matvecs ({:.1f} a unit of time; the unit step "
                     "{}{}), {} ({:.0f}% matvecs)\n",
                     taus.size(), r.cheb_window_span, r.cheb_window_matvecs, per_unit, unit,
                     r.step.matvecs > 0 ? fmt::format(", the Lanczos unit step {}", r.step.matvecs) : std::string(),
                     seconds_text(r.cheb_window_seconds),
                     100.0 * static_cast<double>(r.cheb_window_matvecs) * r.matvec_median_s / r.cheb_window_seconds);
  out.flush();
}

/// The figures of a case known before any timing: dimensions, nonzeros, compulsory bytes, threads.
BenchResult start_result(const BenchCase& c, const Sector& s, const SectorHamiltonian& H, double triad_bytes_per_s) {
  BenchResult r;
  r.bench_case = c;
  r.peak_rss_per_case = reset_peak_rss();
  r.threads = omp_get_max_threads();
  r.dim_fermions = s.dim_fermions();
  r.dim_bosons = s.dim_bosons();
  r.dim = s.size();
  r.nnz = H.nnz();
  r.compulsory_bytes = H.compulsory_bytes();
  r.triad_gbs = triad_bytes_per_s / 1e9;
  return r;
}

/// Matvec timings (complex states, all OpenMP threads).
void bench_matvec(const BenchCase& c, const BenchOptions& opt, const BenchModel& model, const Sector& s, const SectorHamiltonian& H, double tables, arma::cx_vec& psi, BenchResult& r, std::ostream& out) {
  {
    // Matvec timings (complex states, all OpenMP threads).
    arma::cx_vec Hpsi(static_cast<arma::uword>(r.dim));
    const Timing t = time_matvec(H, psi.memptr(), Hpsi.memptr(), opt.repeats);
    r.energy = vec::dot(r.dim, psi.memptr(), Hpsi.memptr()).real() / vec::norm2(r.dim, psi.memptr());
    r.matvec_best_s = t.best;
    r.matvec_median_s = t.median;
    r.compulsory_gbs = r.compulsory_bytes / t.best / 1e9;
    r.fraction_of_triad = r.compulsory_gbs / r.triad_gbs;
    r.compulsory_ratio = 1.0 / r.fraction_of_triad;
    out << fmt::format("  matvec: best {}, median {} of {}; compulsory {:.1f} MB -> {:.2f} GB/s = {:.0f}% of triad\n",
                       seconds_text(t.best), seconds_text(t.median), opt.repeats, r.compulsory_bytes / 1e6, r.compulsory_gbs,
                       100.0 * r.fraction_of_triad);
  }

}

/// The unit-time Lanczos step (cold, then back and forward warm), peak memory.
void bench_lanczos(const BenchCase& c, const BenchOptions& opt, const BenchModel& model, const Sector& s, const SectorHamiltonian& H, double tables, arma::cx_vec& psi, BenchResult& r, std::ostream& out) {
  {
    // The unit-time step, allocation of the Krylov space included; then the same propagator back (t = -1) and
    // forward again (t = 1): the warm steps a run takes at every output but the first.
    double t0 = omp_get_wtime();
    KrylovPropagator<SectorHamiltonian> prop(H, {opt.tolerance, r.krylov_dim, kHbar});
    r.step = prop.propagate(psi.memptr(), kStepTime);
    r.step_seconds = omp_get_wtime() - t0;
    t0 = omp_get_wtime();
    const KrylovResult back = prop.propagate(psi.memptr(), -kStepTime);
    const double t_back = omp_get_wtime() - t0;
    t0 = omp_get_wtime();
    const KrylovResult again = prop.propagate(psi.memptr(), kStepTime);
    const double t_again = omp_get_wtime() - t0;
    r.warm_step_seconds = std::min(t_back / static_cast<double>(back.matvecs), t_again / static_cast<double>(again.matvecs)) *
                          static_cast<double>(r.step.matvecs);
    r.step.error_estimate = again.error_estimate;
    // one unit of time with outputs every 0.1, as a run takes it: dense output (one basis serves several
    // outputs) against one new basis per output (what runs did before), from the same state, same propagator
    r.peak_rss_bytes = peak_rss_bytes();  // the step's peak, before the copy below
    arma::cx_vec dense = psi, fresh = psi;  // psi itself stays the unit step's result (exported, compared below)
    const OutputPlan plan{0.1, 1.0};
    t0 = omp_get_wtime();
    for (int i = 1; i <= 10; ++i) r.run_dense_matvecs += prop.advance(dense.memptr(), 0.1 * (i - 1), 0.1 * i, plan).matvecs;
    r.run_dense_seconds = omp_get_wtime() - t0;
    t0 = omp_get_wtime();
    for (int i = 1; i <= 10; ++i) r.run_fresh_matvecs += prop.propagate(fresh.memptr(), 0.1).matvecs;
    r.run_fresh_seconds = omp_get_wtime() - t0;
    r.run_difference = arma::norm(dense - fresh);
  }
  r.predicted_bytes = choose_propagator(r.dim, opt.max_krylov_dim, tables, opt.memory_limit_gib * kGiB,
                                        PropagatorPreference::Lanczos).total_bytes;
  const double matvec_share = static_cast<double>(r.step.matvecs) * r.matvec_median_s;
  r.step_matvec_share = matvec_share / r.warm_step_seconds;
  out << fmt::format("  exp(-i H t/hbar) psi0, t = 1, tolerance {:g}: Krylov dim {} (cap {} GiB), {}, {} matvecs, "
                     "{} substeps, error estimate {:.2e}{}; matvecs x median matvec = {} ({:.0f}% of the step); warm step "
                     "(basis touched) {} ({:.0f}% matvecs)\n",
                     opt.tolerance, r.krylov_dim, opt.memory_limit_gib, seconds_text(r.step_seconds), r.step.matvecs,
                     r.step.substeps, r.step.error_estimate,
                     r.step.status == KrylovStatus::Converged ? "" : " (NOT CONVERGED: step too small)", seconds_text(matvec_share),
                     100.0 * matvec_share / r.step_seconds, seconds_text(r.warm_step_seconds), 100.0 * r.step_matvec_share);
  out << fmt::format("  a run's unit of time, outputs every 0.1: dense output {} matvecs, {}; a new basis per output {} matvecs, {} "
                     "({:.2f}x the time); ||difference|| = {:.1e}\n",
                     r.run_dense_matvecs, seconds_text(r.run_dense_seconds), r.run_fresh_matvecs, seconds_text(r.run_fresh_seconds),
                     r.run_fresh_seconds / r.run_dense_seconds, r.run_difference);
  out << fmt::format("  peak resident memory {:.1f} MiB ({}); estimate (krylov_dim + 2 states + tables) {:.1f} MiB\n",
                     r.peak_rss_bytes / kMiB, r.peak_rss_per_case ? "this case" : "process peak so far: the kernel did not allow a reset",
                     r.predicted_bytes / kMiB);
  out.flush();

}

/// The Chebyshev unit step from psi0 again, compared with the Lanczos result.
void bench_chebyshev(const BenchCase& c, const BenchOptions& opt, const BenchModel& model, const Sector& s, const SectorHamiltonian& H, double tables, arma::cx_vec& psi, BenchResult& r, std::ostream& out) {
  if (opt.chebyshev) {
    arma::cx_vec psi_c = product_state(s, model.orbitals, model.phi);  // psi0 again (no copy held during the Krylov step)
    const bool reset = reset_peak_rss();
    ChebyshevPropagator<SectorHamiltonian> cheb(H, chebyshev_options(opt));
    const SpectralBounds b = time_chebyshev_step(cheb, psi_c.memptr(), r);
    const Index bound_matvecs = r.cheb.bound_matvecs;
    r.cheb_peak_rss_bytes = reset ? peak_rss_bytes() : 0.0;
    r.cheb_vs_lanczos = arma::norm(psi_c - psi);
    double t0 = omp_get_wtime();
    const ChebyshevResult back = cheb.propagate(psi_c.memptr(), -kStepTime);
    r.cheb_warm_step_seconds = omp_get_wtime() - t0;
    r.cheb_matvec_share = static_cast<double>(back.matvecs) * r.matvec_median_s / r.cheb_warm_step_seconds;
    out << fmt::format("  Chebyshev: bounds [{:.4f}, {:.4f}] from {} Lanczos steps in {}; unit step {} terms, {} (warm {}, {:.0f}% matvecs), "
                       "bound {:.1e}{}; ||psi_cheb - psi_krylov|| = {:.1e}; peak of the Chebyshev step {:.1f} MiB\n",
                       b.lower, b.upper, bound_matvecs, seconds_text(r.cheb_bounds_seconds), r.cheb.terms,
                       seconds_text(r.cheb_step_seconds), seconds_text(r.cheb_warm_step_seconds), 100.0 * r.cheb_matvec_share, r.cheb.error_estimate,
                       r.cheb.status == ChebyshevStatus::Converged ? "" : " (BOUNDS VIOLATED)", r.cheb_vs_lanczos,
                       r.cheb_peak_rss_bytes / kMiB);
    time_chebyshev_window(cheb, psi_c.memptr(), kMaxChebyshevWindow, r, out);
  }
}

/// The fluctuation moments the way runs computed them before the moments-only pass: each one-body operator
/// applied into a state-sized scratch, then a dot product and a norm (the bench's "separate" reference).
FluctuationMoments moments_through_one_body(const Sector& s, const cplx* psi, const arma::cx_mat& omega, const arma::cx_vec& phi) {
  const Index D = s.size(), L = s.sites();
  const arma::cx_mat one = arma::eye<arma::cx_mat>(L, L);
  std::vector<cplx> tmp(static_cast<std::size_t>(D));
  FluctuationMoments m;
  apply_fermion_one_body(s, 2.0 * (one - omega), psi, tmp.data());
  m.nF = vec::dot(D, psi, tmp.data()).real();
  m.nF2 = vec::norm2(D, tmp.data());
  apply_boson_one_body(s, one - phi * phi.t(), psi, tmp.data());
  m.nB = vec::dot(D, psi, tmp.data()).real();
  m.nB2 = vec::norm2(D, tmp.data());
  return m;
}

/// One output's observables as a run compared with Hartree–Hartree makes them: the view and the fluctuation moments
/// in one pass (ObserveParts::All, into r.observe_* and r.run_output_matvecs, its result into `all`); and for the
/// breakdown the view pass alone (a run without Hartree–Hartree) and the moments alone (r.view_*, r.moments_*; the
/// moments into `moments_only`). Best of `repeats` each, after a warm-up.
void time_run_output(const Sector& s, const arma::cx_vec& psi, const arma::cx_mat& omega, const arma::cx_vec& phi, int repeats,
                     BenchResult& r, SectorObservables& all, FluctuationMoments& moments_only) {
  ObserveScratch scratch;  // kept from call to call, as the exact solver keeps it from output to output
  r.observe_seconds = best_time(repeats, [&] { all = observe(s, psi.memptr(), omega, phi, ObserveParts::All, &scratch); }, 1);
  r.view_seconds = best_time(repeats, [&] { (void)observe(s, psi.memptr(), arma::cx_mat(), arma::cx_vec(), ObserveParts::View); }, 1);
  r.moments_seconds = best_time(repeats, [&] { moments_only = observe(s, psi.memptr(), omega, phi, ObserveParts::Moments).moments; }, 1);
  r.observe_matvecs = r.observe_seconds / r.matvec_median_s;
  r.view_matvecs = r.view_seconds / r.matvec_median_s;
  r.moments_matvecs = r.moments_seconds / r.matvec_median_s;
  r.run_output_matvecs = r.observe_matvecs;
}

/// The fused observables (all in one pass, as a run makes them; the view and the moments alone), and the separate
/// functions for reference.
void bench_observables(const BenchCase& c, const BenchOptions& opt, const BenchModel& model, const Sector& s, const SectorHamiltonian& H, double tables, arma::cx_vec& psi, BenchResult& r, std::ostream& out) {
  if (opt.observables) {
    const arma::cx_mat omega = model.orbitals * model.orbitals.t();
    SectorObservables o;
    FluctuationMoments mo;
    time_run_output(s, psi, omega, model.phi, 2, r, o, mo);
    out << fmt::format("  observables (gamma_F, gamma_B, densities, fluctuation moments) in one pass, as a run makes them: {} = {:.2f} "
                       "matvecs; the view alone {} = {:.2f}, the moments alone {} = {:.2f} matvecs",
                       seconds_text(r.observe_seconds), r.observe_matvecs, seconds_text(r.view_seconds), r.view_matvecs,
                       seconds_text(r.moments_seconds), r.moments_matvecs);
    const double moments_diff = std::max(std::abs(mo.nF2 - o.moments.nF2) / std::max(1.0, o.moments.nF2),
                                         std::abs(mo.nB2 - o.moments.nB2) / std::max(1.0, o.moments.nB2));
    out << fmt::format(" (moments differ from the one-pass ones by {:.1e})", moments_diff);
    if (opt.separate_observables) {
      const double t0 = omp_get_wtime();
      const arma::cx_mat gF = rdm_fermions(s, psi.memptr()), gB = rdm_bosons(s, psi.memptr());
      const FluctuationMoments m = moments_through_one_body(s, psi.memptr(), omega, model.phi);
      r.separate_observables_seconds = omp_get_wtime() - t0;
      r.separate_observables_matvecs = r.separate_observables_seconds / r.matvec_median_s;
      const double diff = std::max({arma::abs(gF - o.gamma_F).max(), arma::abs(gB - o.gamma_B).max(),
                                    std::abs(m.nF2 - o.moments.nF2) / std::max(1.0, m.nF2), std::abs(m.nB2 - o.moments.nB2) / std::max(1.0, m.nB2)});
      out << fmt::format("; separate functions (RDMs, moments through the one-body operators) {} = {:.2f} matvecs (max difference {:.1e})",
                         seconds_text(r.separate_observables_seconds),
                         r.separate_observables_matvecs, diff);
    }
    out << "\n";
    out.flush();
  }

}

/// The exported matrix (for scipy) and the plain CSR matvec of it.
void bench_export_and_csr(const BenchCase& c, const BenchOptions& opt, const BenchModel& model, const Sector& s, const SectorHamiltonian& H, double tables, arma::cx_vec& psi, BenchResult& r, std::ostream& out) {
  if (!opt.export_dir.empty()) {
    r.export_file = export_path(opt.export_dir, c);
    const double t0 = omp_get_wtime();
    write_export(r.export_file, c, model, s, H, psi, r, opt);
    out << fmt::format("  exported {} in {} (peak resident memory now {:.1f} MiB)\n", r.export_file,
                       seconds_text(omp_get_wtime() - t0), peak_rss_bytes() / kMiB);
  }
  if (opt.csr_reference) {
    Csr A = H.assemble_csr();
    arma::cx_vec y(static_cast<arma::uword>(r.dim));
    r.csr_matvec_best_s = best_time(opt.repeats, [&] { csr_matvec(A, psi.memptr(), y.memptr()); }, 1);
    r.csr_speedup = r.csr_matvec_best_s / r.matvec_best_s;
    out << fmt::format("  plain OpenMP CSR matvec of the same H ({:.1f} MB of CSR): best {}; the kernel is {:.2f}x faster\n",
                       12.0 * static_cast<double>(A.nnz()) / 1e6, seconds_text(r.csr_matvec_best_s), r.csr_speedup);
  }
}

BenchResult run_case(const BenchCase& c, const BenchOptions& opt, double triad_bytes_per_s, std::ostream& out) {
  const BenchModel model = build_model(c);
  const Sector s(c.L, c.M, c.N);
  SectorHamiltonian H(s, model.one_body, model.one_body, model.V, model.lambda);
  BenchResult r = start_result(c, s, H, triad_bytes_per_s);
  out << fmt::format("case L={} M={} N={}: D_F = {}, D_B = {}, D = {}, nnz(H) = {}\n", c.L, c.M, c.N, r.dim_fermions,
                     r.dim_bosons, r.dim, r.nnz);

  // Memory cap of the Krylov space, checked before the large allocations.
  const double tables = table_bytes(s, H);
  r.krylov_dim = krylov_dim_for_memory(r.dim, opt.max_krylov_dim, tables, opt.memory_limit_gib * kGiB);
  if (r.krylov_dim < 4)
    throw CapacityError(fmt::format("bench: L={} M={} N={} (D = {}) leaves room for {} Krylov vectors in {} GiB; need 4",
                                    c.L, c.M, c.N, r.dim, r.krylov_dim, opt.memory_limit_gib));

  arma::cx_vec psi = product_state(s, model.orbitals, model.phi);
  for (auto* part : {bench_matvec, bench_lanczos, bench_chebyshev, bench_observables, bench_export_and_csr})
    part(c, opt, model, s, H, tables, psi, r, out);
  out.flush();
  return r;
}

/// Large mode: the propagator choose_propagator picks, one matvec timing, one unit step, one output.
BenchResult run_large_case(const BenchCase& c, const BenchOptions& opt, double triad_bytes_per_s, std::ostream& out) {
  const BenchModel model = build_model(c);
  const Sector s(c.L, c.M, c.N);
  SectorHamiltonian H(s, model.one_body, model.one_body, model.V, model.lambda);
  BenchResult r = start_result(c, s, H, triad_bytes_per_s);
  const double tables = table_bytes(s, H);
  const PropagatorChoice choice =
      choose_propagator(r.dim, opt.max_krylov_dim, tables, opt.large_memory_limit_gib * kGiB, opt.large_propagator);
  r.propagator = choice.kind;
  r.krylov_dim = choice.krylov_dim;
  r.predicted_bytes = choice.total_bytes;  // with Chebyshev, its window of output states (timed below) included
  out << fmt::format("large case L={} M={} N={}: D = {} ({} a state), nnz(H) = {}; {} under {} GiB, estimated peak {}\n", c.L, c.M,
                     c.N, r.dim, format_bytes(16.0 * static_cast<double>(r.dim)), r.nnz,
                     choice.kind == PropagatorKind::Lanczos ? fmt::format("Lanczos with {} vectors", choice.krylov_dim) : "Chebyshev",
                     opt.large_memory_limit_gib, format_bytes(choice.total_bytes));
  out.flush();
  if (!choice.fits)
    throw CapacityError(fmt::format("bench --large: L={} M={} N={} needs {} (estimate), more than {} GiB", c.L, c.M, c.N,
                                    format_bytes(choice.total_bytes), opt.large_memory_limit_gib));
  arma::cx_vec psi = product_state(s, model.orbitals, model.phi);
  Timing t;
  {
    arma::cx_vec out(static_cast<arma::uword>(r.dim));  // freed before the propagator allocates its states
    t = time_matvec(H, psi.memptr(), out.memptr(), std::max(1, std::min(opt.repeats, 3)));
  }
  r.matvec_best_s = t.best;
  r.matvec_median_s = t.median;
  r.compulsory_gbs = r.compulsory_bytes / t.best / 1e9;
  r.fraction_of_triad = r.compulsory_gbs / r.triad_gbs;
  r.compulsory_ratio = 1.0 / r.fraction_of_triad;
  out << fmt::format("  matvec: best {}, median {}; {:.1f}x the compulsory-traffic time at the triad bandwidth\n", seconds_text(t.best),
                     seconds_text(t.median), r.compulsory_ratio);
  out.flush();
  double t0 = omp_get_wtime();
  if (choice.kind == PropagatorKind::Chebyshev) {
    ChebyshevPropagator<SectorHamiltonian> cheb(H, chebyshev_options(opt));
    const SpectralBounds b = time_chebyshev_step(cheb, psi.memptr(), r);
    const Index bound_matvecs = r.cheb.bound_matvecs;
    r.step_seconds = r.cheb_step_seconds;
    r.cheb_matvec_share = static_cast<double>(r.cheb.matvecs - bound_matvecs) * r.matvec_median_s / r.cheb_step_seconds;
    r.step_matvec_share = r.cheb_matvec_share;
    out << fmt::format("  Chebyshev: bounds [{:.4f}, {:.4f}] from {} Lanczos steps in {}; unit step t = 1 at {:g}: {} terms, {} "
                       "({:.0f}% matvecs), bound {:.1e}{}\n",
                       b.lower, b.upper, bound_matvecs, seconds_text(r.cheb_bounds_seconds), opt.tolerance, r.cheb.terms,
                       seconds_text(r.cheb_step_seconds), 100.0 * r.cheb_matvec_share, r.cheb.error_estimate,
                       r.cheb.status == ChebyshevStatus::Converged ? "" : " (BOUNDS VIOLATED)");
    if (choice.window > 1) time_chebyshev_window(cheb, psi.memptr(), choice.window, r, out);
  } else {
    KrylovPropagator<SectorHamiltonian> prop(H, {opt.tolerance, choice.krylov_dim, kHbar});
    r.step = prop.propagate(psi.memptr(), kStepTime);
    r.step_seconds = omp_get_wtime() - t0;
    r.step_matvec_share = static_cast<double>(r.step.matvecs) * r.matvec_median_s / r.step_seconds;
    out << fmt::format("  Lanczos ({} vectors): unit step {}, {} matvecs ({:.0f}% of the step)\n", choice.krylov_dim,
                       seconds_text(r.step_seconds), r.step.matvecs, 100.0 * r.step_matvec_share);
  }
  out.flush();
  const arma::cx_mat omega = model.orbitals * model.orbitals.t();
  SectorObservables all;
  FluctuationMoments mo;
  time_run_output(s, psi, omega, model.phi, 1, r, all, mo);
  r.output_seconds = r.observe_seconds;
  r.peak_rss_bytes = peak_rss_bytes();
  out << fmt::format("  one output as a run makes it (gamma_F, gamma_B, densities and the fluctuation moments in one pass): {} = {:.2f} "
                     "matvecs (the view alone {:.2f}, the moments alone {:.2f}); <N_F^exc> = {:.4f}, <N_B^exc> = {:.4f}\n",
                     seconds_text(r.observe_seconds), r.observe_matvecs, r.view_matvecs, r.moments_matvecs, all.moments.nF, all.moments.nB);
  out << fmt::format("  peak resident memory {} ({}), estimate {} ({:+.0f}%)\n", format_bytes(r.peak_rss_bytes),
                     r.peak_rss_per_case ? "this case" : "process peak so far", format_bytes(r.predicted_bytes),
                     100.0 * (r.predicted_bytes / r.peak_rss_bytes - 1.0));
  out.flush();
  return r;
}

void print_table(const std::vector<BenchResult>& results, std::ostream& out) {
  out << "\nsummary (matvec: complex psi, best of repeats; GB/s = compulsory bytes / best time; % of the triad of this run)\n";
  out << fmt::format("{:>3} {:>2} {:>2} {:>6} {:>6} {:>9} {:>10} {:>10} {:>7} {:>5} {:>4} {:>9} {:>7} {:>4} {:>8} {:>9}\n", "L",
                     "M", "N", "D_F", "D_B", "D", "mv best", "mv median", "GB/s", "%tri", "kdim", "step", "matvecs",
                     "sub", "err est", "peak MiB");
  for (const BenchResult& r : results)
    out << fmt::format("{:>3} {:>2} {:>2} {:>6} {:>6} {:>9} {:>10} {:>10} {:>7.2f} {:>4.0f}% {:>4} {:>9} {:>7} {:>4} {:>8.1e} {:>9.1f}\n",
                       r.bench_case.L, r.bench_case.M, r.bench_case.N, r.dim_fermions, r.dim_bosons, r.dim,
                       seconds_text(r.matvec_best_s), seconds_text(r.matvec_median_s), r.compulsory_gbs, 100.0 * r.fraction_of_triad,
                       r.krylov_dim, seconds_text(r.step_seconds), r.step.matvecs, r.step.substeps,
                       r.step.error_estimate, r.peak_rss_bytes / kMiB);
  out << fmt::format("\n{:>3} {:>2} {:>2} {:>10} {:>8} {:>8} {:>10} {:>10} {:>9} {:>10} {:>9} {:>9} {:>9} {:>9} {:>11}\n", "L", "M", "N",
                     "mv/compuls", "CSR/mv", "step/mv", "cheb mv", "cheb warm", "cheb/mv", "cheb peak", "obs (mv)", "view (mv)",
                     "mom (mv)", "sep (mv)", "krylov mv");
  for (const BenchResult& r : results) {
    const Index cheb_mv = r.cheb.matvecs - r.cheb.bound_matvecs;
    out << fmt::format("{:>3} {:>2} {:>2} {:>9.1f}x {:>7.2f}x {:>7.2f}x {:>5}+{:<4} {:>10} {:>8.2f}x {:>10.1f} {:>9.2f} {:>9.2f} {:>9.2f} {:>9.2f} {:>11}\n",
                       r.bench_case.L, r.bench_case.M, r.bench_case.N, r.compulsory_ratio, r.csr_speedup,
                       r.step_matvec_share > 0 ? 1.0 / r.step_matvec_share : 0.0, cheb_mv, r.cheb.bound_matvecs,
                       seconds_text(r.cheb_warm_step_seconds), r.cheb_matvec_share > 0 ? 1.0 / r.cheb_matvec_share : 0.0,
                       r.cheb_peak_rss_bytes / kMiB, r.observe_matvecs, r.view_matvecs, r.moments_matvecs, r.separate_observables_matvecs,
                       r.step.matvecs);
  }
}

}  // namespace

double peak_rss_bytes() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line))
    if (line.rfind("VmHWM:", 0) == 0) return 1024.0 * std::stod(line.substr(6));  // "VmHWM:   123456 kB"
  return 0.0;
}

bool reset_peak_rss() {
  std::ofstream clear("/proc/self/clear_refs");
  if (!clear) return false;
  clear << "5";
  clear.flush();
  return static_cast<bool>(clear);
}

double stream_triad_bandwidth(std::size_t n_doubles, int repeats) {
  if (n_doubles < 1) throw InputError("", "n_doubles", "must be at least 1");
  if (repeats < 1) throw InputError("", "repeats", "must be at least 1");
  const auto n = static_cast<std::int64_t>(n_doubles);
  // Raw arrays, first touched by the threads that use them (same static schedule).
  std::unique_ptr<double[]> a(new double[n_doubles]), b(new double[n_doubles]), c(new double[n_doubles]);
  double* __restrict pa = a.get();
  double* __restrict pb = b.get();
  double* __restrict pc = c.get();
#pragma omp parallel for schedule(static)
  for (std::int64_t i = 0; i < n; ++i) {
    pa[i] = 0.0;
    pb[i] = 1.0;
    pc[i] = 2.0;
  }
  const double s = 3.0;
  double best = std::numeric_limits<double>::infinity();
  for (int rep = 0; rep < repeats; ++rep) {
    const double t0 = omp_get_wtime();
#pragma omp parallel for schedule(static)
    for (std::int64_t i = 0; i < n; ++i) pa[i] = pb[i] + s * pc[i];
    best = std::min(best, omp_get_wtime() - t0);
  }
  // Check the result so that the sweeps cannot be optimised away.
  if (pa[0] != 7.0 || pa[n - 1] != 7.0) throw Error("stream_triad_bandwidth: wrong triad result");
  return 24.0 * static_cast<double>(n_doubles) / best;
}

std::vector<BenchResult> run_bench(const BenchOptions& options, std::ostream& out) {
  validate(options);
  const std::size_t n_cases = options.quick ? 1 : options.cases.size();
  const double triad = stream_triad_bandwidth(options.triad_doubles, options.triad_repeats);
  out << fmt::format("fockmix bench: {} OpenMP threads; STREAM triad 3 x {:.0f} MB: {:.2f} GB/s (best of {}, 24 bytes an element)\n",
                     omp_get_max_threads(), 8.0 * static_cast<double>(options.triad_doubles) / 1e6, triad / 1e9,
                     options.triad_repeats);
  out << "model: 1D ring, hopping kinetic, hbar = 1, m_F = m_B = 1/2, harmonic trap 0.1, gaussian V (1, 1), lambda = 1/N; "
         "psi0 = product of the M lowest trap orbitals and the trap ground state\n";
  out.flush();
  std::vector<BenchResult> results;
  if (options.large) {
    for (const BenchCase& c : options.large_cases) results.push_back(run_large_case(c, options, triad, out));
    return results;
  }
  for (std::size_t k = 0; k < n_cases; ++k) results.push_back(run_case(options.cases[k], options, triad, out));
  print_table(results, out);
  out.flush();
  return results;
}

}  // namespace fockmix
