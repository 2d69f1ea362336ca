"""One pipeline run: lease, score new responses, plan, compute from kept sums, compare, save, log.

The runner only orchestrates; every rule lives in scoring.py, compute.py, derive.py, pools.py and
publish.py. Scoring commits in small chunks (scores and sums together); reads happen in one
snapshot (plan.py), results are saved in one write transaction, and the run log records the
outcome, so a failure at any step leaves the previous results and says what happened.
"""

from __future__ import annotations

import gc
import importlib.util
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from sqlite_utils import Database

from pipeline import batch, campaign_plans, distance, lease, plan, read, runlog, save, scoring, sums
from pipeline.model import CampaignInfo
from pipeline.prefetch import Prefetch
from survey_app.core.config import Settings
from survey_app.core.timeutil import iso_utc
from survey_app.questionnaire.model import Framework

Progress = Callable[[str, dict[str, int]], None]
PROGRESS_EVERY = 500


@dataclass(frozen=True)
class RunRequest:
    """`full`: rescore every response from the raw answers; `everything`: recompute every campaign
    from the kept sums (both also refresh every trend and benchmark)."""

    trigger: str = "cli"
    full: bool = False
    enterprise: str | None = None
    charts: bool = True
    everything: bool = False


def run_pipeline(
    db: Database,
    settings: Settings,
    now: datetime,
    request: RunRequest = RunRequest(),
    progress: Progress | None = None,
    clock: Callable[[], datetime] | None = None,
    holder: str | None = None,
) -> int | None:
    """Run once if no other run holds the lease; return the run id, or None when one is running.

    A large batch starts a scoring helper process, which imports the caller's main module: a script
    calling this keeps its top-level code under `if __name__ == "__main__":` (docs/operations.md).
    """
    holder = holder or lease.new_holder()
    if not lease.acquire(db, holder, now):
        if progress:
            progress("skipped: another run is in progress", {})
        return None
    try:
        return _run(db, settings, now, request, progress or (lambda step, counts: None), clock or (lambda: now), holder)
    finally:
        lease.release(db, holder)


def _run(
    db: Database,
    settings: Settings,
    now: datetime,
    request: RunRequest,
    progress: Progress,
    clock: Callable[[], datetime],
    holder: str,
) -> int:
    scope = f"enterprise:{request.enterprise}" if request.enterprise else runlog.ALL
    run_id = runlog.start_run(db, request.trigger, scope, request.full, now)
    counts: dict[str, int] = {}

    def step(name: str, **new: int) -> None:
        counts.update(new)
        runlog.record_counts(db, run_id, counts)
        lease.renew(db, holder, clock())
        progress(name, dict(counts))

    try:
        framework, questionnaires, campaigns = _inputs(db, now)
        # A rebuild reads and computes every wave: it starts on them while it waits for the scoring helper.
        early = (
            Prefetch(
                db,
                plan.in_scope(db, campaigns, request.enterprise),
                framework,
                questionnaires,
                settings.privacy.min_group_size,
            )
            if request.full
            else None
        )
        scored = _score(
            db,
            framework,
            questionnaires,
            campaigns,
            request.full,
            lambda done, top: step("scoring", scored=done),
            settings.schedule.scoring_helper,
            early.step if early else None,
        )
        step("scored", scored=scored.responses, rebuilt=scored.rebuilt)
        with cyclic_gc_paused():
            work = plan.read_and_compute(
                db, settings, now, request, campaigns, framework, questionnaires, scored.watermark, early
            )
            step("read and computed", **work.counts)
            changes = plan.compare(db, settings, request, campaigns, work)
        step(
            "compared",
            values=len(changes.fresh),
            comparisons_updated=len(changes.trends) + len(changes.pools.pools if changes.pools else ()),
        )
        save.save_all(db, run_id, changes)
        step(
            "saved",
            custom_rows=sum(len(r.custom) for r in changes.results),
            testimonies=sum(len(r.testimonies or ()) for r in changes.results),
        )
        step("distance travelled", series=distance.update(db, campaigns, settings.privacy.min_group_size))
        if request.charts:
            step("charts", charts=render_charts(db, settings, run_id, sorted(work.todo_ids)))
        runlog.finish_run(db, run_id, counts, scored.watermark, clock())
        progress("done", dict(counts))
        return run_id
    except BaseException as exc:  # job boundary: record the failed run, then let it propagate
        runlog.fail_run(db, run_id, f"{type(exc).__name__}: {exc}", counts, clock())
        raise


@contextmanager
def cyclic_gc_paused() -> Iterator[None]:
    """No cyclic garbage collection inside the block (reference counting still frees everything).

    Reading and computing every wave makes some 300,000 small objects (sums, counts, result rows)
    and no reference cycles, yet each few hundred new objects set off a collection that walks them
    again: a sixth of a run over every campaign (0.17 of 1.17 s at 1M responses, docs/performance.md).
    The block lasts about a second at 1M responses (8 s for `--all` at 10x), and the cycles that
    the web app's threads make meanwhile wait that long. Collection is switched back on only if it
    was on: never left off by this block.
    """
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


def score_pending(db: Database, settings: Settings, now: datetime, holder: str | None = None) -> batch.Scored | None:
    """Score the responses that arrived since the last batch, between weekly runs (the scheduler's
    scoring job), so that the weekly run finds them scored and only reads sums. Its scores and sums
    are exactly those the run would have stored: a chunk lands scores, sums and watermark together.

    Returns None when a run (or another batch) holds the lease: that one scores them. With responses
    to score, campaigns whose plan changed are rebuilt too; nothing is computed or saved, and the run
    log is left alone.
    """
    if not batch.pending(db):
        return batch.Scored(0, 0, sums.watermark(db))
    holder = holder or lease.new_holder()
    if not lease.acquire(db, holder, now):
        return None
    try:
        framework, questionnaires, campaigns = _inputs(db, now)
        return _score(
            db, framework, questionnaires, campaigns, False, lambda done, top: None, settings.schedule.scoring_helper
        )
    finally:
        lease.release(db, holder)


def _inputs(db: Database, now: datetime) -> tuple[Framework, scoring.Questionnaires, list[CampaignInfo]]:
    """The framework, the questionnaires (with every campaign's pinned instruments) and the campaigns."""
    framework, questionnaires = read.load_questionnaires(db)
    campaigns = read.load_campaigns(db, iso_utc(now))
    framework, questionnaires = read.with_campaign_instruments(db, framework, questionnaires, campaigns)
    return framework, questionnaires, campaigns


def _score(
    db: Database,
    framework: Framework,
    questionnaires: scoring.Questionnaires,
    campaigns: list[CampaignInfo],
    full: bool,
    progress: batch.Progress,
    helper: bool,
    idle: batch.Idle | None = None,
) -> batch.Scored:
    """Prepare the scoring rules and each campaign's plan, then score what is new (everything if full).

    With nothing to score (the scheduler's scoring batch came first) the scoring tables are not
    filled: a tenth of a weekly run went into them."""
    rules = scoring.rules_for(questionnaires)
    plans, counted = campaign_plans.campaign_plans(
        campaigns, questionnaires, framework, scoring.fingerprints(questionnaires, rules)
    )
    scoring.tune(db)  # the run's later reads get the same page cache either way
    if not full and not batch.pending(db) and not batch.replanned(db, plans):
        return batch.Scored(0, 0, sums.watermark(db))
    qkeys = scoring.prepare(db, questionnaires, rules)
    campaign_plans.prepare_plans(db, plans, counted, {c.id: qkeys.get(read.questionnaire_key(c)) for c in campaigns})
    if full:
        sums.reset(db)
    return batch.score_new(db, plans, progress, helper, idle)


def render_charts(db: Database, settings: Settings, run_id: int, campaign_ids: list[int]) -> int:
    """Hook for chart rendering (another module): re-render charts of the recomputed campaigns.

    `pipeline/charts.py`, when present, provides `render_changed(db, settings, run_id, campaign_ids)`
    returning how many charts it wrote. It runs after the results are saved, so charts only ever
    show saved, already-suppressed figures.
    """
    if importlib.util.find_spec("pipeline.charts") is None:
        return 0
    import pipeline.charts as charts

    return int(charts.render_changed(db, settings, run_id, campaign_ids))
