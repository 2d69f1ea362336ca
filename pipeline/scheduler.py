"""The weekly refresh: APScheduler is only the alarm clock, the run log is the memory.

A cron trigger in the configured timezone rings once a week (coalesce=True: missed rings
collapse into one; misfire_grace_time=None: a late ring still runs; max_instances=1). On start, if a
scheduled time passed since the last successful run (server down, or that run failed), one
catch-up run happens: results are a function of the data, so one run covers any number of missed
weeks. The database lease keeps a single run at a time even when two schedulers are running.
Between runs, the scoring batch (every `schedule.scoring_every_minutes`, under the same lease)
scores new responses as they come, so the weekly run finds them scored and only reads sums.

Run the scheduler in exactly one process: inside `vises serve` (one waitress process), or alone
with `vises scheduler` when the web app runs in several worker processes. Work that follows a
successful run outside the pipeline (the weekly digest e-mail) comes in as `after_run` hooks, and
work that rings on its own interval (delivering the mail outbox, queueing due reminders) as
`periodic` jobs, both wired by the CLI, so the pipeline never imports web or mail code.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlite_utils import Database

from pipeline import lease, refresh_queue, runlog, runner
from pipeline.runner import RunRequest, run_pipeline
from survey_app.core.config import Settings
from survey_app.core.timeutil import now_utc
from survey_app.storage.db import connect, migrate
from survey_app.storage.maintenance import purge

log = logging.getLogger("vises.scheduler")
JOB_ID = "weekly-refresh"
SCORING_JOB_ID = "scoring-batch"
LEASE_RETRY_SECONDS = 10  # how often a scheduled run that found the lease held tries again
QUEUE_POLL_SECONDS = 30  # how soon a refresh queued in another process (or a campaign's closing) runs
JOB_OPTIONS = {"coalesce": True, "misfire_grace_time": None, "max_instances": 1}

# Called after each scheduled run with (db, settings, run id or None, now); each catches its own failures.
AfterRun = Callable[[Database, Settings, "int | None", datetime], None]
# (job id, name, function called with the settings, seconds between calls); each catches its own failures.
Periodic = tuple[str, str, Callable[[Settings], None], int]


def make_trigger(settings: Settings) -> CronTrigger:
    return CronTrigger(
        day_of_week=settings.schedule.day_of_week,
        hour=settings.schedule.hour,
        minute=settings.schedule.minute,
        timezone=ZoneInfo(settings.i18n.timezone),
    )


def catch_up_due(last_success_start: datetime | None, trigger: CronTrigger, now: datetime) -> bool:
    """True when a scheduled time fell after the last successful run started and is now past.

    A run that started at (or just after) a scheduled time covers it; the next one does not.
    With no successful run at all, one run is due.
    """
    if last_success_start is None:
        return True
    next_fire = trigger.get_next_fire_time(None, last_success_start + timedelta(seconds=1))
    return next_fire is not None and next_fire <= now


def run_job(
    settings: Settings,
    trigger_name: str = "schedule",
    clock: Callable[[], datetime] = now_utc,
    after_run: Sequence[AfterRun] = (),
    sleep: Callable[[float], None] = time.sleep,
) -> int | None:
    """One scheduled run on its own connection, then the after-run hooks and the retention purge.

    A failed run is already in the run log, so it is logged here and the scheduler goes on. When
    the lease is held (the scoring batch, a queued refresh), the run waits for it, up to a lease's
    lifetime: a weekly ring that found it busy would otherwise be lost until the next week.
    """
    db = connect(settings.database.path)
    try:
        gave_up_at = clock() + lease.TTL
        while True:
            run_id = run_pipeline(
                db,
                settings,
                clock(),
                RunRequest(trigger=trigger_name),
                clock=clock,
                progress=lambda step, counts: log.info("pipeline %s %s", step, counts),
            )
            if run_id is not None or clock() >= gave_up_at:
                break
            log.info("pipeline run (%s) waits: another run or scoring batch holds the lease", trigger_name)
            sleep(LEASE_RETRY_SECONDS)
        for hook in after_run:  # e.g. the weekly digest
            run_hook(hook, db, settings, run_id, clock())
        purge_personal_data(db, settings, clock())
        return run_id
    except Exception:  # job boundary: the failed run is recorded; the scheduler must keep ringing
        log.exception("pipeline run (%s) failed; see the run log", trigger_name)
        return None
    finally:
        db.close()


def run_hook(hook: AfterRun, db: Database, settings: Settings, run_id: int | None, now: datetime) -> None:
    """One after-run hook; its failure is logged and never fails the run (the indicators are saved)."""
    try:
        hook(db, settings, run_id, now)
    except Exception:  # job boundary: the run succeeded; log the hook's problem and go on
        log.exception("after-run step %s failed", getattr(hook, "__name__", hook))


def purge_personal_data(db: Database, settings: Settings, now: datetime) -> None:
    """Weekly retention purge (drafts, e-mail addresses); a failure is logged, never fails the run."""
    try:
        counts = purge(db, now, settings.retention.draft_days, settings.retention.email_days_after_close)
        log.info("retention purge: %s draft(s), %s e-mail address(es) deleted", counts.drafts, counts.emails)
    except Exception:  # job boundary: the indicators are saved; the purge is retried next week
        log.exception("retention purge failed")


def run_refresh_queue(settings: Settings, clock: Callable[[], datetime] = now_utc) -> None:
    """Queued refreshes (a manager's button, a closed campaign) taken from any web process."""
    try:
        refresh_queue.run_queued(settings, clock)
    except Exception:  # job boundary: the request and the run log say what failed; keep polling
        log.exception("queued refresh failed")


def run_scoring(settings: Settings, clock: Callable[[], datetime] = now_utc) -> None:
    """The scoring batch between weekly runs (runner.score_pending), on its own connection."""
    try:
        db = connect(settings.database.path)
        try:
            scored = runner.score_pending(db, settings, clock())
        finally:
            db.close()
        if scored is None:
            log.info("scoring batch skipped: a pipeline run holds the lease and scores the new responses")
        elif scored.responses or scored.rebuilt:
            log.info("scoring batch: %s response(s) scored, %s campaign(s) rebuilt", scored.responses, scored.rebuilt)
    except Exception:  # job boundary: nothing half-done is kept (chunks land whole); the next ring retries
        log.exception("scoring batch failed")


def catch_up(
    settings: Settings,
    now: datetime | None = None,
    clock: Callable[[], datetime] = now_utc,
    after_run: Sequence[AfterRun] = (),
) -> int | None:
    """Run once with trigger 'catch-up' if a scheduled time was missed (or nothing was ever
    computed: the run log calls that one the first computation); return the run id."""
    now = now or clock()
    db = connect(settings.database.path)
    try:
        last = runlog.last_success_start(db)
    finally:
        db.close()
    if not catch_up_due(last, make_trigger(settings), now):
        return None
    return run_job(settings, "catch-up", clock, after_run)


def configure(
    scheduler: BaseScheduler, settings: Settings, after_run: Sequence[AfterRun] = (), periodic: Sequence[Periodic] = ()
) -> BaseScheduler:
    """Add the weekly job, the poll of queued refreshes, the scoring batch (every
    `schedule.scoring_every_minutes`), a one-off catch-up check that runs as soon as the scheduler
    starts (on a new install: the first computation), and the periodic jobs (each first runs at
    start, then every so many seconds)."""
    hooks = {"after_run": tuple(after_run)}
    for job_id, name, function, seconds in periodic:
        scheduler.add_job(
            function,
            IntervalTrigger(seconds=seconds, timezone=ZoneInfo(settings.i18n.timezone)),
            args=[settings],
            id=job_id,
            name=name,
            replace_existing=True,
            next_run_time=now_utc(),
            **JOB_OPTIONS,
        )
    scheduler.add_job(
        run_job,
        make_trigger(settings),
        args=[settings],
        kwargs=hooks,
        id=JOB_ID,
        name="Weekly indicator refresh",
        replace_existing=True,
        **JOB_OPTIONS,
    )
    scheduler.add_job(
        run_refresh_queue,
        IntervalTrigger(seconds=QUEUE_POLL_SECONDS),
        args=[settings],
        id="refresh-queue",
        name="Run queued refreshes",
        replace_existing=True,
        **JOB_OPTIONS,
    )
    if settings.schedule.scoring_every_minutes:
        scheduler.add_job(
            run_scoring,
            IntervalTrigger(minutes=settings.schedule.scoring_every_minutes),
            args=[settings],
            id=SCORING_JOB_ID,
            name="Score new responses",
            replace_existing=True,
            **JOB_OPTIONS,
        )
    scheduler.add_job(
        catch_up,
        args=[settings],
        kwargs=hooks,
        id="catch-up",
        name="Catch up missed refreshes",
        replace_existing=True,
        **JOB_OPTIONS,
    )
    return scheduler


def _scheduler(cls: type[BaseScheduler], settings: Settings) -> BaseScheduler:
    return cls(timezone=ZoneInfo(settings.i18n.timezone), job_defaults=dict(JOB_OPTIONS))


def start_background(
    settings: Settings, after_run: Sequence[AfterRun] = (), periodic: Sequence[Periodic] = ()
) -> BaseScheduler:
    """Start the scheduler in a background thread of this (single) server process."""
    scheduler = configure(_scheduler(BackgroundScheduler, settings), settings, after_run, periodic)
    scheduler.start()
    return scheduler


def run_blocking(settings: Settings, after_run: Sequence[AfterRun] = (), periodic: Sequence[Periodic] = ()) -> None:
    """Run the scheduler alone in the foreground (its own process in multi-process deployments)."""
    migrate(settings.database.path)
    configure(_scheduler(BlockingScheduler, settings), settings, after_run, periodic).start()
