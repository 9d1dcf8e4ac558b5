#pragma once
/// \file Binomial coefficients and dimension arithmetic with overflow checks (past 2^63: CapacityError).
#include "fockmix/core/types.hpp"

namespace fockmix {

/// C(n, k) for 0 <= k; 0 if k > n or k < 0. Throws CapacityError if the value exceeds 2^63 - 1.
Index binomial(Index n, Index k);

/// a * b, throwing CapacityError (naming `what`) if the product exceeds 2^63 - 1.  \param a,b >= 0
Index checked_mul(Index a, Index b, const char* what = "dimension");

/// a + b with the same check.
Index checked_add(Index a, Index b, const char* what = "dimension");

}  // namespace fockmix
