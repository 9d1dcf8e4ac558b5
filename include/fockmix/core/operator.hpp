#pragma once
/// \file The one operator concept: anything that acts on a state exposes its scalar type, its
/// dimension and apply(in, out) on raw pointers (out = A in, no aliasing). The Krylov propagator,
/// the eigensolver adapters and the benchmarks are written once against it.
#include <concepts>

#include "fockmix/core/types.hpp"

namespace fockmix {

template <class Op>
concept LinearOperator = requires(const Op& op, const typename Op::Scalar* in, typename Op::Scalar* out) {
  typename Op::Scalar;
  { op.rows() } -> std::convertible_to<Index>;
  op.apply(in, out);
};

}  // namespace fockmix
