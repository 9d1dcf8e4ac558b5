#include "fockmix/fock/boson_basis.hpp"

#include <algorithm>
#include <string>

#include "fockmix/core/error.hpp"
#include "fockmix/fock/binomial.hpp"

namespace fockmix {

Index BosonBasis::count_states(Index sites, Index particles, Index cap) {
  if (sites < 1 || particles < 0) return 0;
  if (cap <= 0 || cap >= particles) return binomial(particles + sites - 1, particles);
  // ways[r]: placements of r bosons on the sites seen so far, at most cap each
  std::vector<Index> ways(static_cast<std::size_t>(particles + 1), 0);
  ways[0] = 1;
  for (Index s = 0; s < sites; ++s) {
    std::vector<Index> next(ways.size(), 0);
    for (Index r = 0; r <= particles; ++r)
      for (Index v = 0; v <= std::min(cap, r); ++v) next[r] = checked_add(next[r], ways[r - v], "boson dimension");
    ways.swap(next);
  }
  return ways[particles];
}

BosonBasis::BosonBasis(Index sites, Index n_lo, Index n_hi, Index cap) : L_(sites), n_lo_(n_lo), n_hi_(n_hi) {
  if (L_ < 1) throw InputError("", "grid.sites", "boson bases need at least one site");
  if (n_lo_ < 0 || n_hi_ < n_lo_) throw InputError("", "n_lo", "needs 0 <= n_lo <= n_hi");
  if (cap < 0 || cap > 255) throw InputError("", "cap", "must be 0 (none) or 1..255, got " + std::to_string(cap));
  cap_ = (cap == 0) ? n_hi_ : std::min(cap, n_hi_);
  if (n_hi_ > 255 && cap == 0) throw InputError("", "n_hi", "at most 255 bosons per site are representable; set max_per_site");
  if (checked_mul(cap_, L_) < n_hi_)
    throw InputError("", "cap",
                     "cap " + std::to_string(cap_) + " x " + std::to_string(L_) + " sites holds fewer than " + std::to_string(n_hi_) + " bosons");
  W_.assign(static_cast<std::size_t>((L_ + 1) * (n_hi_ + 1)), 0);
  W_[L_ * (n_hi_ + 1) + 0] = 1;
  for (Index s = L_ - 1; s >= 0; --s)
    for (Index r = 0; r <= n_hi_; ++r) {
      Index w = 0;
      for (Index v = 0; v <= std::min(cap_, r); ++v) w = checked_add(w, count(s + 1, r - v), "boson dimension");
      W_[s * (n_hi_ + 1) + r] = w;
    }
  for (Index n = n_lo_; n <= n_hi_; ++n) {
    offset_.push_back(size_);
    size_ = checked_add(size_, count(0, n), "boson dimension");
  }
  occ_.assign(static_cast<std::size_t>(checked_mul(size_, L_, "boson basis storage")), 0);
  // Enumerate: within a total, larger n_0 first, then larger n_1, ...
  std::vector<std::uint8_t> n(static_cast<std::size_t>(L_), 0);
  Index i = 0;
  for (Index N = n_lo_; N <= n_hi_; ++N) {
    // first state of this total: fill greedily from the left
    Index r = N;
    for (Index s = 0; s < L_; ++s) {
      n[s] = static_cast<std::uint8_t>(std::min(cap_, r));
      r -= n[s];
    }
    for (Index k = 0; k < count(0, N); ++k) {
      std::copy(n.begin(), n.end(), occ_.begin() + i * L_);
      ++i;
      // next state: find the rightmost site s < L-1 with n_s > 0 whose tail s+1.. can absorb one more
      Index tail = n[L_ - 1];
      Index s = L_ - 2;
      for (; s >= 0; --s) {
        if (n[s] > 0 && tail + 1 <= cap_ * (L_ - 1 - s)) break;
        tail += n[s];
      }
      if (s < 0) break;
      --n[s];
      Index rem = tail + 1;
      for (Index t = s + 1; t < L_; ++t) {
        n[t] = static_cast<std::uint8_t>(std::min(cap_, rem));
        rem -= n[t];
      }
    }
  }
}

Index BosonBasis::total(Index i) const {
  Index t = 0;
  for (Index x = 0; x < L_; ++x) t += occ_[i * L_ + x];
  return t;
}

Index BosonBasis::rank(const std::uint8_t* n) const {
  Index N = 0;
  for (Index x = 0; x < L_; ++x) {
    if (n[x] > cap_) return -1;
    N += n[x];
  }
  if (N < n_lo_ || N > n_hi_) return -1;
  Index r = offset_[N - n_lo_], rem = N;
  for (Index s = 0; s + 1 < L_; ++s) {
    // states with the same prefix and a larger n_s come first
    for (Index v = n[s] + 1; v <= std::min(cap_, rem); ++v) r += count(s + 1, rem - v);
    rem -= n[s];
  }
  return r;
}

}  // namespace fockmix
