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
from pipeline.stats import welch_ps
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


def _trend_or_pair(
    value: IndicatorValue, before: IndicatorValue | None, previous_id: int | None
) -> tuple[Trend, tuple | None]:
    """The trend fields of a cell, or its previous id and delta with the six numbers of the Welch test
    its p-value and flag still need (moved_trends computes those together)."""
    if value.suppressed or previous_id is None:
        return NO_TREND, None
    if before is None or before.suppressed:
        return (previous_id, None, None, None), None
    (n_before, mean_before), (n, mean) = before.measured(), value.measured()
    delta = rounded(mean - mean_before)
    if value.sd is None or before.sd is None:
        return (previous_id, delta, None, None), None
    return (previous_id, delta, None, None), (n_before, mean_before, before.sd, n, mean, value.sd)


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
    trend moved (the others keep theirs); Welch's p-values all at once (stats.welch_ps). Tuples, not
    new IndicatorValues: building thousands of replaced dataclasses was a good part of the compare step."""
    out: dict[Key, Trend] = {}
    waiting: list[tuple[IndicatorValue, Trend]] = []  # cells whose p-value is worked out below
    pairs = []
    for v in values:
        prev_id = previous.get(v.campaign_id)
        trend, pair = _trend_or_pair(v, index.get((prev_id, v.kind, v.key)) if prev_id else None, prev_id)
        if pair is None:
            _keep_if_moved(out, v, trend)
        else:
            waiting.append((v, trend))
            pairs.append(pair)
    for (v, (prev_id, delta, _, _)), p in zip(waiting, welch_ps(pairs)):  # Welch's test: delta and spreads
        _keep_if_moved(out, v, (prev_id, delta, rounded(p), None if p is None else p < SIGNIFICANCE))
    return out


def _keep_if_moved(out: dict[Key, Trend], v: IndicatorValue, trend: Trend) -> None:
    if trend != (v.previous_campaign_id, v.delta, v.delta_p, v.delta_significant):
        out[(v.campaign_id, v.kind, v.key)] = trend
