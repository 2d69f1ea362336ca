"""Rounding of every published figure, one rule for every surface (product.md, "No differencing").

Scores are published as whole numbers on pages, charts, the report and exports, and with one
decimal at most in the API. Nine decimals of a mean let a reader recover a newcomer's exact score
from two successive figures; a whole number keeps what a reader needs and drops what identifies.
Halves round away from zero (58.5 -> 59, -0.5 -> -1), the way people round by hand.
"""

from __future__ import annotations

import math
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


def scale_decimals(low: float, high: float, api: bool = False) -> int:
    """Decimals of a published instrument score on its own range (WHO-5 0-100, UCLA-3 3-9...).

    Never finer than a hundredth of the range, as a whole number is on 0-100: 0-100, 10-40 and 7-35
    get whole numbers, 0-10 and 3-9 one decimal; the API one more, as it does for 0-100 scores.
    """
    span = abs(high - low) or 1.0
    step = math.ceil(round(math.log10(span / 100), 9))  # the power of ten of the step: 10 ** step
    decimals = max(0, -step)
    return decimals + (API_DECIMALS if api else 0)


def on_scale(value: float | None, low: float, high: float, api: bool = False) -> float | None:
    """A published instrument score rounded as `scale_decimals` says (halves away from zero)."""
    if value is None:
        return None
    step = Decimal(1).scaleb(-scale_decimals(low, high, api))
    return float(Decimal(repr(float(value))).quantize(step, rounding=ROUND_HALF_UP))


def tens(value: float | None) -> int | None:
    """A share of a paired result (improved / unchanged / worsened), to the nearest 10 percent.

    One person's change moves such a share by 100 / pairs points; in steps of ten, most single
    moves do not show, and no share is published from fewer than 2 * min_group_size pairs.
    """
    if value is None:
        return None
    return 10 * int(Decimal(repr(float(value) / 10)).quantize(Decimal(1), rounding=ROUND_HALF_UP))
