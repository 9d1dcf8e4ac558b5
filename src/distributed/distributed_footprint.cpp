#include "fockmix/distributed/distributed_footprint.hpp"

#include <petscsys.h>

#include <limits>

#include "fockmix/core/error.hpp"
#include "fockmix/distributed/distributed_hamiltonian.hpp"
#include "fockmix/distributed/distributed_observables.hpp"

namespace fockmix {

RankMemory rank_memory(const SectorHamiltonian& H, Index ranks, Index rank, Index basis, double table_bytes) {
  const Sector& s = H.sector();
  const Index DF = s.dim_fermions(), DB = s.dim_bosons();
  if (ranks < 1) throw InputError("", "ranks", "must be at least 1");
  if (rank < 0 || rank >= ranks) throw InputError("", "rank", "must be between 0 and ranks - 1");
  if (basis < 4) throw InputError("", "basis", "must be at least 4");
  const double column = static_cast<double>(DF) * 16.0;
  const ColumnSplit split{DB, ranks};
  RankMemory m;
  m.rank = rank;
  m.columns = split.last(rank) - split.first(rank);
  m.ghost_columns = static_cast<Index>(H.boson_neighbours(split.first(rank), split.last(rank)).size());
  m.observer_columns = static_cast<Index>(move_targets_outside(s.boson_moves(), split.first(rank), split.last(rank)).size());
  m.own_bytes = static_cast<double>(m.columns) * column;
  m.vectors_bytes = static_cast<double>(basis + 4) * m.own_bytes;
  m.ghost_bytes = static_cast<double>(m.ghost_columns + m.observer_columns) * column;
  m.table_bytes = table_bytes;
  m.total_bytes = m.vectors_bytes + m.ghost_bytes + m.table_bytes;
  return m;
}

DistributedFootprint distributed_footprint(const SectorHamiltonian& H, Index ranks, Index basis, double table_bytes) {
  const Sector& s = H.sector();
  DistributedFootprint fp;
  fp.ranks = ranks;
  fp.dim = s.size();
  fp.fits_indices = s.size() <= static_cast<Index>(std::numeric_limits<PetscInt>::max());
  for (Index r = 0; r < ranks; ++r) {
    const RankMemory m = rank_memory(H, ranks, r, basis, table_bytes);
    fp.exchanged_bytes += static_cast<double>(m.ghost_columns) * static_cast<double>(s.dim_fermions()) * 16.0;
    if (r == 0 || m.total_bytes > fp.largest.total_bytes) fp.largest = m;
  }
  return fp;
}

Index ranks_needed(const SectorHamiltonian& H, Index basis, double table_bytes, double bytes_per_rank, DistributedFootprint* found) {
  const Index DB = H.sector().dim_bosons();
  for (Index P = 1;; P = std::min(2 * P, DB)) {
    const DistributedFootprint fp = distributed_footprint(H, P, basis, table_bytes);
    if (fp.largest.total_bytes <= bytes_per_rank) {
      if (found != nullptr) *found = fp;
      return P;
    }
    if (P == DB) return 0;
  }
}

}  // namespace fockmix
