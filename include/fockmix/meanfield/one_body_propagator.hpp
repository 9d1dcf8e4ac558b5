#pragma once
/// \file The one-body exponential of the mean-field solvers, without an eigen-decomposition:
///
///   X <- exp(-i tau h / hbar) X,   h = K + diag(u) real symmetric (L x L),   X an L x k block,
///
/// by a Chebyshev expansion in h with Bessel coefficients (the coefficient and truncation code of
/// linalg/chebyshev.hpp). The kinetic operator K is applied matrix-free: axis by axis as the model builds it
/// (grid/one_body.hpp: K = sum_a 1 (x) .. (x) K_a (x) .. (x) 1), a three-point stencil for `hopping` and the small
/// dense L_a x L_a matrix K_a for `spectral`; its spectral interval is exact (the extreme eigenvalues of the K_a,
/// summed). A kinetic matrix that is not the model's (checked on random probes) is applied densely with
/// Gershgorin bounds. Cost per term: O(L k) (hopping), O(L k sum_a L_a) (spectral), O(L^2 k) (other K); the
/// number of terms is about R + O(R^{1/3}) with R = |tau| (spectral width of h)/(2 hbar), and the expansion is
/// truncated where the a-priori error bound 2 sum_{k>K} |J_k(R)| falls below 1e-16 (round-off). Long times are
/// cut into sub-steps of R <= max_phase. Used by HartreeHartree (every fixed-point iteration) and VlasovHartree
/// (every boson half step); docs/vlasov.md ("One-body exponential") has the measured accuracy and cost.
///
/// Also here: the periodic convolution (V * rho)(x) = sum_y V(x - y) rho(y) of a translation-invariant kernel by
/// FFT (d = 1, 2), with a dense fallback for other kernels.
#include <armadillo>
#include <vector>

#include "fockmix/core/types.hpp"
#include "fockmix/grid/lattice.hpp"
#include "fockmix/grid/one_body.hpp"
#include "fockmix/linalg/chebyshev.hpp"

namespace fockmix {

/// How the kinetic operator is applied.
enum class KineticApplication {
  Stencil,    ///< `hopping`: the nearest-neighbour stencil, O(L) per column
  AxisDense,  ///< `spectral`: the 1D matrices K_a axis by axis, O(L sum_a L_a) per column
  Dense       ///< any other kinetic matrix: one dense product, O(L^2) per column
};

/// Cost of one application of the exponential.
struct OneBodyStepInfo {
  Index terms = 0;     ///< Chebyshev terms summed over the sub-steps (applications of h to the block)
  Index substeps = 0;  ///< expansions used
};

/// exp(-i tau (K + diag u)/hbar) applied to blocks of one-particle states.
class OneBodyPropagator {
 public:
  /// \param lat the grid   \param kind, hbar (> 0), mass (> 0) the model's kinetic operator
  /// \param K the kinetic matrix the solver was given (L x L, real symmetric). If it equals
  /// kinetic(lat, kind, hbar, mass) (to 1e-12 relative on two random probes) it is applied matrix-free, else densely.
  /// \param max_phase largest R of one sub-step (>= 1). Throws InputError ("K") for a wrong shape or non-finite entries.
  OneBodyPropagator(const Lattice& lat, KineticKind kind, double hbar, double mass, const arma::mat& K,
                    double max_phase = 100.0);

  KineticApplication application() const noexcept { return app_; }
  /// An interval containing the spectrum of K (exact extremes for the matrix-free forms, Gershgorin otherwise).
  const SpectralBounds& kinetic_bounds() const noexcept { return kbounds_; }

  /// out = K X (real L x n blocks).
  void apply_kinetic(const arma::mat& X, arma::mat& out) const;

  /// X <- exp(-i tau (K + diag u)/hbar) X for an L x k block (k >= 0) and a finite tau of either sign.
  /// Throws InputError ("u", "X") for wrong lengths, Error for non-finite results.
  OneBodyStepInfo propagate(arma::cx_mat& X, const arma::vec& u, double tau) const;

 private:
  Lattice lat_;
  double hbar_, max_phase_;
  KineticApplication app_ = KineticApplication::Dense;
  double hop_ = 0.0;                ///< Stencil: hbar^2/(2 m h^2)
  std::vector<arma::mat> axis_;     ///< AxisDense: K_a (L_a x L_a) per axis
  arma::mat dense_;                 ///< Dense: K
  SpectralBounds kbounds_;
};

/// (V * rho)(x) = sum_y V(x, y) rho(y) for a fixed real L x L kernel. If V(x, y) depends only on the periodic
/// displacement x - y and d <= 2, it is applied by FFT in O(L log L); otherwise as the dense product, O(L^2).
class PeriodicConvolution {
 public:
  PeriodicConvolution() = default;
  /// \param V L x L (or empty: the zero kernel). Throws InputError ("V") for a wrong shape.
  PeriodicConvolution(const Lattice& lat, const arma::mat& V);

  /// True if the FFT path is used.
  bool uses_fft() const noexcept { return fft_; }
  /// V rho (rho has L entries).
  arma::vec operator()(const arma::vec& rho) const;

 private:
  std::vector<Index> extent_;
  bool fft_ = false;
  bool zero_ = true;
  arma::cx_mat symbol_;  ///< FFT path: transform of the kernel V(r, 0), shaped L_{d-1} x L_0 (d = 2) or L x 1
  arma::mat dense_;
};

}  // namespace fockmix
