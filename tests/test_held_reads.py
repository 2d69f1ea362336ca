"""Held reads (storage.held_reads): what the sqlite3 module reads, and an ordinary read whenever they
cannot answer; one connection per thread, closed with its thread or reader."""

from __future__ import annotations

import gc
import os
import sqlite3
import threading
import time
from contextlib import closing
from pathlib import Path

import pytest

from survey_app.storage import held_reads
from survey_app.storage.held_reads import HeldReader, Unavailable, open_reader

ROW_SQL = "SELECT json_array(id, name, note, big) FROM thing WHERE id = ?"


@pytest.fixture
def things(tmp_path) -> Path:
    path = tmp_path / "things.db"
    with closing(sqlite3.connect(path, isolation_level=None)) as conn:
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("CREATE TABLE thing (id INTEGER PRIMARY KEY, name TEXT, note TEXT, big INTEGER)")
        conn.executemany(
            "INSERT INTO thing VALUES (?, ?, ?, ?)",
            [(1, "Atelier Solidaire", None, 2**62), (2, 'Zoë "la" Coop\n\t\\', "é€😀", -7), (3, "", "", 0)],
        )
    return path


@pytest.fixture
def reader(things) -> HeldReader:
    found = open_reader(things)
    if found is None:
        pytest.skip("this Python's sqlite3 module has SQLite built in: there is no shared library to call")
    return found


def open_handles(path: Path) -> int:
    """File descriptors of this process open on the database file (its -wal and -shm aside)."""
    folder = Path("/proc/self/fd")
    return sum(1 for fd in os.listdir(folder) if os.path.realpath(folder / fd) == str(path.resolve()))


def test_the_library_is_the_one_the_sqlite3_module_runs_on(reader):
    assert "libsqlite3.so" in held_reads.loaded_library()
    assert reader.lib.sqlite3_libversion().decode() == sqlite3.sqlite_version


def test_rows_read_as_the_sqlite3_module_reads_them(reader, things):
    with closing(sqlite3.connect(things)) as conn:
        for id_ in (1, 2, 3):
            expected = conn.execute("SELECT id, name, note, big FROM thing WHERE id = ?", [id_]).fetchone()
            assert tuple(reader.first(ROW_SQL, [id_])) == expected
    assert reader.first("SELECT json_array(name) FROM thing WHERE name = ?", ["Atelier Solidaire"]) == [
        "Atelier Solidaire"
    ]


def test_no_row_reads_none(reader):
    assert reader.first(ROW_SQL, [99]) is None


def test_it_sees_what_another_connection_commits(reader, things):
    assert reader.first(ROW_SQL, [4]) is None
    with closing(sqlite3.connect(things, isolation_level=None)) as conn:
        conn.execute("INSERT INTO thing VALUES (4, 'new', NULL, 1)")
    assert reader.first(ROW_SQL, [4]) == [4, "new", None, 1]


def test_an_error_while_stepping_is_unavailable_and_the_reader_goes_on(reader):
    with pytest.raises(Unavailable):
        reader.first("SELECT json_array(abs(?))", [-(2**63)])  # integer overflow, raised by sqlite3_step
    assert reader.first(ROW_SQL, [3]) == [3, "", "", 0]


def test_bad_sql_is_unavailable_and_a_second_column_is_a_programming_error(reader):
    with pytest.raises(Unavailable, match="no such table"):
        reader.first("SELECT json_array(1) FROM nowhere", [])
    with pytest.raises(ValueError, match="one column"):
        reader.first("SELECT 1, 2", [])


def test_a_busy_database_is_unavailable_at_once_never_awaited_with_the_lock_held(tmp_path):
    """In rollback-journal mode a writer's exclusive lock keeps readers out: the held read gives up
    at once (an ordinary connection waits up to its 5 s busy timeout instead)."""
    path = tmp_path / "journal.db"
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("CREATE TABLE thing (id INTEGER PRIMARY KEY, name TEXT, note TEXT, big INTEGER)")
    reader = open_reader(path)
    if reader is None:
        pytest.skip("this Python's sqlite3 module has SQLite built in")
    writer.execute("BEGIN EXCLUSIVE")
    writer.execute("INSERT INTO thing VALUES (1, 'x', NULL, 0)")
    started = time.monotonic()
    with pytest.raises(Unavailable, match="code 5"):  # SQLITE_BUSY
        reader.first(ROW_SQL, [1])
    assert time.monotonic() - started < 1
    writer.execute("COMMIT")
    assert reader.first(ROW_SQL, [1]) == [1, "x", None, 0]
    writer.close()


def test_one_connection_per_thread_closed_when_its_thread_ends_or_the_reader_goes(reader, things):
    mine: HeldReader | None = open_reader(things)  # the fixture's reader lives until the test ends
    assert open_handles(things) == 0
    seen, both_read, done = [], threading.Barrier(3), threading.Event()

    def read(id_: int) -> None:
        seen.append(mine.first(ROW_SQL, [id_])[0])
        both_read.wait(5)
        done.wait(5)

    threads = [threading.Thread(target=read, args=(id_,)) for id_ in (1, 2)]
    for thread in threads:
        thread.start()
    both_read.wait(5)
    assert sorted(seen) == [1, 2] and open_handles(things) == 2  # one connection each
    done.set()
    for thread in threads:
        thread.join()
    gc.collect()
    assert open_handles(things) == 0  # closed with their threads
    assert mine.first(ROW_SQL, [3])[0] == 3
    assert open_handles(things) == 1
    mine = None
    gc.collect()
    assert open_handles(things) == 0


def test_no_reader_where_the_library_is_not_found(things, monkeypatch):
    monkeypatch.setattr(held_reads, "loaded_library", lambda: None)
    assert open_reader(things) is None
