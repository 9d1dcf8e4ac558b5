#pragma once
/// \file The sector Hamiltonian on a state distributed over MPI ranks (docs/distributed.md).
///
/// Layout: the D_F x D_B coefficient matrix psi (sector.hpp) is split into contiguous blocks of boson columns;
/// rank r owns the columns [first(r), last(r)) with all D_F rows of each, i.e. the entries [first(r) D_F,
/// last(r) D_F) of a PETSc Vec in its natural ordering. The fermion and diagonal terms of H are column-local; the
/// boson term reads the columns j' that a boson move connects to an owned column: the ghost columns, fetched
/// into a sequential Vec by a VecScatter built once. The multiply is SectorHamiltonian::apply_columns, the
/// serial kernel with a ghosted column source.
#include <cstdint>
#include <memory>
#include <vector>

#include "fockmix/distributed/environment.hpp"
#include "fockmix/exact/sector_hamiltonian.hpp"

namespace fockmix {

/// Contiguous blocks of `columns` boson columns over `ranks` ranks, sizes differing by at most one.
struct ColumnSplit {
  Index columns = 0;
  Index ranks = 1;
  Index first(Index r) const noexcept { return columns * r / ranks; }
  Index last(Index r) const noexcept { return columns * (r + 1) / ranks; }
};

/// Fetches the ghost columns of a block of boson columns from a distributed state: built once (collective),
/// then `fetch(psi)` fills the sequential buffer, column ghost k at ghosts() + k D_F; slot()[j] = k for ghost
/// column j (D_B entries, -1 elsewhere).
class GhostExchange {
 public:
  /// \param ghosts the global boson columns to fetch (sorted, outside the own block), \param DF rows per column,
  /// \param layout a Vec with the distributed layout.
  GhostExchange(Vec layout, const std::vector<Index>& ghosts, Index DF, Index DB);
  /// Collective: copies the ghost columns of psi into the buffer.
  void fetch(Vec psi);
  const cplx* ghosts() const noexcept { return data_; }
  const std::int32_t* slot() const noexcept { return slot_.data(); }
  Index size() const noexcept { return static_cast<Index>(ghosts_.size()); }
  const std::vector<Index>& columns() const noexcept { return ghosts_; }

 private:
  std::vector<Index> ghosts_;
  std::vector<std::int32_t> slot_;
  PetscVec buffer_;
  PetscScatter scatter_;
  const cplx* data_ = nullptr;
};

/// H of a sector acting on distributed states (collective operations on `comm`).
class DistributedHamiltonian {
 public:
  /// \param H the serial kernel (its tables are replicated on every rank; kept by reference).
  /// Throws CapacityError when D does not fit PETSc's index type (32 bits in Debian's build).
  DistributedHamiltonian(const SectorHamiltonian& H, MPI_Comm comm);
  DistributedHamiltonian(const DistributedHamiltonian&) = delete;
  DistributedHamiltonian& operator=(const DistributedHamiltonian&) = delete;

  const SectorHamiltonian& serial() const noexcept { return H_; }
  MPI_Comm comm() const noexcept { return comm_; }
  Index first_column() const noexcept { return j0_; }
  Index last_column() const noexcept { return j1_; }
  /// Entries of a state this rank owns: (last - first) D_F.
  Index local_size() const noexcept { return (j1_ - j0_) * DF_; }

  /// A new state vector with this layout, zero.
  PetscVec create_vector() const;
  /// The MATSHELL whose MatMult is apply (owned by this object; marked Hermitian).
  Mat matrix() const noexcept { return A_.get(); }
  /// out = H in (collective): fetch the ghost columns, then the serial kernel on the own block.
  void apply(Vec in, Vec out);

  /// The ghost columns of this rank (sorted global boson indices).
  const std::vector<Index>& ghost_columns() const noexcept { return exchange_->columns(); }
  /// Bytes this rank receives per matvec: ghost columns x D_F x 16.
  double ghost_bytes() const noexcept;
  /// Matvecs done so far, and the seconds spent in the ghost exchange and in the local kernel (this rank).
  Index matvecs() const noexcept { return matvecs_; }
  double exchange_seconds() const noexcept { return exchange_seconds_; }
  double kernel_seconds() const noexcept { return kernel_seconds_; }

 private:
  const SectorHamiltonian& H_;
  MPI_Comm comm_;
  Index DF_, DB_, j0_ = 0, j1_ = 0;
  PetscMat A_;
  std::unique_ptr<GhostExchange> exchange_;
  Index matvecs_ = 0;
  double exchange_seconds_ = 0.0, kernel_seconds_ = 0.0;
};

/// The product initial state psi_F (x) psi_B (exact/initial_state.hpp) built on this rank's columns only: entry
/// i + j D_F is slater_determinant[i] product_bosons[j], so no rank holds the whole state. Collective.
PetscVec distributed_product_state(const DistributedHamiltonian& H, const arma::cx_mat& orbitals, const arma::cx_vec& phi);
/// <psi, H psi> (collective; real for the Hermitian H), with `scratch` a vector of the same layout.
double distributed_energy(DistributedHamiltonian& H, Vec psi, Vec scratch);

/// Copies this rank's part of a full serial state (D entries, as in sector.hpp) into the distributed psi.
void scatter_from_full(const cplx* full, Vec psi);
/// The whole state on every rank (collective; for tests and small sectors).
std::vector<cplx> gather_to_all(Vec psi);

}  // namespace fockmix
