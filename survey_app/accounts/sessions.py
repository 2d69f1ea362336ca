"""Back-office sessions kept in the database (table user_session).

The signed Flask cookie carries only a random session id; the row it names says who is signed in.
Deleting the row ends the session everywhere (sign-out, password change, timeout), even if an old
cookie is replayed, and every worker process sees the same rows. Anonymous visitors (respondents)
get no row: their cookie only holds a CSRF token, so answering a survey costs no session write.
Only a SHA-256 hash of the id is stored, so a copy of the database cannot hijack a session.
A session's `second_factor` is 'done' once fully signed in; 'code' (waiting for the one-time code)
and 'enrol' (waiting for the enrolment the role requires) open only the two-factor pages.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlite_utils import Database

from survey_app.accounts.users import token_hash
from survey_app.core.config import Settings
from survey_app.core.timeutil import iso_utc, parse_iso
from survey_app.storage.db import write_transaction

# Refreshing last_seen_at on every request would make every page a write; a minute is precise enough.
TOUCH_EVERY = timedelta(minutes=1)
PENDING_TIMEOUT = timedelta(minutes=15)


@dataclass(frozen=True)
class Timeouts:
    idle: timedelta
    absolute: timedelta

    @classmethod
    def from_settings(cls, settings: Settings) -> Timeouts:
        return cls(
            timedelta(minutes=settings.security.session_idle_minutes),
            timedelta(hours=settings.security.session_absolute_hours),
        )


def start(db: Database, user_id: int, now: datetime, second_factor: str = "done") -> str:
    """Create a session row for `user_id` and return the new random id (for the cookie)."""
    session_id = secrets.token_urlsafe(32)
    with write_transaction(db):
        db.execute(
            "INSERT INTO user_session (id_hash, user_id, created_at, last_seen_at, second_factor) "
            "VALUES (?, ?, ?, ?, ?)",
            [token_hash(session_id), user_id, iso_utc(now), iso_utc(now), second_factor],
        )
    return session_id


def resolve(db: Database, session_id: str, now: datetime, timeouts: Timeouts) -> tuple[int, str] | None:
    """(user id, second-factor state) of a live session, or None; an expired one is deleted on the way."""
    key = token_hash(session_id)
    row = db.execute(
        "SELECT user_id, created_at, last_seen_at, second_factor FROM user_session WHERE id_hash = ?", [key]
    ).fetchone()
    if row is None:
        return None
    user_id, created, last_seen = row[0], parse_iso(row[1]), parse_iso(row[2])
    if row[3] != "done":  # half signed in: a few minutes to give the code, whatever the settings
        timeouts = Timeouts(min(timeouts.idle, PENDING_TIMEOUT), min(timeouts.absolute, PENDING_TIMEOUT))
    if now - last_seen >= timeouts.idle or now - created >= timeouts.absolute:
        end(db, session_id)
        return None
    if now - last_seen >= TOUCH_EVERY:
        with write_transaction(db):
            db.execute("UPDATE user_session SET last_seen_at = ? WHERE id_hash = ?", [iso_utc(now), key])
    return int(user_id), row[3]


def end(db: Database, session_id: str) -> None:
    with write_transaction(db):
        db.execute("DELETE FROM user_session WHERE id_hash = ?", [token_hash(session_id)])


def end_all(db: Database, user_id: int, keep: str | None = None) -> int:
    """End every session of a user (after a password change or reset), except `keep`."""
    with write_transaction(db):
        return db.execute(
            "DELETE FROM user_session WHERE user_id = ? AND id_hash IS NOT ?",
            [user_id, token_hash(keep) if keep else None],
        ).rowcount


def purge(db: Database, now: datetime, timeouts: Timeouts) -> int:
    """Delete sessions past either timeout (housekeeping; expired ones never resolve anyway)."""
    with write_transaction(db):
        return db.execute(
            "DELETE FROM user_session WHERE last_seen_at <= ? OR created_at <= ?",
            [iso_utc(now - timeouts.idle), iso_utc(now - timeouts.absolute)],
        ).rowcount
