"""Benchmark pools: recompute only the pools whose members changed (a signature per pool).

A pool is (sector group, stakeholder group, kind, key). Its inputs are the peer values (each
consenting enterprise's latest closed wave of the last 24 months) and the waves it is compared
with (every enterprise's latest closed wave); its signature hashes them with `min_peers`. When the
signature is the one stored in `benchmark_pool`, every stored benchmark of the pool is still right
and is left as it is; otherwise the pool's cells are recomputed and only those that moved are
written. Recomputed waves always get their benchmark fields (their rows are new).
Stored cells travel as light tuples (`Cell`), not full rows: there are tens of thousands of them.
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import lru_cache

from sqlite_utils import Database

from pipeline.compute import rounded
from pipeline.derive import BENCHMARKED_KINDS, Peers, latest_closed_waves
from pipeline.model import CampaignInfo, IndicatorValue

BENCH_COLUMNS = ("bench_peers", "bench_median", "bench_q1", "bench_q3", "bench_percentile")
NO_FIELDS = (None,) * len(BENCH_COLUMNS)
Key = tuple[int, str, str]  # (campaign id, kind, key) of a cell
PoolKey = tuple[str, str, str, str]


@dataclass(frozen=True, slots=True)
class Cell:
    """What a benchmark needs of a stored, shown cell: its place, its mean and its stored fields."""

    campaign_id: int
    enterprise_id: int
    kind: str
    key: str
    mean: float
    bench: tuple


@dataclass
class Refreshed:
    fresh: dict[Key, IndicatorValue]  # recomputed cells with their benchmark fields
    updates: list[tuple]  # (bench fields..., campaign id, kind, key) of stored cells that moved
    signatures: dict[str, str]
    pools_recomputed: int = 0
    stale: list[Key] = field(default_factory=list)


def load_cells(db: Database, campaign_ids: Iterable[int]) -> list[Cell]:
    """Shown indicator and dimension cells of the given (not recomputed) campaigns."""
    db.execute("CREATE TEMP TABLE IF NOT EXISTS pipeline_pool_campaign (campaign_id INTEGER PRIMARY KEY)")
    db.execute("DELETE FROM temp.pipeline_pool_campaign")
    db.conn.executemany("INSERT INTO temp.pipeline_pool_campaign VALUES (?)", [(c,) for c in campaign_ids])
    rows = db.execute(
        f"SELECT campaign_id, enterprise_id, kind, key, mean, {', '.join(BENCH_COLUMNS)} FROM indicator_value "
        "WHERE campaign_id IN (SELECT campaign_id FROM temp.pipeline_pool_campaign) "
        "AND kind IN ('indicator', 'dimension') AND suppressed = 0"
    )
    return [Cell(r[0], r[1], r[2], r[3], r[4], tuple(r[5:])) for r in rows]


def benchmarked_cells(db: Database) -> set[Key]:
    """Stored cells that carry benchmark fields (to clear those no longer compared)."""
    rows = db.execute("SELECT campaign_id, kind, key FROM indicator_value WHERE bench_peers IS NOT NULL")
    return {(r[0], r[1], r[2]) for r in rows}


def stored_signatures(db: Database) -> dict[str, str]:
    return dict(db.execute("SELECT pool, signature FROM benchmark_pool").fetchall())


def pool_campaigns(campaigns: list[CampaignInfo], now: datetime) -> tuple[dict[int, int], dict[int, int]]:
    """(peer waves, compared waves): campaign id -> enterprise id."""
    return latest_closed_waves(campaigns, now, True), latest_closed_waves(campaigns, now, False)


def _name(pool: PoolKey) -> str:
    return "|".join(pool)


def refresh(
    campaigns: list[CampaignInfo],
    now: datetime,
    min_peers: int,
    fresh: list[IndicatorValue],
    stored: list[Cell],
    benchmarked: set[Key],
    signatures: dict[str, str],
    force: bool,
) -> Refreshed:
    """Benchmark fields of the recomputed cells, and of the stored cells of pools that changed."""
    where = {c.id: (c.sector_group, c.stakeholder_group) for c in campaigns}
    contributors, compared = pool_campaigns(campaigns, now)
    members: dict[PoolKey, list[tuple[int, float]]] = {}
    targets: dict[PoolKey, list[Cell | IndicatorValue]] = {}
    shown_fresh = [v for v in fresh if v.kind in BENCHMARKED_KINDS and not v.suppressed]
    everyone: list[Cell | IndicatorValue] = [*stored, *shown_fresh]
    for cell in everyone:
        mean = cell.mean if isinstance(cell, Cell) else cell.measured()[1]
        sector, group = where[cell.campaign_id]
        pool = (sector, group, cell.kind, cell.key)
        if cell.campaign_id in contributors:
            members.setdefault(pool, []).append((cell.enterprise_id, mean))
        if cell.campaign_id in compared:
            targets.setdefault(pool, []).append(cell)
    out = Refreshed({}, [], {})
    for pool in sorted(set(members) | set(targets)):
        peers = sorted(members.get(pool, []))
        cells = targets.get(pool, [])
        signature = _signature(min_peers, peers, cells)
        out.signatures[_name(pool)] = signature
        changed = force or signatures.get(_name(pool)) != signature
        out.pools_recomputed += changed
        means = sorted(m for _, m in peers)
        own = dict(peers)
        cache: dict[int | None, tuple] = {}
        for cell in cells:
            if isinstance(cell, Cell) and not changed:
                continue
            mean = cell.mean if isinstance(cell, Cell) else cell.measured()[1]
            skip = bisect_left(means, own[cell.enterprise_id]) if cell.enterprise_id in own else None
            values = pool_fields(means, skip, mean, min_peers, cache)
            if isinstance(cell, Cell):
                if values != cell.bench:
                    out.updates.append((*values, cell.campaign_id, cell.kind, cell.key))
            else:
                out.fresh[(cell.campaign_id, cell.kind, cell.key)] = replace(cell, **dict(zip(BENCH_COLUMNS, values)))
    stored_keys = {(c.campaign_id, c.kind, c.key) for c in stored if c.campaign_id in compared}
    fresh_ids = {v.campaign_id for v in fresh}
    out.stale = sorted(k for k in benchmarked - stored_keys if k[0] not in fresh_ids)
    out.updates.extend((*NO_FIELDS, *key) for key in out.stale)
    return out


def pool_fields(
    means: list[float], skip: int | None, mean: float, min_peers: int, cache: dict[int | None, tuple]
) -> tuple:
    """derive.benchmark_fields (same arithmetic) for one cell of a pool, cheaply for many cells.

    Without the value at `skip`, each quantile reads two order statistics, shifted by one or not:
    the three quantiles depend only on where `skip` falls among those positions, so they are
    computed once per pool and case; the percentile rank takes two bisections.
    """
    n = len(means) - (skip is not None)
    if n < min_peers:
        return (n, None, None, None, None)
    case = None if skip is None else bisect_right(_thresholds(n), skip)
    quantiles = cache.get(case)
    if quantiles is None:
        peers = Peers(means, skip)
        quantiles = cache[case] = (
            rounded(peers.quantile(0.5)),
            rounded(peers.quantile(0.25)),
            rounded(peers.quantile(0.75)),
        )
    below = bisect_left(means, mean)
    ties = bisect_right(means, mean) - below
    if skip is not None:
        own = means[skip]
        below -= own < mean
        ties -= own == mean
    return (n, *quantiles, rounded((below + 0.5 * ties) / n * 100.0))


@lru_cache(maxsize=1024)
def _thresholds(n: int) -> tuple[int, ...]:
    """Skipped positions from which an order statistic read by a quantile shifts by one (skip > index)."""
    points = set()
    for q in (0.5, 0.25, 0.75):
        below = math.floor((n - 1) * q)
        points |= {below + 1, min(below + 1, n - 1) + 1}
    return tuple(sorted(points))


def _signature(min_peers: int, peers: list[tuple[int, float]], cells: list[Cell | IndicatorValue]) -> str:
    """A 64-bit hash of the pool's inputs (numbers only, so Python's hash is the same in every process)."""
    compared = sorted(
        (c.campaign_id, c.enterprise_id, c.mean if isinstance(c, Cell) else c.measured()[1]) for c in cells
    )
    return format(hash((min_peers, tuple(peers), tuple(compared))) & 0xFFFFFFFFFFFFFFFF, "016x")
