#pragma once
/// \file One-body operators of SPEC §2: kinetic operators, external potentials, pair interaction.
/// These are the single source of truth for the one-body pieces: the exact solver, the mean-field
/// solvers and the fluctuation dynamics all build their operators from these functions.
#include <armadillo>
#include <string>
#include <vector>

#include "fockmix/grid/lattice.hpp"

namespace fockmix {

/// Discretisation of -Delta (SPEC §2).
enum class KineticKind {
  Hopping,  ///< nearest-neighbour finite difference, per axis (2 psi(x) - psi(x+h) - psi(x-h)) / h^2
  Spectral  ///< F^{-1} diag(|k|^2) F on the discrete Fourier grid (Nyquist mode k^2 = (pi/h)^2)
};

/// Built-in external potentials U(x) (SPEC §2).
enum class PotentialKind { None, Harmonic, Cosine, Gaussian, Table };

/// An external potential: `Harmonic` strength/2 |x-c|^2, `Cosine` strength sum_a (1 - cos(2 pi (x_a-c_a)/ell_a)),
/// `Gaussian` strength exp(-|x-c|^2/(2 width^2)), `Table` the values per site. Displacements are minimum image.
struct PotentialSpec {
  PotentialKind kind = PotentialKind::None;
  double strength = 0.0;       ///< kappa (harmonic, cosine) or amplitude (gaussian)
  double width = 1.0;          ///< w of the gaussian, > 0
  std::vector<double> centre;  ///< c, one entry per axis; empty means the box centre ell_a/2
  std::vector<double> table;   ///< values per site (Table), L entries
};

/// Pair interactions V(r) (SPEC §2).
enum class InteractionKind { Gaussian, Cosine, Constant, SoftCoulomb, Table };

/// A pair interaction: `Gaussian` A exp(-|r|^2/(2 w^2)), `Cosine` A sum_a cos(2 pi r_a/ell_a), `Constant` A,
/// `SoftCoulomb` A / sqrt(|r|^2 + eps^2), `Table` V(r) per displacement site (value at the site whose
/// position is r modulo the box; must be even).
struct InteractionSpec {
  InteractionKind kind = InteractionKind::Gaussian;
  double amplitude = 1.0;      ///< A
  double width = 1.0;          ///< w (gaussian), > 0
  double epsilon = 1.0;        ///< eps (softcoulomb), > 0
  std::vector<double> table;   ///< L values, V at displacement = position of site s
};

/// Dense L x L matrix of -Delta_h (real symmetric for both kinds).
arma::mat laplacian(const Lattice& lat, KineticKind kind);

/// Kinetic operator K = hbar^2/(2 m) (-Delta_h).   \param hbar > 0  \param mass > 0
arma::mat kinetic(const Lattice& lat, KineticKind kind, double hbar, double mass);

/// Dispersion eps(p) of K at lattice momentum p (one entry per axis), SPEC §2.
double dispersion(const Lattice& lat, KineticKind kind, double hbar, double mass, const std::array<double, 3>& p);

/// Values U(x) of an external potential at every site.
arma::vec potential(const Lattice& lat, const PotentialSpec& spec);

/// Values V(x_s - 0) of the pair interaction for every displacement site s (minimum image).
/// Throws InputError if the result is not even, V(-r) != V(r).
arma::vec interaction_profile(const Lattice& lat, const InteractionSpec& spec);

/// Dense L x L matrix V(x - y) (real symmetric).
arma::mat interaction_matrix(const Lattice& lat, const InteractionSpec& spec);

/// Parse names used in model files ("hopping", "spectral", ...). Throws InputError naming `key`.
KineticKind kinetic_kind_from(const std::string& name, const std::string& key = "grid.kinetic");
PotentialKind potential_kind_from(const std::string& name, const std::string& key);
InteractionKind interaction_kind_from(const std::string& name, const std::string& key = "interaction.kind");
std::string to_string(KineticKind k);
std::string to_string(PotentialKind k);
std::string to_string(InteractionKind k);

}  // namespace fockmix
