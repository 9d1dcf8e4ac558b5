#pragma once
/// \file Basic scalar and index types shared by every module.
#include <complex>
#include <cstdint>

namespace fockmix {

/// The one index type of the library (basis ranks, sites, dimensions).
using index = std::int64_t;
/// Complex amplitude type.
using cplx = std::complex<double>;

}  // namespace fockmix
