"""A plotting area on a bare `matplotlib.figure.Figure`: data coordinates mapped onto fixed margins,
and the few kinds of marks the charts need (grid, bars, lines, text).

No Axes: creating one and laying out its ticks cost more than drawing the whole chart (charts are
drawn on demand, and 1,000 enterprises' report charts after a full run), so ticks, labels and
legends are plain figure texts placed here. Text is the dearest mark of all: draw few.
"""

from __future__ import annotations

from collections.abc import Sequence

from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle

WIDTH_IN, DPI = 6.4, 100  # 640 px wide: readable on a phone when scaled to the screen width
RIGHT_IN, TOP_IN, BOTTOM_IN = 0.3, 0.7, 0.6
INK, GRID, MUTED = "#222222", "#dddddd", "#444444"


class Canvas:
    def __init__(
        self, height_in: float, left_in: float, x_range: tuple[float, float], y_range: tuple[float, float], title: str
    ):
        self.figure = Figure(figsize=(WIDTH_IN, height_in), dpi=DPI)
        self.height_in = height_in
        self.left, self.right = left_in / WIDTH_IN, 1 - RIGHT_IN / WIDTH_IN
        self.bottom, self.top = BOTTOM_IN / height_in, 1 - TOP_IN / height_in
        self.x_range, self.y_range = x_range, y_range
        self.text(0.02, 1 - 0.3 / height_in, title, fontsize=11, fontweight="bold", va="center")

    def fx(self, value: float) -> float:
        low, high = self.x_range
        return self.left + (self.right - self.left) * (value - low) / (high - low)

    def fy(self, value: float) -> float:
        low, high = self.y_range
        return self.bottom + (self.top - self.bottom) * (value - low) / (high - low)

    def inches_x(self, inches: float) -> float:
        return inches / WIDTH_IN

    def inches_y(self, inches: float) -> float:
        return inches / self.height_in

    def text(self, x: float, y: float, text: str, **style) -> None:
        """Text at figure coordinates (0-1)."""
        self.figure.text(x, y, text, **{"fontsize": 9, **style})

    def frame(self, left: bool = True, bottom: bool = True) -> None:
        """The axis lines at the left and bottom of the plotting area."""
        lines = []
        if left:
            lines.append([(self.left, self.bottom), (self.left, self.top)])
        if bottom:
            lines.append([(self.left, self.bottom), (self.right, self.bottom)])
        self._segments(lines, INK, 0.8, zorder=3)

    def grid_x(self, values: Sequence[float], labels: Sequence[str], axis_label: str = "") -> None:
        """Vertical grid lines with their labels under the plotting area."""
        self._segments([[(self.fx(v), self.bottom), (self.fx(v), self.top)] for v in values], GRID, 0.8, zorder=0)
        for value, label in zip(values, labels):
            self.text(self.fx(value), self.bottom - self.inches_y(0.06), label, fontsize=8, ha="center", va="top")
        if axis_label:
            middle = (self.left + self.right) / 2
            self.text(middle, self.bottom - self.inches_y(0.3), axis_label, ha="center", va="top")

    def grid_y(self, values: Sequence[float], labels: Sequence[str], axis_label: str = "", lines: bool = True) -> None:
        """Horizontal grid lines with their labels left of the plotting area."""
        if lines:
            self._segments([[(self.left, self.fy(v)), (self.right, self.fy(v))] for v in values], GRID, 0.8, zorder=0)
        for value, label in zip(values, labels):
            self.text(self.left - self.inches_x(0.06), self.fy(value), label, fontsize=8, ha="right", va="center")
        if axis_label:
            x = self.left - self.inches_x(0.55)
            self.text(x, (self.bottom + self.top) / 2, axis_label, rotation=90, ha="center", va="center")

    def bar(self, x: tuple[float, float], y: tuple[float, float], colour: str, gid: str, zorder: int = 2) -> None:
        """A filled box between data coordinates (x0, x1) and (y0, y1)."""
        (x0, x1), (y0, y1) = sorted(x, key=self.fx), sorted(y, key=self.fy)
        box = Rectangle(
            (self.fx(x0), self.fy(y0)),
            self.fx(x1) - self.fx(x0),
            self.fy(y1) - self.fy(y0),
            color=colour,
            zorder=zorder,
        )
        box.set_gid(gid)
        self.figure.add_artist(box)

    def segments(
        self, lines: Sequence[Sequence[tuple[float, float]]], colour: str, width: float, zorder: int = 3
    ) -> None:
        """Straight lines between data coordinates, all in one artist."""
        self._segments([[(self.fx(x), self.fy(y)) for x, y in line] for line in lines], colour, width, zorder)

    def line(self, points: Sequence[tuple[float, float | None]], gid: str = "", **style) -> Line2D:
        """A polyline with markers through data points; a None value leaves a gap."""
        xs = [self.fx(x) for x, _ in points]
        ys = [float("nan") if y is None else self.fy(y) for _, y in points]
        line = Line2D(xs, ys, transform=self.figure.transFigure, **style)
        if gid:
            line.set_gid(gid)
        self.figure.add_artist(line)
        return line

    def _segments(self, lines: list, colour: str, width: float, zorder: int) -> None:
        if lines:
            collection = LineCollection(lines, colors=colour, linewidths=width, zorder=zorder)
            collection.set_transform(self.figure.transFigure)
            self.figure.add_artist(collection)


def nice_step(largest: float, most: int = 5) -> int:
    """A whole step (1, 2, 5, 10, 20...) giving at most `most` intervals up to `largest`."""
    step = 1
    while largest / step > most:
        for factor in (2, 2.5, 2):
            step = int(step * factor)
            if largest / step <= most:
                break
    return step
