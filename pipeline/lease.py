"""One pipeline run at a time across threads and processes: a lease row in the database.

Whoever holds an unexpired lease may run; the holder renews it between steps. A holder that dies
leaves a lease that simply expires, so a crashed process never blocks the weekly refresh for good;
a holder on this machine whose process is gone is recognised at once, so a run killed by hand can
be started again straight away.
Each check-and-take happens inside BEGIN IMMEDIATE, so two contenders cannot both win.
"""

from __future__ import annotations

import os
import socket
import threading
import uuid
from datetime import datetime, timedelta

from sqlite_utils import Database

from survey_app.core.timeutil import iso_utc
from survey_app.storage.db import write_transaction

NAME = "pipeline"
TTL = timedelta(minutes=30)


def new_holder() -> str:
    """A holder id unique to this attempt, readable in the lease row (host, process, thread)."""
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}:{uuid.uuid4().hex[:8]}"


def holder_is_dead(holder: str) -> bool:
    """True when the holder ran on this machine and its process no longer exists."""
    host, _, rest = holder.partition(":")
    pid = rest.partition(":")[0]
    if host != socket.gethostname() or not pid.isdigit():
        return False  # another machine's process: only the expiry can tell
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def acquire(db: Database, holder: str, now: datetime, ttl: timedelta = TTL, name: str = NAME) -> bool:
    """Take the lease if it is free, expired, left by a dead process or already ours."""
    with write_transaction(db):
        row = db.execute("SELECT holder, expires_at FROM pipeline_lease WHERE name = ?", [name]).fetchone()
        if row is not None and row[0] != holder and row[1] > iso_utc(now) and not holder_is_dead(row[0]):
            return False
        db.execute(
            "INSERT OR REPLACE INTO pipeline_lease (name, holder, acquired_at, expires_at) VALUES (?, ?, ?, ?)",
            [name, holder, iso_utc(now), iso_utc(now + ttl)],
        )
        return True


def renew(db: Database, holder: str, now: datetime, ttl: timedelta = TTL, name: str = NAME) -> bool:
    """Push our lease's expiry forward; False if we lost it (it expired and someone took it)."""
    with write_transaction(db):
        cursor = db.execute(
            "UPDATE pipeline_lease SET expires_at = ? WHERE name = ? AND holder = ?", [iso_utc(now + ttl), name, holder]
        )
        return cursor.rowcount == 1


def release(db: Database, holder: str, name: str = NAME) -> None:
    with write_transaction(db):
        db.execute("DELETE FROM pipeline_lease WHERE name = ? AND holder = ?", [name, holder])


def current(db: Database, name: str = NAME) -> dict | None:
    rows = list(db.query("SELECT * FROM pipeline_lease WHERE name = ?", [name]))
    return rows[0] if rows else None
