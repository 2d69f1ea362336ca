"""Draw one chart from its spec on a bare `matplotlib.figure.Figure` (never pyplot, which keeps every
figure alive in a long-running process; no Axes, see canvas.py). Fixed margins: cheap and stable.

Suppressed values are written as a note ("fewer than 5 answers") where the bar would be; they are
never drawn as a bar, so a reader cannot mistake them for zero. Shapes and labels carry the meaning,
colour only helps (Okabe-Ito palette, distinguishable with every common colour-vision deficiency).
"""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

from matplotlib import rc_context
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from pipeline.charts.canvas import BOTTOM_IN, DPI, INK, MUTED, TOP_IN, Canvas, nice_step
from pipeline.charts.specs import ChartSpec

BLUE, ORANGE, SKY, GREEN, VERMILLION, GREY = "#0072B2", "#E69F00", "#56B4E9", "#009E73", "#D55E00", "#999999"
SERIES = ((BLUE, "o"), (ORANGE, "s"), (GREEN, "^"), (VERMILLION, "D"), ("#CC79A7", "v"), (SKY, "P"))
BAR_LEFT_IN, PLOT_LEFT_IN = 2.3, 0.9


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
        if fmt == "png":  # zlib level 3 instead of 6: a tenth faster to write, 1-2% larger files
            figure.savefig(temporary, format=fmt, dpi=DPI, metadata=_metadata(fmt), pil_kwargs={"compress_level": 3})
        else:
            figure.savefig(temporary, format=fmt, dpi=DPI, metadata=_metadata(fmt))
    os.replace(temporary, path)


def _metadata(fmt: str) -> dict:
    # Fixed metadata keeps files byte-identical from one run to the next.
    return {"Date": None} if fmt == "svg" else {"Software": None}


def _horizontal_bars(spec: ChartSpec, limit: float) -> Figure:
    """One bar per item (0-100), its 95% interval as a whisker, its value printed at its end."""
    count = max(len(spec.bars), 1)
    canvas = Canvas(TOP_IN + BOTTOM_IN + 0.55 * count, BAR_LEFT_IN, (0, limit), (count - 0.4, -0.6), spec.title)
    ticks = [0, 20, 40, 60, 80, 100]
    canvas.grid_x(ticks, [str(t) for t in ticks], spec.axis_label)
    canvas.frame()
    whiskers: list[list[tuple[float, float]]] = []
    for index, bar in enumerate(spec.bars):
        label_x = canvas.left - canvas.inches_x(0.08)
        canvas.text(label_x, canvas.fy(index), textwrap.fill(bar.label, 28), ha="right", va="center")
        if bar.value is None:
            canvas.text(canvas.fx(1), canvas.fy(index), spec.suppressed_note, va="center", style="italic", color=MUTED)
            continue
        canvas.bar((0, min(bar.value, limit)), (index - 0.275, index + 0.275), BLUE, f"value-bar-{index}")
        canvas.text(canvas.fx(min(bar.value, limit) + 1.5), canvas.fy(index - 0.3), bar.text, va="center", fontsize=8)
        if bar.low is not None and bar.high is not None:
            whiskers += [[(bar.low, float(index)), (bar.high, float(index))]]
            whiskers += [[(end, index - 0.12), (end, index + 0.12)] for end in (bar.low, bar.high)]
    canvas.segments(whiskers, INK, 1.2)
    return canvas.figure


def _nps(spec: ChartSpec) -> Figure:
    """How many respondents gave each score 0-10, detractors, passives and promoters apart."""
    if not spec.bars:
        canvas = Canvas(3.6, PLOT_LEFT_IN, (0, 1), (0, 1), spec.title)
        canvas.text(0.5, 0.5, spec.suppressed_note, fontsize=11, style="italic", ha="center", va="center")
        return canvas.figure
    largest = max(bar.value or 0 for bar in spec.bars)
    step = nice_step(max(largest, 1), most=4)  # whole people only: never a tick at 0.5 respondent
    top = max(step, -(-largest // step) * step)
    canvas = Canvas(3.6, PLOT_LEFT_IN, (-0.6, 10.6), (0, top * 1.05), spec.title)
    ticks = list(range(0, int(top) + 1, step))
    canvas.grid_y(ticks, [str(t) for t in ticks], spec.axis_label, lines=False)
    canvas.frame()
    for bar in spec.bars:
        score = int(bar.label)
        colour = VERMILLION if score <= 6 else (GREY if score <= 8 else GREEN)
        if bar.value:
            canvas.bar((score - 0.375, score + 0.375), (0, bar.value), colour, f"value-bar-{score}")
        canvas.text(
            canvas.fx(score), canvas.bottom - canvas.inches_y(0.06), bar.label, fontsize=8, ha="center", va="top"
        )
    if len(spec.legend) > 3:
        canvas.text(
            (canvas.left + canvas.right) / 2,
            canvas.bottom - canvas.inches_y(0.3),
            spec.legend[3],
            ha="center",
            va="top",
        )
    _legend(canvas, [(colour, "s", text) for colour, text in zip((VERMILLION, GREY, GREEN), spec.legend[:3])])
    return canvas.figure


def _trends(spec: ChartSpec) -> Figure:
    """Dimension scores across waves; a suppressed wave leaves a gap; a ring marks a significant change."""
    waves = max(len(spec.x_labels), 1)
    canvas = Canvas(4.2, PLOT_LEFT_IN, (-0.3, waves - 0.7), (0, 100), spec.title)
    ticks = [0, 20, 40, 60, 80, 100]
    canvas.grid_y(ticks, [str(t) for t in ticks], spec.axis_label)
    canvas.frame()
    for position, label in enumerate(spec.x_labels):
        y = canvas.bottom - canvas.inches_y(0.06)
        canvas.text(canvas.fx(position), y, textwrap.fill(label, 16), fontsize=8, ha="center", va="top")
    entries = []
    for index, series in enumerate(spec.series):
        colour, marker = SERIES[index % len(SERIES)]
        canvas.line(list(enumerate(series.values)), color=colour, marker=marker, linewidth=2, zorder=4)
        marked = [
            (x, v) for x, (v, flag) in enumerate(zip(series.values, series.significant)) if flag and v is not None
        ]
        if marked:
            ring = {"marker": "o", "markersize": 16, "markerfacecolor": "none", "markeredgecolor": INK}
            canvas.line(marked, gid=f"significant-{index}", linestyle="", markeredgewidth=1.5, zorder=5, **ring)
        entries.append((colour, marker, textwrap.shorten(series.label, 44, placeholder=" …")))
    if any(any(s.significant) for s in spec.series) and spec.legend:
        entries.append(("ring", "o", spec.legend[0]))
    _legend(canvas, entries, columns=2, inside=True)
    if any(v is None for s in spec.series for v in s.values):
        canvas.text(
            canvas.right,
            canvas.bottom + canvas.inches_y(0.08),
            "… " + spec.suppressed_note,
            fontsize=7,
            style="italic",
            ha="right",
        )
    return canvas.figure


def _legend(canvas: Canvas, entries: list[tuple[str, str, str]], columns: int = 3, inside: bool = False) -> None:
    """Marker and text per entry, in rows of `columns`: above the plot, or inside it at the bottom left."""
    width = (canvas.right - canvas.left) / columns
    rows = -(-len(entries) // columns)
    for number, (colour, marker, text) in enumerate(entries):
        row, column = divmod(number, columns)
        x = canvas.left + canvas.inches_x(0.1) + column * width
        if inside:
            y = canvas.bottom + canvas.inches_y(0.18 + 0.2 * (rows - 1 - row))
        else:
            y = canvas.top + canvas.inches_y(0.2)
        handle = Line2D([x], [y], marker=marker, markersize=8, linestyle="", transform=canvas.figure.transFigure)
        if colour == "ring":
            handle.set_markerfacecolor("none")
            handle.set_markeredgecolor(INK)
        else:
            handle.set_color(colour)
        canvas.figure.add_artist(handle)
        canvas.text(x + canvas.inches_x(0.12), y, text, fontsize=7, va="center")
