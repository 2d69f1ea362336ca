"""Group commit: durable transactions arriving together share one commit; each caller gets its
own result (or error) only once its work is on disk, and one failing piece of work leaves the
others stored."""

from __future__ import annotations

import sqlite3
import threading
import time
from contextlib import contextmanager

import pytest

from survey_app.storage import group_commit
from survey_app.storage.db import connect
from survey_app.storage.group_commit import GroupCommit


@pytest.fixture
def database(tmp_path):
    path = tmp_path / "g.db"
    setup = connect(path)
    setup.execute("PRAGMA journal_mode = WAL")
    setup.execute("CREATE TABLE item (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE)")
    setup.close()
    return path


def counting(monkeypatch, name: str) -> list[int]:
    """Counts the transactions of one kind (`durable_transaction`, `write_transaction`) that
    GroupCommit opens."""
    opened: list[int] = []
    real = getattr(group_commit, name)

    @contextmanager
    def counted(db):
        opened.append(1)
        with real(db) as inner:
            yield inner

    monkeypatch.setattr(group_commit, name, counted)
    return opened


@pytest.fixture
def commits(monkeypatch):
    return counting(monkeypatch, "durable_transaction")


def insert(name: str, pause: float = 0.0):
    def work(db):
        time.sleep(pause)  # the first piece keeps the lead busy while the others queue
        return db.conn.execute("INSERT INTO item (name) VALUES (?)", [name]).lastrowid

    return work


def run_together(database, works, committer: GroupCommit | None = None) -> list:
    committer, results = committer or GroupCommit(), [None] * len(works)

    def call(index: int) -> None:
        db = connect(database)
        try:
            results[index] = committer.run(db, works[index])
        except Exception as exc:  # noqa: BLE001 (the test looks at what each caller got)
            results[index] = exc
        finally:
            db.close()

    threads = [threading.Thread(target=call, args=(i,)) for i in range(len(works))]
    threads[0].start()
    time.sleep(0.05)  # the first caller leads; the others arrive while its work runs
    for thread in threads[1:]:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def names(database) -> list[str]:
    db = connect(database)
    try:
        return [r[0] for r in db.execute("SELECT name FROM item ORDER BY name")]
    finally:
        db.close()


def test_callers_arriving_together_share_commits_and_each_get_their_result(database, commits):
    works = [insert("n00", pause=0.3)] + [insert(f"n{i:02d}") for i in range(1, 12)]
    results = run_together(database, works)
    assert sorted(results) == list(range(1, 13))  # every caller got its own row id
    assert names(database) == [f"n{i:02d}" for i in range(12)]
    assert len(commits) == 2  # the first alone, then the eleven that queued meanwhile


def test_a_failing_piece_of_work_fails_only_its_caller(database, commits):
    works = [insert("a", pause=0.3), insert("b"), insert("a"), insert("c")]  # the second "a" breaks UNIQUE
    results = run_together(database, works)
    assert isinstance(results[2], sqlite3.IntegrityError)
    assert sorted(r for i, r in enumerate(results) if i != 2) == [1, 2, 3]
    assert names(database) == ["a", "b", "c"]


def test_a_failed_commit_fails_every_caller_of_the_batch_and_stores_nothing(database, monkeypatch):
    real = group_commit.durable_transaction

    @contextmanager
    def failing(db):
        with real(db) as inner:
            yield inner
            inner.conn.execute("ROLLBACK")  # as if the disk refused the commit
            raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(group_commit, "durable_transaction", failing)
    results = run_together(database, [insert("x", pause=0.2), insert("y"), insert("z")])
    assert all(isinstance(r, sqlite3.OperationalError) for r in results)
    assert names(database) == []


def test_alone_it_is_a_plain_durable_transaction(database, commits):
    db = connect(database)
    try:
        assert GroupCommit().run(db, insert("solo")) == 1
        assert db.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL again afterwards
    finally:
        db.close()
    assert names(database) == ["solo"] and len(commits) == 1


def test_a_batch_runs_without_savepoints_unless_a_piece_fails(database, commits, monkeypatch):
    """Savepoints cost two statements per piece: a batch runs without them, and only when one of
    its pieces fails is it rolled back and run again, each piece in its own savepoint."""
    savepoints = counting(monkeypatch, "write_transaction")
    run_together(database, [insert("p", pause=0.3), insert("q"), insert("r")])
    assert savepoints == [] and names(database) == ["p", "q", "r"] and len(commits) == 2
    results = run_together(database, [insert("s", pause=0.3), insert("t"), insert("q"), insert("u")])
    assert isinstance(results[2], sqlite3.IntegrityError) and len(savepoints) == 3  # the batch of three, again
    assert names(database) == ["p", "q", "r", "s", "t", "u"]


def test_with_its_own_connection_a_batch_is_durable_without_pragmas_around_it(database):
    """The web app's committer has a connection of its own, at synchronous = FULL from the start:
    a batch is BEGIN IMMEDIATE, the work, COMMIT, on that connection, whatever connection the
    leader came with; and what it stored is on disk when `run` returns."""
    own = connect(database)
    committer, statements = GroupCommit(own), []
    own.conn.set_trace_callback(statements.append)
    caller, given = connect(database), []

    def work(db):
        given.append(db)
        return insert("solo")(db)

    assert committer.run(caller, work) == 1
    assert given == [own]
    assert own.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL: every commit fsyncs the log
    assert [s.split()[0] for s in statements] == ["BEGIN", "INSERT", "COMMIT", "PRAGMA"]  # the last: the check above
    assert names(database) == ["solo"]
    caller.close()
    own.close()


def test_with_its_own_connection_one_failing_piece_still_fails_only_its_caller(database):
    """The batch is run again piece by piece, each in a savepoint, on the committer's connection."""
    works = [insert("a", pause=0.3), insert("b"), insert("a"), insert("c")]
    results = run_together(database, works, GroupCommit(connect(database)))
    assert isinstance(results[2], sqlite3.IntegrityError)
    assert all(isinstance(r, int) for i, r in enumerate(results) if i != 2)
    assert names(database) == ["a", "b", "c"]
