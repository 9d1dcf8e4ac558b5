#include "fockmix/model/model_operators.hpp"

namespace fockmix {

ModelOperators build_operators(const Model& model) {
  ModelOperators ops(model.lattice());
  const Lattice& lat = ops.lattice;
  ops.hbar = model.hbar;
  ops.lambda = model.lambda;
  ops.M = model.fermions.number;
  ops.N = model.bosons.number;
  ops.kinetic_kind = model.kinetic;
  ops.mass_F = model.fermions.mass;
  ops.mass_B = model.bosons.mass;
  ops.kinetic_F = kinetic(lat, model.kinetic, model.hbar, model.fermions.mass);
  ops.kinetic_B = kinetic(lat, model.kinetic, model.hbar, model.bosons.mass);
  ops.trap_F = potential(lat, model.fermions.trap);
  ops.trap_B = potential(lat, model.bosons.trap);
  ops.potential_F = potential(lat, model.fermions.potential);
  ops.potential_B = potential(lat, model.bosons.potential);
  ops.V = interaction_matrix(lat, model.interaction);
  return ops;
}

}  // namespace fockmix
