// The distributed exact engine (src/distributed) against the serial one, run with 1 and 2 MPI ranks: the MATSHELL
// multiply against SectorHamiltonian::apply, SLEPc's MFN against the serial Lanczos propagator, the reduced
// observables against observe / fluctuation_moments, and the ghost-column count against one made here from the
// boson basis (docs/distributed.md).
#include <gtest/gtest.h>

#include <iostream>
#include <set>

#include "fockmix/distributed/distributed_footprint.hpp"
#include "fockmix/distributed/distributed_hamiltonian.hpp"
#include "fockmix/distributed/distributed_observables.hpp"
#include "fockmix/distributed/mfn_propagator.hpp"
#include "fockmix/exact/initial_state.hpp"
#include "fockmix/exact/observables.hpp"
#include "fockmix/exact/sector_hamiltonian.hpp"
#include "fockmix/grid/one_body.hpp"
#include "fockmix/linalg/krylov.hpp"

using namespace fockmix;

namespace {

struct Case {
  std::vector<Index> extent;
  KineticKind kinetic;
  Index M, N, cap;
  double lambda;
};

std::ostream& operator<<(std::ostream& os, const Case& c) {
  os << "L=";
  for (Index e : c.extent) os << e << ' ';
  return os << to_string(c.kinetic) << " M=" << c.M << " N=" << c.N << " cap=" << c.cap;
}

/// A sector with its one-body matrices (trap on the fermions, cosine potential on the bosons, Gaussian V).
struct Problem {
  Lattice lat;
  arma::mat tF, tB, V;
  Sector sector;
  SectorHamiltonian H;
  explicit Problem(const Case& c)
      : lat(c.extent, 0.7),
        tF(kinetic(lat, c.kinetic, 1.1, 0.6) + arma::diagmat(potential(lat, {PotentialKind::Harmonic, 0.3, 1.0, {}, {}}))),
        tB(kinetic(lat, c.kinetic, 1.1, 0.9) + arma::diagmat(potential(lat, {PotentialKind::Cosine, 0.2, 1.0, {}, {}}))),
        V(interaction_matrix(lat, InteractionSpec{InteractionKind::Gaussian, 1.3, 0.8, 1.0, {}})),
        sector(lat.sites(), c.M, c.N, c.cap),
        H(sector, tF, tB, V, c.lambda) {}
};

/// The same pseudo-random state on every rank (fixed seed), normalised.
arma::cx_vec random_state(Index D, int seed) {
  arma::arma_rng::set_seed(seed);
  arma::cx_vec v = arma::randn<arma::cx_vec>(D);
  return v / arma::norm(v);
}

arma::cx_mat random_orbitals(Index L, Index M, int seed) {
  arma::arma_rng::set_seed(seed);
  arma::cx_mat Q, R;
  arma::qr_econ(Q, R, arma::cx_mat(arma::randn<arma::cx_mat>(L, M)));
  return Q;
}

arma::cx_vec to_arma(const std::vector<cplx>& v) { return arma::cx_vec(v.data(), v.size()); }

int comm_rank() {
  int r = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &r);
  return r;
}
int comm_size() {
  int s = 1;
  MPI_Comm_size(MPI_COMM_WORLD, &s);
  return s;
}

/// The ghost columns of the block [j0, j1), counted here from the boson basis: for every own state and every
/// boson move y -> y' (n_y > 0, y' != y, within the cap) with t_B(y', y) != 0, the rank of the moved occupations.
std::set<Index> count_ghosts(const Sector& s, const arma::mat& tB, Index j0, Index j1) {
  const BosonBasis& B = s.bosons();
  const Index L = s.sites();
  const Index cap = B.truncated() ? B.cap() : B.max_particles();
  std::set<Index> out;
  std::vector<std::uint8_t> n(static_cast<std::size_t>(L));
  for (Index j = j0; j < j1; ++j) {
    std::copy(B.occupations(j), B.occupations(j) + L, n.begin());
    for (Index y = 0; y < L; ++y)
      for (Index yp = 0; yp < L; ++yp) {
        if (yp == y || n[y] == 0 || n[yp] + 1 > cap || tB(yp, y) == 0.0) continue;
        --n[y];
        ++n[yp];
        const Index t = B.rank(n.data());
        ++n[y];
        --n[yp];
        if (t < j0 || t >= j1) out.insert(t);
      }
  }
  return out;
}

const std::vector<Case> kCases = {
    {{6}, KineticKind::Hopping, 2, 3, 0, 0.8},    {{6}, KineticKind::Spectral, 3, 3, 0, 1.1},
    {{5}, KineticKind::Hopping, 2, 4, 2, 0.9},    {{5}, KineticKind::Spectral, 2, 3, 2, 1.3},
    {{3, 2}, KineticKind::Hopping, 2, 3, 0, 0.7}, {{2, 3}, KineticKind::Spectral, 3, 2, 0, 1.2},
    {{3, 2}, KineticKind::Spectral, 2, 4, 2, 0.6}};

class Distributed : public ::testing::TestWithParam<Case> {};

TEST_P(Distributed, MatShellMultiplyEqualsSerialApply) {
  const Problem p(GetParam());
  const Index D = p.H.rows();
  DistributedHamiltonian Hd(p.H, MPI_COMM_WORLD);
  for (int seed : {1, 2}) {
    const arma::cx_vec psi = random_state(D, seed);
    arma::cx_vec ref(D);
    p.H.apply(psi.memptr(), ref.memptr());
    PetscVec x = Hd.create_vector(), y = Hd.create_vector();
    scatter_from_full(psi.memptr(), x.get());
    petsc_check(MatMult(Hd.matrix(), x.get(), y.get()), "MatMult");  // through PETSc's shell
    const arma::cx_vec got = to_arma(gather_to_all(y.get()));
    EXPECT_LT(arma::abs(got - ref).max(), 1e-12 * std::max(1.0, arma::abs(ref).max())) << GetParam();
  }
  EXPECT_EQ(Hd.matvecs(), 2);
}

TEST_P(Distributed, GhostColumnsMatchAnIndependentCount) {
  const Problem p(GetParam());
  DistributedHamiltonian Hd(p.H, MPI_COMM_WORLD);
  const std::set<Index> expected = count_ghosts(p.sector, p.tB, Hd.first_column(), Hd.last_column());
  const std::vector<Index>& got = Hd.ghost_columns();
  EXPECT_EQ(std::set<Index>(got.begin(), got.end()), expected) << GetParam();
  EXPECT_EQ(got.size(), expected.size());
  const double DF = static_cast<double>(p.sector.dim_fermions());
  EXPECT_EQ(Hd.ghost_bytes(), static_cast<double>(expected.size()) * DF * 16.0);
  // with one rank nothing is remote
  if (comm_size() == 1) {
    EXPECT_TRUE(got.empty());
  }
  double total = Hd.ghost_bytes();
  MPI_Allreduce(MPI_IN_PLACE, &total, 1, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
  if (comm_rank() == 0)
    std::cout << "[ volume   ] " << GetParam() << " D_F=" << p.sector.dim_fermions() << " D_B=" << p.sector.dim_bosons()
              << " P=" << comm_size() << ": " << total << " bytes per matvec over all ranks ("
              << total / (16.0 * static_cast<double>(p.H.rows())) << " of the state)\n";
}

// `fockmix info`'s memory per rank (distributed_footprint.hpp) counts, without MPI, the ghost columns the engine
// builds on this rank: the Hamiltonian's and the observer's; and the own part is this rank's block.
TEST_P(Distributed, FootprintCountsTheEnginesGhostColumns) {
  const Problem p(GetParam());
  DistributedHamiltonian Hd(p.H, MPI_COMM_WORLD);
  const DistributedObserver obs(Hd);
  const RankMemory m = rank_memory(p.H, comm_size(), comm_rank(), 8, 123.0);
  EXPECT_EQ(m.columns, Hd.last_column() - Hd.first_column());
  EXPECT_EQ(m.ghost_columns, static_cast<Index>(Hd.ghost_columns().size())) << GetParam();
  EXPECT_EQ(m.observer_columns, static_cast<Index>(obs.ghost_columns().size())) << GetParam();
  EXPECT_EQ(m.own_bytes, static_cast<double>(Hd.local_size()) * 16.0);
  EXPECT_EQ(m.ghost_bytes, Hd.ghost_bytes() + obs.ghost_bytes());
  EXPECT_EQ(m.total_bytes, 12.0 * m.own_bytes + m.ghost_bytes + 123.0);
  const DistributedFootprint fp = distributed_footprint(p.H, comm_size(), 8, 123.0);
  double largest = m.total_bytes, exchanged = Hd.ghost_bytes();
  MPI_Allreduce(MPI_IN_PLACE, &largest, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
  MPI_Allreduce(MPI_IN_PLACE, &exchanged, 1, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
  EXPECT_EQ(fp.largest.total_bytes, largest);
  EXPECT_EQ(fp.exchanged_bytes, exchanged);
  // one rank holds everything and receives nothing; more ranks need no more memory each, here
  const DistributedFootprint one = distributed_footprint(p.H, 1, 8, 0.0);
  EXPECT_EQ(one.largest.ghost_columns + one.largest.observer_columns, 0);
  EXPECT_EQ(ranks_needed(p.H, 8, 0.0, one.largest.total_bytes, nullptr), 1);
  EXPECT_EQ(ranks_needed(p.H, 8, 1e30, 1e20, nullptr), 0);  // tables that fit no rank
  EXPECT_THROW(rank_memory(p.H, 0, 0, 8, 0.0), InputError);
  EXPECT_THROW(rank_memory(p.H, 2, 2, 8, 0.0), InputError);
  EXPECT_THROW(rank_memory(p.H, 1, 0, 3, 0.0), InputError);
}

TEST_P(Distributed, MfnExponentialEqualsSerialKrylov) {
  const Problem p(GetParam());
  const Index D = p.H.rows();
  DistributedHamiltonian Hd(p.H, MPI_COMM_WORLD);
  for (const auto& [t, hbar] : {std::pair{1.0, 1.0}, std::pair{-0.7, 0.6}}) {
    MfnOptions opt;  // the defaults (basis size 8), at a tighter tolerance
    opt.tolerance = 1e-12;
    opt.hbar = hbar;
    MfnPropagator mfn(Hd, opt);
    KrylovPropagator<SectorHamiltonian> krylov(p.H, {1e-12, 30, hbar});
    arma::cx_vec ref = random_state(D, 3);
    PetscVec x = Hd.create_vector();
    scatter_from_full(ref.memptr(), x.get());
    const KrylovResult k = krylov.propagate(ref.memptr(), t);
    ASSERT_EQ(k.status, KrylovStatus::Converged);
    const MfnResult r = mfn.propagate(x.get(), t);
    EXPECT_EQ(r.status, MfnStatus::Converged) << GetParam();
    EXPECT_GT(r.matvecs, 0);
    const arma::cx_vec got = to_arma(gather_to_all(x.get()));
    EXPECT_LT(arma::abs(got - ref).max(), 1e-10) << GetParam() << " t=" << t << " hbar=" << hbar;
    EXPECT_NEAR(arma::norm(got), 1.0, 1e-10);
    if (comm_rank() == 0)
      std::cout << "[ mfn      ] " << GetParam() << " t=" << t << " hbar=" << hbar << ": MFN " << r.matvecs << " matvecs ("
                << r.restarts << " restarts), Lanczos " << k.matvecs << " matvecs; max |difference| "
                << arma::abs(got - ref).max() << "\n";
  }
}

TEST_P(Distributed, ReducedObservablesEqualSerialOnes) {
  const Case c = GetParam();
  const Problem p(c);
  const Index L = p.sector.sites();
  DistributedHamiltonian Hd(p.H, MPI_COMM_WORLD);
  DistributedObserver obs(Hd);
  EXPECT_EQ(obs.ghost_bytes(), static_cast<double>(obs.ghost_columns().size() * p.sector.dim_fermions()) * 16.0);
  const arma::cx_vec psi = random_state(p.H.rows(), 4);
  const arma::cx_mat orb = random_orbitals(L, c.M, 5);
  const arma::cx_mat omega = orb * orb.t();
  arma::cx_vec phi = random_orbitals(L, 1, 6).col(0);
  PetscVec x = Hd.create_vector();
  scatter_from_full(psi.memptr(), x.get());
  const SectorObservables got = obs.observe(x.get(), omega, phi, true);
  // the separate serial functions (not the fused pass) as the reference
  const arma::cx_mat gF = rdm_fermions(p.sector, psi.memptr()), gB = rdm_bosons(p.sector, psi.memptr());
  EXPECT_LT(arma::abs(got.gamma_F - gF).max(), 1e-12) << c;
  EXPECT_LT(arma::abs(got.gamma_B - gB).max(), 1e-12) << c;
  EXPECT_LT(arma::abs(got.density_F - arma::real(gF.diag())).max(), 1e-12);
  EXPECT_LT(arma::abs(got.density_B - arma::real(gB.diag())).max(), 1e-12);
  const FluctuationMoments m = fluctuation_moments(p.sector, psi.memptr(), omega, phi);
  EXPECT_NEAR(got.moments.nF, m.nF, 1e-12 * std::max(1.0, std::abs(m.nF)));
  EXPECT_NEAR(got.moments.nF2, m.nF2, 1e-12 * std::max(1.0, std::abs(m.nF2)));
  EXPECT_NEAR(got.moments.nB, m.nB, 1e-12 * std::max(1.0, std::abs(m.nB)));
  EXPECT_NEAR(got.moments.nB2, m.nB2, 1e-12 * std::max(1.0, std::abs(m.nB2)));
  // traces (SPEC §9) as an anchor independent of both implementations
  EXPECT_NEAR(arma::trace(got.gamma_F).real(), static_cast<double>(c.M), 1e-12);
  EXPECT_NEAR(arma::trace(got.gamma_B).real(), static_cast<double>(c.N), 1e-12);
}

TEST_P(Distributed, ProductStateAndEnergyEqualSerialOnes) {
  const Case c = GetParam();
  const Problem p(c);
  const Index L = p.sector.sites();
  DistributedHamiltonian Hd(p.H, MPI_COMM_WORLD);
  const arma::cx_mat orb = random_orbitals(L, c.M, 11);
  const arma::cx_vec phi = random_orbitals(L, 1, 12).col(0);
  const arma::cx_vec ref = product_state(p.sector, orb, phi);
  PetscVec psi = distributed_product_state(Hd, orb, phi);
  EXPECT_LT(arma::abs(to_arma(gather_to_all(psi.get())) - ref).max(), 1e-15) << c;
  arma::cx_vec Href(p.H.rows());
  p.H.apply(ref.memptr(), Href.memptr());
  const double e_ref = arma::cdot(ref, Href).real();
  PetscVec scratch = Hd.create_vector();
  EXPECT_NEAR(distributed_energy(Hd, psi.get(), scratch.get()), e_ref, 1e-12 * std::max(1.0, std::abs(e_ref))) << c;
}

INSTANTIATE_TEST_SUITE_P(Sectors, Distributed, ::testing::ValuesIn(kCases));

TEST(DistributedKernel, BadArgumentsThrow) {
  const Problem p(kCases[0]);
  const Index DB = p.sector.dim_bosons();
  std::vector<cplx> buf(static_cast<std::size_t>(p.H.rows()));
  EXPECT_THROW(p.H.apply_columns(0, DB + 1, buf.data(), buf.data(), nullptr, buf.data()), InputError);
  EXPECT_THROW(p.H.apply_columns(3, 2, buf.data(), buf.data(), nullptr, buf.data()), InputError);
  EXPECT_THROW(p.H.boson_neighbours(-1, 2), InputError);
  DistributedHamiltonian Hd(p.H, MPI_COMM_WORLD);
  EXPECT_THROW(MfnPropagator(Hd, {0.0, 30, 100, 1.0}), InputError);
  EXPECT_THROW(MfnPropagator(Hd, {1e-10, 3, 100, 1.0}), InputError);
  EXPECT_THROW(MfnPropagator(Hd, {1e-10, 30, 0, 1.0}), InputError);
  EXPECT_THROW(MfnPropagator(Hd, {1e-10, 30, 100, -1.0}), InputError);
}

TEST(DistributedKernel, MfnReportsAnUnmetTolerance) {
  // a 4-vector basis with one restart cannot reach 1e-14 over t ||H|| ~ 10^2: the reason maps to a failure status
  const Problem p(kCases[0]);
  DistributedHamiltonian Hd(p.H, MPI_COMM_WORLD);
  MfnPropagator mfn(Hd, {1e-14, 4, 1, 1.0});
  PetscVec x = Hd.create_vector();
  const arma::cx_vec psi = random_state(p.H.rows(), 9);
  scatter_from_full(psi.memptr(), x.get());
  EXPECT_NE(mfn.propagate(x.get(), 20.0).status, MfnStatus::Converged);
  EXPECT_EQ(mfn_status(MFN_CONVERGED_TOL), MfnStatus::Converged);
  EXPECT_EQ(mfn_status(MFN_DIVERGED_ITS), MfnStatus::IterationLimit);
  EXPECT_EQ(mfn_status(MFN_DIVERGED_BREAKDOWN), MfnStatus::Breakdown);
}

}  // namespace
