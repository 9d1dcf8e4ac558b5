#include "fockmix/fock/binomial.hpp"

#include <limits>
#include <string>

#include "fockmix/core/error.hpp"

namespace fockmix {

namespace {
__extension__ typedef unsigned __int128 u128;  // exact intermediate for C(n, k)
}

Index checked_mul(Index a, Index b, const char* what) {
  Index r = 0;
  if (__builtin_mul_overflow(a, b, &r))
    throw CapacityError(std::string(what) + " overflows 2^63: " + std::to_string(a) + " x " + std::to_string(b));
  return r;
}

Index checked_add(Index a, Index b, const char* what) {
  Index r = 0;
  if (__builtin_add_overflow(a, b, &r))
    throw CapacityError(std::string(what) + " overflows 2^63: " + std::to_string(a) + " + " + std::to_string(b));
  return r;
}

Index binomial(Index n, Index k) {
  if (k < 0 || n < 0 || k > n) return 0;
  if (k > n - k) k = n - k;
  // r = C(n - k + i, i) built up exactly: r_i = r_{i-1} (n - k + i) / i; the division is exact.
  u128 r = 1;
  for (Index i = 1; i <= k; ++i) {
    r = r * static_cast<u128>(n - k + i) / static_cast<u128>(i);
    if (r > static_cast<u128>(std::numeric_limits<Index>::max()))
      throw CapacityError("binomial C(" + std::to_string(n) + ", " + std::to_string(k) + ") overflows 2^63");
  }
  return static_cast<Index>(r);
}

}  // namespace fockmix
