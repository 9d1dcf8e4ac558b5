#pragma once
// Tiny interacting models for the fluctuation tests: ModelOperators built directly from the grid functions,
// complex (kicked) orbitals and condensate so that no symmetry hides a conjugation error.
#include <armadillo>
#include <cmath>
#include <vector>

#include "fockmix/grid/one_body.hpp"
#include "fockmix/model/model_operators.hpp"

namespace fockmix::test {

struct TinyModel {
  ModelOperators ops;
  arma::cx_mat orbitals;  // L x M
  arma::cx_vec phi0;

  TinyModel(Index L, Index M, Index N, double lambda, double hbar = 1.0) : ops(Lattice({L}, 1.0)) {
    const Lattice& lat = ops.lattice;
    ops.hbar = hbar;
    ops.lambda = lambda;
    ops.M = M;
    ops.N = N;
    ops.kinetic_F = kinetic(lat, KineticKind::Hopping, hbar, 0.5);
    ops.kinetic_B = kinetic(lat, KineticKind::Hopping, hbar, 0.8);
    ops.trap_F = ops.trap_B = arma::zeros<arma::vec>(L);
    ops.potential_F = potential(lat, {PotentialKind::Harmonic, 0.7, 1.0, {}, {}});
    ops.potential_B = potential(lat, {PotentialKind::Cosine, 0.3, 1.0, {0.3}, {}});
    ops.V = interaction_matrix(lat, {InteractionKind::Gaussian, 1.0, 0.8, 1.0, {}});
    // Orbitals: lowest eigenvectors of a displaced trap, with a momentum kick; condensate: a kicked packet.
    const arma::vec trap = potential(lat, {PotentialKind::Harmonic, 1.5, 1.0, {0.4 * static_cast<double>(L)}, {}});
    arma::vec e;
    arma::mat Q;
    arma::eig_sym(e, Q, arma::mat(ops.kinetic_F + arma::diagmat(trap)));
    orbitals.set_size(L, M);
    phi0.set_size(L);
    for (Index x = 0; x < L; ++x) {
      const cplx kick = std::polar(1.0, 0.9 * static_cast<double>(x));
      for (Index j = 0; j < M; ++j) orbitals(x, j) = kick * Q(x, j);
      const double g = std::exp(-0.5 * std::pow(static_cast<double>(x) - 0.3 * static_cast<double>(L), 2));
      phi0(x) = std::polar(g + 0.2, -0.6 * static_cast<double>(x));
    }
    phi0 /= arma::norm(phi0);
  }
};

}  // namespace fockmix::test
