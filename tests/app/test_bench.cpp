// fockmix bench: the triad kernel, and run_bench's figures checked against quantities computed here
// independently of the library: the export (CSR of H, psi0, result) against the independent dense
// Hamiltonian of tests/exact/dense_reference (built by different code) and a dense exponential of it, the
// reported nonzeros and compulsory bytes against counts from that construction, and the reported matvec counts
// against the calls a counting wrapper of the kernel sees.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <sstream>

#include "exact/dense_reference.hpp"
#include "fockmix/app/bench.hpp"
#include "fockmix/core/error.hpp"
#include "fockmix/exact/sector_hamiltonian.hpp"
#include "fockmix/io/h5.hpp"
#include "fockmix/linalg/chebyshev.hpp"
#include "fockmix/linalg/krylov.hpp"

using namespace fockmix;

namespace {

/// The benchmark's model, written out here by hand (no library grid functions): a 1D ring of L sites, h = 1,
/// m = 1/2 so that K = -Delta_h (2 on the diagonal, -1 to each neighbour), harmonic trap 0.1/2 (x - L/2)^2
/// (minimum image) in both one-body terms, gaussian V(r) = exp(-r^2/2) (minimum image), lambda = 1/N.
struct RingModel {
  arma::mat t, V;
  double lambda;
  RingModel(Index L, Index N) : t(L, L, arma::fill::zeros), V(L, L), lambda(1.0 / static_cast<double>(N)) {
    auto min_image = [L](double r) {
      while (r > 0.5 * L) r -= static_cast<double>(L);
      while (r <= -0.5 * L) r += static_cast<double>(L);
      return r;
    };
    for (Index x = 0; x < L; ++x) {
      const double r = min_image(static_cast<double>(x) - 0.5 * static_cast<double>(L));
      t(x, x) = 2.0 + 0.05 * r * r;
      t(x, (x + 1) % L) -= 1.0;
      t(x, (x + L - 1) % L) -= 1.0;
      for (Index y = 0; y < L; ++y) {
        const double d = min_image(static_cast<double>(x - y));
        V(x, y) = std::exp(-0.5 * d * d);
      }
    }
  }
};

/// Counts the applications of the kernel (the matvec figures are checked against it).
struct CountingOp {
  using Scalar = cplx;
  const SectorHamiltonian& H;
  mutable Index calls = 0;
  Index rows() const { return H.rows(); }
  void apply(const cplx* in, cplx* out) const {
    ++calls;
    H.apply(in, out);
  }
};

/// Off-diagonal nonzeros of the one-body part sum_{x != x'} t(x, x') c*_x c_x' in one species' space, from
/// the dense reference's operators: the rows of the kernel table T_F or T_B.
Index offdiagonal_nonzeros(const std::vector<arma::mat>& cdc, const arma::mat& t) {
  const Index L = static_cast<Index>(t.n_rows);
  arma::mat A(arma::size(cdc[0]), arma::fill::zeros);
  for (Index x = 0; x < L; ++x)
    for (Index y = 0; y < L; ++y)
      if (x != y) A += t(x, y) * cdc[x * L + y];
  A.diag().zeros();
  return static_cast<Index>(arma::accu(A != 0.0));
}

BenchOptions small_options(const std::string& export_dir) {
  BenchOptions o;
  o.cases = {{6, 3, 2}, {7, 3, 3}};
  o.quick = true;  // only the first case
  o.repeats = 3;
  o.triad_doubles = std::size_t{1} << 20;
  o.triad_repeats = 2;
  o.export_dir = export_dir;
  return o;
}

struct TempDir {
  std::filesystem::path path;
  TempDir() : path(std::filesystem::temp_directory_path() / ("fockmix_test_bench_" + std::to_string(::getpid()))) {
    std::filesystem::create_directories(path);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
};

}  // namespace

TEST(Bench, TriadBandwidthIsPositiveAndFinite) {
  const double bw = stream_triad_bandwidth(std::size_t{1} << 20, 3);
  EXPECT_GT(bw, 0.0);
  EXPECT_TRUE(std::isfinite(bw));
  EXPECT_THROW(stream_triad_bandwidth(0, 3), InputError);
  EXPECT_THROW(stream_triad_bandwidth(100, 0), InputError);
}

TEST(Bench, PeakMemoryIsReported) {
  EXPECT_GT(peak_rss_bytes(), 0.0);
  reset_peak_rss();  // may be refused by the kernel; the peak must stay readable either way
  EXPECT_GT(peak_rss_bytes(), 0.0);
}

TEST(Bench, FiguresAndExportAgreeWithAnIndependentDenseHamiltonian) {
  TempDir dir;
  std::ostringstream log;
  const BenchOptions opt = small_options(dir.path.string());
  const std::vector<BenchResult> results = run_bench(opt, log);
  ASSERT_EQ(results.size(), 1u);  // quick: the first case only
  const BenchResult& r = results[0];

  // dimensions: D_F = C(6,3) = 20, D_B = C(2+5,2) = 21
  EXPECT_EQ(r.dim_fermions, 20);
  EXPECT_EQ(r.dim_bosons, 21);
  EXPECT_EQ(r.dim, 420);

  // the independent dense H of the same model (reference ordering; ref.permutation maps ours to it)
  const Index L = 6, M = 3, N = 2;
  const RingModel m(L, N);
  const test::DenseReference ref = test::build_reference(L, M, N, 0, m.t, m.t, m.V, m.lambda);
  const Sector s(L, M, N);
  const std::vector<Index> perm = ref.permutation(s);
  const Index dense_nnz = static_cast<Index>(arma::accu(ref.H != 0.0));

  // nonzeros and compulsory bytes from first principles (docs/performance.md, "The bytes model"):
  // psi in and H psi out (32 D), 12 bytes a nonzero of T_F and T_B, 8 bytes an entry of W (D_F x L), diag_F, diag_B
  EXPECT_EQ(r.nnz, dense_nnz);
  EXPECT_NE(log.str().find("nnz(H) = " + std::to_string(dense_nnz)), std::string::npos) << log.str();
  const Index tF = offdiagonal_nonzeros(ref.cdc_F, m.t), tB = offdiagonal_nonzeros(ref.cdc_B, m.t);
  EXPECT_EQ(dense_nnz, r.dim + tF * r.dim_bosons + tB * r.dim_fermions);  // the two counts agree with each other
  const double bytes = 32.0 * 420 + 12.0 * static_cast<double>(tF + tB) + 8.0 * static_cast<double>(20 * L + 20 + 21);
  EXPECT_EQ(r.compulsory_bytes, bytes);
  EXPECT_GT(r.matvec_best_s, 0.0);
  EXPECT_LE(r.matvec_best_s, r.matvec_median_s);
  // a run's unit of time with outputs every 0.1: dense output against a new basis per output, same states
  EXPECT_GT(r.run_dense_matvecs, 0);
  EXPECT_LT(r.run_dense_matvecs, r.run_fresh_matvecs);
  EXPECT_LT(r.run_difference, 2e-10);
  EXPECT_NEAR(r.compulsory_gbs, bytes / r.matvec_best_s / 1e9, 1e-9 * r.compulsory_gbs);
  EXPECT_NEAR(r.fraction_of_triad * r.triad_gbs * 1e9 * r.matvec_best_s, bytes, 1e-9 * bytes);
  EXPECT_GT(r.peak_rss_bytes, 0.0);

  // the export: H, psi0 and psi(t = 1)
  ASSERT_FALSE(r.export_file.empty());
  const h5::File f = h5::File::open(r.export_file);
  const h5::Group root = f.root();
  EXPECT_EQ(root.attr_int("D"), 420);
  EXPECT_EQ(root.attr_int("D_F"), 20);
  EXPECT_EQ(root.group("H").attr_int("nnz"), dense_nnz);
  const arma::cx_vec psi0 = root.read_cx_vec("psi0");
  const arma::cx_vec psi_t = root.read_cx_vec("psi_t");
  const std::vector<std::int64_t> indptr = root.read_ints("H/indptr");
  const std::vector<std::int64_t> indices = root.read_ints("H/indices");
  const arma::vec data = root.read_vec("H/data");
  ASSERT_EQ(indptr.size(), static_cast<std::size_t>(r.dim + 1));
  ASSERT_EQ(indices.size(), data.n_elem);
  ASSERT_EQ(static_cast<arma::uword>(indptr.back()), data.n_elem);
  ASSERT_EQ(data.n_elem, static_cast<arma::uword>(dense_nnz));
  // read as CSR (rows i + j D_F) straight into the reference ordering
  arma::mat H_csr(r.dim, r.dim, arma::fill::zeros);
  for (Index row = 0; row < r.dim; ++row)
    for (std::int64_t k = indptr[row]; k < indptr[row + 1]; ++k) {
      ASSERT_GE(indices[k], 0);
      ASSERT_LT(indices[k], r.dim);
      H_csr(perm[row], perm[indices[k]]) += data(k);
    }
  EXPECT_LT(arma::abs(H_csr - ref.H).max(), 1e-12 * arma::abs(ref.H).max()) << "the CSR export is the Hamiltonian (3.4)";

  // psi0: the product of the M lowest trap orbitals and the trap ground state, built here in the reference
  // ordering: det[phi_j(x_i)] sqrt(N!/prod n_y!) prod phi_0(y)^{n_y} (SPEC §3); equal up to the eigenvectors' signs
  arma::vec e;
  arma::mat Q;
  ASSERT_TRUE(arma::eig_sym(e, Q, m.t));
  arma::cx_vec product(r.dim);
  for (Index b = 0; b < ref.DB; ++b) {
    double boson = std::tgamma(static_cast<double>(N) + 1.0);
    double amp = 1.0;
    for (Index y = 0; y < L; ++y) {
      const int n = ref.boson_states[b][y];
      boson /= std::tgamma(n + 1.0);
      amp *= std::pow(Q(y, 0), n);
    }
    for (Index a = 0; a < ref.DF; ++a) {
      arma::mat S(M, M);
      for (Index i = 0; i < M; ++i)
        for (Index j = 0; j < M; ++j) S(i, j) = Q(ref.fermion_states[a][i], j);
      product(a + b * ref.DF) = arma::det(S) * std::sqrt(boson) * amp;
    }
  }
  const arma::cx_vec psi0_ref = ref.to_reference(s, psi0);
  EXPECT_NEAR(arma::norm(product), 1.0, 1e-12);
  EXPECT_NEAR(std::abs(arma::cdot(product, psi0_ref)), 1.0, 1e-12);
  EXPECT_NEAR(r.energy, arma::cdot(product, ref.H * product).real(), 1e-12 * std::max(1.0, std::abs(r.energy)));

  // psi(t = 1): the dense exponential of the reference H applied to the exported psi0
  const arma::cx_vec exact = test::exp_hermitian(ref.H, 1.0) * psi0_ref;
  EXPECT_LT(arma::norm(ref.to_reference(s, psi_t) - exact), 1e-9);
  EXPECT_NE(log.str().find("summary"), std::string::npos);

  // the matvec counts: the same propagators run on a counting wrapper of the kernel from the same psi0
  const SectorHamiltonian H(s, m.t, m.t, m.V, m.lambda);
  const CountingOp counter{H};
  EXPECT_EQ(r.krylov_dim, 30);  // 420 states: the memory cap does not bite
  EXPECT_EQ(r.step.status, KrylovStatus::Converged);
  EXPECT_LE(r.step.error_estimate, 1e-10);
  {
    arma::cx_vec psi = psi0;
    KrylovPropagator<CountingOp> prop(counter, {opt.tolerance, r.krylov_dim, 1.0});
    const KrylovResult k = prop.propagate(psi.memptr(), 1.0);
    EXPECT_EQ(counter.calls, k.matvecs);
    EXPECT_EQ(r.step.matvecs, counter.calls) << "the reported Lanczos matvecs are the kernel calls of the step";
    EXPECT_LT(arma::norm(psi - psi_t), 1e-9);  // psi_t went forward, back and forward again
  }
  EXPECT_EQ(r.cheb.status, ChebyshevStatus::Converged);
  {
    arma::cx_vec psi = psi0;
    counter.calls = 0;
    ChebyshevOptions co;
    co.tolerance = opt.tolerance;
    ChebyshevPropagator<CountingOp> cheb(counter, co);
    Index bound_calls = 0;
    cheb.bounds(&bound_calls);
    EXPECT_EQ(counter.calls, bound_calls);
    EXPECT_EQ(r.cheb.bound_matvecs, bound_calls);
    cheb.propagate(psi.memptr(), 1.0);
    EXPECT_EQ(r.cheb.matvecs, counter.calls) << "the reported Chebyshev matvecs are the kernel calls, bounds included";
    EXPECT_LT(arma::norm(ref.to_reference(s, psi) - exact), 2e-10);
  }
  EXPECT_LT(r.cheb_vs_lanczos, 2e-10);
  // the window of unit-spaced outputs: one expansion to its last time, fewer matvecs than a unit step each
  EXPECT_GT(r.cheb_window_span, 1.0);
  EXPECT_LT(static_cast<double>(r.cheb_window_matvecs), r.cheb_window_span * static_cast<double>(r.cheb.terms - 1));

  // the additions of the same run: CSR reference, observables (wall clock: only that they ran)
  EXPECT_GT(r.csr_matvec_best_s, 0.0);
  EXPECT_GT(r.csr_speedup, 0.0);
  EXPECT_GT(r.observe_seconds, 0.0);
  EXPECT_GT(r.observe_matvecs, 0.0);
  EXPECT_GT(r.separate_observables_seconds, 0.0);
  EXPECT_GT(r.step_matvec_share, 0.0);
}

TEST(Bench, LargeModeRunsTheChosenPropagatorAndOneOutput) {
  std::ostringstream log;
  BenchOptions o = small_options("");
  o.large = true;
  o.large_cases = {{6, 3, 2}};
  o.large_memory_limit_gib = 1.0;
  o.large_propagator = PropagatorPreference::Chebyshev;
  const std::vector<BenchResult> results = run_bench(o, log);
  ASSERT_EQ(results.size(), 1u);
  const BenchResult& r = results[0];
  EXPECT_EQ(r.propagator, PropagatorKind::Chebyshev);
  EXPECT_EQ(r.cheb.status, ChebyshevStatus::Converged);
  EXPECT_GT(r.cheb.matvecs, 0);
  EXPECT_LE(r.cheb.error_estimate, 1e-10);
  EXPECT_GT(r.output_seconds, 0.0);
  EXPECT_GT(r.predicted_bytes, 4 * 16.0 * 420);  // psi and three recurrence buffers + tables
  EXPECT_GT(r.peak_rss_bytes, 0.0);
  // Auto with plenty of memory: Lanczos
  o.large_propagator = PropagatorPreference::Auto;
  EXPECT_EQ(run_bench(o, log)[0].propagator, PropagatorKind::Lanczos);
  o.large_memory_limit_gib = 1e-6;
  EXPECT_THROW(run_bench(o, log), CapacityError);
}

TEST(Bench, InvalidOptionsThrow) {
  std::ostringstream log;
  BenchOptions o = small_options("");
  o.repeats = 0;
  EXPECT_THROW(run_bench(o, log), InputError);
  o = small_options("");
  o.cases.clear();
  EXPECT_THROW(run_bench(o, log), InputError);
  o = small_options("");
  o.cases = {{6, 7, 2}};
  EXPECT_THROW(run_bench(o, log), InputError);
  o = small_options("");
  o.cases = {{6, 3, 0}};
  EXPECT_THROW(run_bench(o, log), InputError);
  o = small_options("");
  o.tolerance = 0.0;
  EXPECT_THROW(run_bench(o, log), InputError);
  o = small_options("");
  o.memory_limit_gib = 1e-6;  // 4 KiB: no room for the Krylov space
  EXPECT_THROW(run_bench(o, log), CapacityError);
}

// The Vlasov transport benchmark advances the phase-space grid it reports (L x (2 L_a)^d cells) and
// conserves the mass to round-off in both its uncoupled and coupled runs.
TEST(Bench, VlasovStepConservesMassOnTheReportedGrid) {
  std::ostringstream out;
  const auto results = fockmix::run_vlasov_bench({2, 6, 1}, out);
  ASSERT_EQ(results.size(), 2u);
  for (const auto& r : results) {
    EXPECT_EQ(r.sites, 36);
    EXPECT_EQ(r.momenta, 144);
    EXPECT_EQ(r.cells, 36 * 144);
    EXPECT_LT(r.mass_drift, 1e-12);
    EXPECT_GT(r.cells_per_second, 0.0);
  }
  EXPECT_EQ(results[0].lambda, 0.0);
  EXPECT_GT(results[1].lambda, 0.0);
}
