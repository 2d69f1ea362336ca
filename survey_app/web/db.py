"""The request's database connection: one per request, reused from a small per-app pool.

Flask plumbing around `survey_app.storage.db`: `get_db()` on first use in a request, `close_db` on
teardown, and a keeper connection per app so closing a request connection never checkpoints.
"""

from __future__ import annotations

import sqlite3
from collections import deque

import sqlite_utils
from flask import Flask, current_app, g

from survey_app.storage.db import connect
from survey_app.storage.held_reads import HeldReader, open_reader

# Idle connections, last returned first: a deque, whose append and pop are atomic, rather than a
# queue.Queue, whose Python lock the server's threads queued on (measured with the link's look-up
# held, docs/performance.md: with 8 threads a survey page cost twice the CPU it costs one thread).
POOL = "vises.pool"
HELD_READER = "vises.held_reader"  # the app's storage.held_reads.HeldReader, or None


def idle_limit(app: Flask) -> int:
    """One idle connection per server thread at most (each serves one request at a time), a few spare."""
    return app.config["SETTINGS"]["server.threads"] + 4


def get_db() -> sqlite_utils.Database:
    """The request's connection, taken from the app's idle connections (or opened) on first use."""
    if "db" not in g:
        try:
            g.db = current_app.extensions[POOL].pop()
        except IndexError:
            g.db = connect(current_app.config["SETTINGS"]["database.path"])
    return g.db


def held_reader() -> HeldReader | None:
    """The app's reader that keeps the GIL (storage.held_reads), None where it is not available.
    For reads outside a transaction only: it sees what is committed."""
    reader: HeldReader | None = current_app.extensions.get(HELD_READER)
    return reader


def close_db(_exc: BaseException | None = None) -> None:
    """Give the request's connection back for the next request (opening one costs ~1 ms)."""
    db = g.pop("db", None)
    if db is None:
        return
    if db.conn.in_transaction:  # never hand an open transaction to the next request
        db.conn.execute("ROLLBACK")
    idle = current_app.extensions[POOL]
    if len(idle) < idle_limit(current_app):  # two threads may both pass: one connection too many, no harm
        idle.append(db)
    else:
        db.close()


def init_app(app: Flask) -> None:
    app.teardown_appcontext(close_db)
    app.extensions[POOL] = deque[sqlite_utils.Database]()
    # While one connection stays open, closing a request's connection is not the last close, which
    # would checkpoint the whole WAL into the database file (~10 ms) on every request.
    keeper = sqlite3.connect(app.config["SETTINGS"]["database.path"], check_same_thread=False)
    keeper.execute("SELECT COUNT(*) FROM sqlite_master")  # a first read maps the WAL index
    app.extensions["vises.keeper"] = keeper
    app.extensions[HELD_READER] = open_reader(app.config["SETTINGS"]["database.path"])
