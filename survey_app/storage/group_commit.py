"""Group commit: durable transactions that arrive together share one commit, hence one fsync.

A durable commit waits for the disk (an fsync of the WAL: 1 to 10 ms on ordinary servers), and
SQLite lets one writer commit at a time, so durable transactions one after the other top out at
one per fsync. Here the first caller becomes the leader: it runs every piece of work queued so far
in one durable transaction, commits once, wakes the callers whose work it ran, and hands the lead
to the first caller that queued meanwhile. Each caller returns only once its own work is on disk, exactly as with a
transaction of its own; under load, one fsync covers many of them.

If one piece of a batch fails, the batch is rolled back and run again with each piece in its own
savepoint, so the failing piece fails only its caller. A piece may therefore run twice: it must
depend on nothing but the connection it is given. Work runs on the committer's own connection,
kept at synchronous = FULL, when it has one (the web app's has), else on the leader's connection,
made durable for the batch.
One GroupCommit per database and process (the web app keeps one).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Generic, TypeVar

import sqlite_utils

from survey_app.storage.db import durable_transaction, write_transaction

T = TypeVar("T")


class _Ticket(Generic[T]):
    """One caller's work, and what became of it."""

    def __init__(self, work: Callable[[sqlite_utils.Database], T]):
        self.work, self.ready = work, threading.Event()
        self.leads = self.done = False
        self.value: T | None = None
        self.error: BaseException | None = None

    def outcome(self) -> T:
        if self.error is not None:
            raise self.error
        return self.value  # type: ignore[return-value]  # set by the leader when no error


class GroupCommit:
    def __init__(self, connection: sqlite_utils.Database | None = None) -> None:
        """`connection`: the batches' own, set to synchronous = FULL once. A batch then needs no
        PRAGMA before and after it: two statements less per batch, and under load each statement
        hands the interpreter lock round the server's threads (docs/performance.md)."""
        self._lock = threading.Lock()
        self._queue: list[_Ticket] = []
        self._leading = False
        self._own = connection
        if connection is not None:
            connection.conn.execute("PRAGMA synchronous = FULL")

    def run(self, db: sqlite_utils.Database, work: Callable[[sqlite_utils.Database], T]) -> T:
        """`work(connection)` inside a durable transaction; its result once that is on disk."""
        ticket: _Ticket[T] = _Ticket(work)
        with self._lock:
            self._queue.append(ticket)
            if not self._leading:
                self._leading = ticket.leads = True
        if not ticket.leads:
            ticket.ready.wait()  # until a leader ran our work, or handed us the lead
        if not ticket.done:
            self._lead(db)
        return ticket.outcome()

    def _durable(self, db: sqlite_utils.Database) -> AbstractContextManager[sqlite_utils.Database]:
        """The batch's transaction: on the own connection, already durable at every commit."""
        return write_transaction(db) if db is self._own else durable_transaction(db)

    def _lead(self, db: sqlite_utils.Database) -> None:
        db = self._own if self._own is not None else db  # only the leader uses it: one at a time
        with self._lock:
            batch, self._queue = self._queue, []
        try:
            if not self._all_at_once(db, batch):
                with self._durable(db):  # again, each piece in a savepoint of its own
                    for ticket in batch:
                        ticket.value = None
                        try:
                            with write_transaction(db):
                                ticket.value = ticket.work(db)
                        except Exception as exc:  # handed to its caller, raised there
                            ticket.error = exc
        except BaseException as exc:  # the transaction itself failed: none of the batch is stored
            for ticket in batch:
                ticket.error, ticket.value = exc, None
            if not isinstance(exc, Exception):
                raise
        finally:
            self._hand_over(batch)

    def _all_at_once(self, db: sqlite_utils.Database, batch: list[_Ticket]) -> bool:
        """Run the batch in one durable transaction without savepoints (two statements less per
        piece, and the leader holds the write lock that much shorter). False when a piece of a
        batch of several failed: all was rolled back, to be run again piece by piece. A lone
        piece's error, or a failed commit, is raised."""
        failed = False
        try:
            with self._durable(db):
                for ticket in batch:
                    try:
                        ticket.value = ticket.work(db)
                    except Exception:
                        failed = True
                        raise
        except Exception:
            if failed and len(batch) > 1:
                return False
            raise
        return True

    def _hand_over(self, batch: list[_Ticket]) -> None:
        """Wake the batch's callers, and hand the lead to the first caller that queued meanwhile."""
        with self._lock:
            following = self._queue[0] if self._queue else None
            if following is not None:
                following.leads = True
            else:
                self._leading = False
        for ticket in batch:
            ticket.done = True
            ticket.ready.set()
        if following is not None:
            following.ready.set()
