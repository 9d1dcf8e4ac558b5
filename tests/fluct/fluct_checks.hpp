#pragma once
// Shared checks of the fluctuation tests (fast and slow executables): embedding a library fluctuation state into
// the dense Fock space, the dense lab-frame state, and the whole-vector cross-check (a) of SPEC §7.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <vector>

#include "fluct/dense_fock.hpp"
#include "fluct/fluct_fixture.hpp"
#include "fockmix/fluct/dynamics.hpp"

namespace fockmix::test {

inline double loglog_slope(const std::vector<double>& x, const std::vector<double>& y) {
  const arma::uword n = x.size();
  arma::vec lx(n), ly(n);
  for (arma::uword i = 0; i < n; ++i) {
    lx(i) = std::log(x[i]);
    ly(i) = std::log(y[i]);
  }
  const double xm = arma::mean(lx), ym = arma::mean(ly);
  return arma::accu((lx - xm) % (ly - ym)) / arma::accu(arma::square(lx - xm));
}

/// Embed a library fluctuation state into the dense product space: xi = R_t^* Gamma(E) psi.
inline arma::cx_vec embed(const DenseFock& df, const FluctuationSpace& sp, const arma::cx_mat& E, const arma::cx_mat& R,
                   const arma::cx_vec& psi) {
  arma::cx_vec xi(df.DF * df.DB, arma::fill::zeros);
  const Index DFl = sp.dim_fermions();
  std::vector<arma::cx_vec> fvec;
  for (Index i = 0; i < DFl; ++i) {
    arma::cx_vec v(df.DF, arma::fill::zeros);
    v(0) = 1.0;
    const std::uint64_t bits = sp.fermion_basis().state(i);
    for (Index a = sp.sites(); a-- > 0;)
      if ((bits >> a) & 1u) v = df.adag_of(E.col(a)) * v;
    fvec.push_back(R.t() * v);
  }
  for (Index j = 0; j < sp.dim_bosons(); ++j) {
    std::vector<int> occ(static_cast<std::size_t>(sp.sites()));
    for (Index y = 0; y < sp.sites(); ++y) occ[static_cast<std::size_t>(y)] = sp.boson_basis().occupation(j, y);
    const Index jd = df.bos_index.at(occ);
    for (Index i = 0; i < DFl; ++i) xi.subvec(jd * df.DF, jd * df.DF + df.DF - 1) += psi(i + j * DFl) * fvec[i];
  }
  return xi;
}

/// e^{-iHT/hbar} (R_0 Omega (x) W_0 Omega) on fermions (2^L) x bosons (<= n_max).
inline arma::cx_vec lab_state(const DenseFock& df, const ModelOperators& ops, const arma::cx_mat& orb0, const arma::cx_vec& phi0,
                       double T) {
  const arma::cx_vec bos0 = df.weyl(std::sqrt(static_cast<double>(ops.N)) * phi0).col(0);
  return df.evolve(ops.one_body_F(), ops.one_body_B(), ops.V, ops.lambda, ops.hbar, T, arma::kron(bos0, df.slater(orb0)));
}

/// ||a - e^{i theta} b|| minimised over theta; the phase in `phase`.
inline double distance_up_to_phase(const arma::cx_vec& a, const arma::cx_vec& b, cplx* phase = nullptr) {
  const cplx ov = arma::cdot(b, a);
  const cplx ph = std::abs(ov) > 0 ? ov / std::abs(ov) : cplx(1.0);
  if (phase) *phase = ph;
  return arma::norm(a - ph * b);
}

inline FluctuationOptions options(Index KB, double dt, MagnusScheme scheme = MagnusScheme::CommutatorFree4) {
  FluctuationOptions o;
  o.boson_cutoff = KB;
  o.dt = dt;
  o.scheme = scheme;
  o.krylov_tolerance = 1e-13;
  return o;
}


// (a) The whole vector U(t,0) Omega against (R_t (x) W_t)* e^{-itH/hbar} (R_0 (x) W_0) Omega, built densely on
// fermions (2^L) x bosons (<= n_max); the error must fall with K_B down to the lab truncation / Magnus level.
inline void whole_vector_check(Index L, Index M, Index N, Index n_max, const std::vector<Index>& KBs, double final_tol) {
  const TinyModel m(L, M, N, 1.0);
  const double T = 0.5;
  const DenseFock df(L, n_max);
  const arma::cx_vec lab = lab_state(df, m.ops, m.orbitals, m.phi0, T);
  std::vector<double> errs;
  arma::cx_vec xi_dense;
  for (Index KB : KBs) {
    FluctuationDynamics dyn(m.ops, m.orbitals, m.phi0, options(KB, 0.025));
    dyn.evolve_to(T);
    const FluctuationFrame f = dyn.trajectory().frame();  // the same trajectory for every K_B
    const arma::cx_mat R = df.particle_hole(f.modes.cols(0, M - 1));
    if (xi_dense.is_empty()) xi_dense = df.apply_prod(R.t(), df.weyl(-std::sqrt(static_cast<double>(N)) * f.phi), lab);
    const arma::cx_vec xi_lib = embed(df, dyn.space(), f.modes, R, dyn.state());
    cplx phase;
    const double err = distance_up_to_phase(xi_dense, xi_lib, &phase);
    const auto obs = dyn.observables();
    std::printf("L=%lld M=%lld N=%lld n_max=%lld K_B=%lld: ||U Omega - (R W)* e^{-iHt} (R W) Omega|| = %.3e (phase %+.2e rad), "
                "top shell %.2e\n",
                static_cast<long long>(L), static_cast<long long>(M), static_cast<long long>(N), static_cast<long long>(n_max),
                static_cast<long long>(KB), err, std::arg(phase), obs.exact.top_shell);
    errs.push_back(err);
    EXPECT_NEAR(obs.exact.norm, 1.0, 1e-12);
    EXPECT_LT(std::abs(std::arg(phase)), 10.0 * err + 1e-8);  // S(t) makes even the global phase agree
  }
  // falls with K_B until it reaches the floor set by the Magnus step, the trajectory and the lab-frame truncation
  for (std::size_t k = 1; k < errs.size(); ++k) {
    if (errs[k - 1] > 1e-8) {
      EXPECT_LT(errs[k], 0.5 * errs[k - 1]);
    }
  }
  EXPECT_LT(errs.back(), final_tol);
}


}  // namespace fockmix::test
