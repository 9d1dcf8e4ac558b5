#include <gtest/gtest.h>

#include <cmath>

#include "fockmix/core/error.hpp"
#include "fockmix/grid/one_body.hpp"

using namespace fockmix;

namespace {
constexpr double pi = 3.14159265358979323846;
}

// Plane waves e^{i k x} are eigenvectors of both kinetic operators with eigenvalue eps(hbar k).
TEST(Kinetic, PlaneWavesHaveTheDispersionAsEigenvalue) {
  for (KineticKind kind : {KineticKind::Hopping, KineticKind::Spectral})
    for (auto ext : {std::vector<Index>{6}, std::vector<Index>{5}, std::vector<Index>{4, 3}}) {
      const double h = 0.7, hbar = 1.3, m = 0.8;
      const Lattice lat(ext, h);
      const arma::mat K = kinetic(lat, kind, hbar, m);
      EXPECT_TRUE(K.is_symmetric(1e-13));
      for (Index s = 0; s < lat.sites(); ++s) {  // one plane wave per site Index j = coords(s)
        const auto j = lat.coords(s);
        std::array<double, 3> k{0, 0, 0};
        for (int a = 0; a < lat.dim(); ++a) {
          Index ja = j[a];
          if (ja > ext[a] / 2) ja -= ext[a];  // j in -floor((L-1)/2)..floor(L/2)
          k[a] = 2 * pi * double(ja) / lat.box(a);
        }
        arma::cx_vec v(lat.sites());
        for (Index x = 0; x < lat.sites(); ++x) {
          const auto pos = lat.position(x);
          double ph = 0;
          for (int a = 0; a < lat.dim(); ++a) ph += k[a] * pos[a];
          v(x) = std::polar(1.0, ph);
        }
        const std::array<double, 3> p{hbar * k[0], hbar * k[1], hbar * k[2]};
        const double e = dispersion(lat, kind, hbar, m, p);
        EXPECT_LT(arma::norm(arma::cx_vec(K * v) - e * v), 1e-11 * (1 + e) * std::sqrt(double(lat.sites())));
      }
    }
}

TEST(Kinetic, SpectralNyquistModeAndHoppingStencil) {
  const Lattice lat({4}, 1.0);
  const arma::mat A = laplacian(lat, KineticKind::Hopping);
  EXPECT_DOUBLE_EQ(A(0, 0), 2.0);
  EXPECT_DOUBLE_EQ(A(0, 1), -1.0);
  EXPECT_DOUBLE_EQ(A(0, 3), -1.0);
  EXPECT_DOUBLE_EQ(A(0, 2), 0.0);
  // spectral: the alternating vector is the Nyquist mode with k^2 = (pi/h)^2
  const arma::mat S = laplacian(lat, KineticKind::Spectral);
  const arma::vec alt = {1, -1, 1, -1};
  EXPECT_LT(arma::norm(S * alt - pi * pi * alt), 1e-12);
}

TEST(Potentials, FormsAndMinimumImage) {
  const Lattice lat({8}, 0.5);  // ell = 4, centre default 2
  const arma::vec U = potential(lat, {PotentialKind::Harmonic, 2.0, 1.0, {}, {}});
  EXPECT_DOUBLE_EQ(U(4), 0.0);                   // x = 2 at the centre
  EXPECT_DOUBLE_EQ(U(0), 0.5 * 2.0 * 4.0);        // |x - c| = 2 (half box)
  EXPECT_DOUBLE_EQ(U(3), U(5));
  const arma::vec C = potential(lat, {PotentialKind::Cosine, 1.5, 1.0, {0.0}, {}});
  EXPECT_NEAR(C(4), 3.0, 1e-14);
  const arma::vec G = potential(lat, {PotentialKind::Gaussian, 2.0, 0.5, {1.0}, {}});
  EXPECT_NEAR(G(2), 2.0, 1e-14);
  EXPECT_NEAR(G(3), 2.0 * std::exp(-0.5), 1e-14);  // r = 0.5 = w
  EXPECT_THROW(potential(lat, {PotentialKind::Table, 0, 1, {}, {1, 2}}), InputError);
  EXPECT_THROW(potential(lat, {PotentialKind::Harmonic, 1, 1, {1.0, 2.0}, {}}), InputError);
}

TEST(Interaction, EvenProfilesAndRejectionOfUnevenTables) {
  const Lattice lat({3, 4}, 1.0);
  for (auto kind : {InteractionKind::Gaussian, InteractionKind::Cosine, InteractionKind::Constant, InteractionKind::SoftCoulomb}) {
    const arma::mat V = interaction_matrix(lat, {kind, 1.5, 0.9, 0.3, {}});
    EXPECT_TRUE(V.is_symmetric(1e-14));
    // translation invariance: V(x + a, y + a) = V(x, y)
    for (Index x = 0; x < lat.sites(); ++x)
      for (Index y = 0; y < lat.sites(); ++y) {
        auto cx = lat.coords(x), cy = lat.coords(y);
        cx[1] += 1;
        cy[1] += 1;
        EXPECT_DOUBLE_EQ(V(lat.site(cx), lat.site(cy)), V(x, y));
      }
  }
  const Lattice ring({4}, 1.0);
  EXPECT_NO_THROW(interaction_profile(ring, {InteractionKind::Table, 1, 1, 1, {3, 1, 0.5, 1}}));
  EXPECT_THROW(interaction_profile(ring, {InteractionKind::Table, 1, 1, 1, {3, 1, 0.5, 2}}), InputError);
  EXPECT_THROW(interaction_profile(ring, {InteractionKind::Gaussian, 1, 0.0, 1, {}}), InputError);
  EXPECT_THROW(kinetic_kind_from("fourier"), InputError);
}
