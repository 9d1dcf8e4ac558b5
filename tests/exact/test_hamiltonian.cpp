// The matrix-free Hamiltonian against the independent dense construction (SPEC §3, §9).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <sstream>
#include <vector>

#include "exact/dense_reference.hpp"
#include "fockmix/core/parallel.hpp"
#include "fockmix/exact/sector_hamiltonian.hpp"
#include "fockmix/grid/one_body.hpp"

using namespace fockmix;

namespace {

struct Case {
  std::vector<Index> extent;
  KineticKind kinetic;
  Index M, N, cap;
  double lambda;
};

arma::mat apply_columns(const SectorHamiltonian& H) {
  const Index D = H.rows();
  arma::cx_mat out(D, D);
  arma::cx_vec e(D, arma::fill::zeros);
  for (Index k = 0; k < D; ++k) {
    e(k) = 1.0;
    H.apply(e.memptr(), out.colptr(k));
    e(k) = 0.0;
  }
  EXPECT_LT(arma::abs(arma::imag(out)).max(), 1e-15);
  return arma::real(out);
}

class HamiltonianVsDense : public ::testing::TestWithParam<Case> {};

TEST_P(HamiltonianVsDense, EqualsIndependentDenseMatrix) {
  const Case c = GetParam();
  const Lattice lat(c.extent, 0.7);
  const Index L = lat.sites();
  PotentialSpec trap{PotentialKind::Harmonic, 0.3, 1.0, {}, {}};
  PotentialSpec cosine{PotentialKind::Cosine, 0.2, 1.0, {}, {}};
  const arma::mat tF = kinetic(lat, c.kinetic, 1.1, 0.6) + arma::diagmat(potential(lat, trap));
  const arma::mat tB = kinetic(lat, c.kinetic, 1.1, 0.9) + arma::diagmat(potential(lat, cosine));
  const arma::mat V = interaction_matrix(lat, InteractionSpec{InteractionKind::Gaussian, 1.3, 0.8, 1.0, {}});
  const Sector sector(L, c.M, c.N, c.cap);
  SectorHamiltonian H(sector, tF, tB, V, c.lambda);
  const auto ref = test::build_reference(L, c.M, c.N, c.cap, tF, tB, V, c.lambda);
  ASSERT_EQ(ref.DF * ref.DB, H.rows());
  const auto p = ref.permutation(sector);
  arma::uvec perm(p.size());
  for (std::size_t k = 0; k < p.size(); ++k) perm(k) = static_cast<arma::uword>(p[k]);
  const arma::mat Href = ref.H.submat(perm, perm);
  EXPECT_LT(arma::abs(apply_columns(H) - Href).max(), 1e-12);
  EXPECT_LT(arma::abs(arma::mat(H.assemble()) - Href).max(), 1e-12);
  // real-scalar path equals the complex one
  arma::vec x = arma::linspace(-1.0, 1.0, H.rows()), y(H.rows());
  H.apply(x.memptr(), y.memptr());
  EXPECT_LT(arma::abs(y - Href * x).max(), 1e-12);
  // the Lanczos form: out = s H x and Re <x, out> from the same pass, against the dense product
  {
    const arma::cx_vec z = arma::cx_vec(arma::cos(arma::linspace(0.0, 5.0, H.rows())), arma::sin(arma::linspace(1.0, 9.0, H.rows())));
    arma::cx_vec out(H.rows());
    const double s = 0.37;
    const double d = H.apply_dot(z.memptr(), out.memptr(), s);
    const arma::cx_vec ref_out = s * (Href * z);
    EXPECT_LT(arma::abs(out - ref_out).max(), 1e-12 * std::max(1.0, arma::abs(ref_out).max()));
    const double ref_dot = std::real(arma::cdot(z, ref_out));
    EXPECT_NEAR(d, ref_dot, 1e-12 * std::max(1.0, std::abs(ref_dot)));
    EXPECT_NEAR(H.expectation(z.memptr()), ref_dot / s, 1e-12 * std::max(1.0, std::abs(ref_dot / s)));
  }
  // blocks of boson columns (one MPI rank's part, src/distributed), their ghost columns copied by hand
  const Index DF = sector.dim_fermions(), DB = sector.dim_bosons();
  const arma::vec xi = arma::cos(arma::linspace(0.0, 7.0, H.rows()));
  const arma::vec want = Href * xi;
  for (const Index P : {Index{2}, Index{3}, DB + 1}) {
    arma::vec got(H.rows(), arma::fill::value(std::nan("")));
    for (Index r = 0; r < P; ++r) {
      const Index j0 = r * DB / P, j1 = (r + 1) * DB / P;
      const std::vector<Index> ghosts = H.boson_neighbours(j0, j1);
      std::vector<std::int32_t> slot(static_cast<std::size_t>(DB), -1);
      arma::vec buffer(std::max<Index>(1, static_cast<Index>(ghosts.size()) * DF));
      for (std::size_t k = 0; k < ghosts.size(); ++k) {
        EXPECT_TRUE(ghosts[k] < j0 || ghosts[k] >= j1) << "a ghost column is outside the block";
        slot[static_cast<std::size_t>(ghosts[k])] = static_cast<std::int32_t>(k);
        buffer.subvec(k * DF, (k + 1) * DF - 1) = xi.subvec(ghosts[k] * DF, (ghosts[k] + 1) * DF - 1);
      }
      H.apply_columns(j0, j1, xi.memptr() + j0 * DF, buffer.memptr(), slot.data(), got.memptr() + j0 * DF);
    }
    EXPECT_LT(arma::abs(got - want).max(), 1e-12) << P << " blocks";
  }
}

INSTANTIATE_TEST_SUITE_P(
    Sectors, HamiltonianVsDense,
    ::testing::Values(Case{{5}, KineticKind::Hopping, 2, 2, 0, 0.7}, Case{{5}, KineticKind::Spectral, 2, 3, 0, -0.4},
                      Case{{6}, KineticKind::Spectral, 3, 2, 0, 0.5}, Case{{2, 3}, KineticKind::Hopping, 2, 2, 0, 0.9},
                      Case{{3, 2}, KineticKind::Spectral, 3, 2, 0, 0.3}, Case{{4}, KineticKind::Hopping, 1, 4, 2, 0.6},
                      Case{{2, 2}, KineticKind::Spectral, 2, 3, 1, 1.2}, Case{{4}, KineticKind::Hopping, 4, 2, 0, 0.8},
                      Case{{4}, KineticKind::Hopping, 0, 3, 0, 0.8}, Case{{5}, KineticKind::Hopping, 2, 0, 0, 0.8}),
    [](const ::testing::TestParamInfo<Case>& info) {
      std::ostringstream name;
      name << "L";
      for (Index e : info.param.extent) name << "_" << e;
      name << (info.param.kinetic == KineticKind::Hopping ? "_hopping" : "_spectral") << "_M" << info.param.M << "_N" << info.param.N;
      if (info.param.cap > 0) name << "_cap" << info.param.cap;
      return name.str();
    });

// Above the threading threshold (several threads, partial dots reduced): apply_dot = apply, scaled, and its dot
// = the dot of that product computed separately.
TEST(HamiltonianApplyDot, ThreadedSectorMatchesApplyAndDot) {
  const Lattice lat({9}, 1.0);
  const arma::mat tF = kinetic(lat, KineticKind::Hopping, 1.0, 1.0);
  const arma::mat tB = kinetic(lat, KineticKind::Spectral, 1.0, 0.8);
  const arma::mat V = interaction_matrix(lat, InteractionSpec{InteractionKind::Gaussian, 1.0, 1.0, 1.0, {}});
  const Sector sector(9, 4, 4, 0);
  const SectorHamiltonian H(sector, tF, tB, V, 0.6);
  ASSERT_TRUE(worth_threading(H.rows()));
  const Index D = H.rows();
  arma::cx_vec x(D), y(D), z(D);
  for (Index i = 0; i < D; ++i) x(i) = cplx(std::cos(0.37 * i), std::sin(0.11 * i + 0.5));
  H.apply(x.memptr(), y.memptr());
  const double s = 1.0 / 3.0;
  const double d = H.apply_dot(x.memptr(), z.memptr(), s);
  EXPECT_LT(arma::abs(z - s * y).max(), 1e-13 * arma::abs(y).max());
  const double ref = s * std::real(arma::cdot(x, y));
  EXPECT_NEAR(d, ref, 1e-12 * std::abs(ref));
  // the energy without a state-sized output
  EXPECT_NEAR(H.expectation(x.memptr()), ref / s, 1e-12 * std::abs(ref / s));
}

}  // namespace
