#pragma once
/// \file Boson basis (SPEC §3): occupations n_0..n_{L-1} with total in [n_lo, n_hi] and an optional
/// per-site cap. A fixed-N sector is n_lo = n_hi = N; the fluctuation Fock space of SPEC §7 uses
/// [0, K]. States are ordered by total, then with larger n_0 first, larger n_1 next, and so on;
/// rank() inverts the enumeration with a counting table (no hash maps).
#include <cstdint>
#include <vector>

#include "fockmix/core/types.hpp"

namespace fockmix {

class BosonBasis {
 public:
  /// \param sites L >= 1  \param n_lo, n_hi  0 <= n_lo <= n_hi: range of total boson numbers
  /// \param cap per-site cap n_max (0 = none; otherwise 1 <= cap <= 255, and cap L >= n_hi)
  BosonBasis(Index sites, Index n_lo, Index n_hi, Index cap);
  /// Fixed-N sector.
  BosonBasis(Index sites, Index particles, Index cap = 0) : BosonBasis(sites, particles, particles, cap) {}

  Index sites() const noexcept { return L_; }
  Index min_particles() const noexcept { return n_lo_; }
  Index max_particles() const noexcept { return n_hi_; }
  /// The per-site cap actually in force (n_hi if none was given).
  Index cap() const noexcept { return cap_; }
  /// True if the cap removes states from the sector (a truncation to report).
  bool truncated() const noexcept { return cap_ < n_hi_; }
  /// Number of basis states.
  Index size() const noexcept { return size_; }
  /// Number of states with exactly n bosons.
  Index sector_size(Index n) const { return count(0, n); }
  /// First state with exactly n bosons (states of one total are contiguous).
  Index sector_offset(Index n) const { return offset_[n - n_lo_]; }

  /// Occupations of state i: pointer to L bytes.
  const std::uint8_t* occupations(Index i) const { return occ_.data() + i * L_; }
  int occupation(Index i, Index x) const { return occ_[i * L_ + x]; }
  /// Total boson number of state i.
  Index total(Index i) const;
  /// Rank of an occupation vector (L entries); -1 if it is not in the basis (cap or total out of range).
  Index rank(const std::uint8_t* n) const;

  /// Number of states with exactly N bosons on L sites, at most `cap` per site (0 = no cap),
  /// without building the basis; overflow past 2^63 throws CapacityError.
  static Index count_states(Index sites, Index particles, Index cap = 0);

 private:
  Index count(Index s, Index r) const { return W_[s * (n_hi_ + 1) + r]; }
  Index L_, n_lo_, n_hi_, cap_, size_ = 0;
  std::vector<Index> W_;       // W_[s][r]: ways to put r bosons on sites s..L-1 under the cap
  std::vector<Index> offset_;  // first rank of each total
  std::vector<std::uint8_t> occ_;
};

}  // namespace fockmix
