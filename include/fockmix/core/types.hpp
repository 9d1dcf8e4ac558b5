#pragma once
/// \file Basic scalar and Index types shared by every module.
#include <complex>
#include <cstdint>

namespace fockmix {

/// The one index type of the library (basis ranks, sites, dimensions).
using Index = std::int64_t;
/// Transitional lower-case alias, to be removed; use Index (the lower-case name clashes with POSIX ::index()).
using index = Index;
/// Complex amplitude type.
using cplx = std::complex<double>;

}  // namespace fockmix
