#!/usr/bin/python3
"""Time scipy's expm_multiply on the sectors that `fockmix bench --export DIR` wrote, and compare.

For each export file (bench_L{L}_M{M}_N{N}.h5) this builds the sparse H as a scipy.sparse.csr_matrix
(0-based CSR, index i + j D_F, the same matrix as fockmix's SectorHamiltonian::assemble()), times
    scipy.sparse.linalg.expm_multiply(-1j * H, psi0)        (t = 1, hbar = 1)
with scipy's default tolerance (double precision, 2^-53, which is at least as accurate as fockmix's
1e-10), checks the result against fockmix's exported exp(-i H) psi0 (difference norm), and prints
the time and its ratio to fockmix's unit-step time from the same file.

scipy's sparse matvec is single-threaded; fockmix's time is with the OpenMP threads recorded in the
file (attribute "threads").

Run with Debian's interpreter (python3-scipy, python3-h5py), not a pyenv one:
    /usr/bin/python3 benchmarks/scipy_expm.py DIR/bench_*.h5 [--max-gib 16] [--max-minutes 15]

A case is skipped, with the reason printed, when its estimated memory (from nnz and D, before
loading) exceeds --max-gib, or its estimated time (matvec count bound from the 1-norm of H, times
one measured matvec) exceeds --max-minutes.
"""
import argparse
import math
import resource
import sys
import time

import h5py
import numpy as np
import scipy
import scipy.sparse
import scipy.sparse.linalg

GIB = 1024.0**3

# Bytes scipy needs per nonzero and per state entry, measured peak over the three default cases
# (11.5 GiB for nnz = 1.83e8, D = 1.14e7): the real CSR as read and converted (8 B data + 4 B indices),
# the complex CSR -1j*H (16 + 4 B), the shifted copy A - mu I that expm_multiply makes (16 + 4 B) and
# the real |A| of the exact 1-norms (8 + 4 B) -> 60 B a nonzero; about a dozen complex work vectors
# (psi0, psi_t, B, F and onenormest's blocks) -> 12 x 16 B a state.
BYTES_PER_NNZ = 60.0
BYTES_PER_STATE = 12 * 16.0
# Taylor degree m = 55 covers a 1-norm of theta_55 = 9.9 at tolerance 2^-53 (Al-Mohy and Higham 2011,
# scipy's table): at most ~55/9.9 matvecs per unit of ||A||_1, plus the norm estimates.
MATVECS_PER_UNIT_NORM = 55.0 / 9.9
NORM_ESTIMATE_MATVECS = 60


def peak_rss_gib():
    """Peak resident memory of this process (ru_maxrss is in KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024.0 / GIB


def load_csr(group, dim):
    """The CSR arrays of H as a scipy.sparse.csr_matrix with 32-bit indices where they fit."""
    indptr = group["indptr"][...]
    indices = group["indices"][...]
    data = group["data"][...]
    index_type = np.int32 if data.size < 2**31 and dim < 2**31 else np.int64
    indptr = indptr.astype(index_type)
    indices = indices.astype(index_type)
    H = scipy.sparse.csr_matrix((data, indices, indptr), shape=(dim, dim), copy=False)
    return H


def run_case(path, max_gib, max_minutes):
    """Returns a dict of the measurements, or of the reason for skipping."""
    with h5py.File(path, "r") as f:
        a = f.attrs
        L, M, N, dim = int(a["L"]), int(a["M"]), int(a["N"]), int(a["D"])
        DF = int(a["D_F"])
        fockmix_s = float(a["fockmix_step_seconds"])
        # the same propagator's next step (Krylov basis already touched), when the export records it
        warm_s = float(a["fockmix_warm_step_seconds"]) if "fockmix_warm_step_seconds" in a else float("nan")
        threads = int(a["threads"])
        nnz = int(f["H"].attrs["nnz"])
        row = dict(file=path, L=L, M=M, N=N, D=dim, nnz=nnz, fockmix_s=fockmix_s, warm_s=warm_s, threads=threads)
        est_gib = (BYTES_PER_NNZ * nnz + BYTES_PER_STATE * dim) / GIB
        row["est_gib"] = est_gib
        print(f"{path}: L={L} M={M} N={N} D={dim} (D_F={DF}) nnz={nnz}: estimated scipy memory {est_gib:.1f} GiB", flush=True)
        if est_gib > max_gib:
            row["skipped"] = f"estimated memory {est_gib:.1f} GiB > {max_gib:g} GiB"
            print(f"  skipped: {row['skipped']}", flush=True)
            return row
        H = load_csr(f["H"], dim)
        psi0 = f["psi0"][...].astype(np.complex128)
        psi_fockmix = f["psi_t"][...].astype(np.complex128)

    A = H * (-1j)  # complex CSR of -i H (t = 1, hbar = 1)
    del H
    # time estimate: the matvec count bound from ||A||_1 times one measured matvec
    norm1 = float(abs(A).sum(axis=0).max())
    t0 = time.perf_counter()
    A @ psi0
    matvec_s = time.perf_counter() - t0
    est_matvecs = MATVECS_PER_UNIT_NORM * norm1 + NORM_ESTIMATE_MATVECS
    est_minutes = est_matvecs * matvec_s / 60.0
    row.update(norm1=norm1, scipy_matvec_s=matvec_s, est_minutes=est_minutes)
    print(f"  ||-iH||_1 = {norm1:.2f}; one scipy matvec {matvec_s:.3f} s; estimated at most {est_matvecs:.0f} matvecs, "
          f"{est_minutes:.1f} min", flush=True)
    if est_minutes > max_minutes:
        row["skipped"] = f"estimated time {est_minutes:.1f} min > {max_minutes:g} min"
        print(f"  skipped: {row['skipped']}", flush=True)
        return row

    t0 = time.perf_counter()
    psi_scipy = scipy.sparse.linalg.expm_multiply(A, psi0)
    scipy_s = time.perf_counter() - t0
    diff = float(np.linalg.norm(psi_scipy - psi_fockmix))
    row.update(scipy_s=scipy_s, diff=diff, ratio=scipy_s / fockmix_s, warm_ratio=scipy_s / warm_s, peak_gib=peak_rss_gib(),
               norm_scipy=float(np.linalg.norm(psi_scipy)))
    print(f"  expm_multiply(-1j H, psi0): {scipy_s:.3f} s (1 thread); fockmix {fockmix_s:.3f} s ({threads} threads); "
          f"ratio {row['ratio']:.1f}x (warm step {warm_s:.3f} s: {row['warm_ratio']:.1f}x); ||psi_scipy - psi_fockmix|| = {diff:.2e}; scipy process peak so far {row['peak_gib']:.2f} GiB",
          flush=True)
    return row


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("files", nargs="+", help="export files written by `fockmix bench --export DIR`")
    p.add_argument("--max-gib", type=float, default=16.0, help="skip a case whose estimated memory exceeds this (GiB)")
    p.add_argument("--max-minutes", type=float, default=15.0, help="skip a case whose estimated time exceeds this (minutes)")
    args = p.parse_args()
    print(f"scipy {scipy.__version__}, numpy {np.__version__}, h5py {h5py.__version__}, python {sys.version.split()[0]}", flush=True)

    rows = [run_case(path, args.max_gib, args.max_minutes) for path in args.files]
    rows.sort(key=lambda r: r["D"])
    print("\nratio table: exp(-i H t/hbar) psi0, t = 1 (scipy expm_multiply, default tolerance, vs fockmix Krylov, 1e-10)")
    print(f"{'L':>3} {'M':>2} {'N':>2} {'D':>10} {'nnz':>11} {'fockmix s':>10} {'thr':>3} {'scipy s':>9} {'ratio':>7} {'warm':>7} {'||diff||':>9}  note")
    for r in rows:
        head = f"{r['L']:>3} {r['M']:>2} {r['N']:>2} {r['D']:>10} {r['nnz']:>11} {r['fockmix_s']:>10.3f} {r['threads']:>3}"
        if "skipped" in r:
            print(f"{head} {'-':>9} {'-':>7} {'-':>7} {'-':>9}  skipped: {r['skipped']}")
        else:
            print(f"{head} {r['scipy_s']:>9.3f} {r['ratio']:>6.1f}x {r['warm_ratio']:>6.1f}x {r['diff']:>9.1e}")
    failed = [r for r in rows if "diff" in r and not (r["diff"] < 1e-8)]
    if failed:
        print("ERROR: scipy and fockmix disagree by more than 1e-8 on " + ", ".join(r["file"] for r in failed))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
