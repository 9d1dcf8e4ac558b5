#include "fockmix/exact/observables.hpp"
#include "fockmix/core/parallel.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "fockmix/linalg/vector_ops.hpp"

namespace fockmix {

arma::cx_mat rdm_fermions(const Sector& sector, const cplx* psi) {
  const Index L = sector.sites(), DF = sector.dim_fermions(), DB = sector.dim_bosons();
  const HopTable& mf = sector.fermion_moves();
  arma::cx_mat G(L, L, arma::fill::zeros);
#pragma omp parallel if (worth_threading(sector.size()))
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
#pragma omp parallel if (worth_threading(sector.size()))
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
#pragma omp parallel for schedule(static) if (worth_threading(sector.size()))
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
#pragma omp parallel for schedule(static) if (worth_threading(sector.size()))
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

namespace {

/// A move of a species table in the form the fused pass uses: target rank, index from*L + to of the
/// (from, to) pair of the RDM, its coefficient and A(from, to) coef of the fluctuation operator.
struct FusedMove {
  std::int32_t target;
  std::int32_t pair;
  double coef;
  cplx a_coef;
};

/// The moves of a table with pair indices and A(from, to) coef; offsets as in the table.
std::vector<FusedMove> fused_moves(const HopTable& t, const arma::cx_mat& A, bool with_A) {
  std::vector<FusedMove> out(t.hops.size());
  for (std::size_t q = 0; q < t.hops.size(); ++q) {
    const auto& h = t.hops[q];
    out[q] = {h.target, static_cast<std::int32_t>(h.from * t.sites + h.to), h.coef, with_A ? A(h.from, h.to) * h.coef : cplx(0.0)};
  }
  return out;
}

/// sum_occ A(s, s) n_s of every state of a table (the diagonal of dGamma(A)).
std::vector<cplx> diagonal_of(const HopTable& t, const arma::cx_mat& A) {
  std::vector<cplx> d(static_cast<std::size_t>(t.size), 0.0);
  for (Index k = 0; k < t.size; ++k)
    for (Index o = t.occ_offset[k]; o < t.occ_offset[k + 1]; ++o) d[k] += A(t.occ[o].site, t.occ[o].site) * static_cast<double>(t.occ[o].n);
  return d;
}

/// The fermion moves of a table with from < to grouped by RDM pair (from*L + to), rows ascending within a pair:
/// gamma_F(from, to) is then one dot product per pair, accumulated in registers. The moves with from > to are left
/// out: they give the conjugates (gamma_F is Hermitian: the reverse move has the same real coefficient).
struct PairMoves {
  struct Move {
    std::int32_t row, target;
    double coef;
  };
  std::vector<Index> offset;  // L*L + 1
  std::vector<Move> moves;
};

PairMoves pair_moves(const std::vector<FusedMove>& hf, const std::vector<Index>& hop_offset, Index DF, Index L) {
  PairMoves pm;
  pm.offset.assign(static_cast<std::size_t>(L * L + 1), 0);
  auto upper = [L](std::int32_t pair) { return pair / L < pair % L; };
  for (const FusedMove& h : hf)
    if (upper(h.pair)) ++pm.offset[static_cast<std::size_t>(h.pair) + 1];
  for (Index p = 0; p < L * L; ++p) pm.offset[p + 1] += pm.offset[p];
  pm.moves.resize(static_cast<std::size_t>(pm.offset.back()));
  std::vector<Index> next(pm.offset.begin(), pm.offset.end() - 1);
  for (Index i = 0; i < DF; ++i)
    for (Index q = hop_offset[i]; q < hop_offset[i + 1]; ++q) {
      const FusedMove& h = hf[q];
      if (upper(h.pair)) pm.moves[next[h.pair]++] = {static_cast<std::int32_t>(i), h.target, h.coef};
    }
  return pm;
}

/// The tile of eight boson columns the fermion kernels read: row i holds the eight real parts, then the eight
/// imaginary parts (128 bytes, two cache lines when the tile is aligned), at tre + i kTileStride and tim = tre +
/// kTileCols. Eight columns rather than four share each move's scalar work (its target, its coefficient) among
/// twice the vector work (moments pass 71 -> 64 ms on 12 6 6); a tile of 924 rows is 118 KB, in L2.
constexpr Index kTileCols = 8, kTileStride = 2 * kTileCols;

/// gamma_F entries of one tile (above) into gf, pair by pair: the columns in separate register accumulators,
/// summed once a pair. Compiled for AVX2 and the baseline (see sector_hamiltonian.cpp).
__attribute__((target_clones("avx2", "default"))) void fermion_tile_rdm(Index npairs, const Index* pair_offset,
                                                                         const PairMoves::Move* pm, const double* tre,
                                                                         const double* tim, cplx* gf) {
  for (Index p = 0; p < npairs; ++p) {
    const Index qb = pair_offset[p], qe = pair_offset[p + 1];
    if (qb == qe) continue;
    double ar[kTileCols] = {}, ai[kTileCols] = {};
    for (Index q = qb; q < qe; ++q) {
      const PairMoves::Move& m = pm[q];
      const double* xr = tre + static_cast<Index>(m.row) * kTileStride;
      const double* xm = tim + static_cast<Index>(m.row) * kTileStride;
      const double* tr = tre + static_cast<Index>(m.target) * kTileStride;
      const double* tm = tim + static_cast<Index>(m.target) * kTileStride;
      const double v = m.coef;
#pragma omp simd
      for (Index c = 0; c < kTileCols; ++c) {  // coef conj(x_t) x_i
        ar[c] += v * (tr[c] * xr[c] + tm[c] * xm[c]);
        ai[c] += v * (tr[c] * xm[c] - tm[c] * xr[c]);
      }
    }
    double sr = 0.0, si = 0.0;
    for (Index c = 0; c < kTileCols; ++c) {
      sr += ar[c];
      si += ai[c];
    }
    gf[p] += cplx(sr, si);
  }
}

/// <x, N_F^exc x> and ||N_F^exc x||^2 of the same tile into sF, sF2 (the moments' fermion part). Compiled for AVX2
/// and the baseline.
__attribute__((target_clones("avx2", "default"))) void fermion_tile_moments(Index DF, const Index* hop_offset, const FusedMove* hf,
                                                                             const cplx* dF, const double* tre, const double* tim,
                                                                             double& sF, double& sF2) {
  double s1 = 0.0, s2 = 0.0;
  for (Index i = 0; i < DF; ++i) {
    const double* xr = tre + i * kTileStride;
    const double* xm = tim + i * kTileStride;
    double yr[kTileCols] = {}, ym[kTileCols] = {};
    for (Index q = hop_offset[i]; q < hop_offset[i + 1]; ++q) {
      const FusedMove& h = hf[q];
      const double* tr = tre + static_cast<Index>(h.target) * kTileStride;
      const double* tm = tim + static_cast<Index>(h.target) * kTileStride;
      const double ar = h.a_coef.real(), am = h.a_coef.imag();
#pragma omp simd
      for (Index c = 0; c < kTileCols; ++c) {
        yr[c] += ar * tr[c] - am * tm[c];
        ym[c] += ar * tm[c] + am * tr[c];
      }
    }
    const double dr = dF[i].real(), dm = dF[i].imag();
    for (Index c = 0; c < kTileCols; ++c) {
      yr[c] += dr * xr[c] - dm * xm[c];
      ym[c] += dr * xm[c] + dm * xr[c];
      s1 += xr[c] * yr[c] + xm[c] * ym[c];
      s2 += yr[c] * yr[c] + ym[c] * ym[c];
    }
  }
  sF += s1;
  sF2 += s2;
}

/// The 2 x 2 block of Gram entries conj(b_j) . a_i (i, j = 0, 1; g = {b0.a0, b1.a0, b0.a1, b1.a1}) in one sweep:
/// each loaded number feeds two products instead of one. n complex numbers as interleaved doubles, taken two at a
/// time (four doubles): the products of matching doubles sum to the real parts, the products with each pair of b
/// swapped give ar bi and ai br, whose difference is the imaginary part; nothing is de-interleaved (1.6 to 1.9x
/// faster than separate real and imaginary arithmetic, docs/performance.md).
__attribute__((target_clones("avx2", "default"))) void gram_block(Index n, const double* __restrict a0, const double* __restrict a1,
                                                                   const double* __restrict b0, const double* __restrict b1, cplx* g) {
  double s00[4] = {}, t00[4] = {}, s10[4] = {}, t10[4] = {}, s01[4] = {}, t01[4] = {}, s11[4] = {}, t11[4] = {};
  Index r = 0;
  for (; r + 2 <= n; r += 2) {
    const double* A0 = a0 + 2 * r;
    const double* A1 = a1 + 2 * r;
    const double* B0 = b0 + 2 * r;
    const double* B1 = b1 + 2 * r;
    const double B0s[4] = {B0[1], B0[0], B0[3], B0[2]}, B1s[4] = {B1[1], B1[0], B1[3], B1[2]};
#pragma omp simd
    for (int l = 0; l < 4; ++l) {
      s00[l] += A0[l] * B0[l];
      t00[l] += A0[l] * B0s[l];
      s10[l] += A0[l] * B1[l];
      t10[l] += A0[l] * B1s[l];
      s01[l] += A1[l] * B0[l];
      t01[l] += A1[l] * B0s[l];
      s11[l] += A1[l] * B1[l];
      t11[l] += A1[l] * B1s[l];
    }
  }
  auto entry = [](const double* sm, const double* tw) { return cplx(sm[0] + sm[1] + sm[2] + sm[3], (tw[1] + tw[3]) - (tw[0] + tw[2])); };
  g[0] = entry(s00, t00);
  g[1] = entry(s10, t10);
  g[2] = entry(s01, t01);
  g[3] = entry(s11, t11);
  if (r < n) {  // odd n: the last number
    const double a0r = a0[2 * r], a0i = a0[2 * r + 1], a1r = a1[2 * r], a1i = a1[2 * r + 1];
    const double b0r = b0[2 * r], b0i = b0[2 * r + 1], b1r = b1[2 * r], b1i = b1[2 * r + 1];
    g[0] += cplx(b0r * a0r + b0i * a0i, b0r * a0i - b0i * a0r);
    g[1] += cplx(b1r * a0r + b1i * a0i, b1r * a0i - b1i * a0r);
    g[2] += cplx(b0r * a1r + b0i * a1i, b0r * a1i - b0i * a1r);
    g[3] += cplx(b1r * a1r + b1i * a1i, b1r * a1i - b1i * a1r);
  }
}

/// sum_r conj(b_r) a_r over n complex numbers stored as interleaved doubles (the boson Gram entries).
__attribute__((target_clones("avx2", "default"))) cplx gram_dot(Index n, const double* a, const double* b) {
  double re = 0.0, im = 0.0;
#pragma omp simd reduction(+ : re, im)
  for (Index r = 0; r < n; ++r) {
    re += b[2 * r] * a[2 * r] + b[2 * r + 1] * a[2 * r + 1];
    im += b[2 * r] * a[2 * r + 1] - b[2 * r + 1] * a[2 * r];
  }
  return {re, im};
}

/// For every state of `lower` (one boson fewer than `upper`, same sites) and site y: the rank in `upper` of the state
/// with one more boson at y (-1 if `upper` has none, e.g. beyond a cap), and sqrt(n_y + 1), the matrix element of
/// b_y between them. Row-major, L entries a state.
struct Parents {
  std::vector<std::int32_t> rank;
  std::vector<double> sq;
};
Parents parents_of(const BosonBasis& lower, Index count, const BosonBasis& upper, Index L) {
  Parents p{std::vector<std::int32_t>(static_cast<std::size_t>(count * L), -1), std::vector<double>(static_cast<std::size_t>(count * L), 0.0)};
  std::vector<std::uint8_t> n(static_cast<std::size_t>(L));
  for (Index j = 0; j < count; ++j) {
    std::copy(lower.occupations(j), lower.occupations(j) + L, n.begin());
    for (Index y = 0; y < L; ++y) {
      ++n[y];
      p.rank[j * L + y] = static_cast<std::int32_t>(upper.rank(n.data()));
      --n[y];
      p.sq[j * L + y] = std::sqrt(static_cast<double>(n[y]) + 1.0);
    }
  }
  return p;
}

/// out = sum_a f[a] col[a] over k columns of n complex numbers (interleaved doubles); returns ||out||^2. Two numbers
/// (four doubles) at a time, summed over the columns in registers and stored once; each product f x written with x
/// and its pairs swapped (fr x + (-fi, fi) x_swapped), nothing de-interleaved (1.2 to 1.9x faster than a
/// read-modify-write of out per column, docs/performance.md). Compiled for AVX2 and the baseline.
__attribute__((target_clones("avx2", "default"))) double combine_columns(Index n, Index k, const double* const* col, const cplx* f,
                                                                          double* __restrict out) {
  double s[4] = {};
  Index r = 0;
  for (; r + 2 <= n; r += 2) {
    double acc[4] = {};
    for (Index a = 0; a < k; ++a) {
      const double* x = col[a] + 2 * r;
      const double fr = f[a].real(), fi = f[a].imag();
      const double xs[4] = {x[1], x[0], x[3], x[2]};
      const double fis[4] = {-fi, fi, -fi, fi};
#pragma omp simd
      for (int l = 0; l < 4; ++l) acc[l] += fr * x[l] + fis[l] * xs[l];
    }
#pragma omp simd
    for (int l = 0; l < 4; ++l) {
      out[2 * r + l] = acc[l];
      s[l] += acc[l] * acc[l];
    }
  }
  double sum = s[0] + s[1] + s[2] + s[3];
  if (r < n) {  // odd n: the last number
    double ar = 0.0, ai = 0.0;
    for (Index a = 0; a < k; ++a) {
      const double* x = col[a] + 2 * r;
      ar += f[a].real() * x[0] - f[a].imag() * x[1];
      ai += f[a].real() * x[1] + f[a].imag() * x[0];
    }
    out[2 * r] = ar;
    out[2 * r + 1] = ai;
    sum += ar * ar + ai * ai;
  }
  return sum;
}

}  // namespace

SectorObservables observe(const Sector& sector, const cplx* psi, const arma::cx_mat& omega, const arma::cx_vec& phi, ObserveParts parts,
                          ObserveScratch* scratch) {
  const bool rdms = parts != ObserveParts::Moments;
  const bool moments = parts != ObserveParts::View;
  const Index L = sector.sites(), DF = sector.dim_fermions(), DB = sector.dim_bosons();
  const HopTable& mf = sector.fermion_moves();
  const HopTable& mb = sector.boson_moves();
  const BosonBasis& B = sector.bosons();
  const Index N = B.max_particles();
  arma::cx_mat AF;
  if (moments) AF = 2.0 * (arma::eye<arma::cx_mat>(L, L) - omega);
  const std::vector<FusedMove> hf = fused_moves(mf, AF, moments);
  const PairMoves pm = rdms ? pair_moves(hf, mf.hop_offset, DF, L) : PairMoves{std::vector<Index>(static_cast<std::size_t>(L * L + 1), 0), {}};
  const std::vector<cplx> dF = moments ? diagonal_of(mf, AF) : std::vector<cplx>();

  // Bosons through annihilation: gamma_B(y, y') = sum_jm <(b_y' psi)[:, jm], (b_y psi)[:, jm]> over the states jm of
  // N - 1 bosons, where (b_y psi)[:, jm] = sqrt(n_y(jm) + 1) psi[:, parent(jm, y)]: for each jm the Gram matrix of at
  // most L columns (read once, from L2) instead of a dot product per boson move (L - 1 per occupied site, whose
  // targets lie far apart in the boson ranking). For the moments, with n_phi = b*(phi) b(phi) and
  // N_B^exc = N - n_phi: u = b(phi) psi (N - 1 bosons), <N_B^exc> = N ||psi||^2 - ||u||^2 and
  // <(N_B^exc)^2> = N^2 ||psi||^2 - 2N ||u||^2 + ||P b*(phi) u||^2 (P: the sector, capped or not). Without a cap
  // (P = 1), ||b*(phi) u||^2 = ||b(phi) u||^2 + ||phi||^2 ||u||^2 (the commutator [b, b*] = ||phi||^2): b(phi) u has
  // N - 2 bosons, a Gram-like pass over the parents of D_B(N - 2) states instead of the occupied sites of D_B.
  const Index Nm = std::max<Index>(N - 1, 0);
  const BosonBasis Bm(L, Nm, B.truncated() ? B.cap() : 0);
  const Index DBm = N > 0 ? Bm.size() : 0;
  const Parents parent = parents_of(Bm, DBm, B, L);
  std::vector<std::int32_t> child;  // per entry of mb.occ: the N - 1 state with one boson fewer at that site
  // b(phi) psi, D_F x D_B(N - 1): uninitialised (every column is written; first touch threaded), in the caller's scratch if given
  ObserveScratch own;
  cplx* u = nullptr;
  const bool commute = moments && !B.truncated();  // ||b* u||^2 through the commutator (no cap)
  const BosonBasis Bmm(L, commute && N > 1 ? N - 2 : 0, 0);
  const Index DBmm = commute && N > 1 ? Bmm.size() : 0;
  const Parents parent2 = parents_of(Bmm, DBmm, Bm, L);  // N - 2 -> N - 1
  if (moments && N > 0 && !commute) {
    child.resize(mb.occ.size());
    std::vector<std::uint8_t> n(static_cast<std::size_t>(L));
    for (Index j = 0; j < DB; ++j) {
      std::copy(B.occupations(j), B.occupations(j) + L, n.begin());
      for (Index o = mb.occ_offset[j]; o < mb.occ_offset[j + 1]; ++o) {
        --n[mb.occ[o].site];
        child[o] = static_cast<std::int32_t>(Bm.rank(n.data()));
        ++n[mb.occ[o].site];
      }
    }
  }
  if (moments && N > 0) u = (scratch != nullptr ? scratch : &own)->columns(DF, DBm);

  const auto LL = static_cast<std::size_t>(L * L);
  std::vector<cplx> gF(LL, 0.0), gB(LL, 0.0);
  std::vector<double> wF(static_cast<std::size_t>(DF), 0.0);  // sum_j |psi[i, j]|^2: the fermion densities
  double nF = 0.0, nF2 = 0.0, u2 = 0.0, w2 = 0.0;
#pragma omp parallel if (worth_threading(sector.size()))
  {
    std::vector<cplx> gf(LL, 0.0), gb(LL, 0.0);
    std::vector<double> wf(static_cast<std::size_t>(DF), 0.0);
    std::vector<cplx> w(moments ? static_cast<std::size_t>(DF) : 0);
    // the tile (see kTileStride), its rows aligned to cache lines
    std::vector<double> tile(static_cast<std::size_t>(kTileStride * DF + 8));
    double* tre = reinterpret_cast<double*>((reinterpret_cast<std::uintptr_t>(tile.data()) + 63) & ~std::uintptr_t{63});
    double* tim = tre + kTileCols;
    double sF = 0.0, sF2 = 0.0, su = 0.0, sw = 0.0;
    // fermions: column-local (gamma_F moves, N_F^exc x_j, row norms), kTileCols columns at a time so that each move's
    // target, pair and coefficients are loaded once for kTileCols independent products
  #pragma omp for schedule(static) nowait
    for (Index jb = 0; jb < DB; jb += kTileCols) {
      const Index nc = std::min<Index>(kTileCols, DB - jb);
      const cplx* x = psi + jb * DF;
      if (nc == kTileCols) {
        // the columns as a row-major tile with real and imaginary parts split: every move then works on
        // kTileCols contiguous doubles of each (vectorised across the columns), in two cache lines
        // (and the row norms, the fermion densities, as the tile is filled)
        for (Index i = 0; i < DF; ++i) {
          double n2 = 0.0;
          for (Index c = 0; c < kTileCols; ++c) {
            const cplx v = x[c * DF + i];
            tre[i * kTileStride + c] = v.real();
            tim[i * kTileStride + c] = v.imag();
            n2 += std::norm(v);
          }
          wf[i] += n2;
        }
        if (rdms) fermion_tile_rdm(L * L, pm.offset.data(), pm.moves.data(), tre, tim, gf.data());
        if (moments) fermion_tile_moments(DF, mf.hop_offset.data(), hf.data(), dF.data(), tre, tim, sF, sF2);
      } else {
        for (Index c = 0; c < nc; ++c) {
          const cplx* xc = x + c * DF;
          for (Index i = 0; i < DF; ++i) {
            const cplx xi = xc[i];
            wf[i] += std::norm(xi);
            cplx yi = 0.0;
            for (Index q = mf.hop_offset[i]; q < mf.hop_offset[i + 1]; ++q) {
              const FusedMove& h = hf[q];
              const cplx xt = xc[h.target];
              if (rdms) gf[h.pair] += h.coef * vec::conj_mul(xt, xi);
              if (moments) yi += vec::mul(h.a_coef, xt);
            }
            if (moments) {
              yi += vec::mul(dF[i], xi);
              sF += vec::conj_mul(xi, yi).real();
              sF2 += std::norm(yi);
            }
          }
        }
      }
    }
    // bosons: Gram matrix of the parent columns of each N - 1 state (and u = b(phi) psi)
    std::vector<const double*> col(static_cast<std::size_t>(L));
    std::vector<Index> site(static_cast<std::size_t>(L));
    std::vector<double> coef(static_cast<std::size_t>(L));
    std::vector<cplx> f(static_cast<std::size_t>(std::max<Index>(L, 1)));
    // the parents of state j of a lower basis (table P) as columns of `upper` (D_F numbers each): col, site, coef
    // and the weights f = conj(phi(site)) coef of b(phi); returns their number
    auto gather = [&](const Parents& P, Index j, const cplx* upper) {
      Index k = 0;
      for (Index y = 0; y < L; ++y) {
        const std::int32_t p = P.rank[j * L + y];
        if (p < 0) continue;
        col[k] = reinterpret_cast<const double*>(upper + static_cast<Index>(p) * DF);
        site[k] = y;
        coef[k] = P.sq[j * L + y];
        if (moments) f[k] = std::conj(phi(y)) * coef[k];
        ++k;
      }
      return k;
    };
#pragma omp for schedule(dynamic, 16)
    for (Index jm = 0; jm < DBm; ++jm) {
      const Index k = gather(parent, jm, psi);
      if (rdms)
      {
        // the lower triangle b <= a of the Gram matrix conj(x_b) x_a, in 2 x 2 blocks (a single row when k is odd)
        auto put = [&](Index a, Index b, cplx g) {
          if (b > a) return;
          const double c = coef[a] * coef[b];
          gb[site[a] * L + site[b]] += cplx(c * g.real(), c * g.imag());
          if (b != a) gb[site[b] * L + site[a]] += cplx(c * g.real(), -c * g.imag());
        };
        Index a = 0;
        for (; a + 1 < k; a += 2)
          for (Index b = 0; b <= a; b += 2) {
            cplx g[4];
            gram_block(DF, col[a], col[a + 1], col[b], col[b + 1], g);
            put(a, b, g[0]);
            put(a, b + 1, g[1]);
            put(a + 1, b, g[2]);
            put(a + 1, b + 1, g[3]);
          }
        if (a < k)
          for (Index b = 0; b <= a; ++b) put(a, b, gram_dot(DF, col[a], col[b]));
      }
      if (moments) su += combine_columns(DF, k, col.data(), f.data(), reinterpret_cast<double*>(u + jm * DF));
    }
    // moments, without a cap: ||b(phi) u||^2 over the states of N - 2 bosons (parents in the N - 1 basis)
    if (commute && N > 1) {
#pragma omp for schedule(static)
      for (Index jmm = 0; jmm < DBmm; ++jmm) {
        const Index k = gather(parent2, jmm, u);
        sw += combine_columns(DF, k, col.data(), f.data(), reinterpret_cast<double*>(w.data()));
      }
    }
    // moments with a cap: ||P b*(phi) u||^2 column by column of the sector
    if (moments && N > 0 && !commute) {
#pragma omp for schedule(static)
      for (Index j = 0; j < DB; ++j) {
        Index k = 0;
        for (Index o = mb.occ_offset[j]; o < mb.occ_offset[j + 1]; ++o) {
          col[k] = reinterpret_cast<const double*>(u + static_cast<Index>(child[o]) * DF);
          f[k++] = phi(mb.occ[o].site) * std::sqrt(static_cast<double>(mb.occ[o].n));
        }
        sw += combine_columns(DF, k, col.data(), f.data(), reinterpret_cast<double*>(w.data()));
      }
    }
#pragma omp critical
    {
      for (std::size_t q = 0; q < LL; ++q) {
        gF[q] += gf[q];
        gB[q] += gb[q];
      }
      for (Index i = 0; i < DF; ++i) wF[i] += wf[i];
      nF += sF;
      nF2 += sF2;
      u2 += su;
      w2 += sw;
    }
  }
  SectorObservables out;
  double norm2 = 0.0;
  for (Index i = 0; i < DF; ++i) norm2 += wF[i];
  if (rdms) {
    out.gamma_F.zeros(L, L);
    out.gamma_B.zeros(L, L);
    for (Index x = 0; x < L; ++x)
      for (Index xp = 0; xp < L; ++xp) {
        // gamma_F's tiles sum the moves x < xp only (pair_moves): the rest is their conjugate
        out.gamma_F(x, xp) = x < xp ? gF[x * L + xp] : std::conj(gF[xp * L + x]);
        out.gamma_B(x, xp) = gB[x * L + xp];
      }
    for (Index i = 0; i < DF; ++i)
      for (Index o = mf.occ_offset[i]; o < mf.occ_offset[i + 1]; ++o) out.gamma_F(mf.occ[o].site, mf.occ[o].site) += wF[i];
    out.density_F = arma::real(out.gamma_F.diag());
    out.density_B = arma::real(out.gamma_B.diag());
  }
  if (moments) {
    const double Nd = static_cast<double>(N);
    if (commute) w2 += arma::cdot(phi, phi).real() * u2;  // ||b* u||^2 = ||b u||^2 + ||phi||^2 ||u||^2
    out.moments = {nF, nF2, Nd * norm2 - u2, Nd * Nd * norm2 - 2.0 * Nd * u2 + w2};
  }
  return out;
}

FluctuationMoments fluctuation_moments(const Sector& sector, const cplx* psi, const arma::cx_mat& omega, const arma::cx_vec& phi) {
  return observe(sector, psi, omega, phi, ObserveParts::Moments).moments;
}

}  // namespace fockmix
