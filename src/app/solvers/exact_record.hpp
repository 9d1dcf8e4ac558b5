#pragma once
// The record of an exact solver at one output time, one layout for the serial and the distributed engine
// (docs/output.md, group `exact`).
#include <algorithm>

#include "fockmix/analysis/comparisons.hpp"
#include "fockmix/core/record.hpp"
#include "fockmix/core/types.hpp"

namespace fockmix {

/// <H>, ||psi||, the propagator's cost so far, gamma_F, gamma_B and the densities gamma_s(x, x) / max(1, number).
inline Record exact_record(double energy, double norm, Index matvecs, double krylov_error, const OneBodyView& view) {
  Record r;
  r.put("energy", energy);
  r.put("norm", norm);
  r.put("matvecs", static_cast<double>(matvecs));
  r.put("krylov_error", krylov_error);
  r.put("gamma_F", view.gamma_F);
  r.put("gamma_B", view.gamma_B);
  r.put("rho_F", arma::vec(arma::real(view.gamma_F.diag()) / std::max<double>(1, view.M)));
  r.put("rho_B", arma::vec(arma::real(view.gamma_B.diag()) / std::max<double>(1, view.N)));
  return r;
}

}  // namespace fockmix
