#pragma once
/// \file OpenMP-parallel level-1 kernels on long state vectors (memory-bound; Armadillo's are serial).
/// These and the other kernels are the only places where threads appear; vectors shorter than
/// parallel_min_work entries (core/parallel.hpp) are processed on one thread.

#include <cstdint>
#include <memory>

#include "fockmix/core/types.hpp"

namespace fockmix::vec {

/// a b written out in real arithmetic: without -ffast-math, GCC compiles std::complex products to a
/// call of __muldc3 (NaN/inf recovery) per element, which costs more than the memory traffic of a pass.
inline cplx mul(cplx a, cplx b) {
  return {a.real() * b.real() - a.imag() * b.imag(), a.real() * b.imag() + a.imag() * b.real()};
}
/// conj(a) b in real arithmetic.
inline cplx conj_mul(cplx a, cplx b) {
  return {a.real() * b.real() + a.imag() * b.imag(), a.real() * b.imag() - a.imag() * b.real()};
}

/// <x, y> = sum conj(x_i) y_i.
cplx dot(Index n, const cplx* x, const cplx* y);
/// ||x||^2.
double norm2(Index n, const cplx* x);
/// x *= a.
void scale(Index n, double a, cplx* x);
/// y = x.
void copy(Index n, const cplx* x, cplx* y);
/// One Lanczos orthogonalisation pass: w -= alpha v + beta u; returns ||w||^2 (u may be null when beta = 0).
double lanczos_update(Index n, double alpha, const cplx* v, double beta, const cplx* u, cplx* w);
/// y = sum_k c_k V[:, k] for k < m, with V column-major (leading dimension n).
void combine(Index n, Index m, const cplx* V, const cplx* c, cplx* y);

/// A 64-bit fingerprint of the bits of x (sequential, the same on every machine and thread count): checkpoints
/// tell a bitwise replay from one that only agrees to round-off without holding a second state.
std::uint64_t fingerprint(Index n, const cplx* x);
/// y = x, then x *= a (complex a): one pass.
void copy_and_scale(Index n, cplx a, cplx* x, cplx* y);
/// One Chebyshev recurrence pass: w = f w + g v - u (u may be null: no u term), acc[a] += c[a] w for the m >= 1
/// accumulators; returns ||w||^2.
double chebyshev_update(Index n, double f, double g, const cplx* v, const cplx* u, cplx* w, Index m, const cplx* c, cplx* const* acc);
/// Uninitialised storage of m state vectors of n complex numbers each (column k at data() + k n), 2 MiB
/// aligned. Nothing is touched here: first touch happens in the (threaded) kernels, and vectors never used
/// are never faulted in. (Advising transparent huge pages made first touch 1.4 to 2.6x slower on the
/// benchmark VM, whose THP defrag policy compacts memory on the fault: docs/performance.md.) Move-only.
class StateBlock {
 public:
  StateBlock() = default;
  /// \param n >= 0 entries a vector  \param m >= 0 vectors
  StateBlock(Index n, Index m);
  cplx* data() noexcept { return p_.get(); }
  const cplx* data() const noexcept { return p_.get(); }
  cplx* col(Index k) noexcept { return p_.get() + k * n_; }
  const cplx* col(Index k) const noexcept { return p_.get() + k * n_; }
  Index rows() const noexcept { return n_; }
  Index cols() const noexcept { return m_; }

 private:
  struct Free {
    void operator()(cplx* p) const noexcept;
  };
  std::unique_ptr<cplx, Free> p_;
  Index n_ = 0, m_ = 0;
};

/// Deterministic pseudo-random entries, uniform in [-1, 1] for both parts, a function of (seed, i) only
/// (independent of the number of threads).
void fill_random(Index n, std::uint64_t seed, cplx* x);

}  // namespace fockmix::vec
