"""Figures that compare cells: trends against the previous wave, and which waves are benchmarked.

A trend is recomputed where a wave or its previous wave was recomputed (or where the previous
wave changed); the benchmark rule itself is survey_app/domain/benchmarks.py, and the pools a run
rewrites are chosen in `pools.py` (a signature per pool). Only non-suppressed values take part, so
a suppressed figure cannot leak through a comparison.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from pipeline.compute import rounded
from pipeline.model import CampaignInfo, IndicatorValue
from pipeline.stats import welch_p
from survey_app.core.timeutil import iso_utc

SIGNIFICANCE = 0.05
Key = tuple[int, str, str]


Trend = tuple[int | None, float | None, float | None, bool | None]  # previous id, delta, delta_p, significant
NO_TREND: Trend = (None, None, None, None)


def previous_waves(campaigns: Iterable[CampaignInfo]) -> dict[int, int]:
    """campaign id -> id of the same enterprise's and group's previous wave, ordered by closing date."""
    series: dict[tuple[int, str], list[CampaignInfo]] = {}
    for c in campaigns:
        series.setdefault((c.enterprise_id, c.stakeholder_group), []).append(c)
    previous = {}
    for waves in series.values():
        waves.sort(key=lambda c: (c.closes_at, c.id))
        previous.update({later.id: earlier.id for earlier, later in zip(waves, waves[1:])})
    return previous


def trend_fields(value: IndicatorValue, before: IndicatorValue | None, previous_id: int | None) -> Trend:
    """Delta to the previous wave and, when both spreads are known, Welch's p-value and flag."""
    if value.suppressed or previous_id is None:
        return NO_TREND
    if before is None or before.suppressed:
        return (previous_id, None, None, None)
    (n_before, mean_before), (n, mean) = before.measured(), value.measured()
    delta = rounded(mean - mean_before)
    if value.sd is None or before.sd is None:
        return (previous_id, delta, None, None)
    p = welch_p(n_before, mean_before, before.sd, n, mean, value.sd)
    return (previous_id, delta, rounded(p), None if p is None else p < SIGNIFICANCE)


def months_before(moment: datetime, months: int) -> datetime:
    """The same day `months` earlier (clamped to the month's last day), for the 24-month window."""
    year, month = divmod(moment.year * 12 + moment.month - 1 - months, 12)
    day = moment.day
    while True:
        try:
            return moment.replace(year=year, month=month + 1, day=day)
        except ValueError:
            day -= 1


def latest_closed_waves(
    campaigns: Iterable[CampaignInfo], now: datetime, consenting_only: bool, months: int = 24
) -> dict[int, int]:
    """Each enterprise's and group's latest wave closed within the window: campaign id -> enterprise.

    With `consenting_only`, these are the peer values; without, the waves that carry benchmarks.
    """
    start = iso_utc(months_before(now, months))
    latest: dict[tuple[int, str], CampaignInfo] = {}
    for c in campaigns:
        if (c.benchmark_consent or not consenting_only) and c.closed and c.closes_at >= start:
            key = (c.enterprise_id, c.stakeholder_group)
            if key not in latest or (c.closes_at, c.id) > (latest[key].closes_at, latest[key].id):
                latest[key] = c
    return {c.id: c.enterprise_id for c in latest.values()}


def moved_trends(
    values: Iterable[IndicatorValue], index: dict[Key, IndicatorValue], previous: dict[int, int]
) -> dict[Key, Trend]:
    """The trend fields, recomputed against the previous wave's cells in `index`, of the values whose
    trend moved (the others keep theirs). Tuples, not new IndicatorValues: building thousands of
    replaced dataclasses was a good part of the compare step."""
    out = {}
    for v in values:
        prev_id = previous.get(v.campaign_id)
        trend = trend_fields(v, index.get((prev_id, v.kind, v.key)) if prev_id else None, prev_id)
        if trend != (v.previous_campaign_id, v.delta, v.delta_p, v.delta_significant):
            out[(v.campaign_id, v.kind, v.key)] = trend
    return out
