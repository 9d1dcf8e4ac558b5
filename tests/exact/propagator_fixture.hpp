#pragma once
// Shared by the propagator tests (tests/exact/test_propagator.cpp, tests/linalg/test_chebyshev.cpp): a
// 6-site ring with a trapped hopping fermion Hamiltonian, a spectral boson one and a Gaussian interaction,
// and normalised random states.
#include <armadillo>

#include "fockmix/grid/lattice.hpp"
#include "fockmix/grid/one_body.hpp"

namespace fockmix::test_support {

struct PropagatorFixture {
  Lattice lat{{6}, 1.0};
  arma::mat tF, tB, V;
  PropagatorFixture() {
    tF = kinetic(lat, KineticKind::Hopping, 1.0, 0.5) + arma::diagmat(potential(lat, {PotentialKind::Harmonic, 0.4, 1, {}, {}}));
    tB = kinetic(lat, KineticKind::Spectral, 1.0, 0.5);
    V = interaction_matrix(lat, {InteractionKind::Gaussian, 2.0, 1.0, 1.0, {}});
  }
};

inline arma::cx_vec random_state(Index D, int seed) {
  arma::arma_rng::set_seed(seed);
  arma::cx_vec v = arma::randn<arma::cx_vec>(D);
  return v / arma::norm(v);
}

}  // namespace fockmix::test_support
