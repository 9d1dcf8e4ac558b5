#pragma once
/// \file Wigner transform W[omega] and Weyl quantisation Op(f) on the periodic grid (SPEC §5), and the
/// Fourier-based phase-space norm |g|_1 of (2.24) (NOTES.md §1.6, N3, N4). docs/vlasov.md has the derivations.
///
/// **Phase space and measure.** Positions are the lattice sites x (spacing h, d = 1, 2 or 3); momenta a
/// product grid p_j = start_a + j_a step_a per axis (MomentumGrid). A phase-space function f(x, p) is stored as
/// an L x P matrix (row = site, column = row-major momentum index, axis 0 slowest). The phase-space measure is
/// the continuum one, **dx dp = h^d * prod_a step_a** per cell, so f is a density per unit (length x momentum)^d
/// exactly as in the continuum theory: int f dx dp = sum_{x,p} f h^d dp^d, the occupation is
/// n = M (2 pi hbar)^d f (SPEC §5), and the position marginal int f dp is a density per unit volume.
/// The **site-normalised** density used by the mean fields (rho_F = diag(omega)/M, sum_x rho_F = 1) is
/// rho_F(x) = h^d int f(x, p) dp (position_marginal()). With h = 1 the two coincide.
///
/// **Construction (per axis, tensorised).** A site matrix omega (one-particle states site-normalised, so the
/// continuum kernel is omega(x, y) / h^d) is written in centre/displacement form: for every displacement
/// m in D = {-floor(L_a/2), ..., floor(L_a/2)} (minimum image; when L_a is even the pairs at |m| = L_a/2 are
/// shared half-and-half between the channels +L_a/2 and -L_a/2) the pair (a, b) with a - b = m has centre
/// (a + b)/2, a site when m is even and a half-site when m is odd. Half-site centres are moved to the sites by
/// the band-limited half-site shift S (Fourier multiplier exp(-i pi q / L_a), q = -floor((L_a-1)/2) .. floor(L_a/2),
/// the Nyquist mode, if any, kept unshifted so that S has a real kernel and stays unitary):
///
///   G_m(x) = w_m (S^{[m odd]} u_m)(x),   u_m(x) = omega(x + ceil(m/2), x - floor(m/2)),   w_m = 1/2 at |m| = L_a/2, else 1,
///   W[omega](x, p) = (2 pi hbar)^{-d} sum_{m in D} G_m(x) exp(-i p . m h / hbar),
///   Op(f)  : G_m(x) = h^d sum_p f(x, p) exp(+i p . m h / hbar) dp^d,   omega(x + ceil(m/2), x - floor(m/2)) += (S^{-1} G_m)(x).
///
/// This is the continuum W = (2 pi hbar)^{-d} int omega(x + y/2, x - y/2) e^{-i p.y/hbar} dy with dy = h^d and
/// y = m h. On the Brillouin-zone grid (brillouin_grid(): points_a steps covering one period 2 pi hbar / h, with
/// points_a > L_a; default 2 L_a, the "doubled momentum grid") the following hold to round-off:
/// h^d sum_p f dp = diag(omega)/M (marginal), Op(W[omega]) = omega (inverse), and W[omega] is real for a Hermitian
/// omega (G_{-m} = conj(G_m)). On any other grid (e.g. the box [-P, P) of a `spectral` Vlasov solver) W is the
/// same trigonometric polynomial in p sampled there, and the two identities hold up to the weight of W outside
/// the box (the trigonometric polynomial has period 2 pi hbar / h in p).
#include <armadillo>
#include <array>
#include <vector>

#include "fockmix/core/types.hpp"
#include "fockmix/grid/lattice.hpp"

namespace fockmix {

/// One momentum axis: p_j = start + j step, j = 0 .. points-1, periodic with period points * step.
struct MomentumAxis {
  Index points = 0;   ///< number of grid points, >= 2
  double start = 0;   ///< first momentum
  double step = 0;    ///< spacing dp > 0
  /// p_j (j in 0 .. points-1).
  double value(Index j) const noexcept { return start + static_cast<double>(j) * step; }
  /// points * step (the period used by the Fourier shifts in p).
  double period() const noexcept { return static_cast<double>(points) * step; }
};

/// A product momentum grid, one axis per lattice axis; momentum index row-major (axis 0 slowest).
struct MomentumGrid {
  std::vector<MomentumAxis> axes;
  /// Total number of momenta P = prod points.
  Index size() const noexcept;
  /// Momentum cell volume prod step (dp^d).
  double cell() const noexcept;
  /// Momentum of flat index j (entries beyond d are 0).
  std::array<double, 3> momentum(Index j) const;
};

/// The Brillouin-zone grid of the `hopping` lattice and the exact Wigner grid of both kinetic kinds:
/// p_j = -pi hbar/h + j * 2 pi hbar/(h n_a), n_a points per axis (0: 2 L_a, the doubled grid). Throws InputError
/// ("hbar" <= 0, "points" < 2).
MomentumGrid brillouin_grid(const Lattice& lat, double hbar, Index points_per_axis = 0);

/// The box grid [-P, P)^d of a `spectral` Vlasov solver: p_j = -P + j * 2P/n, n points per axis.
/// Throws InputError ("box" <= 0, "points" < 2).
MomentumGrid box_grid(const Lattice& lat, double box, Index points_per_axis);

/// W[omega] (per unit phase-space volume, see the file comment) of an L x L matrix, complex: the Hermitian part
/// of omega gives the real part, the anti-Hermitian part the imaginary part. Returns L x P.
/// Throws InputError (shape "omega", "hbar" <= 0, grid dimension "grid") and Error on a non-finite result.
arma::cx_mat wigner_transform_complex(const arma::cx_mat& omega, const Lattice& lat, double hbar, const MomentumGrid& grid);

/// Real part of wigner_transform_complex (the Wigner transform of the Hermitian part of omega).
arma::mat wigner_transform(const arma::cx_mat& omega, const Lattice& lat, double hbar, const MomentumGrid& grid);

/// f^hbar = W[omega] / M with int f dx dp = Tr(omega)/M (= 1 for Tr omega = M).  \param M >= 1
arma::mat wigner_function(const arma::cx_mat& omega, Index M, const Lattice& lat, double hbar, const MomentumGrid& grid);

/// Weyl quantisation Op(f) (L x L site matrix, Hermitian for real f) of an L x P phase-space function on `grid`:
/// the quadrature G_m(x) = h^d sum_p f e^{+i p.m h/hbar} dp^d followed by the inverse centre map (file comment).
/// Inverse of wigner_transform on the Brillouin-zone grid with points_a > L_a: Op(W[omega]) = omega.
/// Throws InputError on a shape mismatch ("f") and Error on a non-finite result.
arma::cx_mat weyl_quantisation(const arma::mat& f, const Lattice& lat, double hbar, const MomentumGrid& grid);

/// Site-normalised position marginal rho(x) = h^d sum_p f(x, p) dp^d (sums to int f dx dp).
arma::vec position_marginal(const arma::mat& f, const Lattice& lat, const MomentumGrid& grid);

/// Momentum marginal sum_x h^d f(x, p) (a density in p, length P).
arma::vec momentum_marginal(const arma::mat& f, const Lattice& lat);

/// Occupation n = M (2 pi hbar)^d f (Pauli: 0 <= n <= 1 semiclassically, SPEC §5).
arma::mat occupation(const arma::mat& f, Index M, double hbar, int dim);

/// The zeta = (xi, eta) grid of the (2.24) norm: xi_a = 2 pi q_a / ell_a and eta_a = n_a h / hbar with
/// q_a, n_a in {-ceil(L_a/2)+1, ..., ceil(L_a/2)-1} (|q|, |n| < L_a/2: the Nyquist xi and the shared displacement
/// channels +-L_a/2 are left out). K_a = 2 ceil(L_a/2) - 1 values per axis; flat indices row-major.
struct PhaseSpaceFourierGrid {
  std::vector<Index> counts;          ///< K_a per axis
  std::vector<std::vector<double>> xi, eta;  ///< values per axis
  Index size() const noexcept;        ///< prod K_a (the same for xi and eta)
};

/// The zeta grid of a lattice (see PhaseSpaceFourierGrid).   \param hbar > 0
PhaseSpaceFourierGrid fourier_grid(const Lattice& lat, double hbar);

/// hat f^hbar(xi, eta) = (1/M) Tr(O_{xi,eta} omega) with O_{xi,eta} = e^{i hbar xi.eta/2} e^{i xi.x} T_{hbar eta}
/// ((6.4)-(6.6), NOTES N4; (T_a psi)(x) = psi(x + a)), on the zeta grid, **without forming a Wigner function**:
/// Tr(O omega) = sum_x e^{i xi.(x + n h/2)} omega(x + n, x) (the sum over x applied axis by axis). Returns a K x K matrix
/// (rows: xi, columns: eta). Equals the transform of wigner_function(omega) below to round-off.
arma::cx_mat fourier_from_omega(const arma::cx_mat& omega, Index M, const Lattice& lat, double hbar);

/// hat f(xi, eta) = int f(x, p) e^{+i (xi.x + eta.p)} dx dp (the sign for which (6.6) holds) of a phase-space
/// function on any momentum grid, as the grid sum sum_{x,p} f e^{...} h^d dp^d; K x K as above.
arma::cx_mat fourier_from_phase_space(const arma::mat& f, const Lattice& lat, double hbar, const MomentumGrid& grid);

/// |g|_s = max over the zeta grid of (1 + |zeta|)^{-s} |hat g(zeta)| with |zeta|^2 = |xi|^2 + |eta|^2 ((2.24), s >= 0).
double fourier_norm(const arma::cx_mat& ghat, const Lattice& lat, double hbar, double s = 1.0);

}  // namespace fockmix
