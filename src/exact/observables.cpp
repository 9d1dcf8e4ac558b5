#include "fockmix/exact/observables.hpp"

#include <algorithm>
#include <vector>

#include "fockmix/linalg/vector_ops.hpp"

namespace fockmix {

arma::cx_mat rdm_fermions(const Sector& sector, const cplx* psi) {
  const Index L = sector.sites(), DF = sector.dim_fermions(), DB = sector.dim_bosons();
  const HopTable& mf = sector.fermion_moves();
  arma::cx_mat G(L, L, arma::fill::zeros);
#pragma omp parallel if (sector.size() >= (1 << 14))
  {
    arma::cx_mat g(L, L, arma::fill::zeros);
#pragma omp for schedule(static)
    for (Index j = 0; j < DB; ++j) {
      const cplx* x = psi + j * DF;
      for (Index i = 0; i < DF; ++i) {
        const cplx xi = x[i];
        if (xi == cplx(0.0)) continue;
        for (Index o = mf.occ_offset[i]; o < mf.occ_offset[i + 1]; ++o) g(mf.occ[o].site, mf.occ[o].site) += std::norm(xi);
        // gamma(from, to) += conj(psi[target]) coef psi[i], with a*_to a_from |i> = coef |target>
        for (Index q = mf.hop_offset[i]; q < mf.hop_offset[i + 1]; ++q) {
          const auto& h = mf.hops[q];
          g(h.from, h.to) += h.coef * std::conj(x[h.target]) * xi;
        }
      }
    }
#pragma omp critical
    G += g;
  }
  return G;
}

arma::cx_mat rdm_bosons(const Sector& sector, const cplx* psi) {
  const Index L = sector.sites(), DF = sector.dim_fermions(), DB = sector.dim_bosons();
  const HopTable& mb = sector.boson_moves();
  const Index block = sector.cache_block_rows();
  arma::cx_mat G(L, L, arma::fill::zeros);
#pragma omp parallel if (sector.size() >= (1 << 14))
  {
    arma::cx_mat g(L, L, arma::fill::zeros);
    for (Index i0 = 0; i0 < DF; i0 += block) {
      const Index bw = std::min(block, DF - i0);
#pragma omp for schedule(static)
      for (Index j = 0; j < DB; ++j) {
        const cplx* x = psi + j * DF + i0;
        double n2 = 0.0;
        for (Index r = 0; r < bw; ++r) n2 += std::norm(x[r]);
        for (Index o = mb.occ_offset[j]; o < mb.occ_offset[j + 1]; ++o) g(mb.occ[o].site, mb.occ[o].site) += mb.occ[o].n * n2;
        for (Index q = mb.hop_offset[j]; q < mb.hop_offset[j + 1]; ++q) {
          const auto& h = mb.hops[q];
          const cplx* xt = psi + static_cast<Index>(h.target) * DF + i0;
          double re = 0.0, im = 0.0;
          for (Index r = 0; r < bw; ++r) {  // conj(xt) x
            re += xt[r].real() * x[r].real() + xt[r].imag() * x[r].imag();
            im += xt[r].real() * x[r].imag() - xt[r].imag() * x[r].real();
          }
          g(h.from, h.to) += h.coef * cplx(re, im);
        }
      }
    }
#pragma omp critical
    G += g;
  }
  return G;
}

void apply_fermion_one_body(const Sector& sector, const arma::cx_mat& A, const cplx* psi, cplx* out) {
  const Index DF = sector.dim_fermions(), DB = sector.dim_bosons();
  const HopTable& mf = sector.fermion_moves();
  // <i| dGamma(A) |target> = A(from, to) coef for every move i -> target (from -> to)
#pragma omp parallel for schedule(static) if (sector.size() >= (1 << 14))
  for (Index j = 0; j < DB; ++j) {
    const cplx* x = psi + j * DF;
    cplx* y = out + j * DF;
    for (Index i = 0; i < DF; ++i) {
      cplx acc = 0.0;
      for (Index o = mf.occ_offset[i]; o < mf.occ_offset[i + 1]; ++o) acc += A(mf.occ[o].site, mf.occ[o].site) * x[i];
      for (Index q = mf.hop_offset[i]; q < mf.hop_offset[i + 1]; ++q) {
        const auto& h = mf.hops[q];
        acc += A(h.from, h.to) * h.coef * x[h.target];
      }
      y[i] = acc;
    }
  }
}

void apply_boson_one_body(const Sector& sector, const arma::cx_mat& A, const cplx* psi, cplx* out) {
  const Index DF = sector.dim_fermions(), DB = sector.dim_bosons();
  const HopTable& mb = sector.boson_moves();
#pragma omp parallel for schedule(static) if (sector.size() >= (1 << 14))
  for (Index j = 0; j < DB; ++j) {
    cplx* y = out + j * DF;
    cplx d = 0.0;
    for (Index o = mb.occ_offset[j]; o < mb.occ_offset[j + 1]; ++o) d += A(mb.occ[o].site, mb.occ[o].site) * static_cast<double>(mb.occ[o].n);
    const cplx* x = psi + j * DF;
    for (Index i = 0; i < DF; ++i) y[i] = d * x[i];
    for (Index q = mb.hop_offset[j]; q < mb.hop_offset[j + 1]; ++q) {
      const auto& h = mb.hops[q];
      const cplx c = A(h.from, h.to) * h.coef;
      const cplx* xt = psi + static_cast<Index>(h.target) * DF;
      for (Index i = 0; i < DF; ++i) y[i] += c * xt[i];
    }
  }
}

FluctuationMoments fluctuation_moments(const Sector& sector, const cplx* psi, const arma::cx_mat& omega, const arma::cx_vec& phi) {
  const Index D = sector.size(), L = sector.sites();
  const arma::cx_mat one = arma::eye<arma::cx_mat>(L, L);
  std::vector<cplx> tmp(static_cast<std::size_t>(D));
  FluctuationMoments m;
  apply_fermion_one_body(sector, 2.0 * (one - omega), psi, tmp.data());
  m.nF = vec::dot(D, psi, tmp.data()).real();
  m.nF2 = vec::norm2(D, tmp.data());
  apply_boson_one_body(sector, one - phi * phi.t(), psi, tmp.data());
  m.nB = vec::dot(D, psi, tmp.data()).real();
  m.nB2 = vec::norm2(D, tmp.data());
  return m;
}

}  // namespace fockmix
