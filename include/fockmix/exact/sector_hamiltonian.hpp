#pragma once
/// \file The many-body Hamiltonian (3.4) applied matrix-free in a sector, using its structure
///   H Psi = T_F Psi + Psi T_B^T + D o Psi,   D[i, j] = diag_F[i] + diag_B[j] + lambda n_F(i) . V n_B(j)
/// with Psi the D_F x D_B coefficient matrix (see sector.hpp). docs/performance.md explains the kernel.
#include <armadillo>
#include <cstdint>
#include <vector>

#include "fockmix/exact/sector.hpp"
#include "fockmix/fock/hop_table.hpp"
#include "fockmix/model/model_operators.hpp"

namespace fockmix {

class SectorHamiltonian {
 public:
  using Scalar = cplx;

  /// \param tF, tB real symmetric L x L one-body Hamiltonians (K_s + U_s)  \param V real symmetric L x L
  SectorHamiltonian(const Sector& sector, const arma::mat& tF, const arma::mat& tB, const arma::mat& V, double lambda);
  /// Dynamics Hamiltonian of a model (potentials U_s), or with `trap` the preparation Hamiltonian (U_s^trap).
  SectorHamiltonian(const Sector& sector, const ModelOperators& ops, bool trap = false);

  Index rows() const noexcept { return DF_ * DB_; }
  const Sector& sector() const noexcept { return sector_; }

  /// out = H in; T = double (real states, e.g. eigensolvers) or cplx. No aliasing of in and out.
  /// The kernel of apply_columns over all boson columns, with in contiguous.
  template <class T>
  void apply(const T* in, T* out) const;
  /// out = s H in in the same pass, returning Re <in, out> (= s <in, H in>): the Lanczos recursion's matvec, its
  /// alpha and the normalisation of the previous vector without state-sized passes of their own (linalg/krylov.hpp).
  double apply_dot(const cplx* in, cplx* out, double s) const;
  /// Re <in, H in> (the energy of a normalised state) from the same pass, without a state-sized output.
  double expectation(const cplx* in) const;

  /// The boson columns [j0, j1) of H psi, 0 <= j0 <= j1 <= D_B (the kernel of a block of columns, e.g. one MPI
  /// rank's): out[i + (j - j0) D_F] = (H psi)[i + j D_F]. psi's own columns are read at local + (j - j0) D_F; every
  /// column j' outside [j0, j1) that the boson term reaches (boson_neighbours(j0, j1)) at ghosts + slot[j'] D_F,
  /// slot holding D_B entries (only those of the neighbours are read). No aliasing of out with the inputs.
  /// docs/distributed.md describes the layout this serves.
  template <class T>
  void apply_columns(Index j0, Index j1, const T* local, const T* ghosts, const std::int32_t* slot, T* out) const;
  /// The columns outside [j0, j1) that the boson term of H reads for the output columns [j0, j1) (the nonzero
  /// entries of dGamma_B(t_B) off the diagonal), sorted: the ghost columns of a block.
  std::vector<Index> boson_neighbours(Index j0, Index j1) const;

  /// Bytes a matvec must move at least (read in, write out, read the kernel tables), for cplx states.
  double compulsory_bytes() const;
  /// Nonzeros of the equivalent sparse matrix (diagonal included).
  Index nnz() const;
  /// The assembled sparse matrix (cross-checks on small sectors and exports; Index i + j D_F).
  arma::sp_mat assemble() const;
  /// The same matrix as plain CSR with 32-bit columns (rows i + j D_F; within a row: diagonal, fermion
  /// moves, boson moves), 12 bytes a nonzero: the reference of a plain CSR matvec (benchmarks).
  /// Throws CapacityError if D does not fit 32 bits.
  Csr assemble_csr() const;

 private:
  const Sector& sector_;
  Index DF_, DB_;
  Csr TF_, TB_;             // off-diagonal parts of dGamma(tF), dGamma(tB)
  arma::vec diagF_, diagB_; // their diagonals
  arma::mat W_;             // D_F x L: lambda sum_x n_F(i, x) V(x, y)
};

}  // namespace fockmix
