#include "fockmix/exact/initial_state.hpp"

#include <cmath>
#include <string>

#include "fockmix/core/error.hpp"

namespace fockmix {

arma::cx_vec slater_determinant(const FermionBasis& basis, const arma::cx_mat& orbitals) {
  const Index M = basis.particles(), L = basis.sites();
  if (orbitals.n_rows != static_cast<arma::uword>(L) || orbitals.n_cols != static_cast<arma::uword>(M))
    throw InputError("", "orbitals", "need " + std::to_string(M) + " orbitals on " + std::to_string(L) + " sites");
  arma::cx_vec a(basis.size());
#pragma omp parallel for schedule(static)
  for (Index i = 0; i < basis.size(); ++i) {
    arma::cx_mat A(M, M);
    std::uint64_t bits = basis.state(i);
    for (Index r = 0; r < M; ++r) {
      const Index x = std::countr_zero(bits);
      bits &= bits - 1;
      for (Index c = 0; c < M; ++c) A(r, c) = orbitals(x, c);
    }
    a(i) = M == 0 ? cplx(1.0) : arma::det(A);
  }
  return a;
}

arma::cx_vec product_bosons(const BosonBasis& basis, const arma::cx_vec& phi) {
  const Index L = basis.sites();
  if (phi.n_elem != static_cast<arma::uword>(L)) throw InputError("", "phi", "phi needs " + std::to_string(L) + " entries");
  arma::cx_vec b(basis.size());
  // log of the multinomial weight N!/prod n! via lgamma keeps large N finite
#pragma omp parallel for schedule(static)
  for (Index j = 0; j < basis.size(); ++j) {
    const Index N = basis.total(j);
    double logw = std::lgamma(static_cast<double>(N) + 1.0);
    cplx prod = 1.0;
    for (Index y = 0; y < L; ++y) {
      const int n = basis.occupation(j, y);
      if (n == 0) continue;
      logw -= std::lgamma(n + 1.0);
      prod *= std::pow(phi(y), n);
    }
    b(j) = std::exp(0.5 * logw) * prod;
  }
  return b;
}

arma::cx_vec product_state(const Sector& sector, const arma::cx_mat& orbitals, const arma::cx_vec& phi) {
  const arma::cx_vec a = slater_determinant(sector.fermions(), orbitals);
  const arma::cx_vec b = product_bosons(sector.bosons(), phi);
  arma::cx_vec psi(sector.size());
  const Index DF = sector.dim_fermions();
#pragma omp parallel for schedule(static)
  for (Index j = 0; j < sector.dim_bosons(); ++j)
    for (Index i = 0; i < DF; ++i) psi(i + j * DF) = a(i) * b(j);
  return psi;
}

}  // namespace fockmix
