#include "fockmix/fluct/generator.hpp"
#include "fockmix/core/parallel.hpp"

#include <cmath>
#include <string>

#include "fockmix/core/error.hpp"

namespace fockmix {

namespace {

/// y[i] += scale ((dGamma(B) - beta) x)[i] on the mode-basis fermion sector, with
/// <i| dGamma(B) |target> = B(from, to) coef for every move i -> target (from -> to).
inline void fermion_apply(const HopTable& mf, Index DF, const arma::cx_mat& B, cplx beta, const cplx* x, cplx* y, cplx scale) {
  for (Index i = 0; i < DF; ++i) {
    cplx d = -beta;
    for (Index o = mf.occ_offset[i]; o < mf.occ_offset[i + 1]; ++o) d += B(mf.occ[o].site, mf.occ[o].site);
    cplx acc = d * x[i];
    for (Index q = mf.hop_offset[i]; q < mf.hop_offset[i + 1]; ++q) {
      const auto& h = mf.hops[q];
      acc += B(h.from, h.to) * h.coef * x[h.target];
    }
    y[i] += scale * acc;
  }
}

/// The part of A that changes the fluctuation number: the occupied/unoccupied off-diagonal blocks.
arma::cx_mat pair_part(const arma::cx_mat& A, arma::uword M) {
  arma::cx_mat P(A.n_rows, A.n_cols, arma::fill::zeros);
  const arma::uword L = A.n_rows;
  if (M == 0 || M == L) return P;
  P.submat(0, M, M - 1, L - 1) = A.submat(0, M, M - 1, L - 1);
  P.submat(M, 0, L - 1, M - 1) = A.submat(M, 0, L - 1, M - 1);
  return P;
}

}  // namespace

FluctuationGenerator::FluctuationGenerator(const FluctuationSpace& space, const arma::mat& V, double lambda, double N,
                                           const std::vector<std::pair<double, FluctuationFrame>>& frames, double cutoff)
    : space_(space), lambda_(lambda), sqrtN_(std::sqrt(N)), cutoff_(cutoff) {
  const Index L = space.sites();
  const auto uL = static_cast<arma::uword>(L);
  if (V.n_rows != uL || V.n_cols != uL) throw InputError("", "V", "must be L x L");
  if (!(N >= 0.0)) throw InputError("", "N", "must be >= 0");
  if (!std::isfinite(lambda)) throw InputError("", "lambda", "must be finite");
  if (frames.empty()) throw InputError("", "frames", "need at least one frame");
  hB_.zeros(uL, uL);
  B0_.assign(uL, arma::cx_mat(uL, uL, arma::fill::zeros));
  Bp_ = B0_;
  beta0_.assign(uL, 0.0);
  betap_.assign(uL, 0.0);
  for (const auto& [w, f] : frames) {
    if (f.modes.n_rows != uL || f.modes.n_cols != uL) throw InputError("", "frames", "modes must be L x L");
    if (f.phi.n_elem != uL || f.omega_diag.n_elem != uL) throw InputError("", "frames", "phi and omega_diag need L entries");
    if (f.h_B.n_rows != uL || f.h_B.n_cols != uL) throw InputError("", "frames", "h_B must be L x L");
    S_ += w * f.S;
    hB_ += w * f.h_B;
    const arma::vec c = V * f.omega_diag;  // c_y = sum_x V(x - y) omega(x, x)  (V symmetric)
    for (arma::uword y = 0; y < uL; ++y) {
      // A_y = E^* diag(V(., y)) E
      arma::cx_mat VE = f.modes;
      VE.each_col() %= arma::conv_to<arma::cx_vec>::from(arma::vec(V.col(y)));
      const arma::cx_mat A = f.modes.t() * VE;
      B0_[y] += w * A;
      beta0_[y] += w * c(y);
      Bp_[y] += (w * f.phi(y)) * A;
      betap_[y] += w * f.phi(y) * c(y);
    }
  }
  const arma::uword M = static_cast<arma::uword>(space.fermions());
  Bm_.resize(uL);
  Bp_pair_.resize(uL);
  Bm_pair_.resize(uL);
  for (arma::uword y = 0; y < uL; ++y) {
    Bm_[y] = Bp_[y].t();
    Bp_pair_[y] = pair_part(Bp_[y], M);
    Bm_pair_[y] = pair_part(Bm_[y], M);
  }
}

void FluctuationGenerator::apply(const cplx* in, cplx* out) const {
  const Index L = space_.sites(), DF = space_.dim_fermions(), DB = space_.dim_bosons();
  const HopTable& mf = space_.fermion_moves();
  const HopTable& mb = space_.boson_moves();
  const bool truncate = cutoff_ >= 0.0;
  const double chi_max = cutoff_ + 1e-9;
  const cplx zero = 0.0;
#pragma omp parallel for schedule(dynamic, 8) if (worth_threading(space_.size()))
  for (Index j = 0; j < DB; ++j) {
    cplx* y = out + j * DF;
    const cplx* xj = in + j * DF;
    // S + dGamma_B[h_B]: diagonal part
    double d = S_;
    for (Index o = mb.occ_offset[j]; o < mb.occ_offset[j + 1]; ++o) d += hB_(mb.occ[o].site, mb.occ[o].site) * mb.occ[o].n;
    for (Index i = 0; i < DF; ++i) y[i] = d * xj[i];
    // dGamma_B[h_B]: moves, <j| dGamma(h) |target> = h(from, to) coef
    for (Index q = mb.hop_offset[j]; q < mb.hop_offset[j + 1]; ++q) {
      const auto& h = mb.hops[q];
      const double c = hB_(h.from, h.to) * h.coef;
      if (c == 0.0) continue;
      const cplx* xt = in + static_cast<Index>(h.target) * DF;
      for (Index i = 0; i < DF; ++i) y[i] += c * xt[i];
    }
    const int nBj = space_.boson_number(j);
    const std::uint8_t* occ = space_.boson_basis().occupations(j);
    for (Index s = 0; s < L; ++s) {
      const auto us = static_cast<std::size_t>(s);
      const int n = occ[s];
      // lambda (dGamma(A_y) - c_y) (x) n_y
      if (n > 0) fermion_apply(mf, DF, B0_[us], beta0_[us], xj, y, lambda_ * n);
      if (sqrtN_ == 0.0) continue;
      // lambda sqrt(N) (...) (x) phi_y b*_y: input column lower(j, y), factor sqrt(n_y(j))
      const Index jl = space_.lower(j, s);
      if (jl >= 0) {
        const cplx f = lambda_ * sqrtN_ * std::sqrt(static_cast<double>(n));
        const bool full = !truncate || nBj <= chi_max;
        fermion_apply(mf, DF, full ? Bp_[us] : Bp_pair_[us], full ? betap_[us] : zero, in + jl * DF, y, f);
      }
      // lambda sqrt(N) (...) (x) conj(phi_y) b_y: input column raise(j, y), factor sqrt(n_y(j) + 1)
      const Index jr = space_.raise(j, s);
      if (jr >= 0) {
        const cplx f = lambda_ * sqrtN_ * std::sqrt(static_cast<double>(n + 1));
        const bool full = !truncate || nBj + 1 <= chi_max;
        fermion_apply(mf, DF, full ? Bm_[us] : Bm_pair_[us], full ? std::conj(betap_[us]) : zero, in + jr * DF, y, f);
      }
    }
  }
}

}  // namespace fockmix
