#include "fockmix/exact/sector_hamiltonian.hpp"

#include <algorithm>
#include <vector>

#include "fockmix/core/error.hpp"

namespace fockmix {

namespace {

/// y += v x on n doubles (the innermost loop of the boson term; vectorises).
inline void axpy(Index n, double v, const double* __restrict x, double* __restrict y) {
#pragma omp simd
  for (Index r = 0; r < n; ++r) y[r] += v * x[r];
}

/// Boson columns processed together in the column-local pass.
constexpr Index kColumns = 4;

template <class T>
constexpr Index doubles_per = static_cast<Index>(sizeof(T) / sizeof(double));

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
  const Index DF = DF_, DB = DB_;
  const HopTable& mb = sector_.boson_moves();
  constexpr Index w = doubles_per<T>;
  const bool parallel = DF * DB >= (1 << 14);  // small sectors: forking threads costs more than it saves
#pragma omp parallel if (parallel)
  {
    // One pass over the output columns, kColumns boson columns at a time:
    //   out[:, j] = D[:, j] o in[:, j] + T_F in[:, j] + sum_j' T_B[j, j'] in[:, j'].
    // Sharing each T_F row between the columns gives independent accumulation chains (the gather otherwise
    // waits on one chain's FMA latency) and reuses its indices; the boson term adds whole input columns
    // (contiguous, vectorised). A cache-blocked two-pass variant (boson term per block of fermion rows)
    // measured 1.9x slower on the 1.1e7-state benchmark sector and was removed (docs/performance.md).
    std::vector<double> d(static_cast<std::size_t>(kColumns * DF));
#pragma omp for schedule(static)
    for (Index jb = 0; jb < DB; jb += kColumns) {
      const Index nc = std::min<Index>(kColumns, DB - jb);
      for (Index c = 0; c < nc; ++c) {
        const Index j = jb + c;
        double* dj = d.data() + c * DF;
        const double db = diagB_[j];
        for (Index i = 0; i < DF; ++i) dj[i] = diagF_[i] + db;
        for (Index o = mb.occ_offset[j]; o < mb.occ_offset[j + 1]; ++o) {
          const double n = mb.occ[o].n;
          const double* Wy = W_.colptr(mb.occ[o].site);
#pragma omp simd
          for (Index i = 0; i < DF; ++i) dj[i] += n * Wy[i];
        }
      }
      const T* x = in + jb * DF;
      T* y = out + jb * DF;
      if (nc == kColumns) {
        for (Index i = 0; i < DF; ++i) {
          T acc[kColumns];
          for (Index c = 0; c < kColumns; ++c) acc[c] = d[c * DF + i] * x[c * DF + i];
          for (Index q = TF_.row_ptr[i]; q < TF_.row_ptr[i + 1]; ++q) {
            const double v = TF_.val[q];
            const Index k = TF_.col[q];
            for (Index c = 0; c < kColumns; ++c) acc[c] += v * x[c * DF + k];
          }
          for (Index c = 0; c < kColumns; ++c) y[c * DF + i] = acc[c];
        }
      } else {
        for (Index c = 0; c < nc; ++c)
          for (Index i = 0; i < DF; ++i) {
            T acc = d[c * DF + i] * x[c * DF + i];
            for (Index q = TF_.row_ptr[i]; q < TF_.row_ptr[i + 1]; ++q) acc += TF_.val[q] * x[c * DF + TF_.col[q]];
            y[c * DF + i] = acc;
          }
      }
      for (Index c = 0; c < nc; ++c) {
          const Index j = jb + c;
        for (Index q = TB_.row_ptr[j]; q < TB_.row_ptr[j + 1]; ++q)
          axpy(w * DF, TB_.val[q], reinterpret_cast<const double*>(in + static_cast<Index>(TB_.col[q]) * DF),
               reinterpret_cast<double*>(y + c * DF));
      }
    }
  }
}

template void SectorHamiltonian::apply<double>(const double*, double*) const;
template void SectorHamiltonian::apply<cplx>(const cplx*, cplx*) const;

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

}  // namespace fockmix
