#include "fockmix/distributed/distributed_observables.hpp"
#include "fockmix/core/parallel.hpp"

#include <algorithm>
#include <complex>

namespace fockmix {

namespace {

PetscVec layout_of(const DistributedHamiltonian& H) { return H.create_vector(); }

/// sum_occ A(s, s) n_s of every state of a table (the diagonal of dGamma(A)).
std::vector<cplx> one_body_diagonal(const HopTable& t, const arma::cx_mat& A) {
  std::vector<cplx> d(static_cast<std::size_t>(t.size), 0.0);
  for (Index k = 0; k < t.size; ++k)
    for (Index o = t.occ_offset[k]; o < t.occ_offset[k + 1]; ++o)
      d[k] += A(t.occ[o].site, t.occ[o].site) * static_cast<double>(t.occ[o].n);
  return d;
}

}  // namespace

std::vector<Index> move_targets_outside(const HopTable& table, Index j0, Index j1) {
  if (j0 < 0 || j1 > table.size || j0 > j1) throw InputError("", "columns", "move_targets_outside: [j0, j1) must lie in [0, D_B)");
  std::vector<Index> out;
  for (Index j = j0; j < j1; ++j)
    for (Index q = table.hop_offset[j]; q < table.hop_offset[j + 1]; ++q) {
      const Index t = table.hops[q].target;
      if (t < j0 || t >= j1) out.push_back(t);
    }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

DistributedObserver::DistributedObserver(const DistributedHamiltonian& H)
    : H_(H),
      exchange_(layout_of(H).get(), move_targets_outside(H.serial().sector().boson_moves(), H.first_column(), H.last_column()),
                H.serial().sector().dim_fermions(), H.serial().sector().dim_bosons()) {}

double DistributedObserver::ghost_bytes() const noexcept {
  return static_cast<double>(exchange_.size()) * static_cast<double>(H_.serial().sector().dim_fermions()) * static_cast<double>(sizeof(cplx));
}

SectorObservables DistributedObserver::observe(Vec psi, const arma::cx_mat& omega, const arma::cx_vec& phi, bool moments) {
  const Sector& sector = H_.serial().sector();
  const Index L = sector.sites(), DF = sector.dim_fermions();
  const Index j0 = H_.first_column(), j1 = H_.last_column();
  const HopTable& mf = sector.fermion_moves();
  const HopTable& mb = sector.boson_moves();
  if (moments && (omega.n_rows != static_cast<arma::uword>(L) || omega.n_cols != static_cast<arma::uword>(L) ||
                  phi.n_elem != static_cast<arma::uword>(L)))
    throw InputError("", "omega, phi", "must be L x L and L for the moments");
  const arma::cx_mat one = arma::eye<arma::cx_mat>(L, L);
  arma::cx_mat AF, AB;
  std::vector<cplx> dF, dB;
  if (moments) {
    AF = 2.0 * (one - omega);  // N_F^exc = dGamma_F(2 (1 - omega))
    AB = one - phi * phi.t();  // N_B^exc = dGamma_B(1 - |phi><phi|)
    dF = one_body_diagonal(mf, AF);
    dB = one_body_diagonal(mb, AB);
  }

  exchange_.fetch(psi);
  const PetscScalar* a = nullptr;
  petsc_check(VecGetArrayRead(psi, &a), "VecGetArrayRead");
  const cplx* local = reinterpret_cast<const cplx*>(a);
  const cplx* ghosts = exchange_.ghosts();
  const std::int32_t* slot = exchange_.slot();
  auto column = [&](Index j) { return (j >= j0 && j < j1) ? local + (j - j0) * DF : ghosts + static_cast<Index>(slot[j]) * DF; };

  const auto LL = static_cast<std::size_t>(L * L);
  // sums of this rank: gamma_F, gamma_B (interleaved real/imaginary, [x * L + x']), then nF, nF2, nB, nB2
  std::vector<double> sums(4 * LL + 4, 0.0);
#pragma omp parallel if (worth_threading((j1 - j0) * DF))
  {
    std::vector<cplx> gf(LL, 0.0), gb(LL, 0.0);
    std::vector<cplx> y(moments ? static_cast<std::size_t>(DF) : 0);
    double sF = 0.0, sF2 = 0.0, sB = 0.0, sB2 = 0.0;
#pragma omp for schedule(static)
    for (Index j = j0; j < j1; ++j) {
      const cplx* x = column(j);
      // fermions: every move stays in the column
      for (Index i = 0; i < DF; ++i) {
        const cplx xi = x[i];
        const double n2 = std::norm(xi);
        for (Index o = mf.occ_offset[i]; o < mf.occ_offset[i + 1]; ++o) gf[mf.occ[o].site * (L + 1)] += n2;
        cplx yi = moments ? dF[i] * xi : cplx(0.0);
        for (Index q = mf.hop_offset[i]; q < mf.hop_offset[i + 1]; ++q) {
          const auto& h = mf.hops[q];
          const cplx xt = x[h.target];
          gf[h.from * L + h.to] += h.coef * std::conj(xt) * xi;
          if (moments) yi += AF(h.from, h.to) * h.coef * xt;
        }
        if (moments) {
          sF += (std::conj(xi) * yi).real();
          sF2 += std::norm(yi);
        }
      }
      // bosons: the moves of column j reach own and ghost columns
      double n2 = 0.0;
      for (Index i = 0; i < DF; ++i) n2 += std::norm(x[i]);
      for (Index o = mb.occ_offset[j]; o < mb.occ_offset[j + 1]; ++o) gb[mb.occ[o].site * (L + 1)] += static_cast<double>(mb.occ[o].n) * n2;
      if (moments)
        for (Index i = 0; i < DF; ++i) y[i] = dB[j] * x[i];
      for (Index q = mb.hop_offset[j]; q < mb.hop_offset[j + 1]; ++q) {
        const auto& h = mb.hops[q];
        const cplx* xt = column(h.target);
        cplx g = 0.0;
        for (Index i = 0; i < DF; ++i) g += std::conj(xt[i]) * x[i];
        gb[h.from * L + h.to] += h.coef * g;
        if (moments) {
          const cplx c = AB(h.from, h.to) * h.coef;
          for (Index i = 0; i < DF; ++i) y[i] += c * xt[i];
        }
      }
      if (moments)
        for (Index i = 0; i < DF; ++i) {
          sB += (std::conj(x[i]) * y[i]).real();
          sB2 += std::norm(y[i]);
        }
    }
#pragma omp critical
    {
      for (std::size_t q = 0; q < LL; ++q) {
        sums[2 * q] += gf[q].real();
        sums[2 * q + 1] += gf[q].imag();
        sums[2 * LL + 2 * q] += gb[q].real();
        sums[2 * LL + 2 * q + 1] += gb[q].imag();
      }
      sums[4 * LL] += sF;
      sums[4 * LL + 1] += sF2;
      sums[4 * LL + 2] += sB;
      sums[4 * LL + 3] += sB2;
    }
  }
  petsc_check(VecRestoreArrayRead(psi, &a), "VecRestoreArrayRead");
  if (MPI_Allreduce(MPI_IN_PLACE, sums.data(), static_cast<int>(sums.size()), MPI_DOUBLE, MPI_SUM, H_.comm()) != MPI_SUCCESS)
    throw Error("MPI_Allreduce (observables) failed");

  SectorObservables out;
  out.gamma_F.zeros(L, L);
  out.gamma_B.zeros(L, L);
  for (Index x = 0; x < L; ++x)
    for (Index xp = 0; xp < L; ++xp) {
      const std::size_t q = static_cast<std::size_t>(x * L + xp);
      out.gamma_F(x, xp) = cplx(sums[2 * q], sums[2 * q + 1]);
      out.gamma_B(x, xp) = cplx(sums[2 * LL + 2 * q], sums[2 * LL + 2 * q + 1]);
    }
  out.density_F = arma::real(out.gamma_F.diag());
  out.density_B = arma::real(out.gamma_B.diag());
  if (moments) out.moments = {sums[4 * LL], sums[4 * LL + 1], sums[4 * LL + 2], sums[4 * LL + 3]};
  return out;
}

}  // namespace fockmix
