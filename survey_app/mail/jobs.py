"""The mail work of the built-in scheduler: deliver the outbox every 30 seconds, queue due
reminders every 5 minutes, and once a day clear what retention says to forget.

Each job opens its own connection and catches its own failures (a job boundary): the scheduler
keeps ringing. The CLI hands `PERIODIC` to pipeline.scheduler, which never imports mail code.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlite_utils import Database

from survey_app.core.config import Settings
from survey_app.core.timeutil import iso_utc, now_utc
from survey_app.mail import delivery, reminders
from survey_app.storage import audit, outbox
from survey_app.storage.db import connect, write_transaction

log = logging.getLogger("vises.mail")


def _with_db(work: Callable[[Database, Settings, datetime], object], name: str):
    def job(settings: Settings, clock: Callable[[], datetime] = now_utc) -> None:
        try:
            db = connect(settings.database.path)
            try:
                work(db, settings, clock())
            finally:
                db.close()
        except Exception:  # job boundary: log and let the scheduler ring again
            log.exception("%s failed", name)

    job.__name__ = name
    return job


def queue_reminders(db: Database, settings: Settings, now: datetime) -> dict[int, int]:
    queued = reminders.queue_due(db, now)
    if queued:
        log.info("reminders queued: %s", ", ".join(f"campaign {c}: {n}" for c, n in queued.items()))
    return queued


def housekeeping(db: Database, settings: Settings, now: datetime) -> dict[str, int]:
    """Finished outbox rows, old audit entries, and the unsubscribe hashes of campaigns whose
    addresses retention already deleted."""
    email_cutoff = iso_utc(now - timedelta(days=settings.retention.email_days_after_close))
    with write_transaction(db):
        unsubscribed = db.execute(
            "DELETE FROM unsubscribed WHERE campaign_id IN (SELECT id FROM campaign "
            "WHERE MIN(closes_at, COALESCE(closed_at, closes_at)) <= ?)",
            [email_cutoff],
        ).rowcount
    return {
        "outbox": outbox.purge(db, now, settings.retention.outbox_days),
        "audit": audit.purge(db, now, settings.retention.audit_days),
        "unsubscribed": unsubscribed,
    }


deliver_job = _with_db(delivery.deliver, "deliver-outbox")
reminders_job = _with_db(queue_reminders, "queue-reminders")
housekeeping_job = _with_db(housekeeping, "mail-housekeeping")

# (job id, name, function(settings), seconds between runs)
PERIODIC = (
    ("deliver-outbox", "Deliver the outbox", deliver_job, 30),
    ("queue-reminders", "Queue due reminders", reminders_job, 300),
    ("mail-housekeeping", "Outbox and audit retention", housekeeping_job, 86400),
)
