#pragma once
/// \file OpenMP-parallel level-1 kernels on long state vectors (memory-bound; Armadillo's are serial).
/// These and the Hamiltonian kernels are the only places where threads appear; vectors shorter than
/// 2^15 entries are processed on one thread.
#include "fockmix/core/types.hpp"

namespace fockmix::vec {

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

}  // namespace fockmix::vec
