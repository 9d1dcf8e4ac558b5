#pragma once
/// \file Comparisons of two solvers through their one-body views (SPEC §6). Every pair of solvers of a
/// run (exact–hartree, exact–vlasov, hartree–vlasov, ...) is compared by compare_views(), written to its
/// own group `comparison/<a>_<b>`.
#include <armadillo>
#include <string>
#include <vector>

#include "fockmix/core/record.hpp"
#include "fockmix/core/types.hpp"

namespace fockmix {

/// A solver's one-body view at one time.
struct OneBodyView {
  Index M = 0, N = 0;
  arma::cx_mat gamma_F;  ///< L x L, trace M: exact gamma_F, Hartree–Hartree omega, Vlasov–Hartree M Op(f)
  arma::cx_mat gamma_B;  ///< L x L, trace N: exact gamma_B, a mean field's N |phi><phi|
  arma::cx_vec phi;      ///< the condensate of a mean-field solver (empty for the exact solver)
  /// gamma_F is the rank-M projection omega of a Hartree–Hartree state: fermion fluctuation numbers
  /// are defined about it.
  bool fermion_projection = false;
};

/// Compare view `a` (the reference, e.g. exact) with view `b` (e.g. a mean field), in this order:
///   eF_trace = ||gamma_F^a - gamma_F^b||_Tr / M,  eB_trace = ||gamma_B^a - gamma_B^b||_Tr / N   (2.16), (2.17)
///   eF_hs, eB_hs: the same in Hilbert–Schmidt norm;  rhoF_l1, rhoB_l1: l1 distance of the diagonals / M, / N
///   nF_exc = 2 Re Tr[gamma_F^a (1 - omega_b)]  (only if b.fermion_projection)
///   nB_exc = N - <phi_b, gamma_B^a phi_b>       (only if b has a condensate)
/// Relative errors of a species with no particles are 0. Throws InputError on mismatched sizes.
Record compare_views(const OneBodyView& a, const OneBodyView& b);

/// Mean-field errors and fluctuation numbers at one time (SPEC §6). Relative errors of a species with no
/// particles (M = 0 or N = 0) are defined as 0.
struct MeanFieldComparison {
  double eF_trace = 0, eB_trace = 0;  ///< ||gamma_F - omega||_Tr / M ; ||gamma_B - N |phi><phi| ||_Tr / N   (2.16), (2.17)
  double eF_hs = 0, eB_hs = 0;        ///< the same with the Hilbert–Schmidt norm, divided by M and N
  double rhoF_l1 = 0, rhoB_l1 = 0;    ///< sum_x |gamma_F(x,x) - omega(x,x)| / M ; sum_y |gamma_B(y,y)/N - |phi(y)|^2|
  double nF_exc = 0, nB_exc = 0;      ///< 2 Re Tr[gamma_F (1 - omega)] (particles + holes) ; N - <phi, gamma_B phi>
};

/// Compare exact RDMs with a mean-field state. gamma_F(x,x') = <a*_{x'} a_x> (L x L), gamma_B likewise,
/// omega the L x L mean-field projection, phi the normalised condensate (L). Throws InputError on mismatched sizes.
MeanFieldComparison compare(const arma::cx_mat& gamma_F, const arma::cx_mat& gamma_B, const arma::cx_mat& omega,
                            const arma::cx_vec& phi, Index M, Index N);

}  // namespace fockmix
