"""Plan and compute one run from the kept sums: which waves to publish, their rows, and the stored
cells their trends and benchmarks depend on; then compare (trends, pools) into what save writes.

All reads happen in one snapshot (a read transaction); a wave that a `--full` batch already
computed from an earlier one (prefetch.py) is taken only where this snapshot shows the same state.
Only what changed is read: the sums of the waves to publish, the free texts of their new
respondents (all of them after a rebuild), the stored cells next to them (trends) and the peers'
means of the benchmark pools; never every answer, never every stored cell.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlite_utils import Database

from pipeline import compute, digests, kept_sums, pools, publish, read, save
from pipeline.derive import moved_trends, previous_waves
from pipeline.model import CampaignInfo, CampaignResult, CampaignSummary, IndicatorValue
from pipeline.prefetch import Prefetch
from pipeline.read import Questionnaires
from pipeline.wave_results import Texts, compute_waves
from survey_app.core.config import Settings
from survey_app.domain.enterprises import UnknownEnterprise
from survey_app.questionnaire.model import Framework


@dataclass
class Work:
    """What the snapshot gave: results of the published waves and the stored cells around them."""

    recomputed_ids: set[int]  # every wave computed in this run
    todo_ids: set[int]  # the waves whose rows are rewritten (all of them but unchanged ones in `--all`)
    results: list[CampaignResult]
    state: dict[int, tuple[int, int]]
    published: dict[int, publish.Published]
    previous: dict[int, int]
    texts: dict[int, Texts]
    summaries: list[CampaignSummary]
    retrend_ids: set[int]
    neighbours: list[IndicatorValue]
    pool_waves: tuple[dict[int, int], dict[int, int]]  # pools.pool_campaigns: peer waves, compared waves
    cells: list[pools.Cell]
    signatures: dict[str, str]
    waves: dict[int, pools.Wave]
    counts: dict[str, int]


def in_scope(db: Database, campaigns: list[CampaignInfo], enterprise: str | None) -> list[CampaignInfo]:
    if not enterprise:
        return campaigns
    row = db.execute("SELECT id FROM enterprise WHERE slug = ?", [enterprise]).fetchone()
    chosen = [c for c in campaigns if row is not None and c.enterprise_id == row[0]]
    if not chosen:
        raise UnknownEnterprise(f"no campaign for an enterprise with slug {enterprise!r}")
    return chosen


def read_and_compute(
    db: Database,
    settings: Settings,
    now: datetime,
    request,
    campaigns: list[CampaignInfo],
    framework: Framework,
    questionnaires: Questionnaires,
    watermark: int,
    prefetched: Prefetch | None = None,
) -> Work:
    """Choose the waves to publish and compute them, inside one read snapshot (what `prefetched` did
    while the batch waited is taken from it where it is the same: prefetch.py)."""
    min_group = settings.privacy.min_group_size
    everything = request.full or request.everything
    db.conn.execute("BEGIN")  # one consistent snapshot for every read below
    try:
        state, published = kept_sums.campaign_state(db), publish.load_published(db)
        previous = previous_waves(campaigns)
        todo, held = [], 0
        for c in in_scope(db, campaigns, request.enterprise):
            st, p = state.get(c.id, (0, 0)), published.get(c.id)
            if publish.due(c, st, p, min_group, everything):
                if publish.held(c, st[0], p, min_group):
                    held += 1
                else:
                    todo.append(c)
        results, texts = compute_waves(
            db, todo, state, published, framework, questionnaires, min_group, watermark, prefetched
        )
        if everything:  # every wave recomputed; only what moved is rewritten
            if request.full:  # every wave read its texts again: those equal to the stored ones stay
                results = digests.keep_equal_testimonies(db, results)
            same = digests.unchanged_campaigns(db, results)
            results = [r for r in results if r.campaign_id not in same]
            everything = request.full  # `--full` refreshes every trend; `--all` follows the changed waves
        todo_ids = {r.campaign_id for r in results}
        summaries = _changed_summaries(db, campaigns, state)
        retrend_ids = _to_retrend(campaigns, todo_ids, published, previous, everything)
        needed = (retrend_ids | {previous[c] for c in retrend_ids if c in previous}) - todo_ids
        neighbours = save.load_values(db, sorted(needed))
        pool_waves = pools.pool_campaigns(campaigns, now)
        cells = pools.load_cells(db, sorted(pool_waves[0].keys() - todo_ids))
        signatures, waves = pools.stored_signatures(db), pools.stored_waves(db)
    finally:
        db.conn.execute("COMMIT")
    counts = {
        "campaigns": len(campaigns),
        "recomputed": len(todo),
        "held": held,
        "responses": sum(n for n, _ in state.values()),
    }
    return Work(
        {c.id for c in todo}, todo_ids, results, state, published, previous, texts, summaries, retrend_ids,
        neighbours, pool_waves, cells, signatures, waves, counts,
    )  # fmt: skip


def _changed_summaries(
    db: Database, campaigns: list[CampaignInfo], state: dict[int, tuple[int, int]]
) -> list[CampaignSummary]:
    invited, stored = read.invitation_counts(db), save.stored_summaries(db)
    out = []
    for c in campaigns:
        summary = compute.compute_summary(c, state.get(c.id, (0, 0))[0], invited.get(c.id, 0))
        if stored.get(c.id) != (summary.submitted, summary.invited, summary.expected, summary.response_rate):
            out.append(summary)
    return out


def _to_retrend(
    campaigns: list[CampaignInfo],
    todo_ids: set[int],
    published: dict[int, publish.Published],
    previous: dict[int, int],
    everything: bool,
) -> set[int]:
    """Waves whose trend may move: recomputed ones, the waves after them, and re-ordered series."""
    if everything:
        return {c.id for c in campaigns if c.id in todo_ids or c.id in published}
    out = set(todo_ids)
    for c in campaigns:
        p = published.get(c.id)
        if p is not None and (previous.get(c.id) in todo_ids or p.previous_id != previous.get(c.id)):
            out.add(c.id)
    return out


def compare(
    db: Database,
    settings: Settings,
    request,
    campaigns: list[CampaignInfo],
    work: Work,
) -> save.Changes:
    """Trends and benchmarks of what was recomputed, and of the stored cells that depend on it."""
    fresh = [v for r in work.results for v in r.values]
    index = {(v.campaign_id, v.kind, v.key): v for v in [*work.neighbours, *fresh]}
    fresh_trends = moved_trends(fresh, index, work.previous)
    trends = moved_trends([v for v in work.neighbours if v.campaign_id in work.retrend_ids], index, work.previous)
    refreshed = pools.refresh(
        campaigns,
        work.pool_waves,
        settings.privacy.min_peers,
        fresh,
        work.cells,
        work.signatures,
        work.waves,
        force=request.full,
    )
    min_group = settings.privacy.min_group_size
    by_id = {c.id: c for c in campaigns}
    published_rows = []
    for cid in sorted(work.recomputed_ids):
        respondents, generation = work.state.get(cid, (0, 0))
        t = work.texts[cid]
        closed, previous = by_id[cid].closed, work.previous.get(cid)
        row = (cid, generation, respondents, closed, min_group, previous, t.mode != "none", t.watermark, t.rebuilds)
        if cid in work.todo_ids or _published_row(work.published.get(cid), cid) != row:
            published_rows.append(row)
    moved = [
        (work.previous.get(cid), cid)
        for cid, p in work.published.items()
        if cid not in work.recomputed_ids and cid in by_id and p.previous_id != work.previous.get(cid)
    ]
    return save.Changes(
        results=work.results,
        fresh=fresh,
        fresh_trends=fresh_trends,
        trends=trends,
        summaries=work.summaries,
        published=published_rows,
        previous=moved,
        pools=refreshed,
        added_texts={cid for cid, t in work.texts.items() if t.mode == "add"},
    )


def _published_row(p: publish.Published | None, campaign_id: int) -> tuple | None:
    if p is None:
        return None
    return (
        campaign_id, p.generation, p.respondents, p.closed, p.min_group, p.previous_id, p.texts, p.texts_watermark,
        p.rebuilds,
    )  # fmt: skip
