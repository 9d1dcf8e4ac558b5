#pragma once
/// \file Binomial coefficients and dimension arithmetic with overflow checks (past 2^63: CapacityError).
#include "fockmix/core/types.hpp"

namespace fockmix {

/// C(n, k) for 0 <= k; 0 if k > n or k < 0. Throws CapacityError if the value exceeds 2^63 - 1.
index binomial(index n, index k);

/// a * b, throwing CapacityError (naming `what`) if the product exceeds 2^63 - 1.  \param a,b >= 0
index checked_mul(index a, index b, const char* what = "dimension");

/// a + b with the same check.
index checked_add(index a, index b, const char* what = "dimension");

}  // namespace fockmix
