"""The request's database connection: one per request, reused from a small per-app pool.

Flask plumbing around `survey_app.storage.db`: `get_db()` on first use in a request, `close_db` on
teardown, and a keeper connection per app so closing a request connection never checkpoints.
"""

from __future__ import annotations

import queue
import sqlite3

import sqlite_utils
from flask import Flask, current_app, g

from survey_app.storage.db import connect


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


def init_app(app: Flask) -> None:
    app.teardown_appcontext(close_db)
    # Idle connections, one per server thread at most: each is used by one request at a time.
    app.extensions["vises.pool"] = queue.LifoQueue(maxsize=app.config["SETTINGS"]["server.threads"] + 4)
    # While one connection stays open, closing a request's connection is not the last close, which
    # would checkpoint the whole WAL into the database file (~10 ms) on every request.
    keeper = sqlite3.connect(app.config["SETTINGS"]["database.path"], check_same_thread=False)
    keeper.execute("SELECT COUNT(*) FROM sqlite_master")  # a first read maps the WAL index
    app.extensions["vises.keeper"] = keeper
