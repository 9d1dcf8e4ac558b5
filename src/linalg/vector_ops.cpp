#include "fockmix/linalg/vector_ops.hpp"

#include <vector>

namespace fockmix::vec {

namespace {
/// Below this length a vector operation runs on one thread: forking costs more than it saves.
constexpr Index parallel_min = 1 << 15;
}  // namespace

cplx dot(Index n, const cplx* x, const cplx* y) {
  double re = 0.0, im = 0.0;
#pragma omp parallel for schedule(static) reduction(+ : re, im) if (n >= parallel_min)
  for (Index i = 0; i < n; ++i) {
    const double a = x[i].real(), b = x[i].imag(), c = y[i].real(), d = y[i].imag();
    re += a * c + b * d;
    im += a * d - b * c;
  }
  return {re, im};
}

double norm2(Index n, const cplx* x) {
  double s = 0.0;
#pragma omp parallel for schedule(static) reduction(+ : s) if (n >= parallel_min)
  for (Index i = 0; i < n; ++i) s += std::norm(x[i]);
  return s;
}

void scale(Index n, double a, cplx* x) {
#pragma omp parallel for schedule(static) if (n >= parallel_min)
  for (Index i = 0; i < n; ++i) x[i] *= a;
}

void copy(Index n, const cplx* x, cplx* y) {
#pragma omp parallel for schedule(static) if (n >= parallel_min)
  for (Index i = 0; i < n; ++i) y[i] = x[i];
}

double lanczos_update(Index n, double alpha, const cplx* v, double beta, const cplx* u, cplx* w) {
  double s = 0.0;
  if (u == nullptr || beta == 0.0) {
#pragma omp parallel for schedule(static) reduction(+ : s) if (n >= parallel_min)
    for (Index i = 0; i < n; ++i) {
      w[i] -= alpha * v[i];
      s += std::norm(w[i]);
    }
  } else {
#pragma omp parallel for schedule(static) reduction(+ : s) if (n >= parallel_min)
    for (Index i = 0; i < n; ++i) {
      w[i] -= alpha * v[i] + beta * u[i];
      s += std::norm(w[i]);
    }
  }
  return s;
}

void combine(Index n, Index m, const cplx* V, const cplx* c, cplx* y) {
  // Blocked so that each thread streams every Krylov vector once over its own range.
#pragma omp parallel for schedule(static) if (n >= parallel_min)
  for (Index b = 0; b < n; b += 4096) {
    const Index e = b + 4096 < n ? b + 4096 : n;
    for (Index i = b; i < e; ++i) y[i] = c[0] * V[i];
    for (Index k = 1; k < m; ++k) {
      const cplx ck = c[k];
      const cplx* Vk = V + k * n;
      for (Index i = b; i < e; ++i) y[i] += ck * Vk[i];
    }
  }
}

}  // namespace fockmix::vec
