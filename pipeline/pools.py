"""Benchmark pools: recompute only the pools whose members changed (a signature per pool).

A pool is (sector group, stakeholder group, kind, key). Its inputs are the peer values (each
consenting enterprise's latest closed wave of the last 24 months) and the waves it is compared
with (every enterprise's latest closed wave); its signature hashes them with `min_peers`. When the
signature is the one stored in `benchmark_pool`, every stored benchmark of the pool is still right
and is left as it is; otherwise the pool's cells are recomputed and only those that moved are
written. Recomputed waves always get their benchmark fields (their rows are new).
Stored cells travel as the plain tuples SQLite returns (`Cell`), recomputed ones as `Shown` tuples:
tens of thousands of them go through here, and an object per cell was most of the compare step.
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from itertools import chain
from operator import itemgetter
from typing import TypeVar

from sqlite_utils import Database

from pipeline.compute import rounded
from pipeline.derive import BENCHMARKED_KINDS, Peers, latest_closed_waves
from pipeline.model import CampaignInfo, IndicatorValue
from pipeline.read import temp_ids

BENCH_COLUMNS = ("bench_peers", "bench_median", "bench_q1", "bench_q3", "bench_percentile")
NO_FIELDS = (None,) * len(BENCH_COLUMNS)
Key = tuple[int, str, str]  # (campaign id, kind, key) of a cell
PoolKey = tuple[str, str, str, str]
Fields = tuple[int, float | None, float | None, float | None, float | None]  # BENCH_COLUMNS order
# A stored, shown cell: campaign id, enterprise id, kind, key, mean, then its stored BENCH_COLUMNS.
Cell = tuple[int, int, str, str, float, int | None, float | None, float | None, float | None, float | None]
Shown = tuple[int, int, str, str, float]  # a recomputed, shown cell: the first five fields of a Cell
C = TypeVar("C", Cell, Shown)
_COMPARED = itemgetter(0, 1, 4)  # what a pool's signature holds of each compared cell


@dataclass
class Refreshed:
    fresh: dict[Key, Fields]  # benchmark fields of the recomputed cells that are compared
    updates: list[tuple]  # (bench fields..., campaign id, kind, key) of stored cells that moved
    signatures: dict[str, str]
    pools_recomputed: int = 0
    stale: list[Key] = field(default_factory=list)


def load_cells(db: Database, campaign_ids: Iterable[int]) -> list[Cell]:
    """Shown indicator and dimension cells of the given (not recomputed) campaigns (in no order:
    sorting them cost a fifth of the read; `save.update_benchmarks` sorts what it writes)."""
    temp_ids(db, "pipeline_pool_campaign", campaign_ids)
    return db.conn.execute(
        f"SELECT campaign_id, enterprise_id, kind, key, mean, {', '.join(BENCH_COLUMNS)} FROM indicator_value "
        "WHERE campaign_id IN (SELECT campaign_id FROM temp.pipeline_pool_campaign) "
        "AND kind IN ('indicator', 'dimension') AND suppressed = 0"
    ).fetchall()


def stale_cells(db: Database, compared: Iterable[int], recomputed: set[int]) -> list[Key]:
    """Stored cells that carry benchmark fields but are no longer compared (their fields are cleared).

    A cell is compared when it is shown, of a benchmarked kind and of a compared wave; cells of
    recomputed waves are left out (their rows are replaced). SQLite picks them out in one scan
    (no ORDER BY: it would walk the key index instead), so the tens of thousands of benchmarked
    cells never become Python objects.
    """
    temp_ids(db, "pipeline_compared", compared)
    rows = db.conn.execute(
        "SELECT campaign_id, kind, key FROM indicator_value WHERE bench_peers IS NOT NULL "
        "AND NOT (campaign_id IN (SELECT campaign_id FROM temp.pipeline_compared) "
        "AND kind IN ('indicator', 'dimension') AND suppressed = 0)"
    )
    return sorted((r[0], r[1], r[2]) for r in rows if r[0] not in recomputed)


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
    stale: list[Key],
    signatures: dict[str, str],
    force: bool,
) -> Refreshed:
    """Benchmark fields of the recomputed cells, and of the stored cells of pools that changed."""
    contributors, compared = pool_campaigns(campaigns, now)
    place = {c.id: (c.sector_group, c.stakeholder_group, c.id in contributors, c.id in compared) for c in campaigns}
    shown: list[Shown] = [
        (v.campaign_id, v.enterprise_id, v.kind, v.key, v.measured()[1])
        for v in fresh
        if v.kind in BENCHMARKED_KINDS and not v.suppressed
    ]
    members: defaultdict[PoolKey, list[tuple[int, float]]] = defaultdict(list)
    old, new = _group(stored, place, members), _group(shown, place, members)
    out = Refreshed({}, [], {})
    for pool in sorted(members.keys() | old.keys() | new.keys()):
        peers = sorted(members.get(pool, ()))
        stored_cells, fresh_cells = old.get(pool, []), new.get(pool, [])
        signature = _signature(min_peers, peers, chain(stored_cells, fresh_cells))
        out.signatures[_name(pool)] = signature
        changed = force or signatures.get(_name(pool)) != signature
        out.pools_recomputed += changed
        if not (changed or fresh_cells):
            continue
        fields_of = pool_benchmarks(peers, min_peers)
        for f in fresh_cells:
            out.fresh[(f[0], f[2], f[3])] = fields_of(f[1], f[4])
        if changed:
            for s in stored_cells:
                values = fields_of(s[1], s[4])
                if values != s[5:]:
                    out.updates.append((*values, s[0], s[2], s[3]))
    out.stale = stale
    out.updates.extend((*NO_FIELDS, *key) for key in stale)
    return out


def _group(
    cells: list[C],
    place: dict[int, tuple[str, str, bool, bool]],
    members: defaultdict[PoolKey, list[tuple[int, float]]],
) -> defaultdict[PoolKey, list[C]]:
    """Add the cells' peer values to `members`; return the compared cells by pool.

    `place`: campaign id -> (sector group, stakeholder group, contributes, is compared). Lists come
    from defaultdicts: `setdefault(pool, [])` made a list per cell only to throw it away.
    """
    targets: defaultdict[PoolKey, list[C]] = defaultdict(list)
    for cell in cells:
        sector, group, contributes, is_compared = place[cell[0]]
        pool: PoolKey = (sector, group, cell[2], cell[3])
        if contributes:
            members[pool].append((cell[1], cell[4]))
        if is_compared:
            targets[pool].append(cell)
    return targets


def pool_benchmarks(peers: list[tuple[int, float]], min_peers: int) -> Callable[[int, float], Fields]:
    """derive.benchmark_fields (same arithmetic) for any cell of one pool: (enterprise id, mean) -> fields.

    `peers`: the pool's (enterprise id, mean). Without the enterprise's own value (at `skip`), each
    quantile reads two order statistics, shifted by one or not: the three quantiles depend only on
    where `skip` falls among those positions, so they are computed once per pool and case; the
    percentile rank takes two bisections. This runs for each of tens of thousands of cells, hence
    the one function with everything bound to it.
    """
    means = sorted(m for _, m in peers)
    own = dict(peers)
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
            peers = Peers(means, skip)
            quantiles = cache[case] = (
                rounded(peers.quantile(0.5)),
                rounded(peers.quantile(0.25)),
                rounded(peers.quantile(0.75)),
            )
        return (n, *quantiles, rounded((below + 0.5 * ties) / n * 100.0))

    return fields_of


@lru_cache(maxsize=1024)
def _thresholds(n: int) -> tuple[int, ...]:
    """Skipped positions from which an order statistic read by a quantile shifts by one (skip > index)."""
    points = set()
    for q in (0.5, 0.25, 0.75):
        below = math.floor((n - 1) * q)
        points |= {below + 1, min(below + 1, n - 1) + 1}
    return tuple(sorted(points))


def _signature(min_peers: int, peers: list[tuple[int, float]], cells: Iterable[Cell | Shown]) -> str:
    """A 64-bit hash of the pool's inputs (numbers only, so Python's hash is the same in every process)."""
    compared = sorted(map(_COMPARED, cells))
    return format(hash((min_peers, tuple(peers), tuple(compared))) & 0xFFFFFFFFFFFFFFFF, "016x")
