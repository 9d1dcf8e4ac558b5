#include "fockmix/fock/fermion_basis.hpp"

#include <string>

#include "fockmix/core/error.hpp"
#include "fockmix/fock/binomial.hpp"

namespace fockmix {

FermionBasis::FermionBasis(Index sites, Index particles) : L_(sites), M_(particles) {
  if (L_ < 1 || L_ > 64) throw InputError("", "sites", "fermion bases need 1 to 64 sites, got " + std::to_string(L_));
  if (M_ < 0 || M_ > L_)
    throw InputError("", "fermions", "M = " + std::to_string(M_) + " fermions do not fit on L = " + std::to_string(L_) + " sites");
  binom_.assign(static_cast<std::size_t>((L_ + 1) * (M_ + 1)), 0);
  for (Index n = 0; n <= L_; ++n)
    for (Index k = 0; k <= M_; ++k) binom_[n * (M_ + 1) + k] = binomial(n, k);
  const Index D = binomial(L_, M_);
  states_.resize(static_cast<std::size_t>(D));
  if (D == 0) return;
  // Enumerate M-subsets in increasing bit-pattern order (Gosper's hack).
  std::uint64_t s = (M_ == 0) ? 0 : (M_ == 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << M_) - 1);
  for (Index i = 0; i < D; ++i) {
    states_[i] = s;
    if (i + 1 == D) break;
    const std::uint64_t c = s & (~s + 1);
    const std::uint64_t r = s + c;
    s = (((r ^ s) >> 2) / c) | r;
  }
}

Index FermionBasis::rank(std::uint64_t bits) const {
  Index r = 0, k = 0;
  while (bits) {
    const Index x = std::countr_zero(bits);
    ++k;
    r += binom_[x * (M_ + 1) + k];
    bits &= bits - 1;
  }
  return r;
}

}  // namespace fockmix
