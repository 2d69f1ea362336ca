"""Connections and transactions: pragmas and BEGIN IMMEDIATE write transactions."""

import sqlite3
import threading

import pytest

from survey_app.storage.db import connect, write_transaction


@pytest.fixture
def database(tmp_path, migrated_copy):
    db = connect(migrated_copy(tmp_path / "t.db"))
    yield db
    db.close()


def test_connection_pragmas(database):
    conn = database.conn
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert conn.execute("PRAGMA busy_timeout").fetchone()[0] == 5000
    assert conn.execute("PRAGMA journal_size_limit").fetchone()[0] == 64 * 1024 * 1024
    assert conn.isolation_level is None


def test_write_transaction_commits_and_rolls_back(database):
    with write_transaction(database):
        database.execute("INSERT INTO rate_limit (key, window_start, count) VALUES ('a', 0, 1)")
    with pytest.raises(RuntimeError), write_transaction(database):
        database.execute("INSERT INTO rate_limit (key, window_start, count) VALUES ('b', 0, 1)")
        raise RuntimeError("boom")
    assert [r["key"] for r in database["rate_limit"].rows] == ["a"]
    assert not database.conn.in_transaction


def test_write_transaction_is_immediate(tmp_path, database):
    """A second writer waits for the first instead of failing with 'database is locked'."""
    other = connect(tmp_path / "t.db")
    started, release = threading.Event(), threading.Event()

    def first_writer():
        with write_transaction(database):
            database.execute("INSERT INTO rate_limit (key, window_start, count) VALUES ('x', 0, 1)")
            started.set()
            release.wait(2)

    thread = threading.Thread(target=first_writer)
    thread.start()
    started.wait(2)
    # While the first transaction is open, a reserved lock is held: IMMEDIATE cannot start at once.
    assert database.conn.in_transaction
    threading.Timer(0.2, release.set).start()
    with write_transaction(other):
        other.execute("UPDATE rate_limit SET count = count + 1 WHERE key = 'x'")
    thread.join()
    assert other.execute("SELECT count FROM rate_limit WHERE key = 'x'").fetchone()[0] == 2
    other.close()


def test_sqlite_utils_writes_join_the_transaction(database):
    with pytest.raises(sqlite3.IntegrityError), write_transaction(database):
        database["rate_limit"].insert({"key": "k", "window_start": 0, "count": 1})
        database["rate_limit"].insert({"key": "k", "window_start": 0, "count": 1})
    assert database["rate_limit"].count == 0


def test_request_connections_are_reused_and_the_idle_ones_bounded(app):
    """web.db's pool: a request takes the last connection given back; beyond one idle connection
    per server thread (and a few spare) a connection given back is closed."""
    from flask import g

    from survey_app.web.db import POOL, close_db, get_db, idle_limit

    with app.app_context():
        first = get_db()
    with app.app_context():
        assert get_db() is first  # given back at teardown, taken again
    limit = idle_limit(app)
    with app.app_context():
        opened = []
        for _ in range(limit + 2):
            opened.append(get_db())
            g.pop("db")  # as if each were another request's
        for db in opened:
            g.db = db
            close_db()
        assert len(app.extensions[POOL]) == limit
        with pytest.raises(sqlite3.ProgrammingError):
            opened[-1].execute("SELECT 1")  # closed, not kept
