"""Peer benchmarks: the rule, and the benchmark fields of stored cells, worked out when they are read.

A pool is (sector group, stakeholder group, kind, key). Its peers are each consenting enterprise's
latest closed wave of the last 24 months; every enterprise's latest closed wave is compared with
it. A run saves, per pool, the peers' enterprise ids and means (`benchmark_pool`), and per
compared wave the sector group it was compared in and the run's `privacy.min_peers`
(`benchmark_wave`). A cell's benchmark fields (BENCH_COLUMNS: how many peers, their median and
quartiles, the cell's percentile rank among them, its own enterprise always left out) follow from
those when the cell is read (`with_benchmarks`). So when one peer's wave moves, a run rewrites one
row per pool, not the fields of every member: 27,000 of 30,500 stored cells moved in a weekly run
at 1,000 enterprises (docs/performance.md). Only shown cells take part, so a suppressed figure
cannot leak through a comparison, and below `min_peers` peers only their number is given.
"""

from __future__ import annotations

import json
import math
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypedDict

from sqlite_utils import Database

from survey_app.core.rounding import rounded

BENCHMARKED_KINDS = ("indicator", "dimension")
BENCH_COLUMNS = ("bench_peers", "bench_median", "bench_q1", "bench_q3", "bench_percentile")
Fields = tuple[int | None, float | None, float | None, float | None, float | None]  # BENCH_COLUMNS order
NO_FIELDS: Fields = (None, None, None, None, None)  # a cell that is not compared
Peer = tuple[int, float]  # enterprise id, mean


class FieldsByName(TypedDict, total=False):
    """The benchmark fields by name (the plain rule; `pool_benchmarks` is the fast one)."""

    bench_peers: int | None
    bench_median: float | None
    bench_q1: float | None
    bench_q3: float | None
    bench_percentile: float | None


def pool_name(sector_group: str, stakeholder_group: str, kind: str, key: str) -> str:
    return "|".join((sector_group, stakeholder_group, kind, key))


def peers_text(peers: Iterable[Peer]) -> str:
    """A pool's peers as stored: JSON pairs in enterprise order (a float's repr reads back exactly)."""
    return json.dumps(sorted(peers), separators=(",", ":"))


@dataclass(frozen=True)
class Peers:
    """A pool's sorted values seen without the enterprise's own one (at `skip`), with no copy made."""

    values: list[float]
    skip: int | None

    def __len__(self) -> int:
        return len(self.values) - (self.skip is not None)

    def at(self, index: int) -> float:
        return self.values[index + 1 if self.skip is not None and index >= self.skip else index]

    def quantile(self, q: float) -> float:
        """Same rule as pipeline.stats.quantile (linear between order statistics, R type 7)."""
        position = (len(self) - 1) * q
        below = math.floor(position)
        above = min(below + 1, len(self) - 1)
        return self.at(below) + (self.at(above) - self.at(below)) * (position - below)

    def percentile_rank(self, value: float) -> float:
        """Same rule as pipeline.stats.percentile_rank (ties count half), without the skipped value."""
        below = bisect_left(self.values, value)
        ties = bisect_right(self.values, value) - below
        if self.skip is not None:
            own = self.values[self.skip]
            below -= own < value
            ties -= own == value
        return (below + 0.5 * ties) / len(self) * 100.0


def benchmark_fields(peers: Peers, mean: float, min_peers: int) -> FieldsByName:
    """Median, quartiles and percentile rank of `mean` among the peer values (the enterprise left out)."""
    fields = FieldsByName(
        bench_peers=len(peers), bench_median=None, bench_q1=None, bench_q3=None, bench_percentile=None
    )
    if len(peers) >= min_peers:
        fields["bench_median"] = rounded(peers.quantile(0.5))
        fields["bench_q1"] = rounded(peers.quantile(0.25))
        fields["bench_q3"] = rounded(peers.quantile(0.75))
        fields["bench_percentile"] = rounded(peers.percentile_rank(mean))
    return fields


def pool_benchmarks(peers: Iterable[Peer], min_peers: int) -> Callable[[int, float], Fields]:
    """`benchmark_fields` (same arithmetic) for any cell of one pool: (enterprise id, mean) -> fields.

    Without the enterprise's own value (at `skip`), each quantile reads two order statistics,
    shifted by one or not: the three quantiles depend only on where `skip` falls among those
    positions, so they are computed once per pool and case; the percentile rank takes two bisections.
    """
    own = dict(peers)
    means = sorted(own.values())
    size = len(means)
    thresholds = _thresholds(size - 1) if size > 1 else ()
    cache: dict[int | None, tuple[float | None, float | None, float | None]] = {}

    def fields_of(enterprise_id: int, mean: float) -> Fields:
        mine = own.get(enterprise_id)
        n = size if mine is None else size - 1
        if n < min_peers:
            return (n, None, None, None, None)
        below = bisect_left(means, mean)
        ties = bisect_right(means, mean, below) - below
        if mine is None:
            skip = case = None
        else:
            skip = bisect_left(means, mine)
            case = bisect_right(thresholds, skip)
            below -= mine < mean
            ties -= mine == mean
        quantiles = cache.get(case)
        if quantiles is None:
            without = Peers(means, skip)
            quantiles = cache[case] = (
                rounded(without.quantile(0.5)),
                rounded(without.quantile(0.25)),
                rounded(without.quantile(0.75)),
            )
        return (n, *quantiles, rounded((below + 0.5 * ties) / n * 100.0))

    return fields_of


def _thresholds(n: int) -> tuple[int, ...]:
    """Skipped positions from which an order statistic read by a quantile shifts by one (skip > index)."""
    points = set()
    for q in (0.5, 0.25, 0.75):
        below = math.floor((n - 1) * q)
        points |= {below + 1, min(below + 1, n - 1) + 1}
    return tuple(sorted(points))


def with_benchmarks(db: Database, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Give stored `indicator_value` rows their benchmark fields (BENCH_COLUMNS), from the pools the
    last run saved; rows of waves it did not compare get None in each. Changes the rows in place."""
    waves = {
        r[0]: (r[1], r[2])
        for r in db.execute(
            "SELECT campaign_id, sector_group, min_peers FROM benchmark_wave "
            "WHERE campaign_id IN (SELECT value FROM json_each(?))",
            [json.dumps(sorted({row["campaign_id"] for row in rows}))],
        )
    }
    compared = [
        (row, pool_name(waves[row["campaign_id"]][0], row["stakeholder_group"], row["kind"], row["key"]))
        for row in rows
        if row["campaign_id"] in waves
        and row["kind"] in BENCHMARKED_KINDS
        and not row["suppressed"]
        and row["mean"] is not None
    ]
    stored = dict(
        db.execute(
            "SELECT pool, peers FROM benchmark_pool WHERE pool IN (SELECT value FROM json_each(?))",
            [json.dumps(sorted({name for _, name in compared}))],
        ).fetchall()
    )
    for row in rows:
        row.update(zip(BENCH_COLUMNS, NO_FIELDS, strict=True))
    rules: dict[tuple[str, int], Callable[[int, float], Fields]] = {}
    for row, name in compared:
        rule = (name, waves[row["campaign_id"]][1])
        if rule not in rules:
            rules[rule] = pool_benchmarks(((e, m) for e, m in json.loads(stored.get(name, "[]"))), rule[1])
        row.update(zip(BENCH_COLUMNS, rules[rule](row["enterprise_id"], row["mean"]), strict=True))
    return rows
