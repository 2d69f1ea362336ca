"""Rounding of every published figure, one rule for every surface (product.md, "No differencing").

Scores are published as whole numbers on pages, charts, the report and exports, and with one
decimal at most in the API. Nine decimals of a mean let a reader recover a newcomer's exact score
from two successive figures; a whole number keeps what a reader needs and drops what identifies.
Halves round away from zero (58.5 -> 59, -0.5 -> -1), the way people round by hand.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

API_DECIMALS = 1


def whole(value: float | None) -> int | None:
    """A figure for a page, a chart, the report or an export."""
    if value is None:
        return None
    return int(Decimal(repr(float(value))).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def api_figure(value: float | None) -> float | None:
    """A figure for the API: one decimal at most."""
    if value is None:
        return None
    return float(Decimal(repr(float(value))).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))
