#include <gtest/gtest.h>

#include "fockmix/core/error.hpp"
#include "fockmix/grid/lattice.hpp"

using namespace fockmix;

TEST(Lattice, RowMajorCoordinatesRoundTrip) {
  const Lattice lat({3, 4, 2}, 0.5);
  EXPECT_EQ(lat.sites(), 24);
  EXPECT_EQ(lat.site({1, 0, 0}), 8);  // axis 0 slowest
  EXPECT_EQ(lat.site({0, 0, 1}), 1);
  for (Index s = 0; s < lat.sites(); ++s) EXPECT_EQ(lat.site(lat.coords(s)), s);
  EXPECT_EQ(lat.site({-1, 4, 3}), lat.site({2, 0, 1}));  // periodic
}

TEST(Lattice, MinimumImageIntoHalfOpenInterval) {
  const Lattice lat({4}, 1.0);  // ell = 4: displacements in (-2, 2]
  EXPECT_DOUBLE_EQ(lat.displacement(0, 2)[0], 2.0);
  EXPECT_DOUBLE_EQ(lat.displacement(2, 0)[0], 2.0);
  EXPECT_DOUBLE_EQ(lat.displacement(0, 3)[0], 1.0);
  EXPECT_DOUBLE_EQ(lat.displacement(3, 0)[0], -1.0);
  const Lattice odd({5}, 0.5);
  for (Index s = 0; s < 5; ++s)
    for (Index t = 0; t < 5; ++t) {
      const double d = odd.displacement(s, t)[0];
      EXPECT_GT(d, -1.25);
      EXPECT_LE(d, 1.25);
    }
}

TEST(Lattice, RejectsBadGrids) {
  EXPECT_THROW(Lattice({}, 1.0), InputError);
  EXPECT_THROW(Lattice({3, 0}, 1.0), InputError);
  EXPECT_THROW(Lattice({3}, 0.0), InputError);
  EXPECT_THROW(Lattice({2, 2, 2, 2}, 1.0), InputError);
}
