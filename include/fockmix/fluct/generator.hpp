#pragma once
/// \file The fluctuation generator of SPEC §7 in the mode representation (docs/fluctuations.md (F.19)):
///
///   Lt(t) = S(t) + dGamma_B[h_B] + lambda sum_y (dGamma_F[A_y] - c_y) (x) (sqrt(N) (phi_y b*_y + conj(phi_y) b_y) + b*_y b_y),
///   A_y = E(t)^* diag_x V(x - y) E(t),   c_y = sum_x V(x - y) omega(x, x),
///
/// which is J_t^* (L(t) - dGamma_F[h_F(t)]) J_t with J_t = R_t^* Gamma(E(t)) (the interaction picture of
/// dGamma_F[h_F]; the mode frame absorbs that term exactly). With a cut-off c >= 0 the N_F-conserving part of
/// the sqrt(N) term (the block-diagonal part of A_y w.r.t. occupied/unoccupied modes, and c_y) is replaced by
/// chi X chi, chi = 1(N_B <= c): the truncated generator (4.21)-(4.22), symmetrised (F.22).
/// A weighted sum of frames sum_k w_k Lt(t_k) (commutator-free Magnus exponents) is one operator of the same form.
#include <armadillo>
#include <utility>
#include <vector>

#include "fockmix/core/types.hpp"
#include "fockmix/fluct/fluct_space.hpp"
#include "fockmix/fluct/trajectory.hpp"

namespace fockmix {

/// sum_k w_k Lt(t_k) on a FluctuationSpace, applied matrix-free (a Hermitian LinearOperator for real weights).
class FluctuationGenerator {
 public:
  using Scalar = cplx;

  /// \param V real symmetric L x L interaction matrix  \param lambda coupling  \param N boson number (>= 0)
  /// \param frames (weight, frame) pairs, at least one; every frame L x L modes, L-vectors phi and omega_diag
  /// \param cutoff c of chi = 1(N_B <= c) on the N_F-conserving part of L_{2,1}; negative = no truncation
  /// Throws InputError naming the parameter. Keeps a reference to `space`.
  FluctuationGenerator(const FluctuationSpace& space, const arma::mat& V, double lambda, double N,
                       const std::vector<std::pair<double, FluctuationFrame>>& frames, double cutoff = -1.0);

  Index rows() const noexcept { return space_.size(); }
  /// out = Lt in (no aliasing).
  void apply(const cplx* in, cplx* out) const;

 private:
  const FluctuationSpace& space_;
  double lambda_, sqrtN_, cutoff_, S_ = 0.0;
  arma::mat hB_;
  // per site y: n_y coefficient (B0, beta0), b*_y coefficient (Bp, betap) and its pair part, b_y coefficient
  std::vector<arma::cx_mat> B0_, Bp_, Bp_pair_, Bm_, Bm_pair_;
  std::vector<cplx> beta0_, betap_;
};

}  // namespace fockmix
