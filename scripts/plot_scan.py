#!/usr/bin/python3
"""Log-log plot of a fockmix scan file (fockmix scan SCAN.toml; layout in docs/scaling.md).

Panels: the errors' maximum over [0, T] against N, with the least-squares power laws stored in the file
(slope +- standard error in the legend) and the theory slopes -1/2 (Theorem 1, (2.16)-(2.17)) and -1
(conjectured optimal) anchored at the first point; the trace-norm errors at the chosen times against N;
and, when M does not equal N, e_F against M.

A scan with fit_against = "hbar" (a semiclassical study, HH -> VH) is drawn against hbar instead: the
Hartree-Vlasov errors' maximum over [0, T] with their fits, beside the guide lines hbar^(1/2) (Theorem 2)
and hbar (conjectured, Remark 2.6); and the same errors at the chosen times.

Usage: /usr/bin/python3 scripts/plot_scan.py SCAN.h5 [-o FIGURE.png] [--dpi 100]
Needs Debian's python3-matplotlib, python3-h5py and python3-numpy (use /usr/bin/python3).
"""
import argparse
import os
import sys

os.environ.setdefault("HDF5_USE_FILE_LOCKING", "FALSE")  # read a scan file while the scan still runs

import h5py  # noqa: E402
import matplotlib  # noqa: E402
import matplotlib.ticker  # noqa: E402

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

LABELS = {
    "eF_trace": r"$e_F$ (trace)",
    "eB_trace": r"$e_B$ (trace)",
    "eF_hs": r"$e_F$ (HS)",
    "eB_hs": r"$e_B$ (HS)",
    "nF_exc": r"$N_F^{exc}$",
    "nB_exc": r"$N_B^{exc}$",
}
LABELS.update({
    "vh_eF_trace": r"$\|\omega - M\,\mathrm{Op}(f)\|_{Tr}/M$",
    "vh_rhoF_l1": r"$\|\rho_F^{HH} - \rho_F^{VH}\|_1$",
    "vh_eB_trace": r"$e_B$ (HH vs VH)",
    "vh_fourier": r"$|f^\hbar - f|_1$ (2.24)",
})
COLOURS = {"eF_trace": "C0", "eB_trace": "C3", "eF_hs": "C0", "eB_hs": "C3", "nF_exc": "C2", "nB_exc": "C4",
           "vh_eF_trace": "C0", "vh_rhoF_l1": "C2", "vh_eB_trace": "C3", "vh_fourier": "C1"}
MARKERS = {"eF_trace": "o", "eB_trace": "s", "eF_hs": "o", "eB_hs": "s", "nF_exc": "^", "nB_exc": "v",
           "vh_eF_trace": "o", "vh_rhoF_l1": "^", "vh_eB_trace": "s", "vh_fourier": "D"}
HBAR_QUANTITIES = ("vh_eF_trace", "vh_rhoF_l1", "vh_eB_trace", "vh_fourier")


def text(value):
    return value.decode() if isinstance(value, bytes) else str(value)


def fit_of(f, axis, q, column):
    g = f[f"fits/{axis}/{q}"]
    return g["slope"][column], g["slope_stderr"][column], g["intercept"][column]


def slope_text(b, se):
    if not np.isfinite(b):
        return "no fit"
    if not np.isfinite(se):
        return f"b = {b:+.2f}"
    return f"b = {b:+.2f} ± {se:.2f}"


def draw_quantity(ax, x, y, f, axis, q, column, fitted, hollow=False, label_extra=""):
    """Points (those left out of the fits in grey), the stored fit over the fitted points."""
    good = (y > 0) & np.isfinite(y)
    colour = COLOURS[q]
    out = good & ~fitted
    ax.loglog(x[out], y[out], MARKERS[q], color="0.6", mfc="none" if hollow else "0.6", ms=6, ls="none")
    ok = good & fitted
    ax.loglog(x[ok], y[ok], MARKERS[q], color=colour, mfc="none" if hollow else colour, ms=6, ls="none")
    b, se, a = fit_of(f, axis, q, column)
    label = f"{LABELS[q]}{label_extra}: {slope_text(b, se)}"
    if np.isfinite(b) and ok.sum() >= 2:
        xs = np.geomspace(x[ok].min(), x[ok].max(), 50)
        ax.loglog(xs, np.exp(a) * xs**b, "--" if hollow else "-", color=colour, lw=1.2, label=label)
    else:
        ax.plot([], [], color=colour, label=label)
    return ok


def theory_lines(ax, x, y, fitted, with_labels):
    ok = (y > 0) & np.isfinite(y) & fitted
    if ok.sum() < 2:
        return
    x0, y0 = x[ok][0], y[ok][0]
    xs = np.geomspace(x[ok].min(), x[ok].max(), 50)
    ax.loglog(xs, y0 * (xs / x0) ** -0.5, ":", color="0.35", lw=1.3, label="slope −1/2 (Theorem 1)" if with_labels else None)
    ax.loglog(xs, y0 * (xs / x0) ** -1.0, "-.", color="0.6", lw=1.3, label="slope −1 (conjectured optimal)" if with_labels else None)


def hbar_guides(ax, x, ys, fitted, with_labels):
    """hbar^(1/2) and hbar through the geometric mean of the plotted errors at the largest hbar."""
    anchors = [y[fitted & (y > 0) & np.isfinite(y)] for y in ys]
    anchors = [a for a in anchors if len(a)]
    ok = fitted & (x > 0)
    if not anchors or ok.sum() < 2:
        return
    i0 = np.argmax(np.where(ok, x, -np.inf))
    y0 = np.exp(np.mean([np.log(y[i0]) for y in ys if y[i0] > 0 and np.isfinite(y[i0])]))
    x0 = x[i0]
    xs = np.geomspace(x[ok].min(), x[ok].max(), 50)
    ax.loglog(xs, y0 * (xs / x0) ** 0.5, ":", color="0.35", lw=1.5,
              label=r"$\hbar^{1/2}$ (Theorem 2)" if with_labels else None)
    ax.loglog(xs, y0 * (xs / x0) ** 1.0, "-.", color="0.6", lw=1.5,
              label=r"$\hbar$ (conjectured, Rem. 2.6)" if with_labels else None)


def plot_hbar(f, args, out):
    """A semiclassical scan (fit_against = "hbar"): the HH-VH errors against hbar."""
    value = f["points/value"][()]
    fit_from = int(f["fits"].attrs.get("fit_from", 0))
    fitted = value >= fit_from
    hbar = f["points/hbar"][()]
    times = f["times"][()] if "times" in f else np.array([])
    quantities = [q for q in HBAR_QUANTITIES if f"max/{q}" in f and np.isfinite(f[f"max/{q}"][()]).any()]
    panels = 2 if len(times) else 1
    fig, axes = plt.subplots(1, panels, figsize=(5.6 * panels, 4.6), squeeze=False)
    axes = axes[0]
    horizon = float(f.attrs["horizon"])
    ax = axes[0]
    for q in quantities:
        draw_quantity(ax, hbar, f[f"max/{q}"][()], f, "hbar", q, 0, fitted)
    hbar_guides(ax, hbar, [f[f"max/{q}"][()] for q in quantities], fitted, True)
    ax.set_title(f"HH vs VH, max over [0, {horizon:g}]")
    ax.set_ylabel("error")
    if len(times):
        ax = axes[1]
        k = len(times) - 1
        for q in quantities:
            draw_quantity(ax, hbar, f[f"at_times/{q}"][()][:, k], f, "hbar", q, k + 1, fitted, hollow=True,
                          label_extra=f", t = {times[k]:g}")
        hbar_guides(ax, hbar, [f[f"at_times/{q}"][()][:, k] for q in quantities], fitted, True)
        ax.set_title(f"HH vs VH at t = {times[k]:g}")
    for ax in axes:
        ax.set_xlabel(r"$\hbar$")
        ticks = np.unique(np.round(hbar, 3))
        if len(ticks) > 8:  # label every point only while the labels fit; then a log-spaced subset
            ticks = ticks[np.unique(np.round(np.linspace(0, len(ticks) - 1, 6)).astype(int))]
        ax.xaxis.set_major_locator(matplotlib.ticker.FixedLocator(ticks))
        ax.xaxis.set_major_formatter(matplotlib.ticker.FormatStrFormatter("%.3g"))
        ax.xaxis.set_minor_locator(matplotlib.ticker.NullLocator())
        ax.grid(True, which="both", alpha=0.25)
        ax.legend(fontsize=7, loc="best")
    status = text(f.attrs["status"])
    note = f", fits over {int(fitted.sum())} points (grey: left out)" if not fitted.all() else ""
    fig.suptitle(f"{text(f.attrs['name'])}: {text(f.attrs['regime'])} regime, {len(hbar)} points{note}, e ~ " + r"$\hbar^b$"
                 + ("" if status == "completed" else f" ({status})"), fontsize=11)
    fig.tight_layout()
    fig.savefig(out, dpi=args.dpi)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("scan", help="scan HDF5 file written by `fockmix scan`")
    p.add_argument("-o", "--output", help="figure file (default: SCAN with .png)")
    p.add_argument("--dpi", type=int, default=100)
    args = p.parse_args()
    out = args.output or os.path.splitext(args.scan)[0] + ".png"

    with h5py.File(args.scan, "r") as f:
        if "points" not in f:
            sys.exit(f"{args.scan}: no finished points yet")
        if text(f.attrs.get("fit_against", "particles")) == "hbar":
            plot_hbar(f, args, out)
            print(out)
            return
        value = f["points/value"][()]
        fit_from = int(f["fits"].attrs.get("fit_from", 0))
        fitted = value >= fit_from
        M = f["points/M"][()].astype(float)
        N = f["points/N"][()].astype(float)
        times = f["times"][()] if "times" in f else np.array([])
        regime = text(f.attrs["regime"])
        status = text(f.attrs["status"])
        name = text(f.attrs["name"])
        horizon = float(f.attrs["horizon"])
        same = np.array_equal(M, N)
        M_varies = len(np.unique(M)) > 1

        panels = 2 if len(times) else 1
        if not same and M_varies:
            panels += 1
        fig, axes = plt.subplots(1, panels, figsize=(5.0 * panels, 4.3), squeeze=False)
        axes = axes[0]
        xlabel = "N = M" if same else "N"

        # (a) max over [0, T]
        ax = axes[0]
        for q in ("eF_trace", "eB_trace"):
            draw_quantity(ax, N, f[f"max/{q}"][()], f, "N", q, 0, fitted)
        for q in ("eF_hs", "eB_hs"):
            draw_quantity(ax, N, f[f"max/{q}"][()], f, "N", q, 0, fitted, hollow=True)
        theory_lines(ax, N, f["max/eB_trace"][()], fitted, True)
        ax.set_title(f"max over [0, {horizon:g}]")
        ax.set_xlabel(xlabel)
        ax.set_ylabel("error")

        # (b) trace-norm errors at the chosen times
        if len(times):
            ax = axes[1]
            cmap = plt.get_cmap("viridis")
            for k, t in enumerate(times):
                shade = cmap(0.15 + 0.7 * k / max(1, len(times) - 1))
                for q, marker in (("eF_trace", "o"), ("eB_trace", "s")):
                    y = f[f"at_times/{q}"][()][:, k]
                    good = (y > 0) & np.isfinite(y)
                    ok = good & fitted
                    b, se, a = fit_of(f, "N", q, k + 1)
                    ax.loglog(N[good & ~fitted], y[good & ~fitted], marker, color="0.6",
                              mfc="0.6" if q == "eF_trace" else "none", ms=5)
                    ax.loglog(N[ok], y[ok], marker, color=shade, mfc=shade if q == "eF_trace" else "none", ms=5)
                    if np.isfinite(b):
                        xs = np.geomspace(N[ok].min(), N[ok].max(), 50)
                        ax.loglog(xs, np.exp(a) * xs**b, "-" if q == "eF_trace" else "--", color=shade, lw=1,
                                  label=f"{LABELS[q]}, t = {t:g}: {slope_text(b, se)}")
            theory_lines(ax, N, f["at_times/eB_trace"][()][:, -1], fitted, True)
            ax.set_title("at chosen times (filled: $e_F$, open: $e_B$)")
            ax.set_xlabel(xlabel)

        # (c) against M
        if not same and M_varies:
            ax = axes[-1]
            draw_quantity(ax, M, f["max/eF_trace"][()], f, "M", "eF_trace", 0, fitted)
            draw_quantity(ax, M, f["max/eF_hs"][()], f, "M", "eF_hs", 0, fitted, hollow=True)
            theory_lines(ax, M, f["max/eF_trace"][()], fitted, True)
            ax.set_title(f"fermions against M (max over [0, {horizon:g}])")
            ax.set_xlabel("M")

        for k, ax in enumerate(axes):
            ticks = M if (not same and M_varies and k == len(axes) - 1) else N
            ax.xaxis.set_major_locator(matplotlib.ticker.FixedLocator(np.unique(ticks)))
            ax.xaxis.set_major_formatter(matplotlib.ticker.FormatStrFormatter("%g"))
            ax.xaxis.set_minor_locator(matplotlib.ticker.NullLocator())
            ax.grid(True, which="both", alpha=0.25)
            ax.legend(fontsize=7, loc="best")
        note = f", fits over {int(fitted.sum())} points (grey: left out)" if not fitted.all() else ""
        fig.suptitle(f"{name}: {regime} regime, {len(N)} points{note}" + ("" if status == "completed" else f" ({status})"),
                     fontsize=11)
        fig.tight_layout()
        fig.savefig(out, dpi=args.dpi)
    print(out)


if __name__ == "__main__":
    main()
