"""Recomputes asked for between weekly runs: a queue in the database (table `refresh_request`).

A manager's "refresh now", an admin's, and every campaign that closes add a request; whichever
process gets there first takes it: the serving process's worker thread (woken by the request that
queued it) or the scheduler, which also polls (so a deployment with several web processes and one
`vises scheduler` works). Requests for the same enterprise are merged into one run; a global
request covers them all. The run itself holds the pipeline lease like any other, so a request that
meets a running weekly refresh simply waits in the queue.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlite_utils import Database

from pipeline import lease, runlog
from pipeline.runner import RunRequest, run_pipeline
from survey_app.core.config import Settings
from survey_app.core.timeutil import iso_utc
from survey_app.storage.db import connect, inserted_id, write_transaction

REASONS = ("manager", "admin", "campaign-closed")
KEEP = timedelta(days=30)  # finished requests kept this long, for the pages that show them


@dataclass(frozen=True)
class Claim:
    ids: tuple[int, ...]
    enterprise_slug: str | None  # None: every enterprise
    full: bool  # a closed campaign is recomputed from its answers, whatever changed


def enqueue(
    db: Database,
    now: datetime,
    reason: str,
    enterprise_id: int | None = None,
    user_id: int | None = None,
    campaign_id: int | None = None,
) -> int:
    """Queue a recompute (or join one already waiting for the same scope); return its id."""
    if reason not in REASONS:
        raise ValueError(f"unknown refresh reason {reason!r}")
    with write_transaction(db):
        if reason == "campaign-closed":
            found = db.execute(
                "SELECT id FROM refresh_request WHERE campaign_id = ? AND reason = 'campaign-closed'", [campaign_id]
            ).fetchone()
            if found:
                return int(found[0])
        else:
            waiting = db.execute(
                "SELECT id FROM refresh_request WHERE status = 'queued' "
                "AND (enterprise_id IS NULL OR enterprise_id IS ?) ORDER BY enterprise_id IS NOT NULL, id LIMIT 1",
                [enterprise_id],
            ).fetchone()
            if waiting:
                return int(waiting[0])
        cursor = db.execute(
            "INSERT INTO refresh_request (enterprise_id, campaign_id, reason, requested_by, requested_at) "
            "VALUES (?, ?, ?, ?, ?)",
            [enterprise_id, campaign_id, reason, user_id, iso_utc(now)],
        )
        return inserted_id(cursor)


def queue_closed_campaigns(db: Database, now: datetime) -> int:
    """Queue every campaign that closed since the last full refresh started; return how many.

    Closing by hand queues at once (the back office calls `enqueue`); this catches campaigns that
    reached their closing date. Before any full refresh, the first run computes everything anyway.
    """
    last = runlog.last_success_start(db)
    if last is None:
        return 0
    with write_transaction(db):
        return db.execute(
            "INSERT OR IGNORE INTO refresh_request (enterprise_id, campaign_id, reason, requested_at) "
            "SELECT enterprise_id, id, 'campaign-closed', ? FROM campaign "
            "WHERE MIN(COALESCE(closed_at, closes_at), closes_at) BETWEEN ? AND ?",
            [iso_utc(now), iso_utc(last), iso_utc(now)],
        ).rowcount


def claim(db: Database, holder: str, now: datetime) -> Claim | None:
    """Take the oldest waiting request and every other one it covers; None when nothing waits."""
    with write_transaction(db):
        _requeue_abandoned(db, now)
        first = db.execute(
            "SELECT r.enterprise_id, e.slug FROM refresh_request r LEFT JOIN enterprise e ON e.id = r.enterprise_id "
            "WHERE r.status = 'queued' ORDER BY r.id LIMIT 1"
        ).fetchone()
        if first is None:
            return None
        covered = "status = 'queued'" + ("" if first[0] is None else " AND enterprise_id = ?")
        params = [] if first[0] is None else [first[0]]
        rows = db.execute(f"SELECT id, reason FROM refresh_request WHERE {covered}", params).fetchall()
        ids = tuple(r[0] for r in rows)
        db.execute(
            f"UPDATE refresh_request SET status = 'running', holder = ?, started_at = ?, step = NULL "
            f"WHERE id IN ({', '.join('?' * len(ids))})",
            [holder, iso_utc(now), *ids],
        )
        return Claim(ids, first[1], any(r[1] == "campaign-closed" for r in rows))


def _requeue_abandoned(db: Database, now: datetime) -> None:
    """Requests taken by a process that died (or that ran longer than a lease) wait again."""
    for request_id, holder, started in db.execute(
        "SELECT id, holder, started_at FROM refresh_request WHERE status = 'running'"
    ).fetchall():
        if lease.holder_is_dead(holder or "") or started < iso_utc(now - lease.TTL):
            db.execute("UPDATE refresh_request SET status = 'queued', holder = NULL WHERE id = ?", [request_id])
    db.execute(
        "DELETE FROM refresh_request WHERE status IN ('done', 'failed') AND finished_at < ?", [iso_utc(now - KEEP)]
    )


def _mark(db: Database, claim: Claim, **fields: object) -> None:
    assignments = ", ".join(f"{name} = ?" for name in fields)
    with write_transaction(db):
        db.execute(
            f"UPDATE refresh_request SET {assignments} WHERE id IN ({', '.join('?' * len(claim.ids))})",
            [*fields.values(), *claim.ids],
        )


def run_next(db: Database, settings: Settings, clock: Callable[[], datetime], holder: str) -> bool | None:
    """Run the oldest waiting request: True when run, False when the lease is busy, None when idle."""
    taken = claim(db, holder, clock())
    if taken is None:
        return None

    def progress(step: str, counts: dict[str, int]) -> None:
        _mark(db, taken, step=json.dumps({"step": step, **counts}))

    request = RunRequest(trigger="manual", full=taken.full, enterprise=taken.enterprise_slug)
    try:
        run_id = run_pipeline(db, settings, clock(), request, progress=progress, clock=clock, holder=holder)
    except Exception:
        _mark(db, taken, status="failed", finished_at=iso_utc(clock()), run_id=_last_run(db))
        raise
    if run_id is None:  # another run holds the lease: wait for it, then try again
        _mark(db, taken, status="queued", holder=None, started_at=None, step=None)
        return False
    _mark(db, taken, status="done", finished_at=iso_utc(clock()), run_id=run_id)
    return True


def _last_run(db: Database) -> int | None:
    row = db.execute("SELECT MAX(id) FROM pipeline_run").fetchone()
    return row[0] if row else None


def run_queued(settings: Settings, clock: Callable[[], datetime], limit: int = 20) -> int:
    """Queue closed campaigns, then run waiting requests on a connection of our own; return how
    many are still waiting (the lease was busy, or more than `limit` runs were due)."""
    db = connect(settings.database.path)
    try:
        queue_closed_campaigns(db, clock())
        for _attempt in range(limit):
            if run_next(db, settings, clock, lease.new_holder()) is not True:
                break
        return waiting(db)
    finally:
        db.close()


def waiting(db: Database) -> int:
    return int(db.execute("SELECT COUNT(*) FROM refresh_request WHERE status = 'queued'").fetchone()[0])
