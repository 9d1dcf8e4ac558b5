#pragma once
/// \file Memory of the distributed exact engine per rank (docs/distributed.md, "Memory per rank"), for
/// `fockmix info` under FOCKMIX_MPI: counted from the sector's own tables (the ghost columns of each rank's block
/// exactly as the engine builds them), without MPI and without allocating a state.
#include <cstdint>

#include "fockmix/exact/sector_hamiltonian.hpp"

namespace fockmix {

/// What one rank of a distributed run holds.
struct RankMemory {
  Index rank = 0;
  Index columns = 0;           ///< own boson columns (a block of the D_B)
  Index ghost_columns = 0;     ///< columns the Hamiltonian's boson term fetches (SectorHamiltonian::boson_neighbours)
  Index observer_columns = 0;  ///< columns gamma_B and N_B^exc fetch (every boson move: move_targets_outside)
  double own_bytes = 0;        ///< one own part of a state: columns x D_F x 16
  double vectors_bytes = 0;    ///< (basis + 4) own parts: psi, MFN's basis and work, the energy scratch
  double ghost_bytes = 0;      ///< both ghost buffers: (ghost + observer columns) x D_F x 16
  double table_bytes = 0;      ///< the replicated sector tables (as the serial footprint counts them)
  double total_bytes = 0;      ///< vectors + ghosts + tables
};

/// The rank with the largest total over P ranks, and whether D fits PETSc's index type.
struct DistributedFootprint {
  Index ranks = 1;
  Index dim = 0;
  bool fits_indices = true;  ///< D <= the largest PetscInt (2^31 - 1 in Debian's 32-bit build)
  RankMemory largest;        ///< the rank that needs the most memory
  double exchanged_bytes = 0;  ///< bytes all ranks receive per matvec (sum of the Hamiltonian's ghost buffers)
};

/// What rank `rank` of `ranks` holds (0 <= rank < ranks; InputError otherwise; with more ranks than D_B some own
/// no column), with an MFN basis of `basis`
/// vectors (>= 4) and `table_bytes` of replicated tables.
RankMemory rank_memory(const SectorHamiltonian& H, Index ranks, Index rank, Index basis, double table_bytes);

/// The footprint of a run on `ranks` ranks (>= 1; InputError otherwise) with an MFN basis of
/// `basis` vectors (>= 4) and `table_bytes` of replicated tables (ExactFootprint::table_bytes).
DistributedFootprint distributed_footprint(const SectorHamiltonian& H, Index ranks, Index basis, double table_bytes);

/// The fewest ranks (trying 1, 2, 4, ... up to D_B) whose largest total fits `bytes_per_rank`; 0 if none does (the
/// replicated tables alone exceed it). `found` receives the footprint at that count.
Index ranks_needed(const SectorHamiltonian& H, Index basis, double table_bytes, double bytes_per_rank, DistributedFootprint* found);

}  // namespace fockmix
