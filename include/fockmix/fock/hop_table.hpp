#pragma once
/// \file One mechanism for every one-body operator on a species basis: the table of all single-particle
/// moves c*_to c_from |k> = coef |target> (to != from) plus the occupation lists of each state.
/// One-body matrices dGamma(t), reduced density matrices and number operators are all built from it.
#include <armadillo>
#include <cstdint>
#include <vector>

#include "fockmix/core/types.hpp"
#include "fockmix/fock/boson_basis.hpp"
#include "fockmix/fock/fermion_basis.hpp"

namespace fockmix {

/// All single-particle moves of a basis, in CSR form (state k owns hops[offset[k] .. offset[k+1])).
struct HopTable {
  struct Hop {
    std::int32_t target;      ///< rank of c*_to c_from |k>
    std::uint16_t from, to;   ///< sites
    double coef;              ///< fermions: the sign; bosons: sqrt(n_from (n_to + 1))
  };
  struct Occ {
    std::uint16_t site;
    std::uint16_t n;          ///< occupation n_site > 0
  };
  Index size = 0;             ///< basis dimension
  Index sites = 0;            ///< L
  std::vector<Index> hop_offset;  ///< size + 1
  std::vector<Hop> hops;
  std::vector<Index> occ_offset;  ///< size + 1
  std::vector<Occ> occ;           ///< occupied sites of each state
};

/// Moves of M fermions: every occupied `from`, every empty `to`.
HopTable hop_table(const FermionBasis& basis);
/// Moves of bosons: every occupied `from`, every other `to` whose occupation stays within the cap.
HopTable hop_table(const BosonBasis& basis);

/// Sparse real matrix in CSR form with 32-bit column indices (kernel storage).
struct Csr {
  Index rows = 0;
  std::vector<Index> row_ptr;      ///< rows + 1
  std::vector<std::int32_t> col;
  std::vector<double> val;
  Index nnz() const { return static_cast<Index>(col.size()); }
};

/// dGamma(t) = sum_{x,x'} t(x,x') c*_x c_x' on the basis, split into its diagonal (returned in `diag`)
/// and its off-diagonal part (the CSR). Requires t real symmetric (L x L). Zero entries of t are skipped.
Csr one_body_matrix(const HopTable& table, const arma::mat& t, arma::vec& diag);

}  // namespace fockmix
