#include <cstring>
#include <algorithm>
#include "fockmix/linalg/vector_ops.hpp"
#include "fockmix/core/parallel.hpp"

#include <cstdlib>
#include <new>
#include <vector>

namespace fockmix::vec {

namespace {
/// Below this length a vector operation runs on one thread: forking costs more than it saves.
}  // namespace

cplx dot(Index n, const cplx* x, const cplx* y) {
  double re = 0.0, im = 0.0;
#pragma omp parallel for schedule(static) reduction(+ : re, im) if (worth_threading(n))
  for (Index i = 0; i < n; ++i) {
    const double a = x[i].real(), b = x[i].imag(), c = y[i].real(), d = y[i].imag();
    re += a * c + b * d;
    im += a * d - b * c;
  }
  return {re, im};
}

double norm2(Index n, const cplx* x) {
  double s = 0.0;
#pragma omp parallel for schedule(static) reduction(+ : s) if (worth_threading(n))
  for (Index i = 0; i < n; ++i) s += std::norm(x[i]);
  return s;
}

void scale(Index n, double a, cplx* x) {
#pragma omp parallel for schedule(static) if (worth_threading(n))
  for (Index i = 0; i < n; ++i) x[i] *= a;
}

void copy(Index n, const cplx* x, cplx* y) {
#pragma omp parallel for schedule(static) if (worth_threading(n))
  for (Index i = 0; i < n; ++i) y[i] = x[i];
}

double lanczos_update(Index n, double alpha, const cplx* v, double beta, const cplx* u, cplx* w) {
  double s = 0.0;
  if (u == nullptr || beta == 0.0) {
#pragma omp parallel for schedule(static) reduction(+ : s) if (worth_threading(n))
    for (Index i = 0; i < n; ++i) {
      w[i] -= alpha * v[i];
      s += std::norm(w[i]);
    }
  } else {
#pragma omp parallel for schedule(static) reduction(+ : s) if (worth_threading(n))
    for (Index i = 0; i < n; ++i) {
      w[i] -= alpha * v[i] + beta * u[i];
      s += std::norm(w[i]);
    }
  }
  return s;
}

void combine(Index n, Index m, const cplx* V, const cplx* c, cplx* y) {
  // Blocked so that each thread streams every Krylov vector once over its own range.
#pragma omp parallel for schedule(static) if (worth_threading(n))
  for (Index b = 0; b < n; b += 4096) {
    const Index e = b + 4096 < n ? b + 4096 : n;
    for (Index i = b; i < e; ++i) y[i] = mul(c[0], V[i]);
    for (Index k = 1; k < m; ++k) {
      const cplx ck = c[k];
      const cplx* Vk = V + k * n;
      for (Index i = b; i < e; ++i) y[i] += mul(ck, Vk[i]);
    }
  }
}

std::uint64_t fingerprint(Index n, const cplx* x) {
  std::uint64_t h = 0x243f6a8885a308d3ULL;
  for (Index i = 0; i < n; ++i) {
    std::uint64_t re, im;
    std::memcpy(&re, reinterpret_cast<const double*>(x + i), sizeof re);
    std::memcpy(&im, reinterpret_cast<const double*>(x + i) + 1, sizeof im);
    h = (h ^ re) * 0x100000001b3ULL;
    h = (h ^ im) * 0x100000001b3ULL;
    h ^= h >> 29;
  }
  return h;
}

void copy_and_scale(Index n, cplx a, cplx* x, cplx* y) {
#pragma omp parallel for schedule(static) if (worth_threading(n))
  for (Index i = 0; i < n; ++i) {
    y[i] = x[i];
    x[i] = mul(a, x[i]);
  }
}

double chebyshev_update(Index n, double f, double g, const cplx* v, const cplx* u, cplx* w, Index m, const cplx* c, cplx* const* acc) {
  double s = 0.0;
  if (m == 1) {  // one output: the accumulator in a register-resident pointer, the loop the compiler vectorises best
    cplx* a = acc[0];
    const cplx c0 = c[0];
    if (u == nullptr) {
#pragma omp parallel for schedule(static) reduction(+ : s) if (worth_threading(n))
      for (Index i = 0; i < n; ++i) {
        const cplx x = f * w[i] + g * v[i];
        w[i] = x;
        a[i] += mul(c0, x);
        s += std::norm(x);
      }
    } else {
#pragma omp parallel for schedule(static) reduction(+ : s) if (worth_threading(n))
      for (Index i = 0; i < n; ++i) {
        const cplx x = f * w[i] + g * v[i] - u[i];
        w[i] = x;
        a[i] += mul(c0, x);
        s += std::norm(x);
      }
    }
    return s;
  }
  // several outputs: blocks of the state so that w's block stays in L1 while every accumulator takes it
#pragma omp parallel for schedule(static) reduction(+ : s) if (worth_threading(n))
  for (Index b = 0; b < n; b += 1024) {
    const Index e = std::min<Index>(b + 1024, n);
    for (Index i = b; i < e; ++i) {
      const cplx x = f * w[i] + g * v[i] - (u != nullptr ? u[i] : cplx(0.0));
      w[i] = x;
      s += std::norm(x);
    }
    for (Index k = 0; k < m; ++k) {
      cplx* a = acc[k];
      const cplx ck = c[k];
      for (Index i = b; i < e; ++i) a[i] += mul(ck, w[i]);
    }
  }
  return s;
}

namespace {
/// splitmix64: a well-mixed 64-bit hash of the counter.
inline std::uint64_t mix(std::uint64_t z) {
  z += 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}
inline double unit(std::uint64_t z) { return static_cast<double>(z >> 11) * 0x1.0p-52 - 1.0; }  // [-1, 1)
}  // namespace

StateBlock::StateBlock(Index n, Index m) : n_(n), m_(m) {
  constexpr std::size_t huge = std::size_t{2} << 20;
  const std::size_t bytes = static_cast<std::size_t>(n) * static_cast<std::size_t>(m) * sizeof(cplx);
  if (bytes == 0) return;
  const std::size_t rounded = (bytes + huge - 1) / huge * huge;  // aligned_alloc needs a multiple of the alignment
  void* p = std::aligned_alloc(huge, rounded);
  if (p == nullptr) throw std::bad_alloc();
  p_.reset(static_cast<cplx*>(p));
}

void StateBlock::Free::operator()(cplx* p) const noexcept { std::free(p); }

void fill_random(Index n, std::uint64_t seed, cplx* x) {
  const std::uint64_t base = mix(seed);
#pragma omp parallel for schedule(static) if (worth_threading(n))
  for (Index i = 0; i < n; ++i) {
    const std::uint64_t k = base + 2 * static_cast<std::uint64_t>(i);
    x[i] = cplx(unit(mix(k)), unit(mix(k + 1)));
  }
}

}  // namespace fockmix::vec
