"""Bands, the net score and the checks of a scoring against every score its items can give.

Split from scoring_rules (which parses the other keys); the problems name file, indicator and fix.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any, TypeGuard

from survey_app.questionnaire.model import format_value
from survey_app.questionnaire.reachable import Reachable
from survey_app.questionnaire.rules import ID_PATTERN, Checker
from survey_app.questionnaire.scoring import Band, Scoring


def number(value: Any) -> TypeGuard[int | float]:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def fmt(value: float | Fraction) -> str:
    return format_value(round(float(value), 4))


def parse_bands(raw: Any, labels: Checker, where: str) -> tuple[Band, ...]:
    if raw is None:
        return ()
    fix = 'write [[scoring.x.bands]] tables with id = "low", from = 0, to = 50 and a label'
    if not isinstance(raw, list):
        labels.add(where, "'bands' must be a list of tables", fix)
        return ()
    bands: list[Band] = []
    for i, b in enumerate(raw):
        spot = f"{where} band {i + 1}"
        if not (isinstance(b, dict) and set(b) <= {"id", "from", "to", "label"}):
            labels.add(spot, "a band has id, from, to and label only", fix)
            continue
        bid, low, high = b.get("id"), b.get("from"), b.get("to")
        label = labels.texts(b.get("label"), spot, "label") or {}
        if not (isinstance(bid, str) and ID_PATTERN.fullmatch(bid)):
            labels.add(spot, f"band 'id' must be lowercase letters, digits and _ (got {bid!r})", 'write id = "low"')
        elif not (number(low) and number(high) and low <= high):
            labels.add(
                spot, f"band '{bid}' needs numbers from <= to (got {low!r} to {high!r})", "write from = 0, to = 50"
            )
        elif bid in {x.id for x in bands}:
            labels.add(spot, f"duplicate band id '{bid}'", "give each band a distinct id")
        else:
            bands.append(Band(bid, float(low), float(high), label))
    bands.sort(key=lambda b: b.low)
    for a, b in zip(bands, bands[1:]):
        if b.low <= a.high:
            labels.add(
                where,
                f"bands '{a.id}' ({fmt(a.low)}-{fmt(a.high)}) and '{b.id}' ({fmt(b.low)}-{fmt(b.high)}) overlap",
                f"make '{b.id}' start above {fmt(a.high)}, or '{a.id}' end below {fmt(b.low)}",
            )
    return tuple(bands)


def parse_net(raw: Any, bands: tuple[Band, ...], check: Checker, where: str) -> tuple[str, str] | None:
    if raw is None:
        return None
    ids = [b.id for b in bands]
    if not (
        isinstance(raw, dict)
        and set(raw) == {"positive", "negative"}
        and raw["positive"] in ids
        and raw["negative"] in ids
    ):
        check.add(
            where,
            f"bad net score {raw!r}: it names two of the bands",
            'write net = { positive = "...", negative = "..." } with bands among '
            + (", ".join(ids) or "(none declared)"),
        )
        return None
    return raw["positive"], raw["negative"]


def check_reachable(scoring: Scoring, reachable: Reachable, check: Checker, where: str) -> None:
    """Table coverage, range and band gaps against every score the items can give."""
    if scoring.method == "table":
        raws = sorted(reachable.complete_sums)
        absent = [r for r in raws if int(r) not in scoring.table]
        if absent:
            check.add(
                where,
                f"the conversion table has no score for raw sum(s) {', '.join(fmt(r) for r in absent[:8])}",
                f"add {fmt(absent[0])} = ... (every raw sum from {fmt(raws[0])} to {fmt(raws[-1])} needs a score)",
            )
            return
    reached = sorted(reachable.scores)
    if not reached:  # only when the missing-data rule was impossible, which is reported already
        return
    low, high = float(reached[0]), float(reached[-1])
    if abs(low - scoring.low) > 1e-6 or abs(high - scoring.high) > 1e-6:
        check.add(
            where,
            f"'range' {fmt(scoring.low)}-{fmt(scoring.high)} does not match the scores these items give "
            f"({fmt(low)}-{fmt(high)})",
            f"check the item coding and the method, or write range = [{fmt(low)}, {fmt(high)}]",
        )
    if not scoring.bands:
        return
    for band in scoring.bands:
        if band.low < scoring.low - 1e-9 or band.high > scoring.high + 1e-9:
            check.add(
                where,
                f"band '{band.id}' ({fmt(band.low)}-{fmt(band.high)}) leaves the range",
                f"keep bands within {fmt(scoring.low)}-{fmt(scoring.high)}",
            )
            return
    gap = next((s for s in reached if scoring.band(float(s)) is None), None)
    if gap is not None:
        check.add(
            where,
            f"bands leave a gap: a score of {fmt(gap)} can be reached but falls in no band",
            "extend a band to cover it: bands must cover every reachable score, without gaps",
        )
