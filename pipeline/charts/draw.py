"""Draw one chart from its spec with `matplotlib.figure.Figure` (never pyplot, which keeps every
figure alive in a long-running process). Fixed margins instead of tight layout: cheaper and stable.

Suppressed values are written as a note ("fewer than 5 answers") where the bar would be; they are
never drawn as a bar, so a reader cannot mistake them for zero.
"""

from __future__ import annotations

import math
import os
import textwrap
from pathlib import Path
from typing import Literal

from matplotlib import rc_context
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle
from matplotlib.ticker import MaxNLocator

from pipeline.charts.specs import ChartSpec

# Okabe-Ito palette: distinguishable with every common colour-vision deficiency.
BLUE, ORANGE, SKY, GREEN, VERMILLION, GREY = "#0072B2", "#E69F00", "#56B4E9", "#009E73", "#D55E00", "#999999"
WIDTH_IN, DPI = 6.4, 100  # 640 px wide: readable on a phone when scaled to the screen width
LEFT_IN, RIGHT_IN, TOP_IN, BOTTOM_IN = 2.3, 0.3, 0.7, 0.6


def build_figure(spec: ChartSpec) -> Figure:
    if spec.kind in ("profile", "indicators", "rates"):
        return _horizontal_bars(spec, limit=100)
    if spec.kind == "nps":
        return _nps(spec)
    if spec.kind == "trends":
        return _trends(spec)
    raise ValueError(f"unknown chart kind {spec.kind!r}")


def save_figure(figure: Figure, path: Path, fmt: str) -> None:
    """Write atomically, so a reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(path.suffix + ".tmp")
    # SVG keeps text as text (searchable, read by screen readers) and fixed ids (stable files).
    with rc_context({"svg.fonttype": "none", "svg.hashsalt": "vises"}):
        figure.savefig(temporary, format=fmt, dpi=DPI, metadata=_metadata(fmt))
    os.replace(temporary, path)


def _metadata(fmt: str) -> dict:
    # Fixed metadata keeps files byte-identical from one run to the next.
    return {"Date": None} if fmt == "svg" else {"Software": None}


def _axes(figure: Figure, height_in: float, left_in: float = LEFT_IN) -> Axes:
    return figure.add_axes(
        (
            left_in / WIDTH_IN,
            BOTTOM_IN / height_in,
            1 - (left_in + RIGHT_IN) / WIDTH_IN,
            1 - (TOP_IN + BOTTOM_IN) / height_in,
        )
    )


def _title(figure: Figure, spec: ChartSpec, height_in: float) -> None:
    figure.text(0.02, 1 - 0.3 / height_in, textwrap.fill(spec.title, 80), fontsize=11, fontweight="bold", va="center")


def _horizontal_bars(spec: ChartSpec, limit: float) -> Figure:
    count = max(len(spec.bars), 1)
    height = TOP_IN + BOTTOM_IN + 0.55 * count
    figure, ax = _titled(spec, height)
    # One call per kind of artist for all bars: matplotlib's per-call overhead dominates otherwise.
    rows = [(count - 1 - index, index, bar) for index, bar in enumerate(spec.bars)]
    shown = [(y, i, value, b) for y, i, b in rows if (value := b.value) is not None]
    if shown:
        drawn = ax.barh([y for y, _, _, _ in shown], [v for _, _, v, _ in shown], height=0.55, color=BLUE, zorder=2)
        for rectangle, (_, index, _, _) in zip(drawn, shown):
            rectangle.set_gid(f"value-bar-{index}")
        with_ci = [(y, (b.low, b.high)) for y, _, _, b in shown if b.low is not None and b.high is not None]
        if with_ci:
            ax.hlines(
                [y for y, _ in with_ci],
                [low for _, (low, _) in with_ci],
                [high for _, (_, high) in with_ci],
                color="#222222",
                linewidth=1.2,
                zorder=3,
            )
            ax.vlines(
                [v for _, ends in with_ci for v in ends],
                [y - 0.12 for y, _ in with_ci for _ in (0, 1)],
                [y + 0.12 for y, _ in with_ci for _ in (0, 1)],
                color="#222222",
                linewidth=1.2,
                zorder=3,
            )
    for y, _, bar in rows:
        if bar.value is None:
            ax.text(1, y, spec.suppressed_note, va="center", fontsize=9, style="italic", color="#444444")
        else:
            ax.text(min(bar.value, limit) + 1.5, y + 0.3, bar.text, va="center", fontsize=8, zorder=5)
    ax.set_xlim(0, limit)
    ax.set_ylim(-0.6, count - 0.4)
    ax.set_yticks(range(count), [textwrap.fill(b.label, 28) for b in reversed(spec.bars)], fontsize=9)
    ax.set_xlabel(spec.axis_label, fontsize=9)
    ax.grid(axis="x", color="#dddddd", zorder=0)
    ax.spines[["top", "right"]].set_visible(False)
    return figure


def _swatch(colour: str, alpha: float | None = None) -> Rectangle:
    return Rectangle((0, 0), 1, 1, color=colour, alpha=alpha)


def _legend(
    figure: Figure,
    spec: ChartSpec,
    swatches: list[Rectangle],
    loc: Literal["upper center", "upper right"],
    anchor: tuple[float, float],
) -> None:
    """The spec's first three legend entries in one row between the title and the axes."""
    figure.legend(swatches, spec.legend[:3], loc=loc, ncol=3, fontsize=8, frameon=False, bbox_to_anchor=anchor)


def _titled(spec: ChartSpec, height: float, left_in: float = LEFT_IN) -> tuple[Figure, Axes]:
    """A figure of the standard width with the spec's title and one axes below it."""
    figure = Figure(figsize=(WIDTH_IN, height), dpi=DPI)
    _title(figure, spec, height)
    return figure, _axes(figure, height, left_in)


def _nps(spec: ChartSpec) -> Figure:
    height = 3.6
    figure, ax = _titled(spec, height, left_in=0.9)
    if not spec.bars:
        ax.set_axis_off()
        ax.text(
            0.5,
            0.5,
            spec.suppressed_note,
            ha="center",
            va="center",
            fontsize=11,
            style="italic",
            transform=ax.transAxes,
        )
        return figure
    scores = [int(bar.label) for bar in spec.bars]
    colours = [VERMILLION if score <= 6 else (GREY if score <= 8 else GREEN) for score in scores]
    drawn = ax.bar(scores, [bar.value or 0 for bar in spec.bars], color=colours, width=0.75)
    for rectangle, score in zip(drawn, scores):
        rectangle.set_gid(f"value-bar-{score}")
    ax.set_xticks(range(11))
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))  # respondents are counted in whole people
    ax.set_xlabel(spec.legend[3] if len(spec.legend) > 3 else "", fontsize=9)
    ax.set_ylabel(spec.axis_label, fontsize=9)
    ax.spines[["top", "right"]].set_visible(False)
    _legend(figure, spec, [_swatch(c) for c in (VERMILLION, GREY, GREEN)], "upper right", (0.98, 1 - 0.45 / height))
    return figure


def _trends(spec: ChartSpec) -> Figure:
    height = 4.2
    figure, ax = _titled(spec, height, left_in=0.9)
    colours = (BLUE, ORANGE, GREEN, VERMILLION, "#CC79A7", SKY)
    markers = ("o", "s", "^", "D", "v", "P")
    positions = range(len(spec.x_labels))
    for index, series in enumerate(spec.series):
        values = [math.nan if v is None else v for v in series.values]
        ax.plot(
            positions,
            values,
            color=colours[index % 6],
            marker=markers[index % 6],
            linewidth=2,
            label=textwrap.shorten(series.label, 44, placeholder=" …"),
        )
        marked = [(x, v) for x, v, flag in zip(positions, values, series.significant) if flag]
        if marked:  # a ring around the point: visible without colour, named in the legend
            xs, ys = zip(*marked)
            ax.scatter(xs, ys, s=260, facecolors="none", edgecolors="#222222", linewidths=1.5, zorder=4)
    ax.set_ylim(0, 100)
    ax.set_xticks(list(positions), [textwrap.fill(x, 16) for x in spec.x_labels], fontsize=8)
    ax.set_ylabel(spec.axis_label, fontsize=9)
    ax.grid(axis="y", color="#dddddd")
    ax.spines[["top", "right"]].set_visible(False)
    if spec.series:
        handles, labels = ax.get_legend_handles_labels()
        if any(any(s.significant) for s in spec.series) and spec.legend:
            ring = Line2D([], [], marker="o", markersize=11, markerfacecolor="none", markeredgecolor="#222222", ls="")
            handles, labels = [*handles, ring], [*labels, spec.legend[0]]
        ax.legend(handles, labels, fontsize=7, frameon=False, loc="lower left", ncol=2)
    if any(v is None for s in spec.series for v in s.values):
        ax.text(0.99, 0.02, "… " + spec.suppressed_note, transform=ax.transAxes, ha="right", fontsize=7, style="italic")
    return figure
