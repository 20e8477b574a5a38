"""Plot a material's market distribution with its performance-class bands (for regulators' reports).

matplotlib is imported lazily, with the non-interactive Agg backend, so the rest of footprint
(and servers without a display) never pay for it.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Literal

import numpy as np

from ..files import write_bytes_atomically
from .calibrate import WeightedDistribution
from .colours import class_colours
from .market import MarketData
from .table import ClassTable

Kind = Literal["hist", "ecdf"]


def plot_classes(
    table: ClassTable,
    market: MarketData,
    path: str | Path,
    *,
    kind: Kind = "hist",
    weighted: bool | None = None,
    bins: int = 60,
    log_x: bool | None = None,
) -> Path:
    """Draw the (weighted) distribution of `market` with `table`'s bands; write PNG or SVG.

    The data shown is the table's material and category inside its data window. `log_x`
    defaults to a log axis when the values span more than a factor of 20 (footprints of one
    material often do).
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    path = Path(path)
    if path.suffix.lower() not in (".png", ".svg"):
        raise ValueError(f"plot file {path} must end in .png or .svg")
    data = market.select(table.material, table.category).between(table.input.window_start, table.input.window_end)
    if not len(data):
        raise ValueError(f"no market data for {table.material} between {table.input.window_start} and {table.input.window_end} to plot")
    use_weights = table.settings.weighted if weighted is None else weighted
    w = data.quantity_t if use_weights else np.ones(len(data))
    dist = WeightedDistribution(data.value, w)
    # Axis range: the central 99 % of the volume (tails would squeeze the bands), and every threshold.
    lo_v, hi_v = (float(x) for x in dist.quantile([0.005, 0.995]))
    if len(data) < 50:
        lo_v, hi_v = float(dist.values[0]), float(dist.values[-1])
    t = list(table.thresholds)
    x_lo, x_hi = min(lo_v, t[0]), max(hi_v, t[-1])
    positive = x_lo > 0
    if log_x is None:
        log_x = positive and x_hi / x_lo > 20
    if log_x and not positive:
        log_x = False
    if x_hi <= x_lo:
        x_hi = x_lo + 1.0
    pad = (np.log10(x_hi) - np.log10(x_lo)) * 0.08 if log_x else (x_hi - x_lo) * 0.08
    xlim = (10 ** (np.log10(x_lo) - pad), 10 ** (np.log10(x_hi) + pad)) if log_x else (x_lo - pad, x_hi + pad)

    fig, ax = plt.subplots(figsize=(9, 5), dpi=120)
    edges = [xlim[0], *t, xlim[1]]
    for band, colour, a, b in zip(table.bands, class_colours(len(table.bands)), edges[:-1], edges[1:]):
        ax.axvspan(a, b, color=colour, alpha=0.35, lw=0)
    if kind == "hist":
        grid = np.geomspace(xlim[0], xlim[1], bins + 1) if log_x else np.linspace(xlim[0], xlim[1], bins + 1)
        inside = (dist.values >= grid[0]) & (dist.values <= grid[-1])
        counts, _ = np.histogram(dist.values[inside], bins=grid, weights=dist.weights[inside])
        ax.stairs(counts / dist.total, grid, fill=True, color="#2b3a67", alpha=0.55)
        ax.stairs(counts / dist.total, grid, color="#2b3a67", lw=1.0)
        ax.set_ylim(0, max(float(counts.max() / dist.total), 1e-12) * 1.35)
        ax.set_ylabel("share of market volume per bin" if use_weights else "share of declarations per bin")
    else:
        ecdf = dist.cum / dist.total
        xs = np.concatenate(([xlim[0]], dist.values, [xlim[1]]))
        ys = np.concatenate(([0.0], ecdf, [1.0]))
        ax.step(xs, ys, where="post", color="#2b3a67", lw=1.8)
        ax.set_ylim(0, 1.3)
        ax.set_yticks(np.linspace(0, 1, 6))
        ax.set_ylabel("cumulative share of market volume" if use_weights else "cumulative share of declarations")
    top = ax.get_ylim()[1]
    for band, a, b in zip(table.bands, edges[:-1], edges[1:]):
        mid = np.sqrt(a * b) if log_x else (a + b) / 2
        ax.text(mid, top * 0.985, band.label, ha="center", va="top", fontsize=13, fontweight="bold")
        if band.market_share is not None:
            ax.text(mid, top * 0.89, f"{band.market_share:.0%}", ha="center", va="top", fontsize=8)
    for x in t:
        ax.axvline(x, color="black", lw=0.8, ls="--")
        ax.text(x, top * 0.02, f" {x:.3g}", rotation=90, va="bottom", ha="right", fontsize=8)
    if log_x:
        ax.set_xscale("log")
    ax.set_xlim(*xlim)
    ax.set_xlabel(f"{table.category} ({table.unit})")
    ax.text(0.995, 0.80, "% = share of calibration volume", transform=ax.transAxes, ha="right", fontsize=7, color="#333333")
    status = "PROVISIONAL " if table.provisional else ""
    ax.set_title(
        f"{status}performance classes: {table.material}, {table.period} ({table.method})\n"
        f"market {table.input.window_start}..{table.input.window_end}: {len(data):,} {'rows' if table.provisional else 'declarations'}, "
        f"{data.n_producers()} {'routes' if table.provisional else 'producers'}, {float(data.quantity_t.sum()):,.0f} t",
        fontsize=10,
    )
    fig.tight_layout()
    image = io.BytesIO()
    fig.savefig(image, format=path.suffix.lower().lstrip("."))
    plt.close(fig)
    write_bytes_atomically(path, image.getvalue())
    return path
