"""How stored figures are rounded: one rule for the pipeline and for figures derived when read."""

from __future__ import annotations

DIGITS = 9  # stored figures: reruns and incremental versus full runs give byte-identical rows


def rounded(value: float | None) -> float | None:
    return None if value is None else round(value, DIGITS) + 0.0  # + 0.0 turns -0.0 into 0.0
