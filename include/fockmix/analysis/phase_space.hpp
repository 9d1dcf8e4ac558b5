#pragma once
/// \file Comparisons between a quantum one-body state (exact gamma_F or a Hartree–Hartree omega) and a
/// Vlasov–Hartree phase-space density f (SPEC §6), in the conventions of meanfield/wigner.hpp.
#include <armadillo>

#include "fockmix/core/types.hpp"
#include "fockmix/grid/lattice.hpp"
#include "fockmix/meanfield/wigner.hpp"

namespace fockmix {

/// ||gamma_F - M Op(f)||_Tr / M (trace norm of the Hermitian difference). gamma_F is L x L with Tr = M,
/// f is L x P on `grid`.  Throws InputError on shape mismatches ("gamma_F", "f") or M < 1 ("M").
double fermion_trace_error(const arma::cx_mat& gamma_F, const arma::mat& f, Index M, const Lattice& lat, double hbar,
                           const MomentumGrid& grid);

/// ||rho_F - rho_F^VH||_1 = sum_x |gamma_F(x,x)/M - h^d int f(x,p) dp| (both site-normalised).
double density_error(const arma::cx_mat& gamma_F, const arma::mat& f, Index M, const Lattice& lat, const MomentumGrid& grid);

/// The Fourier-based norm |f^hbar - f|_1 of (2.24) between f^hbar = W[omega]/M (HH) and a VH density f:
/// max over the zeta grid of fourier_grid() of (1 + |zeta|)^{-1} |(1/M) Tr(O_{xi,eta} omega) - hat f(xi, eta)|,
/// with hat f^hbar from Tr(O omega) (no Wigner function is formed) and hat f from the grid sum of f.
double fourier_distance(const arma::cx_mat& omega, Index M, const arma::mat& f, const Lattice& lat, double hbar,
                        const MomentumGrid& grid);

}  // namespace fockmix
