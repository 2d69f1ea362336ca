"""Who is using the database file: a lock that every serving process holds and restore checks.

Every process that serves or schedules (each `vises serve`, each gunicorn worker, `vises
scheduler`) holds a *shared* lock on `<database>.lock` for its whole life, and `vises pipeline
run` and `vises synth` for theirs (pipeline/cli.held_database); offline maintenance
(`vises restore`) needs the *exclusive* lock and refuses at once when anyone holds the shared one.
Without it a restore replaced the file under a running server, which kept writing acknowledged
answers into the replaced (deleted) file: all lost. OS file locks (flock) are released by the
kernel when a process ends, even by kill -9, so a crash never leaves a stale lock behind.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from survey_app.core.errors import VisesError
from survey_app.storage.db import DatabaseNotWritable


class DatabaseInUse(VisesError):
    """The database is held by a server or scheduler (for maintenance), or by a restore (for serving)."""


def lock_path(database: str | Path) -> Path:
    return Path(f"{database}.lock")


def _open(database: str | Path) -> int:
    path = lock_path(database)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        return os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    except OSError as exc:
        raise DatabaseNotWritable(database, f"cannot create the lock file {path.name}: {exc.strerror}") from None


class Hold:
    """A shared lock taken by `hold_shared`; `release` lets go (once: later calls do nothing)."""

    def __init__(self, fd: int) -> None:
        self._fd: int | None = fd

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing the descriptor releases the lock
            self._fd = None


def hold_shared(database: str | Path) -> Hold:
    """Take the shared lock, held until `release` (or the process ends)."""
    fd = _open(database)
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        raise DatabaseInUse(
            f"{database}: a restore or other maintenance is replacing this database right now. "
            "Fix: wait for `vises restore` to finish, then start again."
        ) from None
    return Hold(fd)


@contextmanager
def exclusive(database: str | Path) -> Iterator[None]:
    """Hold the exclusive lock for the block: no server, worker or scheduler may be using the database."""
    fd = _open(database)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise DatabaseInUse(
                f"{database} is in use by a running server or scheduler (`vises serve`, gunicorn workers or "
                "`vises scheduler`); nothing was changed. Fix: stop them first (`sudo systemctl stop vises`, or "
                "`vises-web vises-scheduler`; Ctrl-C in a terminal), then run the command again."
            ) from None
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock
