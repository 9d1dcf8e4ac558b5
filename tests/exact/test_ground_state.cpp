// Ground state of a trapped H: Spectra and ARPACK-ng cross-checked, and both against dense diagonalisation.
#include <gtest/gtest.h>

#include "exact/dense_reference.hpp"
#include "fockmix/linalg/eigensolvers.hpp"
#include "fockmix/exact/sector_hamiltonian.hpp"
#include "fockmix/grid/one_body.hpp"

using namespace fockmix;

TEST(GroundState, SpectraAndArpackAgreeWithDenseDiagonalisation) {
  const Lattice lat{{7}, 1.0};
  const arma::mat tF = kinetic(lat, KineticKind::Hopping, 1.0, 0.5) + arma::diagmat(potential(lat, {PotentialKind::Harmonic, 0.3, 1, {}, {}}));
  const arma::mat tB = kinetic(lat, KineticKind::Hopping, 1.0, 0.5) + arma::diagmat(potential(lat, {PotentialKind::Harmonic, 0.2, 1, {}, {}}));
  const arma::mat V = interaction_matrix(lat, {InteractionKind::Gaussian, 1.0, 1.0, 1.0, {}});
  const Sector s(7, 2, 3);
  const SectorHamiltonian H(s, tF, tB, V, 0.7);
  const RealView<SectorHamiltonian> real{H};
  const auto op = operator_ref(real);
  const EigenResult a = lowest_eigenpair_spectra(op), b = lowest_eigenpair_arpack(op);
  ASSERT_EQ(a.status, EigenStatus::Converged);
  ASSERT_EQ(b.status, EigenStatus::Converged);
  const auto ref = test::build_reference(7, 2, 3, 0, tF, tB, V, 0.7);
  const arma::vec w = arma::eig_sym(ref.H);
  ASSERT_GT(w(1) - w(0), 1e-6);  // non-degenerate, so the vectors are comparable
  EXPECT_NEAR(a.eigenvalue, w(0), 1e-10);
  EXPECT_NEAR(b.eigenvalue, w(0), 1e-10);
  EXPECT_NEAR(std::abs(arma::dot(a.vector, b.vector)), 1.0, 1e-9);
  EXPECT_LT(arma::norm(a.vector - b.vector), 1e-5);  // same sign convention
  arma::vec r(H.rows());
  H.apply(a.vector.memptr(), r.memptr());
  EXPECT_LT(arma::norm(r - a.eigenvalue * a.vector), 1e-8);
}
