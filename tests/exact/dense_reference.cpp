#include "exact/dense_reference.hpp"

#include <algorithm>
#include <cmath>
#include <functional>

namespace fockmix::test {

namespace {

// a_x on a sorted list: sign (-1)^(position), or false if x is empty
bool annihilate(std::vector<int>& s, int x, double& sign) {
  auto it = std::find(s.begin(), s.end(), x);
  if (it == s.end()) return false;
  if ((it - s.begin()) % 2) sign = -sign;
  s.erase(it);
  return true;
}
// a*_x on a sorted list: moving a*_x to its place passes the creators of smaller sites
bool create(std::vector<int>& s, int x, double& sign) {
  if (std::find(s.begin(), s.end(), x) != s.end()) return false;
  auto it = std::lower_bound(s.begin(), s.end(), x);
  if ((it - s.begin()) % 2) sign = -sign;
  s.insert(it, x);
  return true;
}

}  // namespace

arma::cx_mat exp_hermitian(const arma::mat& H, double t, double hbar) {
  arma::vec w;
  arma::mat Q;
  arma::eig_sym(w, Q, arma::mat(0.5 * (H + H.t())));
  const arma::cx_vec phase = arma::exp(arma::cx_vec(arma::zeros(w.n_elem), -t / hbar * w));
  return arma::cx_mat(Q, arma::zeros(Q.n_rows, Q.n_cols)) * arma::diagmat(phase) * Q.t();
}

DenseReference build_reference(Index L, Index M, Index N, Index cap, const arma::mat& tF, const arma::mat& tB, const arma::mat& V,
                               double lambda) {
  DenseReference r;
  r.L = L;
  if (cap <= 0) cap = N;
  // fermions: all subsets of size M by recursion
  std::vector<int> cur;
  std::function<void(int)> rec = [&](int start) {
    if (static_cast<Index>(cur.size()) == M) {
      r.fermion_states.push_back(cur);
      return;
    }
    for (int x = start; x < L; ++x) {
      cur.push_back(x);
      rec(x + 1);
      cur.pop_back();
    }
  };
  rec(0);
  // bosons: all tuples with sum N and entries <= cap, by counting in base cap+1
  std::vector<int> n(L, 0);
  while (true) {
    int s = 0;
    for (int v : n) s += v;
    if (s == N) r.boson_states.push_back(n);
    int k = 0;
    while (k < L && n[k] == cap) n[k++] = 0;
    if (k == L) break;
    ++n[k];
  }
  r.DF = static_cast<Index>(r.fermion_states.size());
  r.DB = static_cast<Index>(r.boson_states.size());
  for (Index i = 0; i < r.DF; ++i) r.fermion_index[r.fermion_states[i]] = i;
  for (Index j = 0; j < r.DB; ++j) r.boson_index[r.boson_states[j]] = j;
  r.cdc_F.assign(L * L, arma::mat(r.DF, r.DF, arma::fill::zeros));
  r.cdc_B.assign(L * L, arma::mat(r.DB, r.DB, arma::fill::zeros));
  for (Index x = 0; x < L; ++x)
    for (Index xp = 0; xp < L; ++xp) {
      for (Index i = 0; i < r.DF; ++i) {
        std::vector<int> s = r.fermion_states[i];
        double sign = 1.0;
        if (!annihilate(s, static_cast<int>(xp), sign)) continue;
        if (!create(s, static_cast<int>(x), sign)) continue;
        r.cdc_F[x * L + xp](r.fermion_index.at(s), i) += sign;
      }
      for (Index j = 0; j < r.DB; ++j) {
        std::vector<int> m = r.boson_states[j];
        if (m[xp] == 0) continue;
        double amp = std::sqrt(static_cast<double>(m[xp]));
        --m[xp];
        amp *= std::sqrt(static_cast<double>(m[x] + 1));
        ++m[x];
        if (m[x] > cap) continue;  // projected out by the cap
        r.cdc_B[x * L + xp](r.boson_index.at(m), j) += amp;
      }
    }
  arma::mat HF(r.DF, r.DF, arma::fill::zeros), HB(r.DB, r.DB, arma::fill::zeros);
  for (Index x = 0; x < L; ++x)
    for (Index xp = 0; xp < L; ++xp) {
      HF += tF(x, xp) * r.cdc_F[x * L + xp];
      HB += tB(x, xp) * r.cdc_B[x * L + xp];
    }
  const Index D = r.DF * r.DB;
  r.H = arma::kron(arma::eye(r.DB, r.DB), HF) + arma::kron(HB, arma::eye(r.DF, r.DF));
  for (Index j = 0; j < r.DB; ++j)
    for (Index i = 0; i < r.DF; ++i) {
      double e = 0.0;
      for (int x : r.fermion_states[i])
        for (Index y = 0; y < L; ++y) e += lambda * V(x, y) * r.boson_states[j][y];
      r.H(i + j * r.DF, i + j * r.DF) += e;
    }
  (void)D;
  return r;
}

std::vector<Index> DenseReference::permutation(const Sector& s) const {
  std::vector<Index> p(static_cast<std::size_t>(s.size()));
  for (Index j = 0; j < s.dim_bosons(); ++j) {
    std::vector<int> m(L);
    for (Index y = 0; y < L; ++y) m[y] = s.bosons().occupation(j, y);
    const Index jb = boson_index.at(m);
    for (Index i = 0; i < s.dim_fermions(); ++i) {
      std::vector<int> f;
      for (Index x = 0; x < L; ++x)
        if (s.fermions().occupation(i, x)) f.push_back(static_cast<int>(x));
      p[i + j * s.dim_fermions()] = fermion_index.at(f) + jb * DF;
    }
  }
  return p;
}

arma::cx_vec DenseReference::to_reference(const Sector& s, const arma::cx_vec& ours) const {
  const auto p = permutation(s);
  arma::cx_vec out(ours.n_elem, arma::fill::zeros);
  for (std::size_t k = 0; k < p.size(); ++k) out(p[k]) = ours(k);
  return out;
}

arma::cx_mat DenseReference::gamma_F(const arma::cx_vec& psi) const {
  arma::cx_mat g(L, L);
  for (Index x = 0; x < L; ++x)
    for (Index xp = 0; xp < L; ++xp) {
      // <a*_{x'} a_x> with the operator acting on the fermion factor
      const arma::mat op = arma::kron(arma::eye(DB, DB), cdc_F[xp * L + x]);
      g(x, xp) = arma::cdot(psi, op * psi);
    }
  return g;
}

arma::cx_mat DenseReference::gamma_B(const arma::cx_vec& psi) const {
  arma::cx_mat g(L, L);
  for (Index y = 0; y < L; ++y)
    for (Index yp = 0; yp < L; ++yp) {
      const arma::mat op = arma::kron(cdc_B[yp * L + y], arma::eye(DF, DF));
      g(y, yp) = arma::cdot(psi, op * psi);
    }
  return g;
}

}  // namespace fockmix::test
