"""Export jobs: response exports built in the background, kept in table export_job (so every web
process sees their state) with their files in the instance folder's `exports/`.

A job is queued, then running (with the count of rows written so far), then ready (its file,
written as NAME.part and renamed when complete) or failed; it expires `keep` after it ends. A
queued or running job whose process died (nothing written for STALE_AFTER) is reported failed;
purge_expired() deletes expired jobs and their files.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from survey_app.core.timeutil import iso_utc
from survey_app.storage.db import inserted_id, write_transaction

STALE_AFTER = timedelta(minutes=10)
ACTIVE = ("queued", "running")


@dataclass(frozen=True)
class JobSpec:
    """What to export: one campaign's responses, as CSV or XLSX, in a language, codes or labels."""

    campaign_id: int
    user_id: int
    kind: str
    language: str
    labels: bool


def create(db: Database, spec: JobSpec, rows_total: int, now: datetime) -> int:
    """A queued job; its file gets a name nobody can guess (the folder is not served either)."""
    with write_transaction(db):
        return inserted_id(
            db.execute(
                "INSERT INTO export_job (campaign_id, user_id, kind, language, labels, state, rows_total, "
                "file_name, created_at, updated_at) VALUES (?, ?, ?, ?, ?, 'queued', ?, ?, ?, ?)",
                [spec.campaign_id, spec.user_id, spec.kind, spec.language, int(spec.labels), rows_total]
                + [f"{secrets.token_urlsafe(16)}.{spec.kind}", iso_utc(now), iso_utc(now)],
            )
        )


def get(db: Database, campaign_id: int, job_id: int, now: datetime) -> dict[str, Any] | None:
    """The job, if it belongs to this campaign and has not expired (its state made current)."""
    cursor = db.execute(
        "SELECT * FROM export_job WHERE id = ? AND campaign_id = ? AND (expires_at IS NULL OR expires_at > ?)",
        [job_id, campaign_id, iso_utc(now)],
    )
    row = cursor.fetchone()
    return _current(dict(zip([c[0] for c in cursor.description], row)), now) if row else None


def recent(db: Database, campaign_id: int, now: datetime) -> list[dict[str, Any]]:
    """The campaign's jobs not yet expired, newest first."""
    cursor = db.execute(
        "SELECT * FROM export_job WHERE campaign_id = ? AND (expires_at IS NULL OR expires_at > ?) ORDER BY id DESC",
        [campaign_id, iso_utc(now)],
    )
    names = [c[0] for c in cursor.description]
    return [_current(dict(zip(names, row)), now) for row in cursor.fetchall()]


def _current(job: dict[str, Any], now: datetime) -> dict[str, Any]:
    if job["state"] in ACTIVE and job["updated_at"] < iso_utc(now - STALE_AFTER):
        job["state"] = "failed"  # its process stopped while building it (shown, not stored)
    return job


def start(db: Database, job_id: int, now: datetime) -> None:
    with write_transaction(db):
        db.execute("UPDATE export_job SET state = 'running', updated_at = ? WHERE id = ?", [iso_utc(now), job_id])


def progress(db: Database, job_id: int, rows_done: int, now: datetime) -> None:
    with write_transaction(db):
        db.execute(
            "UPDATE export_job SET rows_done = ?, updated_at = ? WHERE id = ?", [rows_done, iso_utc(now), job_id]
        )


def finish(db: Database, job_id: int, size: int, rows_done: int, now: datetime, keep: timedelta) -> None:
    with write_transaction(db):
        db.execute(
            "UPDATE export_job SET state = 'ready', size = ?, rows_done = ?, updated_at = ?, finished_at = ?, "
            "expires_at = ? WHERE id = ?",
            [size, rows_done, iso_utc(now), iso_utc(now), iso_utc(now + keep), job_id],
        )


def fail(db: Database, job_id: int, now: datetime, keep: timedelta) -> None:
    with write_transaction(db):
        db.execute(
            "UPDATE export_job SET state = 'failed', updated_at = ?, finished_at = ?, expires_at = ? WHERE id = ?",
            [iso_utc(now), iso_utc(now), iso_utc(now + keep), job_id],
        )


def purge_expired(db: Database, folder: Path, now: datetime) -> int:
    """Delete expired jobs, and every file no remaining job names (expired, or left by a crash)."""
    with write_transaction(db):
        db.execute("DELETE FROM export_job WHERE expires_at <= ?", [iso_utc(now)])
        kept = {r[0] for r in db.execute("SELECT file_name FROM export_job")}
    removed = 0
    for path in folder.glob("*") if folder.exists() else ():
        if path.name.removesuffix(".part") not in kept:
            path.unlink(missing_ok=True)
            removed += 1
    return removed
