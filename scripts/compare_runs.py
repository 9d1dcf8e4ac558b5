#!/usr/bin/python3
"""Compare the numeric datasets of two `fockmix run` HDF5 files (layout: docs/output.md).

Usage:
    /usr/bin/python3 scripts/compare_runs.py A.h5 B.h5 [--tol 1e-10] [--strict]

Every numeric dataset (real, integer, complex) present in both files is compared element-wise; the
script prints, per dataset, max |a - b| (complex: the modulus of the difference) and exits with status 1
if any difference exceeds --tol (absolute) or if the shapes of a common dataset differ.

Files written before the solver seam kept the comparison series directly in `/comparison`; they are
read as `/comparison/exact_hartree/<name>`, so an old file compares with a new one.

Datasets present in only one file are listed; they fail the comparison only with --strict (files from
older versions lack series added since, e.g. hartree/converged).

Needs Debian's python3-h5py and python3-numpy (run it with /usr/bin/python3). Sets
HDF5_USE_FILE_LOCKING=FALSE so that a file still being written can be read.
"""
import argparse
import os
import sys

os.environ.setdefault("HDF5_USE_FILE_LOCKING", "FALSE")

import h5py  # noqa: E402
import numpy as np  # noqa: E402

OLD_COMPARISON = "comparison/"
NEW_COMPARISON = "comparison/exact_hartree/"


def numeric_datasets(path):
    """{canonical name: numpy array} of every numeric dataset in the file (old comparison layout mapped)."""
    out = {}
    with h5py.File(path, "r") as f:
        def visit(name, obj):
            if not isinstance(obj, h5py.Dataset):
                return
            if obj.dtype.kind not in "biufc":
                return
            key = name
            # old layout: comparison/<series> directly; new: comparison/<a>_<b>/<series>
            if key.startswith(OLD_COMPARISON) and key.count("/") == 1:
                key = NEW_COMPARISON + key[len(OLD_COMPARISON):]
            out[key] = obj[()]
        f.visititems(visit)
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("a", help="first run file (the reference)")
    ap.add_argument("b", help="second run file")
    ap.add_argument("--tol", type=float, default=1e-10, help="absolute tolerance (default 1e-10)")
    ap.add_argument("--strict", action="store_true", help="also fail on datasets present in only one file")
    args = ap.parse_args(argv)
    for path in (args.a, args.b):
        if not os.path.isfile(path):
            print(f"compare_runs.py: {path}: no such file", file=sys.stderr)
            return 2

    A = numeric_datasets(args.a)
    B = numeric_datasets(args.b)
    failed = False
    overall = 0.0
    width = max((len(k) for k in set(A) | set(B)), default=10)
    print(f"{'dataset':<{width}}  {'shape':>14}  max |a - b|")
    for key in sorted(set(A) & set(B)):
        a, b = A[key], B[key]
        if a.shape != b.shape:
            print(f"{key:<{width}}  shapes differ: {a.shape} vs {b.shape}  FAIL")
            failed = True
            continue
        ca = np.asarray(a, dtype=np.complex128)
        cb = np.asarray(b, dtype=np.complex128)
        d = np.abs(ca - cb)
        d[np.isnan(ca) & np.isnan(cb)] = 0.0  # NaN on both sides agrees; on one side only it is a difference
        d[np.isnan(d)] = np.inf
        diff = float(d.max()) if d.size else 0.0
        overall = max(overall, diff)
        bad = diff > args.tol
        failed |= bad
        print(f"{key:<{width}}  {str(a.shape):>14}  {diff:.3e}{'  FAIL' if bad else ''}")
    for key in sorted(set(A) - set(B)):
        print(f"{key:<{width}}  only in {args.a}{'  FAIL' if args.strict else ''}")
        failed |= args.strict
    for key in sorted(set(B) - set(A)):
        print(f"{key:<{width}}  only in {args.b}{'  FAIL' if args.strict else ''}")
        failed |= args.strict
    print(f"max difference over {len(set(A) & set(B))} common datasets: {overall:.3e} (tol {args.tol:g}): "
          f"{'FAIL' if failed else 'OK'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
