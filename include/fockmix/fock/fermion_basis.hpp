#pragma once
/// \file Fermion sector basis (SPEC §3): M particles on L <= 64 sites as bit patterns, ranked
/// combinadically (colex order = increasing bit pattern), no hash maps.
#include <bit>
#include <cstdint>
#include <vector>

#include "fockmix/core/types.hpp"

namespace fockmix {

/// Basis |x_1 < ... < x_M> = a*_{x_1} ... a*_{x_M} |0>; state number = combinadic rank
/// sum_k C(x_k, k+1), which enumerates the bit patterns in increasing order.
class FermionBasis {
 public:
  /// \param sites L in [1, 64]  \param particles M in [0, L]
  FermionBasis(Index sites, Index particles);

  Index sites() const noexcept { return L_; }
  Index particles() const noexcept { return M_; }
  /// D_F = C(L, M).
  Index size() const noexcept { return static_cast<Index>(states_.size()); }
  /// Bit pattern of state i (bit x set = site x occupied).
  std::uint64_t state(Index i) const { return states_[i]; }
  /// Rank of a bit pattern with M bits set below bit L.
  Index rank(std::uint64_t bits) const;
  /// Occupation n_x (0 or 1) of state i.
  int occupation(Index i, Index x) const { return static_cast<int>((states_[i] >> x) & 1u); }

  /// Sign of a*_{to} a_{from} acting on the pattern `bits` (from occupied, to empty or equal to from):
  /// (-1)^(number of occupied sites strictly between from and to).
  static int hop_sign(std::uint64_t bits, Index from, Index to) {
    if (from == to) return 1;
    const Index lo = from < to ? from : to, hi = from < to ? to : from;
    const std::uint64_t between = ((std::uint64_t{1} << hi) - 1) & ~((std::uint64_t{2} << lo) - 1);
    return (std::popcount(bits & between) & 1) ? -1 : 1;
  }

 private:
  Index L_, M_;
  std::vector<std::uint64_t> states_;
  std::vector<Index> binom_;  // binom_[n * (M+1) + k] = C(n, k)
};

}  // namespace fockmix
