// fockmix bench: the triad kernel, and run_bench's unit-time step checked against a dense exponential of the
// assembled H (through eig_sym); the export file (CSR of H, psi0, result) checked against the library.
// (H.assemble() itself is checked against an independent dense construction in tests/exact.)
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <sstream>

#include "fockmix/app/bench.hpp"
#include "fockmix/core/error.hpp"
#include "fockmix/exact/sector_hamiltonian.hpp"
#include "fockmix/grid/one_body.hpp"
#include "fockmix/io/h5.hpp"

using namespace fockmix;

namespace {

/// The benchmark's model, written out independently of bench.cpp: 1D ring, -Delta_h + 0.1/2 (x - L/2)^2,
/// gaussian V (1, 1), lambda = 1/N.
struct RingModel {
  Lattice lat;
  arma::mat t, V;
  double lambda;
  RingModel(Index L, Index N) : lat({L}, 1.0), lambda(1.0 / static_cast<double>(N)) {
    t = kinetic(lat, KineticKind::Hopping, 1.0, 0.5) + arma::diagmat(potential(lat, {PotentialKind::Harmonic, 0.1, 1.0, {}, {}}));
    V = interaction_matrix(lat, {InteractionKind::Gaussian, 1.0, 1.0, 1.0, {}});
  }
};

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

TEST(Bench, UnitStepMatchesDenseExponentialAndExportMatchesLibrary) {
  TempDir dir;
  std::ostringstream log;
  const std::vector<BenchResult> results = run_bench(small_options(dir.path.string()), log);
  ASSERT_EQ(results.size(), 1u);  // quick: the first case only
  const BenchResult& r = results[0];

  // dimensions: D_F = C(6,3) = 20, D_B = C(2+5,2) = 21
  EXPECT_EQ(r.dim_fermions, 20);
  EXPECT_EQ(r.dim_bosons, 21);
  EXPECT_EQ(r.dim, 420);

  // the bytes figures against the sector dimension: read and write one complex state at least,
  // plus tables
  const double D = static_cast<double>(r.dim);
  EXPECT_GT(r.compulsory_bytes, 32.0 * D);
  EXPECT_LT(r.compulsory_bytes, 32.0 * D + 16.0 * static_cast<double>(r.nnz) + 8.0 * D);
  EXPECT_GT(r.matvec_best_s, 0.0);
  EXPECT_LE(r.matvec_best_s, r.matvec_median_s);
  EXPECT_NEAR(r.compulsory_gbs, r.compulsory_bytes / r.matvec_best_s / 1e9, 1e-9 * r.compulsory_gbs);
  EXPECT_NEAR(r.fraction_of_triad, r.compulsory_gbs / r.triad_gbs, 1e-12 * r.fraction_of_triad);
  EXPECT_GT(r.peak_rss_bytes, 0.0);

  // the step itself
  EXPECT_EQ(r.krylov_dim, 30);  // 420 states: the memory cap does not bite
  EXPECT_EQ(r.step.status, KrylovStatus::Converged);
  EXPECT_GT(r.step.matvecs, 0);
  EXPECT_LE(r.step.error_estimate, 1e-10);

  // the export: H, psi0 and psi(t = 1)
  ASSERT_FALSE(r.export_file.empty());
  const h5::File f = h5::File::open(r.export_file);
  const h5::Group root = f.root();
  EXPECT_EQ(root.attr_int("D"), r.dim);
  EXPECT_EQ(root.attr_int("D_F"), r.dim_fermions);
  EXPECT_DOUBLE_EQ(root.attr_double("fockmix_step_seconds"), r.step_seconds);
  const arma::cx_vec psi0 = root.read_cx_vec("psi0");
  const arma::cx_vec psi_t = root.read_cx_vec("psi_t");
  const std::vector<std::int64_t> indptr = root.read_ints("H/indptr");
  const std::vector<std::int64_t> indices = root.read_ints("H/indices");
  const arma::vec data = root.read_vec("H/data");
  ASSERT_EQ(indptr.size(), static_cast<std::size_t>(r.dim + 1));
  ASSERT_EQ(indices.size(), data.n_elem);
  ASSERT_EQ(static_cast<arma::uword>(indptr.back()), data.n_elem);
  arma::mat H_csr(r.dim, r.dim, arma::fill::zeros);
  for (Index row = 0; row < r.dim; ++row)
    for (std::int64_t k = indptr[row]; k < indptr[row + 1]; ++k) H_csr(row, indices[k]) = data(k);

  // the same Hamiltonian built here from the model's description
  const RingModel m(6, 2);
  const Sector s(6, 3, 2);
  const SectorHamiltonian H(s, m.t, m.t, m.V, m.lambda);
  const arma::mat Hd(H.assemble());
  EXPECT_EQ(arma::abs(H_csr - Hd).max(), 0.0) << "the CSR export is H.assemble() entry by entry";
  EXPECT_EQ(arma::abs(Hd - Hd.t()).max(), 0.0) << "CSC arrays double as CSR arrays only for an exactly symmetric H";

  // the matrix-free action agrees with the exported matrix
  arma::cx_vec Hpsi0(r.dim);
  H.apply(psi0.memptr(), Hpsi0.memptr());
  EXPECT_LT(arma::norm(Hpsi0 - H_csr * psi0), 1e-12 * arma::norm(Hpsi0));

  // psi0: normalised product state with the reported energy
  EXPECT_NEAR(arma::norm(psi0), 1.0, 1e-12);
  EXPECT_NEAR(arma::cdot(psi0, Hd * psi0).real(), r.energy, 1e-12 * std::max(1.0, std::abs(r.energy)));

  // unit-time step against the dense exponential through eig_sym (arma::expmat loses digits)
  arma::vec w;
  arma::mat Q;
  ASSERT_TRUE(arma::eig_sym(w, Q, Hd));
  arma::cx_vec phase(w.n_elem);
  for (arma::uword k = 0; k < w.n_elem; ++k) phase(k) = std::polar(1.0, -w(k));  // t = hbar = 1
  const arma::cx_vec exact = arma::cx_mat(Q, arma::zeros(Q.n_rows, Q.n_cols)) *
                             (phase % (arma::cx_mat(Q.t(), arma::zeros(Q.n_cols, Q.n_rows)) * psi0));
  EXPECT_LT(arma::norm(psi_t - exact), 1e-9);
  EXPECT_NE(log.str().find("summary"), std::string::npos);

  // the additions of the same run: CSR reference, Chebyshev step, observables
  EXPECT_GT(r.csr_matvec_best_s, 0.0);
  EXPECT_NEAR(r.csr_speedup, r.csr_matvec_best_s / r.matvec_best_s, 1e-12 * r.csr_speedup);
  EXPECT_NEAR(r.compulsory_ratio * r.fraction_of_triad, 1.0, 1e-12);
  EXPECT_EQ(r.cheb.status, ChebyshevStatus::Converged);
  EXPECT_GT(r.cheb.matvecs, r.cheb.bound_matvecs);
  EXPECT_GT(r.cheb.bound_matvecs, 0);
  EXPECT_LT(r.cheb_vs_lanczos, 2e-10);
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
  EXPECT_GT(r.predicted_bytes, 5 * 16.0 * 420);
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
