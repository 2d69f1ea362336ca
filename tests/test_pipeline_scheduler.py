"""Scheduling with injected time: fire times across DST, exactly one catch-up after downtime,
a failed run retried at the next trigger, and the APScheduler options that avoid lost runs."""

from __future__ import annotations

import os
import socket
from datetime import UTC, datetime, timedelta

import pytest

from pipeline import lease, save, scheduler
from pipeline.runner import run_pipeline
from pipeline.sample.responses import add_responses
from survey_app.core import config
from tests.app_support import NOW, Seeder

UTC = UTC
SETTINGS = config.validate({}, "tests")


pytestmark = pytest.mark.usefixtures("no_charts")  # conftest: the chart hook is skipped


def at(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.fixture
def settings(pipeline_db):
    path = pipeline_db.conn.execute("PRAGMA database_list").fetchone()[2]
    return SETTINGS.override({"database.path": path})


@pytest.mark.parametrize(
    "after, expected",
    [
        (at(2026, 3, 23, 5, 0, 1), at(2026, 3, 30, 4, 0)),  # CET -> CEST on Sunday 29 March
        (at(2026, 3, 16, 0, 0), at(2026, 3, 16, 5, 0)),  # winter: 06:00 Brussels = 05:00 UTC
        (at(2026, 10, 19, 4, 0, 1), at(2026, 10, 26, 5, 0)),  # CEST -> CET on Sunday 25 October
    ],
)
def test_next_fire_times_across_daylight_saving_changes(after, expected):
    trigger = scheduler.make_trigger(SETTINGS)
    assert trigger.get_next_fire_time(None, after) == expected


def test_catch_up_due_is_a_function_of_last_success_trigger_and_now():
    trigger = scheduler.make_trigger(SETTINGS)
    monday_run = at(2026, 3, 2, 5, 0, 0)  # the scheduled run of Monday 2 March
    assert not scheduler.catch_up_due(monday_run, trigger, at(2026, 3, 9, 4, 59))
    assert scheduler.catch_up_due(monday_run, trigger, at(2026, 3, 9, 5, 0))
    assert scheduler.catch_up_due(monday_run, trigger, at(2026, 3, 18, 10, 0))  # two weeks missed
    assert not scheduler.catch_up_due(at(2026, 3, 18, 10, 0), trigger, at(2026, 3, 18, 10, 5))
    assert scheduler.catch_up_due(at(2026, 3, 2, 4, 59, 59), trigger, at(2026, 3, 2, 6, 0))  # just before
    assert scheduler.catch_up_due(None, trigger, NOW)


def runs(db, trigger=None):
    sql = "SELECT trigger, status FROM pipeline_run" + (" WHERE trigger = ?" if trigger else "") + " ORDER BY id"
    return [tuple(r.values()) for r in db.query(sql, [trigger] if trigger else [])]


def test_downtime_across_two_scheduled_times_gives_exactly_one_catch_up(pipeline_db, settings):
    run_pipeline(pipeline_db, settings, at(2026, 3, 2, 5, 0, 0), scheduler.RunRequest(trigger="schedule"))
    back_up = at(2026, 3, 18, 10, 0)  # down on 9 and 16 March

    def clock():
        return back_up

    assert scheduler.catch_up(settings, back_up, clock) is not None
    assert scheduler.catch_up(settings, back_up + timedelta(minutes=1), clock) is None
    assert scheduler.catch_up(settings, back_up + timedelta(days=1), clock) is None
    assert runs(pipeline_db, "catch-up") == [("catch-up", "success")]


def test_failed_run_is_caught_up_and_retried_at_the_next_trigger(pipeline_db, settings, monkeypatch):
    seed = Seeder(pipeline_db)
    campaign = seed.campaign(seed.enterprise())
    run_pipeline(pipeline_db, settings, at(2026, 3, 2, 5, 0, 0))
    add_responses(pipeline_db, campaign, [{"treated_with_respect": 5}] * 5)

    def broken(*args, **kwargs):
        raise OSError("disk full")

    with monkeypatch.context() as patch:
        patch.setattr(save, "save_all", broken)
        assert scheduler.run_job(settings, "schedule", lambda: at(2026, 3, 9, 5, 0, 0)) is None  # logged only
    assert scheduler.catch_up_due(at(2026, 3, 2, 5, 0, 0), scheduler.make_trigger(settings), at(2026, 3, 9, 6))
    assert scheduler.run_job(settings, "schedule", lambda: at(2026, 3, 16, 5, 0, 0)) is not None
    assert runs(pipeline_db) == [("cli", "success"), ("schedule", "failed"), ("schedule", "success")]
    row = next(pipeline_db.query("SELECT n FROM indicator_value WHERE campaign_id = ? AND key = 'respect'", [campaign]))
    assert row["n"] == 5


def test_scheduler_jobs_use_explicit_timezone_coalesce_and_no_grace_limit(settings):
    sched = scheduler.configure(scheduler._scheduler(scheduler.BackgroundScheduler, settings), settings)
    sched.start(paused=True)
    try:
        job = sched.get_job(scheduler.JOB_ID)
        assert job.coalesce is True and job.misfire_grace_time is None and job.max_instances == 1
        assert str(job.trigger.timezone) == "Europe/Brussels"
        assert str(sched.timezone) == "Europe/Brussels"
        assert sched.get_job("catch-up") is not None
    finally:
        sched.shutdown(wait=False)


def test_a_scheduled_run_that_finds_the_lease_held_waits_for_it(pipeline_db, settings):
    run_at = at(2026, 3, 9, 5, 0)
    other = f"{socket.gethostname()}:{os.getpid()}:1:batch"  # alive: this very process
    assert lease.acquire(pipeline_db, other, run_at)
    waits: list[float] = []

    def batch_finishes(seconds):
        waits.append(seconds)
        lease.release(pipeline_db, other)

    run_id = scheduler.run_job(settings, "schedule", lambda: run_at, sleep=batch_finishes)
    assert run_id is not None and waits == [scheduler.LEASE_RETRY_SECONDS]
    assert runs(pipeline_db, "schedule")[-1] == ("schedule", "success")


def test_a_scheduled_run_gives_up_after_a_leases_lifetime(pipeline_db, settings):
    other = f"{socket.gethostname()}:{os.getpid()}:1:stuck"
    now = [at(2026, 3, 9, 5, 0)]
    assert lease.acquire(pipeline_db, other, now[0], ttl=timedelta(hours=2))
    waits: list[float] = []

    def time_passes(seconds):
        waits.append(seconds)
        now[0] += timedelta(minutes=10)

    assert scheduler.run_job(settings, "schedule", lambda: now[0], sleep=time_passes) is None
    assert len(waits) == 3  # 30 minutes: one lease's lifetime
    assert runs(pipeline_db, "schedule") == []


def test_the_scoring_batch_rings_at_its_configured_interval_or_not_at_all(settings):
    for minutes, expected in ((15, timedelta(minutes=15)), (60, timedelta(hours=1)), (0, None)):
        chosen = settings.override({"schedule.scoring_every_minutes": minutes})
        sched = scheduler.configure(scheduler._scheduler(scheduler.BackgroundScheduler, chosen), chosen)
        sched.start(paused=True)
        try:
            job = sched.get_job(scheduler.SCORING_JOB_ID)
            assert (job and job.trigger.interval) == expected
            assert job is None or (job.coalesce is True and job.max_instances == 1)
        finally:
            sched.shutdown(wait=False)


def test_the_scoring_job_scores_new_responses_and_a_failure_never_stops_the_scheduler(
    pipeline_db, settings, monkeypatch, caplog
):
    seed = Seeder(pipeline_db)
    campaign = seed.campaign(seed.enterprise())
    add_responses(pipeline_db, campaign, [{"q1": 3}, {"q1": 4}])
    scheduler.run_scoring(settings, lambda: NOW)
    assert (
        pipeline_db.execute("SELECT watermark FROM score_watermark").fetchone()[0]
        == pipeline_db.execute("SELECT MAX(id) FROM response").fetchone()[0]
    )
    assert pipeline_db.execute("SELECT responses FROM score_campaign WHERE campaign_id = ?", [campaign]).fetchone() == (
        2,
    )

    def broken(*args):
        raise RuntimeError("disk full")

    monkeypatch.setattr(scheduler.runner, "score_pending", broken)
    scheduler.run_scoring(settings, lambda: NOW)  # logged, not raised
    assert "scoring batch failed" in caplog.text


def test_a_scheduled_run_purges_stale_drafts_and_a_purge_failure_never_fails_the_run(
    pipeline_db, settings, monkeypatch
):
    seed = Seeder(pipeline_db)
    campaign = seed.campaign(seed.enterprise())
    pipeline_db.execute(
        "INSERT INTO draft (campaign_id, browser_key, language, updated_at) "
        "VALUES (?, 'stale', 'fr', '2025-01-01T00:00:00Z')",
        [campaign],
    )
    run_at = at(2026, 3, 9, 5, 0)
    assert scheduler.run_job(settings, "schedule", lambda: run_at) is not None
    assert pipeline_db["draft"].count == 0

    def broken(*args):
        raise RuntimeError("disk full")

    monkeypatch.setattr(scheduler, "purge", broken)
    run_id = scheduler.run_job(settings, "schedule", lambda: run_at + timedelta(days=7))
    assert run_id is not None
    assert runs(pipeline_db, "schedule")[-1] == ("schedule", "success")
