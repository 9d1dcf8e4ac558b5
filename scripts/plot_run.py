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

# solver pairs of /comparison in the writer's order (exact, hartree, vlasov), with labels and colours
PAIRS = (("exact_hartree", "exact vs HH"), ("exact_vlasov", "exact vs VH"), ("hartree_vlasov", "HH vs VH"))
PAIR_COLOUR = {"exact_hartree": "tab:green", "exact_vlasov": "tab:purple", "hartree_vlasov": "tab:orange"}
# datasets with a first index that is not the time
NOT_SERIES = {"vlasov/momenta"}


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
        # (datasets that are not series: /grid/*, /vlasov/momenta)
        def collect(_name, ds):
            if (isinstance(ds, h5py.Dataset) and ds.ndim >= 1 and _name != "times" and not _name.startswith("grid")
                    and _name not in NOT_SERIES):
                lengths.append(ds.shape[0])
        f.visititems(collect)
        self.n = min(lengths)
        self.t = times[: self.n]
        self.exact = f["exact"] if "exact" in f and "energy" in f["exact"] else None
        self.hartree = f["hartree"] if "hartree" in f and "energy" in f["hartree"] else None
        self.vlasov = f["vlasov"] if "vlasov" in f and "energy" in f["vlasov"] else None
        self.fluct = f["fluct"] if "fluct" in f and "distance" in f["fluct"] else None
        # comparison/<a>_<b> groups (exact_hartree, ...); the original plots use exact vs Hartree–Hartree,
        # the three-solver plots every pair present (in the order of PAIRS)
        cmp = "comparison/exact_hartree"
        self.comparison = f[cmp] if cmp in f and "eF_trace" in f[cmp] else None
        self.pairs = [(key, f[f"comparison/{key}"]) for key, _ in PAIRS
                      if f"comparison/{key}" in f and "eF_trace" in f[f"comparison/{key}"]]
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


def finish(fig, run, out_dir, suffix, dpi, written, extra=None):
    fig.suptitle(run.title() + (f"\n{extra}" if extra else ""), fontsize=10)
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
    if len(run.pairs) > 1 or (run.pairs and run.pairs[0][0] != "exact_hartree"):
        plot_errors_pairs(run, out_dir, dpi, written)
        return
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


def plot_errors_pairs(run, out_dir, dpi, written):
    """Every /comparison/<a>_<b> group: e_F (left) and e_B (right), trace norm, log y; the (2.24) Fourier
    norm between HH and VH on the fermion side."""
    fig, (ax_f, ax_b) = plt.subplots(1, 2, figsize=(12.0, 4.8), sharex=True, layout="constrained")
    style = line_style(run.n)
    labels = dict(PAIRS)
    later = []
    for key, c in run.pairs:
        colour = PAIR_COLOUR.get(key, "0.3")
        for ax, sp in ((ax_f, "F"), (ax_b, "B")):
            v = run.series(c, f"e{sp}_trace")
            if v is None:
                continue
            ax.plot(run.t, positive(v), "-", color=colour, label=f"{labels.get(key, key)}: $e_{sp}$ trace norm", **style)
            later.append(positive(v[run.t > 0]))
            hs = run.series(c, f"e{sp}_hs")
            if hs is not None:
                ax.plot(run.t, positive(hs), ":", color=colour, linewidth=1.0,
                        label=f"{labels.get(key, key)}: $e_{sp}$ Hilbert–Schmidt", **style)
        fn = run.series(c, "fourier_norm")
        if fn is not None:
            ax_f.plot(run.t, positive(fn), "--", color=colour, linewidth=1.6,
                      label=rf"{labels.get(key, key)}: $|f^\hbar - f|_1$ (2.24)", **style)
            later.append(positive(fn[run.t > 0]))
    later = np.concatenate(later) if later else np.zeros(0)
    for ax, sp, what in ((ax_f, "F", r"$e_F = \|\gamma_F - \omega\|/M$  ($\omega = M\,\mathrm{Op}(f)$ for VH)"),
                         (ax_b, "B", r"$e_B = \|\gamma_B - N|\varphi\rangle\langle\varphi|\|/N$")):
        ax.set_yscale("log")
        if np.isfinite(later).any():
            ax.set_ylim(bottom=max(np.nanmin(later) / 3.0, 1e-16))
        ax.set_xlabel("time $t$")
        ax.set_ylabel(what)
        ax.grid(True, which="major", alpha=0.3)
        if ax.lines:
            ax.legend(fontsize=7, loc="lower right")
        else:
            note_empty(ax, "no comparison stored")
    ax_f.set_title("fermions (solid: trace norm, dotted: Hilbert–Schmidt, dashed: (2.24) norm)", fontsize=9)
    ax_b.set_title("bosons (solid: trace norm, dotted: Hilbert–Schmidt)", fontsize=9)
    if run.t[0] == 0 and run.pairs:
        e0 = max(float(np.max(np.abs(run.series(c, k)[:1]))) for _, c in run.pairs for k in ("eF_trace", "eB_trace")
                 if k in c)
        ax_f.text(0.01, 0.02, f"t = 0: errors ≤ {e0:.1e} (same initial state; off the axis)",
                  transform=ax_f.transAxes, fontsize=7, color="0.4")
    finish(fig, run, out_dir, "errors", dpi, written, extra=vlasov_parameters(run))


def vlasov_parameters(run):
    if run.vlasov is None:
        return None
    v = run.vlasov
    p = v["momenta"].shape[0] if "momenta" in v else 0
    return (f"Vlasov–Hartree: {p} momenta per site, dt = {attr(v, 'dt', float('nan')):g}, "
            f"f_0 = {as_text(attr(v, 'initial', '?'))}")


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


def density_columns_vlasov(run):
    """1D with Vlasov–Hartree: exact | Hartree–Hartree | Vlasov–Hartree, then exact − HH and exact − VH
    (HH − VH without exact data)."""
    solvers = [(name, group) for name, group in (("exact", run.exact), ("HH", run.hartree), ("VH", run.vlasov))
               if group is not None]
    fields = {name: (run.series(g, "rho_F"), run.series(g, "rho_B")) for name, g in solvers}
    long = {"exact": "exact", "HH": "Hartree–Hartree", "VH": "Vlasov–Hartree"}
    cols = [(long[name], *fields[name]) for name, _ in solvers]
    ref = "exact" if "exact" in fields else "HH"
    for name, _ in solvers:
        if name == ref or (ref == "HH" and name != "VH"):
            continue
        a, b = fields[ref], fields[name]
        cols.append((f"{ref} − {name}", *(None if x is None or y is None else x - y for x, y in zip(a, b))))
    return cols


def axis_edges(run, axis):
    """Cell edges of the sites along `axis` (positions x = i h)."""
    h = float(attr(run.model, "grid.spacing", 1.0))
    n = run.sites[axis]
    return -0.5 * h, (n - 0.5) * h


def plot_densities(run, out_dir, dpi, written, snapshots):
    cols = density_columns(run)
    if run.vlasov is not None and len(run.sites) == 1:
        cols = density_columns_vlasov(run)
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
    width = 4.0 if len(cols) <= 3 else 3.4
    fig, axes = plt.subplots(2, len(cols), figsize=(width * len(cols) + 1.0, 7.0), squeeze=False, layout="constrained")
    x0, x1 = axis_edges(run, 0)
    if run.n > 1:
        dt = run.t[1] - run.t[0]
        t0, t1 = run.t[0] - 0.5 * dt, run.t[-1] + 0.5 * dt
    else:
        t0, t1 = -0.5, 0.5
    for row, (key, idx, label) in enumerate(species):
        # same colour scale for exact and Hartree–Hartree, a symmetric one for the difference
        plain = [c[idx] for c in cols if " − " not in c[0]]
        lim = colour_limits(plain, signed=False)
        for j, col in enumerate(cols):
            ax = axes[row, j]
            field = col[idx]
            signed = " − " in col[0]
            if field is None:
                note_empty(ax, "not stored")
                continue
            # the difference columns share one symmetric scale per species
            vmin, vmax = colour_limits([c[idx] for c in cols if " − " in c[0]], True) if signed else lim
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
# (e) phase space: Vlasov–Hartree f beside the Wigner function of the Hartree–Hartree omega


def half_site_shift(g, axis, n):
    """The band-limited half-site shift S of docs/vlasov.md along `axis` (n points): the Fourier multiplier
    exp(-i pi q/n), Nyquist mode left unshifted (so S has a real kernel); (S g)(x) = g(x - 1/2)."""
    q = np.fft.fftfreq(n) * n
    mult = np.exp(-1j * np.pi * q / n)
    if n % 2 == 0:
        mult[n // 2] = 1.0
    shape = [1] * g.ndim
    shape[axis] = n
    return np.fft.ifft(np.fft.fft(g, axis=axis) * mult.reshape(shape), axis=axis)


def wigner(omega, sites, h, hbar, momenta):
    """W[omega](x, p) of docs/vlasov.md ("Wigner transform W and Weyl quantisation Op"), on the sites x the
    given momenta [P, d]: displacements m in {-floor(L_a/2) .. floor(L_a/2)} per axis (the channels
    |m| = L_a/2 of an even axis weighted 1/2), u_m(x) = omega(x + ceil(m/2), x - floor(m/2)), odd m moved
    onto the sites by S, and W = (2 pi hbar)^-d sum_m G_m(x) exp(-i p.m h/hbar). Returns the real part, [L, P]
    (W of a Hermitian omega is real; f = W/M)."""
    sites = [int(n) for n in sites]
    d = len(sites)
    L = int(np.prod(sites))
    om = np.asarray(omega).reshape(sites + sites)
    idx = np.meshgrid(*[np.arange(n) for n in sites], indexing="ij")
    W = np.zeros((L, momenta.shape[0]), dtype=complex)
    for m in np.ndindex(*[2 * (n // 2) + 1 for n in sites]):
        m = [mi - n // 2 for mi, n in zip(m, sites)]
        weight = np.prod([0.5 if n % 2 == 0 and abs(mi) == n // 2 else 1.0 for mi, n in zip(m, sites)])
        first = tuple((idx[a] - (-m[a] // 2)) % sites[a] for a in range(d))    # x + ceil(m/2)
        second = tuple((idx[a] - m[a] // 2) % sites[a] for a in range(d))      # x - floor(m/2)
        u = om[first + second]
        for a in range(d):
            if m[a] % 2:
                u = half_site_shift(u, a, sites[a])
        W += weight * np.outer(u.reshape(L), np.exp(-1j * (momenta @ np.asarray(m, float)) * h / hbar))
    return (W / (2.0 * np.pi * hbar) ** d).real


def plot_phase_space(run, out_dir, dpi, written, snapshots, log=print):
    v = run.vlasov
    if v is None or "f" not in v or "momenta" not in v:
        return
    if len(run.sites) != 1:
        log("plot_run.py: phase-space snapshots are drawn for 1D grids only; skipped")
        return
    h = float(attr(run.model, "grid.spacing", 1.0))
    hbar = float(attr(run.model, "physics.hbar", 1.0))
    M = max(run.M, 1)
    occ = M * (2.0 * np.pi * hbar)            # n = M (2 pi hbar)^d f, d = 1
    momenta = np.asarray(v["momenta"][:], dtype=float)
    order = np.argsort(momenta[:, 0])
    p = momenta[order, 0]
    dp = p[1] - p[0] if len(p) > 1 else 1.0
    n_vh = lambda k: occ * np.asarray(v["f"][k], dtype=float)[:, order]      # noqa: E731

    # the check that fixes every convention: W[omega_0] = M f[0] for Wigner initial data
    if "grid" in run.file and "orbitals_0" in run.file["grid"]:
        orb = np.asarray(run.file["grid/orbitals_0"][:])
        w0 = wigner(orb @ orb.conj().T, run.sites, h, hbar, momenta)
        diff = np.max(np.abs(w0 - M * np.asarray(v["f"][0], dtype=float)))
        log(f"plot_run.py: max |W[omega_0] - M f(t=0)| = {diff:.2e} (vlasov.initial = "
            f"{as_text(attr(v, 'initial', '?'))}; max |M f| = {np.max(np.abs(M * v['f'][0])):.3g})")

    k = min(snapshots, run.n)
    picks = sorted(set(np.linspace(0, run.n - 1, k).round().astype(int)))
    has_hh = run.hartree is not None and "omega" in run.hartree
    has_ex = run.exact is not None and "gamma_F" in run.exact
    cols = [r"Vlasov–Hartree  $n = M\,(2\pi\hbar)\,f$"]
    if has_hh:
        cols.append(r"Hartree–Hartree  $(2\pi\hbar)\,W[\omega]$")
    if has_ex:
        cols.append(r"exact  $(2\pi\hbar)\,W[\gamma_F]$")
    if has_hh:
        cols.append("VH − HH")
    signed = [c.startswith("VH −") for c in cols]
    images = []
    for kk in picks:
        row = [n_vh(kk)]
        if has_hh:
            w = occ / M * wigner(run.hartree["omega"][kk], run.sites, h, hbar, momenta)[:, order]
            row.append(w)
        if has_ex:
            row.append(occ / M * wigner(run.exact["gamma_F"][kk], run.sites, h, hbar, momenta)[:, order])
        if has_hh:
            row.append(row[0] - row[1])
        images.append(row)
    lim = max(np.max(np.abs(r[j])) for r in images for j in range(len(r)) if not signed[j])
    dlim = max((np.max(np.abs(r[j])) for r in images for j in range(len(r)) if signed[j]), default=1.0) or 1.0
    fig, axes = plt.subplots(len(picks), len(cols), figsize=(4.1 * len(cols) + 1.2, 2.6 * len(picks) + 1.2),
                             squeeze=False, sharex=True, sharey=True, layout="constrained")
    x0, x1 = axis_edges(run, 0)
    extent = (x0, x1, p[0] - 0.5 * dp, p[-1] + 0.5 * dp)
    ims = [None] * len(cols)
    for r, kk in enumerate(picks):
        for j, img in enumerate(images[r]):
            ax = axes[r, j]
            vmax = dlim if signed[j] else lim
            ims[j] = ax.imshow(img.T, origin="lower", aspect="auto", extent=extent, cmap="RdBu_r" if signed[j] else "PuOr_r",
                               vmin=-vmax, vmax=vmax, interpolation="nearest")
            rng = f"min {img.min():.2f}, max {img.max():.2f}"
            ax.set_title(f"t = {run.t[kk]:.3g}: {rng}", fontsize=8)
            if r == len(picks) - 1:
                ax.set_xlabel("position $x$")
            if j == 0:
                ax.set_ylabel("momentum $p$")
            ax.tick_params(labelsize=7)
    for j, title in enumerate(cols):
        axes[0, j].annotate(title, xy=(0.5, 1.0), xycoords="axes fraction", xytext=(0, 16),
                            textcoords="offset points", ha="center", fontsize=9, fontweight="bold")
        cb = fig.colorbar(ims[j], ax=list(axes[:, j]), shrink=0.6, pad=0.01)
        cb.set_label("$\\Delta n$" if signed[j] else "occupation $n$ (Pauli: $0 \\leq n \\leq 1$)", fontsize=8)
        cb.ax.tick_params(labelsize=7)
        # the same colour bar in units of f (= n / (M 2 pi hbar))
        sec = cb.ax.secondary_yaxis("left", functions=(lambda y: y / occ, lambda y: y * occ))
        sec.set_ylabel("$f$", fontsize=8)
        sec.tick_params(labelsize=6)
    extra = (vlasov_parameters(run) + f"; W[ω] and W[γ_F] on the same grid (docs/vlasov.md), n = M(2πħ) f = {occ:.4g} f; "
             "Wigner functions may be negative")
    finish(fig, run, out_dir, "phase_space", dpi, written, extra=extra)


# ----------------------------------------------------------------------------------------------------
# (f) fluctuation dynamics U(t,0) Omega and U~(t,0) Omega (SPEC §7)


def fluct_parameters(run):
    g = run.fluct
    return (f"fluctuation dynamics: K_B = {attr(g, 'boson_cutoff', '?')}, cut-off c = {attr(g, 'cutoff', float('nan')):g}, "
            f"dim = {attr(g, 'dim', '?')}, dt = {attr(g, 'dt', float('nan')):g} ({as_text(attr(g, 'scheme', '?'))})")


def plot_fluct(run, out_dir, dpi, written):
    g = run.fluct
    if g is None:
        return
    fig, (ax, ax_d) = plt.subplots(2, 1, figsize=(8.5, 7.2), sharex=True, layout="constrained",
                                   gridspec_kw={"height_ratios": [3, 2]})
    style = line_style(run.n)
    for name, label, colour in (("nF", r"$\langle N_F\rangle$ (particles + holes)", COLOUR_F),
                                ("nB", r"$\langle N_B\rangle$", COLOUR_B),
                                ("N1", r"$\langle N\rangle = \langle N_F + N_B\rangle$", "k")):
        u = run.series(g, name)
        ut = run.series(g, f"{name}_truncated")
        if u is not None:
            ax.plot(run.t, u, "-", color=colour, label=f"{label}, $U(t,0)\\Omega$", **style)
        if ut is not None:
            ax.plot(run.t, ut, "--", color=colour, label=f"{label}, $\\tilde U(t,0)\\Omega$", **style)
    ax.set_ylabel("expected number of fluctuations")
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8, loc="upper left", ncol=2)
    ax.set_title("fluctuation numbers around Hartree–Hartree (solid: U, dashed: truncated U~)", fontsize=9)
    dist = run.series(g, "distance")
    if dist is not None:
        ax_d.plot(run.t, positive(dist), "-", color="tab:purple",
                  label=r"$\|U(t,0)\Omega - \tilde U(t,0)\Omega\|$", **style)
    n1, n1t = run.series(g, "N1"), run.series(g, "N1_truncated")
    if n1 is not None and n1t is not None:
        ax_d.plot(run.t, positive(np.abs(n1 - n1t)), "-.", color="k", linewidth=1.0,
                  label=r"$|\langle N\rangle_U - \langle N\rangle_{\tilde U}|$", **style)
    for name, label, ls in (("top_shell", r"top-shell weight $\|P_{N_B = K_B}\,U\Omega\|^2$", "-"),
                            ("top_shell_truncated", r"top-shell weight of $\tilde U\Omega$", "--")):
        v = run.series(g, name)
        if v is not None:
            ax_d.plot(run.t, positive(v), ls, color="tab:brown", label=label, **style)
    for name, label in (("norm", r"$|\,\|U\Omega\| - 1|$"), ("norm_truncated", r"$|\,\|\tilde U\Omega\| - 1|$")):
        v = run.series(g, name)
        if v is not None and np.isfinite(positive(np.abs(v - 1.0))).any():
            ax_d.plot(run.t, positive(np.abs(v - 1.0)), ":", color="0.5" if "trunc" in name else "0.2",
                      linewidth=1.0, label=label, **style)
    ax_d.set_yscale("log")
    ax_d.set_xlabel("time $t$")
    ax_d.set_ylabel("distance / weight")
    ax_d.grid(True, which="major", alpha=0.3)
    if ax_d.lines:
        ax_d.legend(fontsize=7, loc="lower right", ncol=2)
    ax_d.set_title("truncation effect and truncation diagnostic (zeros at t = 0 off the log axis)", fontsize=9)
    finish(fig, run, out_dir, "fluct", dpi, written, extra=fluct_parameters(run))


# ----------------------------------------------------------------------------------------------------
# (d) conservation


def plot_drift(run, out_dir, dpi, written):
    if run.exact is None and run.hartree is None and run.vlasov is None:
        return
    fig, (ax, ax2) = plt.subplots(2, 1, figsize=(9.5, 6.2), sharex=True, layout="constrained")
    style = line_style(run.n)
    for group, label, colour in ((run.exact, "exact  $\\langle H\\rangle$", "k"),
                                 (run.hartree, "Hartree–Hartree  $E_{HH}$", "tab:green"),
                                 (run.vlasov, "Vlasov–Hartree  $E_{VH}$", "tab:purple")):
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
    if run.vlasov is not None:
        mass = run.series(run.vlasov, "mass")
        if mass is not None:
            others.append((r"VH $|\int f\,dx\,dp - 1|$", np.abs(mass - 1.0), "tab:purple", "-"))
        nphi = run.series(run.vlasov, "norm_phi")
        if nphi is not None:
            others.append((r"VH $|\,\|\varphi\| - 1|$", np.abs(nphi - 1.0), "tab:purple", ":"))
        f2 = run.series(run.vlasov, "f2")
        if f2 is not None and f2.size and f2[0] != 0:
            others.append((r"VH $|\int f^2 / \int f_0^2 - 1|$ (Nyquist damping)", np.abs(f2 / f2[0] - 1.0),
                           "tab:purple", "--"))
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
    plot_phase_space(run, out_dir, args.dpi, written, max(1, args.snapshots),
                     log=lambda text: print(text, file=sys.stderr))
    plot_fluct(run, out_dir, args.dpi, written)
    if run.comparison is None and not run.pairs and run.fluct is None:
        print("plot_run.py: only one solver in the file; error and fluctuation plots skipped", file=sys.stderr)
    for path in written:
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
