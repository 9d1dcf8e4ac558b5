#pragma once
/// \file Basic scalar and Index types shared by every module.
#include <complex>
#include <cstdint>

namespace fockmix {

/// The one index type of the library (basis ranks, sites, dimensions).
using Index = std::int64_t;
/// Complex amplitude type.
using cplx = std::complex<double>;

}  // namespace fockmix
