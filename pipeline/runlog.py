"""The run log (`pipeline_run`): what ran, when, why, how far it got and how it ended.

Catch-up reads it: the last successful full-scope run gives the time of the last refresh. Each run
also records the scoring watermark it reached (the live one is `score_watermark`, see sums.py).
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlite_utils import Database

from survey_app.core.timeutil import iso_utc, parse_iso
from survey_app.storage.db import inserted_id, write_transaction

TRIGGERS = ("schedule", "catch-up", "manual", "cli")
ALL = "all"


def start_run(db: Database, trigger: str, scope: str, full: bool, now: datetime) -> int:
    """Record a running run; runs left 'running' by a killed process are marked failed first.

    Only the lease holder calls this, so no other run can really be in progress.
    """
    if trigger not in TRIGGERS:
        raise ValueError(f"unknown trigger {trigger!r}")
    with write_transaction(db):
        db.execute(
            "UPDATE pipeline_run SET status = 'failed', finished_at = ?, "
            "error = 'interrupted (the process stopped before the run ended)' "
            "WHERE status = 'running'",
            [iso_utc(now)],
        )
        cursor = db.execute(
            "INSERT INTO pipeline_run (trigger, scope, full, started_at, status) VALUES (?, ?, ?, ?, 'running')",
            [trigger, scope, int(full), iso_utc(now)],
        )
        return inserted_id(cursor)


def record_counts(db: Database, run_id: int, counts: dict[str, int]) -> None:
    with write_transaction(db):
        db.execute("UPDATE pipeline_run SET counts = ? WHERE id = ?", [json.dumps(counts, sort_keys=True), run_id])


def finish_run(db: Database, run_id: int, counts: dict[str, int], watermark: int, now: datetime) -> None:
    with write_transaction(db):
        db.execute(
            "UPDATE pipeline_run SET status = 'success', finished_at = ?, counts = ?, "
            "response_watermark = ? WHERE id = ?",
            [iso_utc(now), json.dumps(counts, sort_keys=True), watermark, run_id],
        )


def fail_run(db: Database, run_id: int, error: str, counts: dict[str, int], now: datetime) -> None:
    if db.conn.in_transaction:  # an exception may have struck inside a read transaction
        db.conn.execute("ROLLBACK")
    with write_transaction(db):
        db.execute(
            "UPDATE pipeline_run SET status = 'failed', finished_at = ?, error = ?, counts = ? WHERE id = ?",
            [iso_utc(now), error[:2000], json.dumps(counts, sort_keys=True), run_id],
        )


def last_success(db: Database) -> dict[str, Any] | None:
    """The last successful run over all enterprises (scoped runs do not move the watermark)."""
    rows = list(
        db.query("SELECT * FROM pipeline_run WHERE status = 'success' AND scope = ? ORDER BY id DESC LIMIT 1", [ALL])
    )
    return rows[0] if rows else None


def last_success_start(db: Database) -> datetime | None:
    row = last_success(db)
    return parse_iso(row["started_at"]) if row else None


def recent_runs(db: Database, limit: int = 50) -> list[dict[str, Any]]:
    runs = list(db.query("SELECT * FROM pipeline_run ORDER BY id DESC LIMIT ?", [limit]))
    for run in runs:
        run["counts"] = json.loads(run["counts"] or "{}")
    return runs
