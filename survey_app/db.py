"""The one module that opens SQLite connections.

Every connection gets a busy timeout and foreign keys (WAL is set once, in the file); the driver
runs in autocommit mode (`isolation_level=None`) so transactions are ours. Request connections are
reused from a small per-app pool. Every write goes through `write_transaction`,
which starts with BEGIN IMMEDIATE. A deferred BEGIN that reads then writes fails at once with
"database is locked" when another writer is active; IMMEDIATE waits its turn instead.
"""

from __future__ import annotations

import queue
import sqlite3
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import sqlite_utils
from flask import Flask, current_app, g

BUSY_TIMEOUT_MS = 5000


def connect(path: str | Path) -> sqlite_utils.Database:
    """Open a configured connection to the database file (created if missing)."""
    if str(path) != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(str(path), isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000,
                           check_same_thread=False)
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    # WAL is a property of the file, set once by `migrate`; asking again costs ~2 ms per connection.
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("PRAGMA foreign_keys = ON")
    return sqlite_utils.Database(conn, execute_plugins=False)


@contextmanager
def write_transaction(db: sqlite_utils.Database) -> Iterator[sqlite_utils.Database]:
    """Run the block in one BEGIN IMMEDIATE transaction; commit on success, roll back on error.

    sqlite-utils write methods called inside nest as savepoints, so they join this transaction.
    """
    db.conn.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        if db.conn.in_transaction:
            db.conn.execute("ROLLBACK")
        raise
    else:
        db.conn.execute("COMMIT")


def get_db() -> sqlite_utils.Database:
    """The request's connection, taken from the app's idle connections (or opened) on first use."""
    if "db" not in g:
        try:
            g.db = current_app.extensions["vises.pool"].get_nowait()
        except queue.Empty:
            g.db = connect(current_app.config["SETTINGS"]["database.path"])
    return g.db


def close_db(_exc: BaseException | None = None) -> None:
    """Give the request's connection back for the next request (opening one costs ~1 ms)."""
    db = g.pop("db", None)
    if db is None:
        return
    if db.conn.in_transaction:  # never hand an open transaction to the next request
        db.conn.execute("ROLLBACK")
    try:
        current_app.extensions["vises.pool"].put_nowait(db)
    except queue.Full:
        db.close()


def migrate(path: str | Path) -> list[str]:
    """Apply pending migrations; return the names applied (empty when up to date)."""
    from survey_app.schema import migrations

    db = connect(path)
    try:
        db.execute("PRAGMA journal_mode = WAL")
        with write_transaction(db):
            pending = [m.name for m in migrations.pending(db)]
            migrations.apply(db)
        return pending
    finally:
        db.close()


def init_app(app: Flask) -> None:
    app.teardown_appcontext(close_db)
    # Idle connections, one per server thread at most: each is used by one request at a time.
    app.extensions["vises.pool"] = queue.LifoQueue(maxsize=app.config["SETTINGS"]["server.threads"] + 4)
    # While one connection stays open, closing a request's connection is not the last close, which
    # would checkpoint the whole WAL into the database file (~10 ms) on every request.
    keeper = sqlite3.connect(app.config["SETTINGS"]["database.path"], check_same_thread=False)
    keeper.execute("SELECT COUNT(*) FROM sqlite_master")  # a first read maps the WAL index
    app.extensions["vises.keeper"] = keeper
