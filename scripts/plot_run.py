#!/usr/bin/python3
"""Plots of one `fockmix run` HDF5 file (layout: docs/output.md).

Usage:
    /usr/bin/python3 scripts/plot_run.py RUN.h5 [-o OUTDIR] [--dpi 100] [--snapshots 4]

Writes PNG files into OUTDIR (default: `<stem>_plots/` next to RUN.h5) and prints their paths:

* `<stem>_errors.png`        e_F, e_B vs t (trace norm solid, Hilbert-Schmidt dashed, log y)   [needs both solvers]
* `<stem>_fluctuations.png`  N_F^exc, N_B^exc vs t with +- one standard deviation, and the deviations
                             themselves                                                      [needs both solvers]
* `<stem>_densities.png`     rho_F, rho_B: exact | Hartree-Hartree | difference; 1D as (x, t) heat maps,
                             2D/3D as snapshots at a few times (3D: summed over the last axis)
* `<stem>_drift.png`         energy drift of each solver and its other conserved quantities

The script only uses the output times present in the file, so it works on a file from an interrupted
run (or on a file still being written: HDF5_USE_FILE_LOCKING=FALSE is set before h5py is imported), and it
skips what a solver that did not run would have provided. Needs Debian's python3-matplotlib and
python3-h5py (run it with /usr/bin/python3).
"""

import argparse
import os
import sys

# A run that is still writing holds HDF5's file lock; reading needs the lock disabled (docs/output.md).
os.environ.setdefault("HDF5_USE_FILE_LOCKING", "FALSE")

import h5py  # noqa: E402
import matplotlib  # noqa: E402

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

COLOUR_F = "tab:blue"
COLOUR_B = "tab:red"


# ----------------------------------------------------------------------------------------------------
# reading


def as_text(value):
    """An HDF5 string attribute as str (h5py may hand back bytes for some string types)."""
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)


def attr(group, key, default=None):
    return group.attrs[key] if group is not None and key in group.attrs else default


class Run:
    """The parts of a run file the plots need, cut to the n output times that every series has."""

    def __init__(self, path):
        self.path = path
        f = h5py.File(path, "r")
        self.file = f
        self.model = f["model"] if "model" in f else None
        self.status = as_text(attr(f, "status", "unknown"))
        times = np.asarray(f["times"][:], dtype=float) if "times" in f else np.zeros(0)
        # A run killed between appends may leave series one record longer or shorter than /times:
        # use the times that every stored series covers.
        lengths = [len(times)]
        def collect(_name, ds):
            if isinstance(ds, h5py.Dataset) and ds.ndim >= 1 and _name != "times" and not _name.startswith("grid"):
                lengths.append(ds.shape[0])
        f.visititems(collect)
        self.n = min(lengths)
        self.t = times[: self.n]
        self.exact = f["exact"] if "exact" in f and "energy" in f["exact"] else None
        self.hartree = f["hartree"] if "hartree" in f and "energy" in f["hartree"] else None
        # comparison/<a>_<b> groups (exact_hartree, ...); the plots use exact vs Hartree–Hartree
        cmp = "comparison/exact_hartree"
        self.comparison = f[cmp] if cmp in f and "eF_trace" in f[cmp] else None
        self.sites = [int(s) for s in np.atleast_1d(attr(self.model, "grid.sites", [0]))]
        if "grid" in f and "positions" in f["grid"]:
            self.positions = np.asarray(f["grid/positions"][:], dtype=float)
        else:
            self.positions = None
        self.M = int(attr(self.model, "fermions.number", 0))
        self.N = int(attr(self.model, "bosons.number", 0))

    def series(self, group, name):
        """Series `name` of `group` cut to the common times, or None if absent."""
        if group is None or name not in group:
            return None
        return np.asarray(group[name][: self.n])

    def title(self):
        m = self.model
        name = as_text(attr(m, "name", os.path.basename(self.path)))
        sites = " x ".join(str(s) for s in self.sites)
        d = len(self.sites)
        parts = [
            f"L = {sites} ({d}D, h = {attr(m, 'grid.spacing', float('nan')):g}, {as_text(attr(m, 'grid.kinetic', '?'))})",
            f"M = {self.M}, N = {self.N}",
            f"λ = {attr(m, 'physics.lambda', float('nan')):.4g}, ħ = {attr(m, 'physics.hbar', float('nan')):g}",
            f"m_F = {attr(m, 'fermions.mass', float('nan')):g}, m_B = {attr(m, 'bosons.mass', float('nan')):g}",
            f"V: {as_text(attr(m, 'interaction.kind', '?'))}",
        ]
        status = "" if self.status == "completed" else f"  [{self.status}, t ≤ {self.t[-1]:g}]"
        return f"{name}: " + ", ".join(parts[:2]) + "\n" + ", ".join(parts[2:]) + status


# ----------------------------------------------------------------------------------------------------
# helpers


def positive(values):
    """Values for a log axis: non-positive entries (exact zeros at t = 0) become NaN (gaps)."""
    v = np.array(values, dtype=float)
    v[~(v > 0)] = np.nan
    return v


def line_style(n):
    """Markers when there are too few points for a line to be visible."""
    return {"marker": "o", "markersize": 4} if n <= 3 else {}


def finish(fig, run, out_dir, suffix, dpi, written):
    fig.suptitle(run.title(), fontsize=10)
    stem = os.path.splitext(os.path.basename(run.path))[0]
    path = os.path.join(out_dir, f"{stem}_{suffix}.png")
    fig.savefig(path, dpi=dpi)
    plt.close(fig)
    written.append(path)


def note_empty(ax, text):
    ax.text(0.5, 0.5, text, transform=ax.transAxes, ha="center", va="center", fontsize=9, color="0.4")


# ----------------------------------------------------------------------------------------------------
# (a) mean-field errors


def plot_errors(run, out_dir, dpi, written):
    c = run.comparison
    if c is None:
        return
    fig, ax = plt.subplots(figsize=(7.5, 4.8), layout="constrained")
    style = line_style(run.n)
    for key, label, colour in (("F", "fermions", COLOUR_F), ("B", "bosons", COLOUR_B)):
        tr = run.series(c, f"e{key}_trace")
        hs = run.series(c, f"e{key}_hs")
        ax.plot(run.t, positive(tr), "-", color=colour, label=f"$e_{key}$ trace norm ({label})", **style)
        if hs is not None:
            ax.plot(run.t, positive(hs), "--", color=colour, label=f"$e_{key}$ Hilbert–Schmidt ({label})", **style)
    ax.set_yscale("log")
    # Both solvers start from the same state, so the errors at t = 0 are round-off (~1e-15); let them
    # fall off the bottom rather than squeeze the dynamics into the top of the axis.
    later = [positive(run.series(c, k)[run.t > 0]) for k in ("eF_trace", "eB_trace", "eF_hs", "eB_hs") if k in c]
    later = np.concatenate(later) if later else np.zeros(0)
    if np.isfinite(later).any():
        ax.set_ylim(bottom=max(np.nanmin(later) / 3.0, 1e-16))
        if run.t[0] == 0:
            e0 = max(float(run.series(c, "eF_trace")[0]), float(run.series(c, "eB_trace")[0]))
            ax.text(0.01, 0.02, f"t = 0: errors {e0:.1e} (round-off, off the axis)", transform=ax.transAxes,
                    fontsize=7, color="0.4")
    ax.set_xlabel("time $t$")
    ax.set_ylabel(r"$e_F = \|\gamma_F - \omega\|/M$,  $e_B = \|\gamma_B - N|\varphi\rangle\langle\varphi|\|/N$")
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(fontsize=8, loc="lower right")
    ax.set_title("exact vs Hartree–Hartree: one-particle density-matrix errors", fontsize=9)
    finish(fig, run, out_dir, "errors", dpi, written)


# ----------------------------------------------------------------------------------------------------
# (b) fluctuation numbers


def plot_fluctuations(run, out_dir, dpi, written):
    c = run.comparison
    if c is None:
        return
    fig, (ax, ax_sd) = plt.subplots(2, 1, figsize=(7.5, 6.2), sharex=True, layout="constrained",
                                    gridspec_kw={"height_ratios": [3, 2]})
    style = line_style(run.n)
    for key, label, colour in (("F", r"$N_F^{exc} = 2\,\mathrm{Tr}[\gamma_F(1-\omega)]$", COLOUR_F),
                               ("B", r"$N_B^{exc} = N - \langle\varphi,\gamma_B\varphi\rangle$", COLOUR_B)):
        mean = run.series(c, f"n{key}_exc")
        second = run.series(c, f"n{key}_exc2")
        ax.plot(run.t, mean, "-", color=colour, label=label, **style)
        if second is not None:
            sd = np.sqrt(np.clip(second - mean**2, 0.0, None))
            # the fluctuation numbers are non-negative operators: the band is cut at 0
            ax.fill_between(run.t, np.clip(mean - sd, 0.0, None), mean + sd, color=colour, alpha=0.2, linewidth=0,
                            label=f"± one standard deviation of $N_{key}^{{exc}}$ (cut at 0)")
            ax_sd.plot(run.t, sd, "-", color=colour,
                       label=rf"$\sqrt{{\langle (N_{key}^{{exc}})^2\rangle - \langle N_{key}^{{exc}}\rangle^2}}$", **style)
    ax.axhline(0.0, color="0.5", linewidth=0.6)
    ax.set_ylabel("fluctuation number (particles)")
    ax.legend(fontsize=8, loc="upper left")
    ax.grid(True, alpha=0.3)
    ax.set_title("excitations around the mean-field state (fixed-number picture, SPEC §6)", fontsize=9)
    ax_sd.set_xlabel("time $t$")
    ax_sd.set_ylabel("standard deviation")
    ax_sd.grid(True, alpha=0.3)
    if ax_sd.lines:
        ax_sd.legend(fontsize=8, loc="upper left")
    else:
        note_empty(ax_sd, "no second moments stored")
    finish(fig, run, out_dir, "fluctuations", dpi, written)


# ----------------------------------------------------------------------------------------------------
# (c) densities


def density_columns(run):
    """[(column title, rho_F (n, L) or None, rho_B or None)] for exact, Hartree–Hartree, difference."""
    cols = []
    ex = (run.series(run.exact, "rho_F"), run.series(run.exact, "rho_B")) if run.exact is not None else None
    hh = (run.series(run.hartree, "rho_F"), run.series(run.hartree, "rho_B")) if run.hartree is not None else None
    if ex is not None:
        cols.append(("exact", ex[0], ex[1]))
    if hh is not None:
        cols.append(("Hartree–Hartree", hh[0], hh[1]))
    if ex is not None and hh is not None:
        diff = tuple(None if a is None or b is None else a - b for a, b in zip(ex, hh))
        cols.append(("exact − Hartree–Hartree", diff[0], diff[1]))
    return cols


def axis_edges(run, axis):
    """Cell edges of the sites along `axis` (positions x = i h)."""
    h = float(attr(run.model, "grid.spacing", 1.0))
    n = run.sites[axis]
    return -0.5 * h, (n - 0.5) * h


def plot_densities(run, out_dir, dpi, written, snapshots):
    cols = density_columns(run)
    if not cols:
        return
    if len(run.sites) == 1:
        plot_densities_1d(run, cols, out_dir, dpi, written)
    else:
        plot_densities_nd(run, cols, out_dir, dpi, written, snapshots)


def colour_limits(fields, signed):
    values = [np.nanmax(np.abs(f)) if signed else np.nanmax(f) for f in fields if f is not None and f.size]
    vmax = max(values) if values else 1.0
    vmax = vmax if vmax > 0 else 1.0
    return (-vmax, vmax) if signed else (0.0, vmax)


def plot_densities_1d(run, cols, out_dir, dpi, written):
    species = [("F", 1, "fermions"), ("B", 2, "bosons")]
    fig, axes = plt.subplots(2, len(cols), figsize=(4.0 * len(cols) + 1.0, 7.0), squeeze=False, layout="constrained")
    x0, x1 = axis_edges(run, 0)
    if run.n > 1:
        dt = run.t[1] - run.t[0]
        t0, t1 = run.t[0] - 0.5 * dt, run.t[-1] + 0.5 * dt
    else:
        t0, t1 = -0.5, 0.5
    for row, (key, idx, label) in enumerate(species):
        # same colour scale for exact and Hartree–Hartree, a symmetric one for the difference
        plain = [c[idx] for c in cols if not c[0].startswith("exact −")]
        lim = colour_limits(plain, signed=False)
        for j, col in enumerate(cols):
            ax = axes[row, j]
            field = col[idx]
            signed = col[0].startswith("exact −")
            if field is None:
                note_empty(ax, "not stored")
                continue
            vmin, vmax = colour_limits([field], True) if signed else lim
            im = ax.imshow(field, origin="lower", aspect="auto", extent=(x0, x1, t0, t1),
                           cmap="RdBu_r" if signed else "viridis", vmin=vmin, vmax=vmax, interpolation="nearest")
            cb = fig.colorbar(im, ax=ax, shrink=0.9)
            sym = rf"\rho_{key}"
            cb.set_label(rf"$\Delta{sym}(x,t)$" if signed else rf"${sym}(x,t)$", fontsize=8)
            cb.ax.tick_params(labelsize=7)
            ax.set_title(f"{label}: {col[0]}", fontsize=9)
            ax.set_xlabel("position $x$")
            ax.set_ylabel("time $t$")
    finish(fig, run, out_dir, "densities", dpi, written)


def as_image(run, rho):
    """One density record (L,) as a 2D image: axis 0 (slowest) vertical, axis 1 horizontal; in 3D the
    last axis is summed over (column density)."""
    img = np.asarray(rho).reshape(run.sites)
    while img.ndim > 2:
        img = img.sum(axis=-1)
    return img


def plot_densities_nd(run, cols, out_dir, dpi, written, snapshots):
    k = min(snapshots, run.n)
    picks = sorted(set(np.linspace(0, run.n - 1, k).round().astype(int)))
    rows = []
    for key, idx, label in (("F", 1, "fermions"), ("B", 2, "bosons")):
        for col in cols:
            rows.append((key, label, col[0], col[idx], col[0].startswith("exact −")))
    fig, axes = plt.subplots(len(rows), len(picks), figsize=(2.3 * len(picks) + 1.6, 2.0 * len(rows) + 0.8),
                             squeeze=False, layout="constrained")
    y0, y1 = axis_edges(run, 0)
    x0, x1 = axis_edges(run, 1)
    for r, (key, label, what, field, signed) in enumerate(rows):
        if field is None:
            for ax in axes[r]:
                note_empty(ax, "not stored")
            continue
        images = [as_image(run, field[p]) for p in picks]
        vmin, vmax = colour_limits(images, signed)
        for j, p in enumerate(picks):
            ax = axes[r, j]
            im = ax.imshow(images[j], origin="lower", extent=(x0, x1, y0, y1),
                           cmap="RdBu_r" if signed else "viridis", vmin=vmin, vmax=vmax, interpolation="nearest")
            if r == 0:
                ax.set_title(f"t = {run.t[p]:.3g}", fontsize=9)
            if j == 0:
                ax.set_ylabel(f"{label}\n{what}\n$x_0$", fontsize=8)
            else:
                ax.set_yticklabels([])
            if r == len(rows) - 1:
                ax.set_xlabel("$x_1$", fontsize=8)
            ax.tick_params(labelsize=7)
        cb = fig.colorbar(im, ax=list(axes[r]), shrink=0.9, pad=0.01)
        sym = rf"\rho_{key}"
        cb.set_label(rf"$\Delta{sym}$" if signed else rf"${sym}$", fontsize=8)
        cb.ax.tick_params(labelsize=7)
    finish(fig, run, out_dir, "densities", dpi, written)


# ----------------------------------------------------------------------------------------------------
# (d) conservation


def plot_drift(run, out_dir, dpi, written):
    if run.exact is None and run.hartree is None:
        return
    fig, (ax, ax2) = plt.subplots(2, 1, figsize=(9.5, 6.2), sharex=True, layout="constrained")
    style = line_style(run.n)
    for group, label, colour in ((run.exact, "exact  $\\langle H\\rangle$", "k"),
                                 (run.hartree, "Hartree–Hartree  $E_{HH}$", "tab:green")):
        e = run.series(group, "energy")
        if e is None or e.size == 0:
            continue
        scale = max(abs(e[0]), 1e-300)
        ax.plot(run.t, positive(np.abs(e - e[0]) / scale), "-", color=colour, label=label, **style)
    ax.set_yscale("log")
    ax.set_ylabel(r"$|E(t) - E(0)|\,/\,|E(0)|$")
    ax.grid(True, alpha=0.3)
    if ax.lines:
        ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0.0)
    else:
        note_empty(ax, "no energies stored")
    ax.set_title("energy drift of each solver (zeros are left out of the log axis)", fontsize=9)

    others = []
    if run.exact is not None:
        nrm = run.series(run.exact, "norm")
        if nrm is not None:
            others.append((r"exact $|\,\|\psi\| - 1|$", np.abs(nrm - 1.0), "k", "-"))
        kr = run.series(run.exact, "krylov_error")
        if kr is not None:
            others.append(("exact Krylov error estimate (cumulative)", kr, "0.5", ":"))
    if run.hartree is not None:
        tr = run.series(run.hartree, "trace_omega")
        if tr is not None and run.M > 0:
            others.append((r"HH $|\mathrm{Tr}\,\omega - M|/M$", np.abs(tr - run.M) / run.M, "tab:green", "-"))
        for name, lab, ls in (("idempotency", r"HH $\max|\omega^2 - \omega|$", "--"),
                              ("orthonormality", r"HH $\max|\Phi^*\Phi - 1|$", "-."),
                              ("norm_phi", r"HH $|\,\|\varphi\| - 1|$", ":")):
            v = run.series(run.hartree, name)
            if v is not None:
                others.append((lab, np.abs(v - 1.0) if name == "norm_phi" else v, "tab:olive", ls))
    for lab, v, colour, ls in others:
        ax2.plot(run.t, positive(v), ls, color=colour, label=lab, **style)
    ax2.set_yscale("log")
    ax2.set_xlabel("time $t$")
    ax2.set_ylabel("deviation")
    ax2.grid(True, alpha=0.3)
    if ax2.lines:
        ax2.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0.0)
    ax2.set_title("other conserved quantities", fontsize=9)
    finish(fig, run, out_dir, "drift", dpi, written)


# ----------------------------------------------------------------------------------------------------


def main(argv=None):
    p = argparse.ArgumentParser(description="Plot a fockmix run file (docs/output.md).")
    p.add_argument("file", help="HDF5 file written by `fockmix run`")
    p.add_argument("-o", "--outdir", help="output folder (default: <stem>_plots/ next to the file)")
    p.add_argument("--dpi", type=float, default=100.0, help="resolution of the PNGs (default 100)")
    p.add_argument("--snapshots", type=int, default=4, help="density snapshots for 2D/3D grids (default 4)")
    args = p.parse_args(argv)

    try:
        run = Run(args.file)
    except (OSError, KeyError) as err:
        print(f"plot_run.py: cannot read {args.file}: {err}", file=sys.stderr)
        return 1
    if run.n == 0:
        print(f"plot_run.py: {args.file} holds no output times yet (status: {run.status})", file=sys.stderr)
        return 1
    out_dir = args.outdir
    if out_dir is None:
        stem = os.path.splitext(os.path.basename(args.file))[0]
        out_dir = os.path.join(os.path.dirname(os.path.abspath(args.file)), f"{stem}_plots")
    os.makedirs(out_dir, exist_ok=True)

    written = []
    plot_errors(run, out_dir, args.dpi, written)
    plot_fluctuations(run, out_dir, args.dpi, written)
    plot_densities(run, out_dir, args.dpi, written, max(1, args.snapshots))
    plot_drift(run, out_dir, args.dpi, written)
    if run.comparison is None:
        print("plot_run.py: only one solver in the file; error and fluctuation plots skipped", file=sys.stderr)
    for path in written:
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
