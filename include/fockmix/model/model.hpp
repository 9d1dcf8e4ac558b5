#pragma once
/// \file The model: a plain struct of parameters, parsed once at the boundary (io/model.hpp reads it;
/// models/README.md documents every key). Everything downstream reads this struct, never the TOML file;
/// solvers take their own options structs and the one-body operators (model_operators.hpp), not the Model.
#include <optional>
#include <string>
#include <vector>

#include "fockmix/core/types.hpp"
#include "fockmix/grid/one_body.hpp"

namespace fockmix {

/// Where a species' initial one-body state comes from (SPEC §3): the M fermion orbitals of the Slater
/// determinant, or the condensate phi_0.
enum class InitKind {
  Trap,        ///< lowest eigenvectors of K + U^trap (M orbitals, or phi_0)
  PlaneWaves,  ///< fermions only: the M plane waves of lowest eps_F(p) (a Fermi sea), times the kick
  Packet,      ///< lowest eigenvectors of a harmonic trap of width `width` around `centre`, times e^{i p.x/hbar}
  Hartree,     ///< the self-consistent Hartree–Hartree ground state in the traps
  File         ///< columns of a text file: L rows, 2 per state (Re, Im), orthonormalised
};

/// The name in model files: "trap", "plane_waves", "packet", "hartree", "file".
std::string to_string(InitKind k);

/// The initial-state recipe of one species. Unused fields are ignored for the chosen kind.
struct InitSpec {
  InitKind kind = InitKind::Trap;
  std::vector<double> centre;    ///< packet centre (empty: box centre)
  double width = 1.0;            ///< packet width (> 0)
  std::vector<double> momentum;  ///< kick p, one entry per axis (empty: zero)
  std::string file;              ///< table file for `file` (resolved relative to the model file)
};

/// One species' parameters.
struct SpeciesSpec {
  Index number = 0;          ///< M (fermions) or N (bosons), >= 0
  double mass = 0.5;         ///< m_s > 0
  PotentialSpec trap;        ///< U^trap: prepares the initial state
  PotentialSpec potential;   ///< U: acts during the dynamics (none = quench)
  InitSpec init;
  Index max_per_site = 0;    ///< bosons only: per-site cap n_max (0 = no cap); a truncation
};

/// How the exact many-body solver starts.
enum class ExactInitial {
  Product,      ///< Slater determinant (x) phi_0^{(x)N} (Assumption 1)
  GroundState,  ///< exact ground state of the trapped many-body H (Lanczos)
  Coherent      ///< Slater determinant (x) W[sqrt(N) phi_0] Omega: a Poisson superposition of boson numbers (SPEC §3, §7)
};

/// The exact solver's propagator as the user asks for it: Auto picks Lanczos when enough Krylov vectors
/// fit the memory limit, else the memory-lean Chebyshev expansion (model/footprint.hpp).
enum class PropagatorPreference { Auto, Lanczos, Chebyshev };

/// Exact solver options.
struct ExactSpec {
  bool enabled = true;
  double tolerance = 1e-10;   ///< Krylov error per unit time
  Index krylov_dim = 30;      ///< maximal Krylov subspace dimension (memory may cap it further)
  ExactInitial initial = ExactInitial::Product;
  double memory_limit_gib = 4.0;  ///< cap on the solver's state memory; Krylov dim shrinks to fit (0 = physical memory)
  PropagatorPreference propagator = PropagatorPreference::Auto;
  double coherent_tolerance = 1e-10;  ///< `coherent`: largest neglected Poisson weight of the boson-number window
};

/// The Hartree–Hartree time integrator (docs/hartree.md).
enum class HartreeScheme {
  /// Order 2: phi_{n+1} = exp(-i dt h[rho_mid]/hbar) phi_n for orbitals and condensate, with the mean
  /// fields built from rho_mid = (rho_n + rho_{n+1})/2 (both species), solved by fixed-point iteration.
  /// Symmetric (time-reversible), unitary, exact for time-independent h, and it conserves E_HH exactly
  /// (up to the fixed-point tolerance).
  Midpoint2,
  /// Order 4: Yoshida's triple-jump composition of Midpoint2 (substeps g1 dt, g2 dt, g1 dt with
  /// g1 = 1/(2 - 2^{1/3}), g2 = 1 - 2 g1); inherits every conservation property of Midpoint2.
  TripleJump4
};

/// The name in model files ("midpoint2", "triple_jump4") and a description for output files.
std::string to_string(HartreeScheme s);
std::string describe(HartreeScheme s);

/// Hartree–Hartree solver options.
struct HartreeSpec {
  bool enabled = true;
  double dt = 0.01;           ///< time step of the integrator
  HartreeScheme scheme = HartreeScheme::Midpoint2;
  double tolerance = 1e-12;   ///< fixed-point tolerance per step
};

/// Most output times a model may ask for (protects against output_every = 1e-300; validation refuses more).
inline constexpr double max_output_times = 1e7;

/// The Vlasov–Hartree time integrator (docs/vlasov.md).
enum class VlasovScheme {
  Strang2,     ///< order 2, symmetric (time-reversible) splitting of exact sub-flows
  TripleJump4  ///< order 4: Yoshida triple jump of Strang2
};

/// Where the Vlasov–Hartree f_0 comes from (SPEC §5).
enum class VlasovInitial {
  Wigner,       ///< f_0 = W[omega_0]/M: the same state as the other solvers (default)
  ThomasFermi,  ///< n = 1(eps_F(p) + U_F^trap(x) <= mu), mu fixed by int f = 1
  File          ///< a text file of L rows (sites) and P columns (momenta), normalised to int f = 1
};

/// Vlasov–Hartree solver options.
struct VlasovSpec {
  bool enabled = false;
  Index momentum_points = 0;   ///< per axis; 0 = 2 L_a
  double momentum_box = 0.0;   ///< spectral: half-width P of [-P, P)^d; 0 = the Brillouin zone
  double dt = 0.01;            ///< time step
  VlasovScheme scheme = VlasovScheme::Strang2;
  VlasovInitial initial = VlasovInitial::Wigner;
  std::string file;            ///< `file`: the table (resolved relative to the model file)
};

/// The Magnus integrator of the fluctuation dynamics (docs/fluctuations.md).
enum class FluctScheme {
  Midpoint2,       ///< exponential midpoint, order 2
  CommutatorFree4  ///< two exponentials at the Gauss points, order 4
};

/// Fluctuation-dynamics solver options (SPEC §7).
struct FluctSpec {
  bool enabled = false;
  Index boson_cutoff = 8;      ///< K_B: boson quanta kept in the fluctuation Fock space
  double cutoff = -1.0;        ///< c of chi = 1(N_B <= c) in the truncated generator; < 0 = hbar M
  double dt = 0.01;            ///< Magnus step
  FluctScheme scheme = FluctScheme::Midpoint2;
  double tolerance = 1e-12;    ///< Krylov error per unit time of each exponential
  double top_shell_warning = 1e-6;  ///< warn when the weight in the top boson shell exceeds this
};

/// The whole model.
struct Model {
  std::string source;         ///< the file it came from (for messages); empty if built in code
  std::string name = "model";
  // [grid]
  std::vector<Index> sites{8};
  double spacing = 1.0;
  KineticKind kinetic = KineticKind::Hopping;
  // [physics]
  double hbar = 1.0;
  double lambda = 0.0;        ///< coupling lambda of the Bose–Fermi interaction
  InteractionSpec interaction;
  // [fermions], [bosons]
  SpeciesSpec fermions;
  SpeciesSpec bosons;
  // [time]
  double t_final = 1.0;       ///< horizon T >= 0
  double output_every = 0.1;  ///< output interval > 0 (the last output is at T)
  // [exact], [hartree]
  ExactSpec exact;
  HartreeSpec hartree;
  // [vlasov], [fluct]
  VlasovSpec vlasov;
  FluctSpec fluct;
  // [output]
  std::string output = "results/model.h5";
  Index threads = 0;          ///< OpenMP threads (0 = all cores)
  double checkpoint_minutes = 30.0;  ///< wall-clock minutes between checkpoints (>= 0; 0 = at every output time)

  Lattice lattice() const { return Lattice(sites, spacing); }
  /// Output times 0, dt, 2 dt, ..., T (T included even if not a multiple).
  std::vector<double> output_times() const;
};

}  // namespace fockmix
