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
  BosonBasis(index sites, index n_lo, index n_hi, index cap);
  /// Fixed-N sector.
  BosonBasis(index sites, index particles, index cap = 0) : BosonBasis(sites, particles, particles, cap) {}

  index sites() const noexcept { return L_; }
  index min_particles() const noexcept { return n_lo_; }
  index max_particles() const noexcept { return n_hi_; }
  /// The per-site cap actually in force (n_hi if none was given).
  index cap() const noexcept { return cap_; }
  /// True if the cap removes states from the sector (a truncation to report).
  bool truncated() const noexcept { return cap_ < n_hi_; }
  /// Number of basis states.
  index size() const noexcept { return size_; }
  /// Number of states with exactly n bosons.
  index sector_size(index n) const { return count(0, n); }
  /// First state with exactly n bosons (states of one total are contiguous).
  index sector_offset(index n) const { return offset_[n - n_lo_]; }

  /// Occupations of state i: pointer to L bytes.
  const std::uint8_t* occupations(index i) const { return occ_.data() + i * L_; }
  int occupation(index i, index x) const { return occ_[i * L_ + x]; }
  /// Total boson number of state i.
  index total(index i) const;
  /// Rank of an occupation vector (L entries); -1 if it is not in the basis (cap or total out of range).
  index rank(const std::uint8_t* n) const;

  /// Number of states with exactly N bosons on L sites, at most `cap` per site (0 = no cap),
  /// without building the basis; overflow past 2^63 throws CapacityError.
  static index count_states(index sites, index particles, index cap = 0);

 private:
  index count(index s, index r) const { return W_[s * (n_hi_ + 1) + r]; }
  index L_, n_lo_, n_hi_, cap_, size_ = 0;
  std::vector<index> W_;       // W_[s][r]: ways to put r bosons on sites s..L-1 under the cap
  std::vector<index> offset_;  // first rank of each total
  std::vector<std::uint8_t> occ_;
};

}  // namespace fockmix
