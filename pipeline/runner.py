"""One pipeline run: lease, plan, read -> compute per campaign, compare, save, charts, log.

The runner only orchestrates; every rule lives in compute.py and derive.py. Reads happen in one
snapshot (a read transaction), results are saved in one write transaction, and the run log
records the outcome, so a failure at any step leaves the previous results and says what happened.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlite_utils import Database

from pipeline import compute, lease, read, runlog, save
from pipeline.derive import derive
from pipeline.model import CampaignInfo
from survey_app.core.config import Settings
from survey_app.core.timeutil import iso_utc
from survey_app.domain.enterprises import UnknownEnterprise

Progress = Callable[[str, dict[str, int]], None]
PROGRESS_EVERY = 500


@dataclass(frozen=True)
class RunRequest:
    trigger: str = "cli"
    full: bool = False
    enterprise: str | None = None
    charts: bool = True


def choose_campaigns(
    campaigns: list[CampaignInfo],
    responses: dict[int, int],
    stored: dict[int, int],
    new_responses: set[int] | None,
    full: bool,
    enterprise_ids: set[int] | None,
) -> list[CampaignInfo]:
    """Campaigns to recompute: all when `full` (or never run), else those whose responses changed."""
    in_scope = [c for c in campaigns if enterprise_ids is None or c.enterprise_id in enterprise_ids]
    if full or new_responses is None:
        return in_scope
    return [c for c in in_scope if c.id in new_responses or responses.get(c.id, 0) != stored.get(c.id)]


def run_pipeline(
    db: Database,
    settings: Settings,
    now: datetime,
    request: RunRequest = RunRequest(),
    progress: Progress | None = None,
    clock: Callable[[], datetime] | None = None,
    holder: str | None = None,
) -> int | None:
    """Run once if no other run holds the lease; return the run id, or None when one is running."""
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
        plan = _read_and_compute(db, settings, now, request, progress, counts)
        step("read and computed", **plan["counts"])
        values = plan["stored"] + [v for r in plan["results"] for v in r.values]
        dirty = {r.campaign_id for r in plan["results"]}
        derived = derive(values, plan["campaigns"], now, settings.privacy.min_peers, None if request.full else dirty)
        fresh = [v for v in derived if v.campaign_id in dirty]
        changed = [new for new, old in zip(derived, values) if new.campaign_id not in dirty and new is not old]
        step("compared", values=len(fresh), comparisons_updated=len(changed))
        save.save_all(db, run_id, plan["results"], fresh, changed, plan["summaries"])
        step(
            "saved",
            custom_rows=sum(len(r.custom) for r in plan["results"]),
            testimonies=sum(len(r.testimonies) for r in plan["results"]),
        )
        if request.charts:
            step("charts", charts=render_charts(db, settings, run_id, sorted(dirty)))
        runlog.finish_run(db, run_id, counts, plan["watermark"], clock())
        progress("done", dict(counts))
        return run_id
    except BaseException as exc:  # job boundary: record the failed run, then let it propagate
        runlog.fail_run(db, run_id, f"{type(exc).__name__}: {exc}", counts, clock())
        raise


def _read_and_compute(
    db: Database,
    settings: Settings,
    now: datetime,
    request: RunRequest,
    progress: Progress,
    counts: dict[str, int],
) -> dict[str, Any]:
    """Plan and compute every campaign to recompute, inside one read snapshot."""
    min_group = settings.privacy.min_group_size
    framework, questionnaires = read.load_questionnaires(db)
    read.prepare_items(db, questionnaires)
    db.conn.execute("BEGIN")  # one consistent snapshot for every read below
    try:
        campaigns = read.load_campaigns(db, iso_utc(now))
        watermark = read.max_response_id(db)
        responses, invited = read.response_counts(db), read.invitation_counts(db)
        last = runlog.last_success(db)
        new = (
            read.campaigns_with_responses_after(db, last["response_watermark"] or 0)
            if last and not request.full
            else None
        )
        scope = (
            {c.enterprise_id for c in read.load_campaigns(db, iso_utc(now), request.enterprise)}
            if request.enterprise
            else None
        )
        if request.enterprise and not scope:
            raise UnknownEnterprise(f"no campaign for an enterprise with slug {request.enterprise!r}")
        todo = choose_campaigns(campaigns, responses, read.stored_counts(db), new, request.full, scope)
        progress(
            "planned", dict(counts, campaigns=len(campaigns), to_recompute=len(todo), responses=sum(responses.values()))
        )
        results = []
        for done, campaign in enumerate(todo, start=1):
            questionnaire = questionnaires[(campaign.questionnaire_id, campaign.questionnaire_version)]
            options, texts = compute.question_plan(campaign, questionnaire)
            respondents = responses.get(campaign.id, 0)
            data = read.read_campaign(db, campaign, respondents, options, texts, respondents >= min_group)
            results.append(compute.compute_campaign(data, questionnaire, framework, min_group))
            if done % PROGRESS_EVERY == 0:
                progress("computing", dict(counts, recomputed=done))
        summaries = [compute.compute_summary(c, responses.get(c.id, 0), invited.get(c.id, 0)) for c in campaigns]
        stored = save.load_values(db, exclude={c.id for c in todo})
    finally:
        db.conn.execute("COMMIT")
    return {
        "campaigns": campaigns,
        "results": results,
        "summaries": summaries,
        "stored": stored,
        "watermark": watermark,
        "counts": {"campaigns": len(campaigns), "recomputed": len(todo), "responses": sum(responses.values())},
    }


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
