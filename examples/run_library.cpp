// run_library: the exact many-body dynamics and Hartree–Hartree of a Bose–Fermi mixture, driven step by
// step through the fockmix library API (what `fockmix run` does inside run_model, without the HDF5 file).
//
//   build:  cmake --build build --target example_run_library
//   run:    build/examples/example_run_library
//
// It prints, at every output time, the mean-field errors e_F, e_B (SPEC §6), the fluctuation numbers and
// the energies of both solvers (which must stay constant).
#include <cstdio>

#include "fockmix/analysis/comparisons.hpp"        // compare(): e_F, e_B, fluctuation numbers
#include "fockmix/exact/initial_state.hpp"         // product_state(): Slater determinant (x) phi_0^{(x)N}
#include "fockmix/linalg/krylov.hpp"                // KrylovPropagator: psi <- exp(-i t H/hbar) psi
#include "fockmix/exact/observables.hpp"           // rdm_fermions(), rdm_bosons()
#include "fockmix/exact/sector.hpp"                // Sector: the basis of M fermions and N bosons
#include "fockmix/exact/sector_hamiltonian.hpp"    // SectorHamiltonian: H applied matrix-free
#include "fockmix/linalg/vector_ops.hpp"            // vec::dot for <psi, H psi>
#include "fockmix/io/model.hpp"
#include "fockmix/model/model_operators.hpp"        // build_operators(): kinetic, potentials, V
#include "fockmix/meanfield/hartree.hpp"           // HartreeHartree, HartreeState
#include "fockmix/meanfield/initial_data.hpp"      // initial_data(): orbitals and condensate

int main() {
  using namespace fockmix;

  // 1. The model, as plain data (the same struct a TOML file is parsed into; models/README.md lists
  //    every field). A ring of L = 8 sites in the microscopic regime of SPEC §8: lambda = 1/N, hbar = 1,
  //    N = M, m_F = m_B = 1/2. Both species start in the ground state of a harmonic trap (the bosons'
  //    trap off-centre) and are released at t = 0 into a flat ring.
  Model model;
  model.name = "library example";
  model.sites = {8};
  model.spacing = 1.0;
  model.hbar = 1.0;
  model.fermions.number = 3;                      // M
  model.bosons.number = 3;                        // N
  model.lambda = 1.0 / 3.0;                       // 1/N
  model.fermions.mass = model.bosons.mass = 0.5;  // hbar^2 / (2 m) = 1
  model.interaction.kind = InteractionKind::Gaussian;
  model.interaction.amplitude = 1.0;
  model.interaction.width = 1.0;
  model.fermions.trap = {PotentialKind::Harmonic, 0.3, 1.0, {}, {}};     // kappa = 0.3 around the box centre
  model.bosons.trap = {PotentialKind::Harmonic, 0.3, 1.0, {3.0}, {}};    // ... around x = 3
  model.fermions.init.kind = model.bosons.init.kind = InitKind::Trap;  // potentials during the dynamics: none
  model.t_final = 2.0;
  model.output_every = 0.25;
  model.hartree.dt = 0.01;
  validate(model);  // throws InputError for impossible values (e.g. M > L)

  // 2. One-body operators (K_s, U_s, V) shared by both solvers, and the product initial data of
  //    Assumption 1: the M lowest orbitals of K_F + U_F^trap and the condensate phi_0.
  const ModelOperators ops = build_operators(model);
  const InitialData init = initial_data(model, ops);

  // 3. The exact solver: the sector of M fermions and N bosons, the Hamiltonian (3.4) acting on it,
  //    psi(0) = Slater determinant (x) phi_0^{(x)N}, and a Lanczos propagator for exp(-i t H / hbar).
  const Sector sector(ops.lattice.sites(), ops.M, ops.N);
  const SectorHamiltonian H(sector, ops);  // dynamics potentials (pass trap = true for the preparation H)
  arma::cx_vec psi = product_state(sector, init.orbitals, init.phi0);
  KrylovPropagator<SectorHamiltonian> propagator(H, KrylovOptions{1e-10, 30, ops.hbar});
  arma::cx_vec H_psi(sector.size());
  auto exact_energy = [&] {
    H.apply(psi.memptr(), H_psi.memptr());
    return vec::dot(H.rows(), psi.memptr(), H_psi.memptr()).real();
  };
  std::printf("sector: D_F = %lld, D_B = %lld, D = %lld states\n", static_cast<long long>(sector.dim_fermions()),
              static_cast<long long>(sector.dim_bosons()), static_cast<long long>(sector.size()));

  // 4. Hartree–Hartree from the same orbitals and condensate (SPEC §4).
  const HartreeHartree hartree(ops, HartreeOptions{model.hartree.dt});
  HartreeState mf;
  mf.orbitals = init.orbitals;
  mf.phi = init.phi0;

  // 5. March both solvers through the output times and compare the one-particle density matrices.
  std::printf("%6s %11s %11s %11s %11s %17s %17s\n", "t", "e_F", "e_B", "N_F^exc", "N_B^exc", "<H>", "E_HH");
  double t_prev = 0.0;
  for (const double t : model.output_times()) {
    if (t > t_prev) {
      const KrylovResult step = propagator.propagate(psi.memptr(), t - t_prev);  // exact: psi(t_prev) -> psi(t)
      if (step.status != KrylovStatus::Converged) {
        std::fprintf(stderr, "Krylov propagation missed its tolerance at t = %g\n", t);
        return 1;
      }
    }
    hartree.evolve_to(mf, t);  // mean field: fixed steps of dt up to t

    // gamma_F(x, x') = <a*_{x'} a_x>, gamma_B(y, y') = <b*_{y'} b_y> of the exact state
    const arma::cx_mat gamma_F = rdm_fermions(sector, psi.memptr());
    const arma::cx_mat gamma_B = rdm_bosons(sector, psi.memptr());
    // e_F = ||gamma_F - omega||_Tr / M, e_B = ||gamma_B - N |phi><phi| ||_Tr / N, fluctuation numbers
    const MeanFieldComparison c = compare(gamma_F, gamma_B, mf.omega(), mf.phi, ops.M, ops.N);
    std::printf("%6.2f %11.3e %11.3e %11.3e %11.3e %17.12f %17.12f\n", t, c.eF_trace, c.eB_trace, c.nF_exc, c.nB_exc,
                exact_energy(), hartree.energy(mf));
    t_prev = t;
  }
  return 0;
}
