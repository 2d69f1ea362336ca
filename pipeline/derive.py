"""Figures that compare cells: trends against the previous wave and the peer benchmark rules.

A trend is recomputed where a wave or its previous wave was recomputed (or where the previous
wave changed); which benchmark pools are recomputed is decided in `pools.py` (a signature per
pool). Only non-suppressed values take part, so a suppressed figure cannot leak through a comparison.
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TypedDict

from pipeline.compute import rounded
from pipeline.model import CampaignInfo, IndicatorValue
from pipeline.stats import welch_p
from survey_app.core.timeutil import iso_utc

SIGNIFICANCE = 0.05
BENCHMARKED_KINDS = ("indicator", "dimension")
Key = tuple[int, str, str]


Trend = tuple[int | None, float | None, float | None, bool | None]  # previous id, delta, delta_p, significant
NO_TREND: Trend = (None, None, None, None)


class Fields(TypedDict, total=False):
    """The benchmark fields of an IndicatorValue (the plain rule; pools.pool_fields is the fast one)."""

    bench_peers: int | None
    bench_median: float | None
    bench_q1: float | None
    bench_q3: float | None
    bench_percentile: float | None


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


@dataclass(frozen=True)
class Peers:
    """A pool's sorted values seen without the enterprise's own one (at `skip`), with no copy made.

    Copying a pool minus one value for each of 30,000 cells was most of an incremental run; here
    quantiles take two look-ups and the percentile rank two bisections of the whole pool.
    """

    values: list[float]
    skip: int | None

    def __len__(self) -> int:
        return len(self.values) - (self.skip is not None)

    def at(self, index: int) -> float:
        return self.values[index + 1 if self.skip is not None and index >= self.skip else index]

    def quantile(self, q: float) -> float:
        """Same rule as stats.quantile (linear between order statistics, R type 7)."""
        position = (len(self) - 1) * q
        below = math.floor(position)
        above = min(below + 1, len(self) - 1)
        return self.at(below) + (self.at(above) - self.at(below)) * (position - below)

    def percentile_rank(self, value: float) -> float:
        """Same rule as stats.percentile_rank (ties count half), without the skipped value."""
        below, ties = bisect_left(self.values, value), 0
        ties = bisect_right(self.values, value) - below
        if self.skip is not None:
            own = self.values[self.skip]
            below -= own < value
            ties -= own == value
        return (below + 0.5 * ties) / len(self) * 100.0


def benchmark_fields(peers: Peers, mean: float, min_peers: int) -> Fields:
    """Median, quartiles and percentile rank of `mean` among the peer values (the enterprise left out)."""
    fields = Fields(bench_peers=len(peers), bench_median=None, bench_q1=None, bench_q3=None, bench_percentile=None)
    if len(peers) >= min_peers:
        fields["bench_median"] = rounded(peers.quantile(0.5))
        fields["bench_q1"] = rounded(peers.quantile(0.25))
        fields["bench_q3"] = rounded(peers.quantile(0.75))
        fields["bench_percentile"] = rounded(peers.percentile_rank(mean))
    return fields


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
