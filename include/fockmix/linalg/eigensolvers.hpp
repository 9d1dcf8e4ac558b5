#pragma once
/// \file Lowest eigenpair of a real symmetric operator, matrix-free, through Spectra or ARPACK-ng
/// (the two are independent implementations and are cross-checked in the tests).
#include <armadillo>
#include <concepts>
#include <functional>

#include "fockmix/core/operator.hpp"

namespace fockmix {

/// A real symmetric LinearOperator held by reference, type-erased for the compiled adapters.
struct SymmetricOperatorRef {
  Index rows = 0;
  std::function<void(const double*, double*)> apply;
};

/// Wrap any LinearOperator with real scalars (the caller keeps `op` alive).
template <LinearOperator Op>
  requires std::same_as<typename Op::Scalar, double>
SymmetricOperatorRef operator_ref(const Op& op) {
  return {op.rows(), [&op](const double* in, double* out) { op.apply(in, out); }};
}

/// The real-scalar view of an operator whose apply<T> is a template over the scalar (e.g. SectorHamiltonian,
/// which is real symmetric in the occupation basis).
template <class Op>
struct RealView {
  using Scalar = double;
  const Op& op;
  Index rows() const { return op.rows(); }
  void apply(const double* in, double* out) const { op.template apply<double>(in, out); }
};

struct EigenOptions {
  Index ncv = 0;               ///< Lanczos basis size (0: min(rows, 30)); > 1
  double tolerance = 1e-12;    ///< relative residual tolerance (> 0)
  Index max_iterations = 3000; ///< restarts
};

enum class EigenStatus { Converged, NotConverged };

struct EigenResult {
  EigenStatus status = EigenStatus::NotConverged;
  double eigenvalue = 0.0;
  arma::vec vector;            ///< normalised; sign fixed so that its largest-magnitude entry is positive
  Index matvecs = 0;
  Index iterations = 0;
};

/// Smallest algebraic eigenvalue and its vector with Spectra's SymEigsSolver.
EigenResult lowest_eigenpair_spectra(const SymmetricOperatorRef& op, const EigenOptions& options = {});
/// The same with ARPACK-ng's dsaupd/dseupd reverse communication.
EigenResult lowest_eigenpair_arpack(const SymmetricOperatorRef& op, const EigenOptions& options = {});

}  // namespace fockmix
