#include "fockmix/exact/sector_hamiltonian.hpp"
#include "fockmix/core/parallel.hpp"

#include <algorithm>
#include <cstdint>
#include <type_traits>
#include <vector>

#include "fockmix/core/error.hpp"

namespace fockmix {

namespace {

/// Boson columns processed together in the column-local pass.
constexpr Index kColumns = 4;

/// The kernel's tables, as the block function reads them.
struct KernelTables {
  Index DF;
  const Csr* TF;
  const Csr* TB;
  const double* diagF;
  const double* diagB;
  const arma::mat* W;
  const HopTable* mb;
};

/// Where the block function finds input column j (a global boson index). Serial: psi is contiguous.
template <class T>
struct ContiguousColumns {
  const T* in;
  Index DF;
  const T* operator()(Index j) const { return in + j * DF; }
};
/// Distributed: the own columns [j0, j1) in one block, every other column read through its ghost slot.
template <class T>
struct GhostedColumns {
  const T* local;
  const T* ghosts;
  const std::int32_t* slot;
  Index j0, j1, DF;
  const T* operator()(Index j) const {
    return (j >= j0 && j < j1) ? local + (j - j0) * DF : ghosts + static_cast<Index>(slot[j]) * DF;
  }
};

/// y[:, c] = s (D[:, j] o x[:, j] + T_F x[:, j] + sum_j' T_B[j, j'] x[:, j']) for the nc <= kColumns boson columns
/// j = jb + c, with x's columns found through `src` (the block's own nc columns are contiguous from src(jb)) and y
/// the output of column jb; d is scratch of kColumns D_F doubles. Each T_F row is applied to the four columns at
/// once (four independent accumulators over four column pointers, shared indices); the boson term sweeps each
/// output column once per four source columns j' (y += v0 a0 + v1 a1 + v2 a2 + v3 a3: a quarter of the
/// read-modify-write traffic of one axpy per source column). With `dot`, Re <x[:, j], y[:, j]> of the block's
/// columns is added to *dot while both are in cache (the Lanczos recursion's alpha without a pass of its own).
/// s = 1 leaves every product unchanged. Inlined into the per-ISA clones below.
template <class T, class Source>
inline void column_block(const KernelTables& k, Index jb, Index nc, double* d, const Source& src, T* y, double s, double* dot) {
  const Index DF = k.DF;
  const HopTable& mb = *k.mb;
  const Csr& TF = *k.TF;
  const Csr& TB = *k.TB;
  for (Index c = 0; c < nc; ++c) {
    const Index j = jb + c;
    double* dj = d + c * DF;
    const double db = k.diagB[j];
    for (Index i = 0; i < DF; ++i) dj[i] = k.diagF[i] + db;
    for (Index o = mb.occ_offset[j]; o < mb.occ_offset[j + 1]; ++o) {
      const double n = mb.occ[o].n;
      const double* Wy = k.W->colptr(mb.occ[o].site);
#pragma omp simd
      for (Index i = 0; i < DF; ++i) dj[i] += n * Wy[i];
    }
  }
  const T* x = src(jb);
  if (nc == kColumns) {
    const T *x0 = x, *x1 = x + DF, *x2 = x + 2 * DF, *x3 = x + 3 * DF;
    const double *d0 = d, *d1 = d + DF, *d2 = d + 2 * DF, *d3 = d + 3 * DF;
    T *y0 = y, *y1 = y + DF, *y2 = y + 2 * DF, *y3 = y + 3 * DF;
    for (Index i = 0; i < DF; ++i) {
      T a0 = d0[i] * x0[i], a1 = d1[i] * x1[i], a2 = d2[i] * x2[i], a3 = d3[i] * x3[i];
      for (Index q = TF.row_ptr[i]; q < TF.row_ptr[i + 1]; ++q) {
        const double v = TF.val[q];
        const Index kk = TF.col[q];
        a0 += v * x0[kk];
        a1 += v * x1[kk];
        a2 += v * x2[kk];
        a3 += v * x3[kk];
      }
      y0[i] = s * a0;
      y1[i] = s * a1;
      y2[i] = s * a2;
      y3[i] = s * a3;
    }
  } else {
    for (Index c = 0; c < nc; ++c)
      for (Index i = 0; i < DF; ++i) {
        T acc = d[c * DF + i] * x[c * DF + i];
        for (Index q = TF.row_ptr[i]; q < TF.row_ptr[i + 1]; ++q) acc += TF.val[q] * x[c * DF + TF.col[q]];
        y[c * DF + i] = s * acc;
      }
  }
  constexpr Index w = static_cast<Index>(sizeof(T) / sizeof(double));
  const Index n = w * DF;
  for (Index c = 0; c < nc; ++c) {
    const Index j = jb + c;
    double* __restrict yc = reinterpret_cast<double*>(y + c * DF);
    auto column = [&](Index q) { return reinterpret_cast<const double*>(src(static_cast<Index>(TB.col[q]))); };
    Index q = TB.row_ptr[j];
    const Index qe = TB.row_ptr[j + 1];
    for (; q + 4 <= qe; q += 4) {
      const double v0 = s * TB.val[q], v1 = s * TB.val[q + 1], v2 = s * TB.val[q + 2], v3 = s * TB.val[q + 3];
      const double* __restrict a0 = column(q);
      const double* __restrict a1 = column(q + 1);
      const double* __restrict a2 = column(q + 2);
      const double* __restrict a3 = column(q + 3);
#pragma omp simd
      for (Index r = 0; r < n; ++r) yc[r] += v0 * a0[r] + v1 * a1[r] + v2 * a2[r] + v3 * a3[r];
    }
    for (; q < qe; ++q) {
      const double v = s * TB.val[q];
      const double* __restrict a = column(q);
#pragma omp simd
      for (Index r = 0; r < n; ++r) yc[r] += v * a[r];
    }
  }
  if (dot != nullptr) {
    // Re <x, y> over the block: real and imaginary parts alike are products of matching doubles
    const double* __restrict xr = reinterpret_cast<const double*>(x);
    const double* __restrict yr = reinterpret_cast<const double*>(y);
    double acc = 0.0;
#pragma omp simd reduction(+ : acc)
    for (Index r = 0; r < nc * n; ++r) acc += xr[r] * yr[r];
    *dot += acc;
  }
}

// -march-independent vectorisation: the block is compiled for AVX2 (with FMA where the compiler contracts) and
// for the baseline ISA, and the loader picks one at start-up (GCC function multi-versioning, an ifunc). One
// clone pair per (scalar, column source); the source is the only difference between the serial and the
// distributed kernel.
__attribute__((target_clones("avx2", "default"))) void column_block_real(const KernelTables& k, Index jb, Index nc, double* d,
                                                                          const ContiguousColumns<double>& src, double* y, double s,
                                                                          double* dot) {
  column_block(k, jb, nc, d, src, y, s, dot);
}
__attribute__((target_clones("avx2", "default"))) void column_block_cplx(const KernelTables& k, Index jb, Index nc, double* d,
                                                                          const ContiguousColumns<cplx>& src, cplx* y, double s,
                                                                          double* dot) {
  column_block(k, jb, nc, d, src, y, s, dot);
}
__attribute__((target_clones("avx2", "default"))) void column_block_real_ghosted(const KernelTables& k, Index jb, Index nc,
                                                                                  double* d, const GhostedColumns<double>& src,
                                                                                  double* y, double s, double* dot) {
  column_block(k, jb, nc, d, src, y, s, dot);
}
__attribute__((target_clones("avx2", "default"))) void column_block_cplx_ghosted(const KernelTables& k, Index jb, Index nc,
                                                                                  double* d, const GhostedColumns<cplx>& src,
                                                                                  cplx* y, double s, double* dot) {
  column_block(k, jb, nc, d, src, y, s, dot);
}

template <class T, class Source>
void dispatch_block(const KernelTables& k, Index jb, Index nc, double* d, const Source& src, T* y, double s, double* dot) {
  if constexpr (std::is_same_v<Source, ContiguousColumns<double>>)
    column_block_real(k, jb, nc, d, src, y, s, dot);
  else if constexpr (std::is_same_v<Source, ContiguousColumns<cplx>>)
    column_block_cplx(k, jb, nc, d, src, y, s, dot);
  else if constexpr (std::is_same_v<Source, GhostedColumns<double>>)
    column_block_real_ghosted(k, jb, nc, d, src, y, s, dot);
  else
    column_block_cplx_ghosted(k, jb, nc, d, src, y, s, dot);
}

/// The output columns [j0, j1) (out holds them from column j0 on), kColumns boson columns at a time, scaled by
/// s; with `dot`, returns Re <in, out> over those columns (else 0). With out = nullptr each block is written to
/// a scratch of kColumns columns per thread (only the dot is wanted). A cache-blocked two-pass variant (boson
/// term per block of fermion rows) measured 1.9x slower on the 1.1e7-state benchmark sector and was removed
/// (docs/performance.md).
template <class T, class Source>
double apply_blocks(const KernelTables& k, Index j0, Index j1, const Source& src, T* out, double s = 1.0, bool dot = false) {
  const Index DF = k.DF;
  const bool parallel = worth_threading(DF * (j1 - j0));
  double total = 0.0;
#pragma omp parallel if (parallel) reduction(+ : total)
  {
    std::vector<double> d(static_cast<std::size_t>(kColumns * DF));
    std::vector<T> block(out == nullptr ? static_cast<std::size_t>(kColumns * DF) : 0);
#pragma omp for schedule(static)
    for (Index jb = j0; jb < j1; jb += kColumns) {
      const Index nc = std::min<Index>(kColumns, j1 - jb);
      T* y = out == nullptr ? block.data() : out + (jb - j0) * DF;
      dispatch_block(k, jb, nc, d.data(), src, y, s, dot ? &total : nullptr);
    }
  }
  return total;
}

}  // namespace

SectorHamiltonian::SectorHamiltonian(const Sector& sector, const arma::mat& tF, const arma::mat& tB, const arma::mat& V,
                                     double lambda)
    : sector_(sector), DF_(sector.dim_fermions()), DB_(sector.dim_bosons()) {
  const Index L = sector.sites();
  if (tF.n_rows != static_cast<arma::uword>(L) || tB.n_rows != static_cast<arma::uword>(L) || V.n_rows != static_cast<arma::uword>(L))
    throw InputError("", "", "one-body matrices must be " + std::to_string(L) + " x " + std::to_string(L));
  if (!tF.is_symmetric(1e-12) || !tB.is_symmetric(1e-12) || !V.is_symmetric(1e-12))
    throw InputError("", "", "one-body matrices and V must be real symmetric");
  TF_ = one_body_matrix(sector.fermion_moves(), tF, diagF_);
  TB_ = one_body_matrix(sector.boson_moves(), tB, diagB_);
  // W(i, y) = lambda sum_x n_F(i, x) V(x, y)
  W_.zeros(DF_, L);
  const HopTable& mf = sector.fermion_moves();
  for (Index i = 0; i < DF_; ++i)
    for (Index o = mf.occ_offset[i]; o < mf.occ_offset[i + 1]; ++o) {
      const Index x = mf.occ[o].site;
      for (Index y = 0; y < L; ++y) W_(i, y) += lambda * V(x, y);
    }
}

SectorHamiltonian::SectorHamiltonian(const Sector& sector, const ModelOperators& ops, bool trap)
    : SectorHamiltonian(sector, trap ? ops.trap_one_body_F() : ops.one_body_F(), trap ? ops.trap_one_body_B() : ops.one_body_B(),
                        ops.V, ops.lambda) {}

template <class T>
void SectorHamiltonian::apply(const T* in, T* out) const {
  const KernelTables k{DF_, &TF_, &TB_, diagF_.memptr(), diagB_.memptr(), &W_, &sector_.boson_moves()};
  apply_blocks(k, 0, DB_, ContiguousColumns<T>{in, DF_}, out);
}

double SectorHamiltonian::expectation(const cplx* in) const {
  const KernelTables k{DF_, &TF_, &TB_, diagF_.memptr(), diagB_.memptr(), &W_, &sector_.boson_moves()};
  return apply_blocks(k, 0, DB_, ContiguousColumns<cplx>{in, DF_}, static_cast<cplx*>(nullptr), 1.0, true);
}

double SectorHamiltonian::apply_dot(const cplx* in, cplx* out, double s) const {
  const KernelTables k{DF_, &TF_, &TB_, diagF_.memptr(), diagB_.memptr(), &W_, &sector_.boson_moves()};
  return apply_blocks(k, 0, DB_, ContiguousColumns<cplx>{in, DF_}, out, s, true);
}

template <class T>
void SectorHamiltonian::apply_columns(Index j0, Index j1, const T* local, const T* ghosts, const std::int32_t* slot, T* out) const {
  if (j0 < 0 || j1 > DB_ || j0 > j1) throw InputError("", "columns", "apply_columns: [j0, j1) must lie in [0, D_B)");
  const KernelTables k{DF_, &TF_, &TB_, diagF_.memptr(), diagB_.memptr(), &W_, &sector_.boson_moves()};
  apply_blocks(k, j0, j1, GhostedColumns<T>{local, ghosts, slot, j0, j1, DF_}, out);
}

template void SectorHamiltonian::apply<double>(const double*, double*) const;
template void SectorHamiltonian::apply<cplx>(const cplx*, cplx*) const;
template void SectorHamiltonian::apply_columns<double>(Index, Index, const double*, const double*, const std::int32_t*, double*) const;
template void SectorHamiltonian::apply_columns<cplx>(Index, Index, const cplx*, const cplx*, const std::int32_t*, cplx*) const;

std::vector<Index> SectorHamiltonian::boson_neighbours(Index j0, Index j1) const {
  if (j0 < 0 || j1 > DB_ || j0 > j1) throw InputError("", "columns", "boson_neighbours: [j0, j1) must lie in [0, D_B)");
  std::vector<Index> out;
  for (Index j = j0; j < j1; ++j)
    for (Index q = TB_.row_ptr[j]; q < TB_.row_ptr[j + 1]; ++q) {
      const Index jp = TB_.col[q];
      if (jp < j0 || jp >= j1) out.push_back(jp);
    }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

double SectorHamiltonian::compulsory_bytes() const {
  const double D = static_cast<double>(DF_) * static_cast<double>(DB_);
  const double tables = 12.0 * static_cast<double>(TF_.nnz() + TB_.nnz()) + 8.0 * static_cast<double>(W_.n_elem + DF_ + DB_);
  return 2.0 * 16.0 * D + tables;
}

Index SectorHamiltonian::nnz() const { return DF_ * DB_ + TF_.nnz() * DB_ + TB_.nnz() * DF_; }

arma::sp_mat SectorHamiltonian::assemble() const {
  const Index D = DF_ * DB_;
  arma::umat loc(2, static_cast<arma::uword>(nnz()));
  arma::vec val(static_cast<arma::uword>(nnz()));
  Index k = 0;
  const HopTable& mb = sector_.boson_moves();
  auto put = [&](Index r, Index c, double v) {
    loc(0, k) = static_cast<arma::uword>(r);
    loc(1, k) = static_cast<arma::uword>(c);
    val(k) = v;
    ++k;
  };
  for (Index j = 0; j < DB_; ++j) {
    for (Index i = 0; i < DF_; ++i) {
      double dd = diagF_[i] + diagB_[j];
      for (Index o = mb.occ_offset[j]; o < mb.occ_offset[j + 1]; ++o) dd += mb.occ[o].n * W_(i, mb.occ[o].site);
      put(i + j * DF_, i + j * DF_, dd);
      for (Index q = TF_.row_ptr[i]; q < TF_.row_ptr[i + 1]; ++q) put(i + j * DF_, TF_.col[q] + j * DF_, TF_.val[q]);
      for (Index q = TB_.row_ptr[j]; q < TB_.row_ptr[j + 1]; ++q) put(i + j * DF_, i + static_cast<Index>(TB_.col[q]) * DF_, TB_.val[q]);
    }
  }
  return arma::sp_mat(true, loc, val, static_cast<arma::uword>(D), static_cast<arma::uword>(D));
}

Csr SectorHamiltonian::assemble_csr() const {
  const Index D = DF_ * DB_;
  if (D >= (Index{1} << 31)) throw CapacityError("assemble_csr: the sector dimension does not fit 32-bit columns");
  Csr A;
  A.rows = D;
  A.row_ptr.resize(static_cast<std::size_t>(D + 1));
  A.row_ptr[0] = 0;
  for (Index j = 0; j < DB_; ++j)
    for (Index i = 0; i < DF_; ++i) {
      const Index r = i + j * DF_;
      A.row_ptr[r + 1] = A.row_ptr[r] + 1 + (TF_.row_ptr[i + 1] - TF_.row_ptr[i]) + (TB_.row_ptr[j + 1] - TB_.row_ptr[j]);
    }
  A.col.resize(static_cast<std::size_t>(A.row_ptr[D]));
  A.val.resize(A.col.size());
  const HopTable& mb = sector_.boson_moves();
#pragma omp parallel for schedule(static)
  for (Index j = 0; j < DB_; ++j)
    for (Index i = 0; i < DF_; ++i) {
      Index k = A.row_ptr[i + j * DF_];
      double dd = diagF_[i] + diagB_[j];
      for (Index o = mb.occ_offset[j]; o < mb.occ_offset[j + 1]; ++o) dd += mb.occ[o].n * W_(i, mb.occ[o].site);
      A.col[k] = static_cast<std::int32_t>(i + j * DF_);
      A.val[k++] = dd;
      for (Index q = TF_.row_ptr[i]; q < TF_.row_ptr[i + 1]; ++q, ++k) {
        A.col[k] = static_cast<std::int32_t>(TF_.col[q] + j * DF_);
        A.val[k] = TF_.val[q];
      }
      for (Index q = TB_.row_ptr[j]; q < TB_.row_ptr[j + 1]; ++q, ++k) {
        A.col[k] = static_cast<std::int32_t>(i + static_cast<Index>(TB_.col[q]) * DF_);
        A.val[k] = TB_.val[q];
      }
    }
  return A;
}

}  // namespace fockmix
