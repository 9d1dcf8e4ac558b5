#pragma once
// Independent dense Fock-space toolkit for tests (header-only; shares no code with the library's bases):
// the full fermion Fock space on L sites (2^L states, Jordan–Wigner matrices, |bits> = prod_{x ascending}
// a*_x |0>), a boson Fock space with total <= n_max (occupation tuples in a std::map), products with index
// f + 2^L b, and dense R[omega] (particle–hole transformation) and W[f] (Weyl operator).
#include <armadillo>
#include <bit>
#include <cmath>
#include <cstdint>
#include <map>
#include <vector>

#include "fockmix/core/types.hpp"

namespace fockmix::test {

struct DenseFock {
  Index L = 0, nmax = 0, DF = 0, DB = 0;
  std::vector<std::vector<int>> bos;            // occupation tuples, by total then lexicographic (any order works)
  std::map<std::vector<int>, Index> bos_index;
  std::vector<arma::mat> a;                     // a_x on the fermion space
  std::vector<arma::sp_mat> b;                  // b_y on the boson space (sparse: the space can be large)

  DenseFock(Index sites, Index n_max) : L(sites), nmax(n_max), DF(Index{1} << sites) {
    // bosons: all tuples with sum <= nmax
    std::vector<int> n(static_cast<std::size_t>(L), 0);
    enumerate(n, 0, static_cast<int>(nmax));
    DB = static_cast<Index>(bos.size());
    for (Index j = 0; j < DB; ++j) bos_index[bos[static_cast<std::size_t>(j)]] = j;
    for (Index x = 0; x < L; ++x) {
      arma::mat A(DF, DF, arma::fill::zeros);
      for (Index s = 0; s < DF; ++s) {
        const auto bits = static_cast<std::uint64_t>(s);
        if (!((bits >> x) & 1u)) continue;
        const int below = std::popcount(bits & ((std::uint64_t{1} << x) - 1));
        A(static_cast<arma::uword>(bits ^ (std::uint64_t{1} << x)), static_cast<arma::uword>(s)) = below % 2 ? -1.0 : 1.0;
      }
      a.push_back(A);
    }
    for (Index y = 0; y < L; ++y) {
      arma::sp_mat B(DB, DB);
      for (Index j = 0; j < DB; ++j) {
        auto m = bos[static_cast<std::size_t>(j)];
        const int ny = m[static_cast<std::size_t>(y)];
        if (ny == 0) continue;
        m[static_cast<std::size_t>(y)] -= 1;
        B(static_cast<arma::uword>(bos_index.at(m)), static_cast<arma::uword>(j)) = std::sqrt(static_cast<double>(ny));
      }
      b.push_back(B);
    }
  }

  void enumerate(std::vector<int>& n, std::size_t site, int left) {
    if (site == n.size()) {
      bos.push_back(n);
      return;
    }
    for (int v = 0; v <= left; ++v) {
      n[site] = v;
      enumerate(n, site + 1, left - v);
    }
    n[site] = 0;
  }

  int fermions(Index s) const { return std::popcount(static_cast<std::uint64_t>(s)); }
  int bosons(Index j) const {
    int t = 0;
    for (int v : bos[static_cast<std::size_t>(j)]) t += v;
    return t;
  }

  /// a(f) = sum_x conj(f_x) a_x ; a*(f) = a(f)^*.
  arma::cx_mat a_of(const arma::cx_vec& f) const {
    arma::cx_mat A(DF, DF, arma::fill::zeros);
    for (Index x = 0; x < L; ++x) A += std::conj(f(static_cast<arma::uword>(x))) * a[static_cast<std::size_t>(x)];
    return A;
  }
  arma::cx_mat adag_of(const arma::cx_vec& f) const { return a_of(f).t(); }
  arma::cx_mat b_of(const arma::cx_vec& f) const {
    arma::cx_mat B(DB, DB, arma::fill::zeros);
    for (Index y = 0; y < L; ++y) B += std::conj(f(static_cast<arma::uword>(y))) * arma::mat(b[static_cast<std::size_t>(y)]);
    return B;
  }
  arma::cx_mat by(Index y) const { return arma::conv_to<arma::cx_mat>::from(arma::mat(b[static_cast<std::size_t>(y)])); }
  arma::cx_mat nF(Index x) const { return arma::conv_to<arma::cx_mat>::from(arma::mat(a[x].t() * a[x])); }
  arma::cx_mat nB(Index y) const {
    arma::cx_mat n(DB, DB, arma::fill::zeros);
    for (Index j = 0; j < DB; ++j) n(j, j) = bos[static_cast<std::size_t>(j)][static_cast<std::size_t>(y)];
    return n;
  }
  /// dGamma(h) = sum h(x, x') c*_x c_x' on either space.
  arma::cx_mat dGammaF(const arma::cx_mat& h) const {
    arma::cx_mat G(DF, DF, arma::fill::zeros);
    for (Index x = 0; x < L; ++x)
      for (Index z = 0; z < L; ++z) G += h(x, z) * arma::conv_to<arma::cx_mat>::from(arma::mat(a[x].t() * a[z]));
    return G;
  }
  arma::cx_mat dGammaB(const arma::cx_mat& h) const {
    arma::sp_mat re(DB, DB), im(DB, DB);
    for (Index x = 0; x < L; ++x)
      for (Index z = 0; z < L; ++z) {
        const arma::sp_mat bb = b[x].t() * b[z];
        re += h(x, z).real() * bb;
        im += h(x, z).imag() * bb;
      }
    return arma::cx_mat(arma::mat(re), arma::mat(im));
  }

  /// exp(-i H) for Hermitian H.
  static arma::cx_mat expi(const arma::cx_mat& H) {
    arma::vec w;
    arma::cx_mat Q;
    arma::eig_sym(w, Q, arma::cx_mat(0.5 * (H + H.t())));
    arma::cx_vec ph(w.n_elem);
    for (arma::uword k = 0; k < w.n_elem; ++k) ph(k) = std::polar(1.0, -w(k));
    return Q * arma::diagmat(ph) * Q.t();
  }
  /// Weyl operator W[f] = exp(b*(f) - b(f)) on the truncated boson space (= exp(-i H), H = i (b*(f) - b(f))).
  arma::cx_mat weyl(const arma::cx_vec& f) const {
    const arma::cx_mat bf = b_of(f);
    return expi(cplx(0, 1) * (bf.t() - bf));
  }
  /// Parity (-1)^{N_F}.
  arma::cx_mat parity() const {
    arma::cx_mat P(DF, DF, arma::fill::zeros);
    for (Index s = 0; s < DF; ++s) P(s, s) = fermions(s) % 2 ? -1.0 : 1.0;
    return P;
  }
  /// Particle–hole transformation R[omega] for orthonormal orbitals (L x M):
  /// R = prod_j (a*(phi_j) + a(phi_j)) exp(i pi dGamma(1 - omega)) [(-1)^{N_F} if M is even], so that
  /// R* a*_x R = a*(u_x) + a(vbar_x) and R Omega = a*(phi_1) ... a*(phi_M) Omega.
  arma::cx_mat particle_hole(const arma::cx_mat& orb) const {
    arma::cx_mat R = arma::eye<arma::cx_mat>(DF, DF);
    for (arma::uword j = 0; j < orb.n_cols; ++j) R = R * (adag_of(orb.col(j)) + a_of(orb.col(j)));
    const arma::cx_mat u = arma::eye<arma::cx_mat>(L, L) - orb * orb.t();
    R = R * expi(-M_PI * dGammaF(u));
    if (orb.n_cols % 2 == 0) R = R * parity();
    return R;
  }
  /// a*(phi_1) ... a*(phi_M) Omega.
  arma::cx_vec slater(const arma::cx_mat& orb) const {
    arma::cx_vec v(DF, arma::fill::zeros);
    v(0) = 1.0;
    for (arma::uword j = orb.n_cols; j-- > 0;) v = adag_of(orb.col(j)) * v;
    return v;
  }
  /// Operator on the product space (index f + DF b).
  arma::cx_mat prod(const arma::cx_mat& F, const arma::cx_mat& B) const { return arma::kron(B, F); }
  /// (F (x) B) psi for a sparse boson operator B.
  arma::cx_vec apply_prod(const arma::cx_mat& F, const arma::sp_mat& B, const arma::cx_vec& psi) const {
    const arma::cx_mat P(const_cast<cplx*>(psi.memptr()), DF, DB, false, true);
    const arma::mat Pr = arma::real(P) * B.t(), Pi = arma::imag(P) * B.t();
    return arma::vectorise(arma::cx_mat(F * arma::cx_mat(Pr, Pi)));
  }
  /// e^{-i T H / hbar} psi for H = dGamma_F(tF) + dGamma_B(tB) + lambda sum V(x,y) n^F_x n^B_y, exponentiated
  /// densely in every block of fixed (N_F, N_B) (H conserves both).
  arma::cx_vec evolve(const arma::mat& tF, const arma::mat& tB, const arma::mat& V, double lambda, double hbar, double T,
                      arma::cx_vec psi) const {
    const arma::cx_mat hF = dGammaF(arma::conv_to<arma::cx_mat>::from(tF));
    const arma::cx_mat hB = dGammaB(arma::conv_to<arma::cx_mat>::from(tB));
    std::vector<arma::cx_mat> nFx, nBy;
    for (Index x = 0; x < L; ++x) {
      nFx.push_back(nF(x));
      nBy.push_back(nB(x));
    }
    for (Index m = 0; m <= L; ++m) {
      arma::uvec fM;
      for (Index s = 0; s < DF; ++s)
        if (fermions(s) == m) fM.resize(fM.n_elem + 1), fM(fM.n_elem - 1) = static_cast<arma::uword>(s);
      for (Index n = 0; n <= nmax; ++n) {
        arma::uvec bn;
        for (Index j = 0; j < DB; ++j)
          if (bosons(j) == n) bn.resize(bn.n_elem + 1), bn(bn.n_elem - 1) = static_cast<arma::uword>(j);
        arma::uvec idx(fM.n_elem * bn.n_elem);
        for (arma::uword b = 0; b < bn.n_elem; ++b)
          for (arma::uword f = 0; f < fM.n_elem; ++f) idx(f + b * fM.n_elem) = fM(f) + bn(b) * static_cast<arma::uword>(DF);
        const arma::cx_vec in = psi.elem(idx);
        if (arma::norm(in) == 0.0) continue;
        const arma::cx_mat IF = arma::eye<arma::cx_mat>(fM.n_elem, fM.n_elem), IB = arma::eye<arma::cx_mat>(bn.n_elem, bn.n_elem);
        arma::cx_mat H = arma::kron(IB, arma::cx_mat(hF.submat(fM, fM))) + arma::kron(arma::cx_mat(hB.submat(bn, bn)), IF);
        for (Index x = 0; x < L; ++x)
          for (Index y = 0; y < L; ++y)
            H += lambda * V(x, y) * arma::kron(arma::cx_mat(nBy[y].submat(bn, bn)), arma::cx_mat(nFx[x].submat(fM, fM)));
        psi.elem(idx) = expi(H * (T / hbar)) * in;
      }
    }
    return psi;
  }
  /// (F (x) B) psi without forming the product: F Psi B^T with Psi the DF x DB coefficient matrix.
  arma::cx_vec apply_prod(const arma::cx_mat& F, const arma::cx_mat& B, const arma::cx_vec& psi) const {
    const arma::cx_mat P(const_cast<cplx*>(psi.memptr()), DF, DB, false, true);
    return arma::vectorise(arma::cx_mat(F * P * B.st()));
  }
};

}  // namespace fockmix::test
