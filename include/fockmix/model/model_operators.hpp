#pragma once
/// \file The one-body pieces of a model, built once from the grid functions. Every solver (exact,
/// Hartree–Hartree, Vlasov–Hartree, fluctuations) takes its operators from here, so the measured
/// differences between solvers are never differences of discretisation.
#include <armadillo>
#include <utility>

#include "fockmix/grid/lattice.hpp"
#include "fockmix/model/model.hpp"

namespace fockmix {

struct ModelOperators {
  explicit ModelOperators(Lattice lat) : lattice(std::move(lat)) {}

  Lattice lattice;
  double hbar = 1.0;
  double lambda = 0.0;
  Index M = 0;                  ///< fermions
  Index N = 0;                  ///< bosons
  KineticKind kinetic_kind = KineticKind::Hopping;  ///< which -Delta_h (SPEC §2); fixes the dispersion
  double mass_F = 0.5, mass_B = 0.5;                ///< m_F, m_B
  arma::mat kinetic_F, kinetic_B;       ///< K_s = hbar^2/(2 m_s)(-Delta_h), L x L real symmetric
  arma::vec trap_F, trap_B;             ///< U_s^trap (initial-state preparation)
  arma::vec potential_F, potential_B;   ///< U_s during the dynamics
  arma::mat V;                          ///< V(x - y), L x L real symmetric

  /// One-body Hamiltonians of the dynamics, K_s + diag(U_s).
  arma::mat one_body_F() const { return kinetic_F + arma::diagmat(potential_F); }
  arma::mat one_body_B() const { return kinetic_B + arma::diagmat(potential_B); }
  /// One-body Hamiltonians of the preparation, K_s + diag(U_s^trap).
  arma::mat trap_one_body_F() const { return kinetic_F + arma::diagmat(trap_F); }
  arma::mat trap_one_body_B() const { return kinetic_B + arma::diagmat(trap_B); }
};

/// Build the operators of a model (throws InputError for bad potentials or an uneven interaction).
ModelOperators build_operators(const Model& model);

}  // namespace fockmix
