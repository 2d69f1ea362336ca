"""Benchmark pools: each pool's peers, rewritten only where they changed (a signature per pool).

A pool is (sector group, stakeholder group, kind, key). Its peers are the shown indicator and
dimension cells of each consenting enterprise's latest closed wave of the last 24 months; every
enterprise's latest closed wave is compared with it. A run saves only what the benchmark fields
follow from (survey_app/domain/benchmarks.py works them out when a cell is read):
- per pool, its peers (enterprise id, mean) and their signature, in `benchmark_pool`: a pool whose
  signature is the stored one is left as it is, a pool left without peers is deleted;
- per compared wave, the sector group it is compared in and the run's `privacy.min_peers`, in
  `benchmark_wave`: only rows that are new or moved are written.
So when one peer's wave moves, its pools get one row each; its 30,000 fellow cells are not touched.
Stored cells travel as the plain tuples SQLite returns (`Cell`): tens of thousands go through here.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from itertools import chain

from sqlite_utils import Database

from pipeline.derive import latest_closed_waves
from pipeline.model import CampaignInfo, IndicatorValue
from pipeline.read import temp_ids
from survey_app.domain.benchmarks import BENCHMARKED_KINDS, Peer, peers_text, pool_name

Cell = tuple[int, int, str, str, float]  # a shown peer cell: campaign id, enterprise id, kind, key, mean
Wave = tuple[str, int]  # a compared wave's sector group and min_peers


@dataclass
class Refreshed:
    """What a run writes of the pools: rows to store, pools and waves to delete."""

    pools: list[tuple[str, str, str]] = field(default_factory=list)  # (pool, signature, peers) that moved
    gone: list[str] = field(default_factory=list)  # pools left without peers
    waves: list[tuple[int, str, int]] = field(default_factory=list)  # (campaign id, sector, min_peers) that moved
    dropped: list[int] = field(default_factory=list)  # waves no longer compared


def load_cells(db: Database, campaign_ids: Iterable[int]) -> list[Cell]:
    """Shown indicator and dimension cells of the given (peer, not recomputed) waves, in no order."""
    temp_ids(db, "pipeline_pool_campaign", campaign_ids)
    return db.conn.execute(
        "SELECT campaign_id, enterprise_id, kind, key, mean FROM indicator_value "
        "WHERE campaign_id IN (SELECT campaign_id FROM temp.pipeline_pool_campaign) "
        "AND kind IN ('indicator', 'dimension') AND suppressed = 0"
    ).fetchall()


def stored_signatures(db: Database) -> dict[str, str]:
    return dict(db.execute("SELECT pool, signature FROM benchmark_pool").fetchall())


def stored_waves(db: Database) -> dict[int, Wave]:
    return {r[0]: (r[1], r[2]) for r in db.execute("SELECT campaign_id, sector_group, min_peers FROM benchmark_wave")}


def pool_campaigns(campaigns: list[CampaignInfo], now: datetime) -> tuple[dict[int, int], dict[int, int]]:
    """(peer waves, compared waves): campaign id -> enterprise id."""
    return latest_closed_waves(campaigns, now, True), latest_closed_waves(campaigns, now, False)


def refresh(
    campaigns: list[CampaignInfo],
    pool_waves: tuple[dict[int, int], dict[int, int]],
    min_peers: int,
    fresh: list[IndicatorValue],
    stored: list[Cell],
    signatures: dict[str, str],
    waves: dict[int, Wave],
    force: bool,
) -> Refreshed:
    """The pools whose peers changed (all of them if `force`) and the compared waves that moved.

    `pool_waves`: `pool_campaigns` of this run; `fresh`: the cells computed in this run; `stored`:
    the shown cells of the other peer waves.
    """
    contributors, compared = pool_waves
    by_id = {c.id: c for c in campaigns}
    place = {cid: (by_id[cid].sector_group, by_id[cid].stakeholder_group) for cid in contributors}
    shown = ((v.campaign_id, v.enterprise_id, v.kind, v.key, v.mean) for v in fresh if not v.suppressed)
    members: defaultdict[tuple[str, str, str, str], list[Peer]] = defaultdict(list)  # named once per pool below
    for campaign_id, enterprise_id, kind, key, mean in chain(stored, shown):
        where = place.get(campaign_id)
        if where is not None and kind in BENCHMARKED_KINDS and mean is not None:
            members[(*where, kind, key)].append((enterprise_id, mean))
    named = {pool_name(*parts): peers for parts, peers in members.items()}
    out = Refreshed()
    for pool in sorted(named):
        text = peers_text(named[pool])
        signature = hashlib.blake2b(text.encode(), digest_size=16).hexdigest()
        if force or signatures.get(pool) != signature:
            out.pools.append((pool, signature, text))
    out.gone = sorted(signatures.keys() - named.keys())
    for campaign_id in sorted(compared):
        wave = (by_id[campaign_id].sector_group, min_peers)
        if force or waves.get(campaign_id) != wave:
            out.waves.append((campaign_id, *wave))
    out.dropped = sorted(waves.keys() - compared.keys())
    return out


def save_pools(db: Database, refreshed: Refreshed) -> None:
    """Write the moved pools and waves (inside the run's write transaction)."""
    db.conn.executemany(
        "INSERT OR REPLACE INTO benchmark_pool (pool, signature, peers) VALUES (?, ?, ?)", refreshed.pools
    )
    db.conn.executemany("DELETE FROM benchmark_pool WHERE pool = ?", [(p,) for p in refreshed.gone])
    db.conn.executemany(
        "INSERT OR REPLACE INTO benchmark_wave (campaign_id, sector_group, min_peers) VALUES (?, ?, ?)", refreshed.waves
    )
    db.conn.executemany("DELETE FROM benchmark_wave WHERE campaign_id = ?", [(c,) for c in refreshed.dropped])
