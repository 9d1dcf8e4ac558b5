#include "fockmix/linalg/eigensolvers.hpp"

#include <arpack/arpack.hpp>

#include <Eigen/Core>
#include <Spectra/SymEigsSolver.h>
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "fockmix/core/error.hpp"
#include "fockmix/linalg/spectrum.hpp"

namespace fockmix {

namespace {

/// A deterministic, generic start vector (no accidental orthogonality to the ground state of
/// structured problems, reproducible from run to run).
std::vector<double> start_vector(Index n) {
  std::vector<double> v(static_cast<std::size_t>(n));
  std::uint64_t s = 0x9E3779B97F4A7C15ull;
  for (Index i = 0; i < n; ++i) {
    s ^= s << 13;
    s ^= s >> 7;
    s ^= s << 17;
    v[i] = 1.0 + 0.5 * (static_cast<double>(s >> 11) * 0x1.0p-53 - 0.5);
  }
  return v;
}


Index ncv_for(const SymmetricOperatorRef& op, const EigenOptions& o) {
  if (op.rows < 1) throw InputError("", "", "eigensolver needs a non-empty operator");
  const Index ncv = o.ncv > 0 ? o.ncv : std::min<Index>(op.rows, 30);
  return std::min(ncv, op.rows);
}

/// Spectra's operator concept on top of the reference, counting matvecs.
struct SpectraOp {
  using Scalar = double;
  const SymmetricOperatorRef& ref;
  mutable Index count = 0;
  Eigen::Index rows() const { return ref.rows; }
  Eigen::Index cols() const { return ref.rows; }
  void perform_op(const double* in, double* out) const {
    ++count;
    ref.apply(in, out);
  }
};

/// Dense fallback for tiny operators (the iterative solvers need rows > ncv > nev).
EigenResult dense_lowest(const SymmetricOperatorRef& op) {
  const Index n = op.rows;
  arma::mat A(n, n);
  arma::vec e(n, arma::fill::zeros);
  for (Index i = 0; i < n; ++i) {
    e(i) = 1.0;
    op.apply(e.memptr(), A.colptr(i));
    e(i) = 0.0;
  }
  arma::vec w;
  arma::mat Q;
  arma::eig_sym(w, Q, 0.5 * (A + A.t()));
  EigenResult r{EigenStatus::Converged, w(0), Q.col(0), n, 1};
  fix_eigenvector_sign(r.vector);
  return r;
}

}  // namespace

EigenResult lowest_eigenpair_spectra(const SymmetricOperatorRef& op, const EigenOptions& options) {
  if (op.rows <= 3) return dense_lowest(op);
  const Index ncv = std::max<Index>(ncv_for(op, options), 3);
  SpectraOp sop{op};
  Spectra::SymEigsSolver<SpectraOp> solver(sop, 1, static_cast<Eigen::Index>(std::min(ncv, op.rows)));
  const std::vector<double> v0 = start_vector(op.rows);
  solver.init(v0.data());
  solver.compute(Spectra::SortRule::SmallestAlge, static_cast<Eigen::Index>(options.max_iterations), options.tolerance,
                 Spectra::SortRule::SmallestAlge);
  EigenResult r;
  r.matvecs = sop.count;
  r.iterations = solver.num_iterations();
  if (solver.info() != Spectra::CompInfo::Successful) return r;
  r.status = EigenStatus::Converged;
  r.eigenvalue = solver.eigenvalues()(0);
  const Eigen::VectorXd x = solver.eigenvectors().col(0);
  r.vector = arma::vec(x.data(), static_cast<arma::uword>(x.size()));
  r.vector /= arma::norm(r.vector);
  fix_eigenvector_sign(r.vector);
  return r;
}

EigenResult lowest_eigenpair_arpack(const SymmetricOperatorRef& op, const EigenOptions& options) {
  if (op.rows <= 3) return dense_lowest(op);
  const a_int n = static_cast<a_int>(op.rows);
  const a_int nev = 1;
  const a_int ncv = static_cast<a_int>(std::max<Index>(ncv_for(op, options), 3));
  std::vector<double> resid = start_vector(op.rows);
  std::vector<double> V(static_cast<std::size_t>(n) * ncv), workd(3 * static_cast<std::size_t>(n));
  const a_int lworkl = ncv * (ncv + 8);
  std::vector<double> workl(static_cast<std::size_t>(lworkl));
  a_int iparam[11] = {1, 0, static_cast<a_int>(options.max_iterations), 1, 0, 0, 1, 0, 0, 0, 0};
  a_int ipntr[11] = {0};
  a_int ido = 0, info = 1;  // info = 1: use resid as the start vector
  EigenResult r;
  while (true) {
    arpack::saupd(ido, arpack::bmat::identity, n, arpack::which::smallest_algebraic, nev, options.tolerance, resid.data(), ncv,
                  V.data(), n, iparam, ipntr, workd.data(), workl.data(), lworkl, info);
    if (ido == -1 || ido == 1) {
      op.apply(workd.data() + ipntr[0] - 1, workd.data() + ipntr[1] - 1);
      ++r.matvecs;
      continue;
    }
    break;
  }
  r.iterations = iparam[2];
  if (info < 0) throw Error("ARPACK dsaupd failed with info = " + std::to_string(info));
  if (info == 1 || iparam[4] < nev) return r;  // maximum iterations reached
  std::vector<a_int> select(static_cast<std::size_t>(ncv), 0);
  std::vector<double> d(static_cast<std::size_t>(nev)), Z(static_cast<std::size_t>(n) * nev);
  a_int info2 = 0;
  arpack::seupd(1, arpack::howmny::ritz_vectors, select.data(), d.data(), Z.data(), n, 0.0, arpack::bmat::identity, n,
                arpack::which::smallest_algebraic, nev, options.tolerance, resid.data(), ncv, V.data(), n, iparam, ipntr,
                workd.data(), workl.data(), lworkl, info2);
  if (info2 != 0) throw Error("ARPACK dseupd failed with info = " + std::to_string(info2));
  r.status = EigenStatus::Converged;
  r.eigenvalue = d[0];
  r.vector = arma::vec(Z.data(), static_cast<arma::uword>(n));
  r.vector /= arma::norm(r.vector);
  fix_eigenvector_sign(r.vector);
  return r;
}

}  // namespace fockmix
