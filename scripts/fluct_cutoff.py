#!/usr/bin/python3
"""How the truncated fluctuation dynamics U~ depends on its cut-off c (SPEC §7, docs/fluctuations.md §4).

Usage:
    /usr/bin/python3 scripts/fluct_cutoff.py MODEL.toml [--fockmix ./build/fockmix] [--cutoffs 0 1 2 ...]
                                             [-o PREFIX] [--threads N] [--keep DIR] [--dpi 100]

For every cut-off c (default c = 0, 1, ..., K_B with K_B = the model's `fluct.boson_cutoff`) it writes a
temporary copy of MODEL.toml with `[fluct] cutoff = c`, runs `fockmix fluct` on it and reads
||U(t,0) Omega - U~(t,0) Omega|| from the run file. It writes

* PREFIX.png  max_t ||U Omega - U~ Omega|| and its value at T against c (log y); the default c = hbar M is marked;
* PREFIX.txt  the same numbers as a table, with the top-shell weight and <N> of U and U~ at T,

and prints both paths. PREFIX defaults to `<model stem>_cutoff` in the current directory. The temporary
model copies and run files go to a temporary folder (removed at the end unless --keep DIR is given).
chi = 1(N_B <= c) only sees integers N_B, so integer c suffice; for c >= K_B, chi = 1 and U~ = U (distance 0,
drawn at the bottom of the log axis). Needs Debian's python3-matplotlib and python3-h5py.
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib

os.environ.setdefault("HDF5_USE_FILE_LOCKING", "FALSE")

import h5py  # noqa: E402
import matplotlib  # noqa: E402

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

SECTION = re.compile(r"^\s*\[\s*([A-Za-z0-9_.\-]+)\s*\]\s*(#.*)?$")
CUTOFF = re.compile(r"^\s*cutoff\s*=")


def with_cutoff(text, c):
    """The model text with `cutoff = c` in its [fluct] section (replaced if present, else added)."""
    lines = text.splitlines()
    out, section, done = [], None, False
    for line in lines:
        m = SECTION.match(line)
        if m:
            if section == "fluct" and not done:
                out.append(f"cutoff = {float(c)!r}")
                done = True
            section = m.group(1)
            out.append(line)
            continue
        if section == "fluct" and CUTOFF.match(line):
            out.append(f"cutoff = {float(c)!r}                 # set by scripts/fluct_cutoff.py")
            done = True
            continue
        out.append(line)
    if section == "fluct" and not done:
        out.append(f"cutoff = {float(c)!r}")
        done = True
    if not done:
        out += ["", "[fluct]", f"cutoff = {float(c)!r}"]
    return "\n".join(out) + "\n"


def relative_files(model):
    """Keys that name files relative to the model's folder (tables, init files): the copy lives elsewhere."""
    found = []

    def walk(node, path):
        if isinstance(node, dict):
            for k, v in node.items():
                walk(v, f"{path}.{k}" if path else k)
        elif isinstance(node, str) and (path.endswith(".table") or path.endswith("init.file")):
            if not os.path.isabs(node):
                found.append(path)

    walk(model, "")
    return found


def read_run(path):
    with h5py.File(path, "r") as f:
        n = len(f["times"])
        g = f["fluct"]
        out = {"t": f["times"][:n], "distance": g["distance"][:n], "top_shell": g["top_shell"][:n],
               "N1": g["N1"][:n], "N1_truncated": g["N1_truncated"][:n], "dim": int(g.attrs.get("dim", 0)),
               "boson_cutoff": int(g.attrs.get("boson_cutoff", -1)), "cutoff": float(g.attrs.get("cutoff", np.nan)),
               "status": str(f.attrs.get("status", "?"))}
        m = f["model"].attrs
        out["title"] = (f"{m.get('name', '?')}: L = {' x '.join(str(s) for s in np.atleast_1d(m.get('grid.sites', [])))}, "
                        f"M = {m.get('fermions.number', '?')}, N = {m.get('bosons.number', '?')}, "
                        f"λ = {m.get('physics.lambda', np.nan):.4g}, ħ = {m.get('physics.hbar', np.nan):g}, "
                        f"K_B = {out['boson_cutoff']}, T = {out['t'][-1]:g}, dim = {out['dim']}")
    return out


def main(argv=None):
    p = argparse.ArgumentParser(description="U~ against U for several cut-offs c (fockmix fluct).")
    p.add_argument("model", help="model file with a [fluct] section (models/fluct.toml)")
    p.add_argument("--fockmix", default="./build/fockmix", help="the fockmix executable (default ./build/fockmix)")
    p.add_argument("--cutoffs", type=float, nargs="+", help="cut-offs c (default 0, 1, ..., K_B)")
    p.add_argument("-o", "--output", help="output prefix (default: <model stem>_cutoff)")
    p.add_argument("--threads", type=int, help="OpenMP threads per run (fockmix fluct -t)")
    p.add_argument("--keep", help="keep the model copies and run files in this folder")
    p.add_argument("--dpi", type=float, default=100.0)
    args = p.parse_args(argv)

    with open(args.model, "rb") as fh:
        raw = fh.read()
    text = raw.decode("utf-8")
    model = tomllib.loads(text)
    rel = relative_files(model)
    if rel:
        print(f"fluct_cutoff.py: {args.model}: {', '.join(rel)} name files relative to the model's folder; "
              "use absolute paths (the temporary copies live elsewhere)", file=sys.stderr)
        return 2
    fl = model.get("fluct", {})
    kb = int(fl.get("boson_cutoff", 8))
    hbar = float(model.get("physics", {}).get("hbar", 1.0))
    M = int(model.get("fermions", {}).get("number", 0))
    default_c = float(fl.get("cutoff", -1.0))
    default_c = hbar * M if default_c < 0 else default_c
    cutoffs = args.cutoffs if args.cutoffs else list(range(0, kb + 1))
    if not os.access(args.fockmix, os.X_OK):
        print(f"fluct_cutoff.py: {args.fockmix} is not an executable (--fockmix)", file=sys.stderr)
        return 2

    stem = os.path.splitext(os.path.basename(args.model))[0]
    prefix = args.output or f"{stem}_cutoff"
    work = args.keep or tempfile.mkdtemp(prefix="fockmix_cutoff_")
    os.makedirs(work, exist_ok=True)
    rows, runs = [], []
    try:
        for c in cutoffs:
            toml = os.path.join(work, f"{stem}_c{c:g}.toml")
            out = os.path.join(work, f"{stem}_c{c:g}.h5")
            with open(toml, "w") as fh:
                fh.write(with_cutoff(text, c))
            cmd = [args.fockmix, "fluct", toml, "-o", out]
            if args.threads is not None:
                cmd += ["-t", str(args.threads)]
            start = time.monotonic()
            res = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            seconds = time.monotonic() - start
            if res.returncode != 0:
                print(res.stdout, file=sys.stderr)
                print(f"fluct_cutoff.py: `{' '.join(cmd)}` failed ({res.returncode})", file=sys.stderr)
                return 1
            r = read_run(out)
            runs.append(r)
            rows.append((c, r["cutoff"], float(np.max(r["distance"])), float(r["distance"][-1]),
                         float(np.max(r["top_shell"])), float(r["N1"][-1]), float(r["N1_truncated"][-1]), seconds))
            print(f"c = {c:g}: max_t distance {rows[-1][2]:.3e}, at T {rows[-1][3]:.3e} ({seconds:.1f} s)",
                  file=sys.stderr)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)

    T = runs[-1]["t"][-1]
    table = prefix + ".txt"
    with open(table, "w") as fh:
        fh.write(f"# {runs[-1]['title']}\n# model {args.model}; default cut-off c = hbar M = {default_c:g}\n")
        fh.write("# c   c_file   max_t|UO-U~O|   |UO-U~O|(T)   max_t top_shell   <N>_U(T)   <N>_U~(T)   seconds\n")
        for row in rows:
            fh.write(f"{row[0]:5g} {row[1]:6g} {row[2]:14.6e} {row[3]:13.6e} {row[4]:15.3e} {row[5]:10.6f} "
                     f"{row[6]:10.6f} {row[7]:8.1f}\n")

    c = np.array([r[0] for r in rows])
    mx = np.array([r[2] for r in rows])
    at_t = np.array([r[3] for r in rows])
    fig, ax = plt.subplots(figsize=(7.5, 4.8), layout="constrained")
    pos = lambda v: np.where(v > 0, v, np.nan)  # noqa: E731
    ax.plot(c, pos(mx), "o-", color="tab:purple", markersize=10, markerfacecolor="none", linewidth=2.5, label=r"$\max_{t \leq T} \|U(t,0)\Omega - \tilde U(t,0)\Omega\|$")
    ax.plot(c, pos(at_t), "s--", color="tab:orange", label=rf"$\|U(T,0)\Omega - \tilde U(T,0)\Omega\|$, T = {T:g}")
    ax.set_yscale("log")
    finite = np.concatenate([pos(mx), pos(at_t)])
    if np.isfinite(finite).any():
        lo = np.nanmin(finite)
        ax.set_ylim(bottom=lo / 10.0)
        for ci, v in zip(c, mx):
            if v == 0:
                ax.annotate(f"c = {ci:g}: 0 (U~ = U)", xy=(ci, lo / 5.0), ha="right", fontsize=8, color="0.3")
    ax.axvline(default_c, color="0.5", linestyle=":", linewidth=1.0)
    ax.text(default_c, 0.97, r" default $c = \hbar M$", transform=ax.get_xaxis_transform(), va="top", fontsize=8,
            color="0.3")
    ax.set_xlabel(r"cut-off $c$ of $\chi = 1(N_B \leq c)$")
    ax.set_ylabel("distance (norm of a unit-vector difference)")
    ax.set_xticks(c)
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(fontsize=8, loc="upper right")
    fig.suptitle(runs[-1]["title"] + "\ntruncated fluctuation dynamics against the full one (SPEC §7, symmetric χXχ)",
                 fontsize=10)
    png = prefix + ".png"
    fig.savefig(png, dpi=args.dpi)
    plt.close(fig)
    print(png)
    print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
