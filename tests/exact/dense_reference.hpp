#pragma once
// An independent dense construction of the sector Hamiltonian for tests: fermion states as sorted site
// lists with signs from explicit operator ordering, boson states as occupation tuples in a std::map,
// everything assembled as dense matrices. Shares no code with the library's bases or kernels.
#include <armadillo>
#include <map>
#include <vector>

#include "fockmix/core/types.hpp"
#include "fockmix/exact/sector.hpp"

namespace fockmix::test {

struct DenseReference {
  std::vector<std::vector<int>> fermion_states;  // sorted site lists
  std::vector<std::vector<int>> boson_states;    // occupation tuples
  std::map<std::vector<int>, Index> fermion_index, boson_index;
  arma::mat H;                                   // dense, Index f + b * DF
  std::vector<arma::mat> cdc_F;                  // cdc_F[x * L + x'] = a*_x a_x' (fermion space)
  std::vector<arma::mat> cdc_B;                  // b*_y b_y' (boson space)
  Index L = 0, DF = 0, DB = 0;

  /// Permutation p with p[ours] = reference Index, for a library Sector.
  std::vector<Index> permutation(const Sector& s) const;
  /// A library state (Index i + j D_F) in the reference ordering.
  arma::cx_vec to_reference(const Sector& s, const arma::cx_vec& ours) const;
  /// gamma_F(x, x') = <psi, a*_x' a_x psi> and gamma_B from the dense operators (psi in reference order).
  arma::cx_mat gamma_F(const arma::cx_vec& psi) const;
  arma::cx_mat gamma_B(const arma::cx_vec& psi) const;
};

/// exp(-i t H / hbar) for a real symmetric H, through its eigendecomposition (arma::expmat loses digits
/// on matrices of large norm).
arma::cx_mat exp_hermitian(const arma::mat& H, double t, double hbar = 1.0);

DenseReference build_reference(Index L, Index M, Index N, Index cap, const arma::mat& tF, const arma::mat& tB, const arma::mat& V,
                               double lambda);

}  // namespace fockmix::test
