#pragma once
/// \file Mean-field initial data of SPEC §3 (Assumption 1): the M fermion orbitals phi_1..phi_M of the
/// Slater determinant and the condensate phi_0, from the recipes of `Model::fermions.init` and
/// `Model::bosons.init`. All states are site-normalised (sum_x |phi(x)|^2 = 1).
///
/// Phase convention (reproducibility): every eigenvector produced here is real with its
/// largest-magnitude entry positive (the first such site when several are equal within 1e-9
/// relative) *before* any momentum kick is applied.
#include <armadillo>
#include <string>

#include "fockmix/core/types.hpp"
#include "fockmix/linalg/spectrum.hpp"
#include "fockmix/model/model_operators.hpp"
#include "fockmix/model/model.hpp"

namespace fockmix {

/// The product initial data psi_F (x) phi_0^{(x)N} of SPEC §3.
struct InitialData {
  arma::cx_mat orbitals;  ///< L x M, orthonormal columns phi_1..phi_M; omega_0 = orbitals * orbitals^*
  arma::cx_vec phi0;      ///< L, ||phi0|| = 1
};

/// Both species' initial data. With `hartree` for both species the Hartree–Hartree ground state is
/// computed once and shared. Throws InputError as the two functions below.
InitialData initial_data(const Model& model, const ModelOperators& ops);

/// The M = ops.M fermion orbitals by `model.fermions.init.kind`:
/// * `trap`: the M lowest eigenvectors of ops.trap_one_body_F();
/// * `plane_waves`: the M plane waves e^{i k.x}/sqrt(L) (k on the discrete Fourier grid of SPEC §2) of
///   lowest dispersion eps_F(hbar k), each times the kick e^{i p.x/hbar} (p = `momentum`, default 0,
///   x the site position); ties in eps_F inside the sea are ordered by the Fourier Index, axis 0 first;
/// * `packet`: the M lowest eigenvectors of kinetic_F + diag(kappa/2 |x - c|^2) (minimum image,
///   c = `centre`, default the box centre) with kappa = hbar^2/(m_F w^4), w = `width`, so that the
///   continuum ground state is exp(-|x-c|^2/(2 w^2)) (second moment w^2/2 per axis); each is then
///   multiplied by e^{i p.(x - c)/hbar} with the minimum-image x - c;
/// * `file`: a whitespace-separated table of L rows and 2M columns (Re, Im of each orbital; blank lines
///   and lines starting with '#' are skipped), orthonormalised by Loewdin's S^{-1/2}. The path is used as
///   given (load_model has already resolved it next to the model file). Errors are
///   InputError(model.source, "fermions.init.file", reason naming the table file);
/// * `hartree`: the orbitals of hartree_ground_state(ops).
/// The eigenvector and plane-wave recipes throw InputError naming `fermions.init` when the M-th and
/// (M+1)-th levels agree within 1e-9 * max(1, |spectrum|) (an open shell: the Slater determinant
/// would be ambiguous). M = 0 gives an L x 0 matrix.
arma::cx_mat fermion_orbitals(const Model& model, const ModelOperators& ops);

/// The condensate phi_0 by `model.bosons.init.kind`: `trap` (the ground state of ops.trap_one_body_B()),
/// `packet` (as for fermions with m_B, the single lowest state), `file` (L rows, 2 columns, normalised),
/// `hartree` (the condensate of hartree_ground_state(ops)). Throws InputError for other kinds, a
/// degenerate ground state, or a bad file.
arma::cx_vec condensate(const Model& model, const ModelOperators& ops);

/// Throws InputError(file, key, ...) if filling the `count` lowest of the ascending `values` is
/// ambiguous: values(count-1) and values(count) within 1e-9 * max(1, max |values|). No check when
/// count is 0 or equals the number of values.
void require_closed_shell(const arma::vec& values, Index count, const std::string& file, const std::string& key);

}  // namespace fockmix
