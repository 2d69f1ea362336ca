"""Backups, restores and retention purges.

A backup is a consistent online copy taken with SQLite's backup API while the server keeps
writing (WAL lets readers and one writer work side by side). A restore replaces the database file
with a checked copy, and refuses while a server or scheduler holds the database (storage/inuse.py).
Purges delete personal or stale data once it is no longer needed: drafts left unfinished, and
e-mail addresses after a campaign has closed.
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlite_utils import Database

from survey_app.core.errors import VisesError
from survey_app.core.timeutil import iso_utc
from survey_app.storage import inuse
from survey_app.storage.db import BUSY_TIMEOUT_MS, migrate, write_transaction


class MaintenanceError(VisesError):
    """A backup or restore could not be done; the message says why and what to do."""


def integrity_ok(path: Path) -> bool:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    except sqlite3.DatabaseError:  # not a database at all, or damaged beyond checking
        return False
    finally:
        conn.close()


def backup(database: Path, destination: Path) -> int:
    """Copy the live database to `destination` (a file), atomically; return its size in bytes."""
    if not database.exists():
        raise MaintenanceError(f"{database}: no database to back up. Fix: check database.path in the config.")
    destination = destination.resolve()
    if destination == database.resolve():
        raise MaintenanceError("the backup must not overwrite the database itself. Fix: choose another path.")
    destination.parent.mkdir(parents=True, exist_ok=True)
    partial = destination.with_name(destination.name + ".partial")
    partial.unlink(missing_ok=True)
    source = sqlite3.connect(str(database), timeout=BUSY_TIMEOUT_MS / 1000)
    target = sqlite3.connect(str(partial))
    try:
        # pages=-1 copies everything in one step under one read snapshot: a consistent copy even
        # while the server writes (it keeps writing to the WAL meanwhile).
        source.backup(target, pages=-1)
        target.execute("PRAGMA journal_mode = DELETE")  # a self-contained single file
    finally:
        target.close()
        source.close()
    if not integrity_ok(partial):
        partial.unlink(missing_ok=True)
        raise MaintenanceError("the copy failed its integrity check. Fix: run the backup again.")
    os.replace(partial, destination)
    return destination.stat().st_size


def restore(backup_file: Path, database: Path) -> list[str]:
    """Replace the database with a checked backup and bring it to the current schema; return the
    migrations applied. Refuses (DatabaseInUse) while a server or scheduler uses the database."""
    if not backup_file.exists():
        raise MaintenanceError(f"{backup_file}: no such backup file.")
    if not integrity_ok(backup_file):
        raise MaintenanceError(f"{backup_file}: the backup failed its integrity check; nothing was changed.")
    database.parent.mkdir(parents=True, exist_ok=True)
    with inuse.exclusive(database):  # held until migrated, so no server starts on a half-restored file
        _replace(backup_file, database)
        return migrate(database)  # an older backup is brought up to the current schema


def _replace(backup_file: Path, database: Path) -> None:
    staged = database.with_name(database.name + ".restoring")
    source = sqlite3.connect(f"file:{backup_file}?mode=ro", uri=True)
    target = sqlite3.connect(str(staged))
    try:
        source.backup(target, pages=-1)
    finally:
        target.close()
        source.close()
    # The old WAL belongs to the old file: left behind, SQLite would replay it onto the restored one.
    for suffix in ("-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    os.replace(staged, database)


@dataclass(frozen=True)
class PurgeCounts:
    drafts: int
    emails: int


def purge(db: Database, now: datetime, draft_days: int, email_days_after_close: int) -> PurgeCounts:
    """Delete stale drafts and the e-mail addresses of campaigns closed long enough ago."""
    draft_cutoff = iso_utc(now - timedelta(days=draft_days))
    email_cutoff = iso_utc(now - timedelta(days=email_days_after_close))
    with write_transaction(db):
        drafts = db.execute("DELETE FROM draft WHERE updated_at < ?", [draft_cutoff]).rowcount
        # A campaign's end is its closing date, or the moment it was closed by hand if earlier.
        emails = db.execute(
            "DELETE FROM invitation_email WHERE campaign_id IN (SELECT id FROM campaign "
            "WHERE MIN(closes_at, COALESCE(closed_at, closes_at)) <= ?)",
            [email_cutoff],
        ).rowcount
    return PurgeCounts(drafts, emails)
