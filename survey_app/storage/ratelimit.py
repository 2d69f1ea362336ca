"""Fixed-window rate limits kept in the database, so every worker process shares the counters.

A key names what is limited (e.g. "token-ip:203.0.113.9"); `allow` counts one attempt and says
whether it is within the limit. Windows are short, so a limit slows guessing without locking out
a real user for long.
"""

from __future__ import annotations

from datetime import datetime

from sqlite_utils import Database

from survey_app.storage.db import write_transaction


def allow(db: Database, key: str, limit: int, window_seconds: int, now: datetime) -> bool:
    """Count one attempt for `key`; False when the limit for the current window is exceeded."""
    window = int(now.timestamp()) // window_seconds * window_seconds
    with write_transaction(db):
        db.execute(
            "INSERT INTO rate_limit (key, window_start, count) VALUES (?, ?, 1) "
            "ON CONFLICT(key) DO UPDATE SET count = CASE WHEN window_start = excluded.window_start "
            "THEN count + 1 ELSE 1 END, window_start = excluded.window_start",
            [key, window],
        )
        count = db.execute("SELECT count FROM rate_limit WHERE key = ?", [key]).fetchone()[0]
    return count <= limit


def reset(db: Database, key: str) -> None:
    with write_transaction(db):
        db.execute("DELETE FROM rate_limit WHERE key = ?", [key])


def purge(db: Database, now: datetime, older_than_seconds: int = 86400) -> int:
    """Delete stale counters; returns how many were removed."""
    with write_transaction(db):
        return db.execute(
            "DELETE FROM rate_limit WHERE window_start < ?", [int(now.timestamp()) - older_than_seconds]
        ).rowcount
