"""One-row reads that keep the interpreter lock: the survey pages' look-up without handing it round.

Why: Python's sqlite3 module releases the GIL around every sqlite3_step and sqlite3_reset, three
times for a one-row SELECT. With the server's threads all wanting the lock, each release wakes
other threads for nothing. Measured under load (docs/performance.md), a survey page's one look-up
cost about 0.3 ms of server CPU, 40% of the page, where it costs SQLite some 10 microseconds. For
so short a read, keeping the lock is much cheaper than releasing it.

How:
- The same libsqlite3 as the sqlite3 module's, found in the process's memory map, is called through
  `ctypes.PyDLL`, which keeps the GIL. No second copy of SQLite is ever loaded: a second copy in one
  process can drop the first one's file locks (https://sqlite.org/howtocorrupt.html, 2.2.1).
- Each thread has its own connection (opened read-write, never creating the file) and prepares
  each statement once. It has no busy timeout: it never waits while holding the lock.
- A statement selects one column, a JSON text built by SQLite (`json_array`): one call brings the
  whole row, and `json.loads` gives the ints, strings and None the sqlite3 module would.
- Anything but a row or no row (a busy database, an error) raises `Unavailable`, and the caller
  reads through its ordinary connection. Where the library is not found (SQLite built into Python,
  not Linux), `open_reader` returns None and there is nothing to fall back from.
Only reads outside a transaction may use it: it sees what is committed, not a transaction's own
writes. A read on a cold cache holds the lock for a disk read; the pages are in memory after.
"""

from __future__ import annotations

import ctypes
import json
import sqlite3
import threading
import weakref
from collections.abc import Sequence
from pathlib import Path
from typing import Any

SQLITE_OK, SQLITE_ROW, SQLITE_DONE = 0, 100, 101
SQLITE_OPEN_READWRITE = 0x02
SQLITE_PREPARE_PERSISTENT = 0x01
SQLITE_TRANSIENT = ctypes.c_void_p(-1)  # SQLite copies the bound value


class Unavailable(Exception):
    """The held read could not answer; read through an ordinary connection instead."""


def loaded_library() -> str | None:
    """Path of the libsqlite3 the sqlite3 module runs on, or None (built in, or not Linux)."""
    try:
        maps = Path("/proc/self/maps").read_text()
    except OSError:
        return None
    for line in maps.splitlines():
        fields = line.split(maxsplit=5)  # address, permissions, offset, device, inode, path
        if len(fields) == 6 and "/libsqlite3.so" in fields[5]:
            return fields[5].strip()
    return None


def _bind(lib: ctypes.PyDLL) -> ctypes.PyDLL:
    """Declare the C signatures used (ctypes would otherwise guess int for every argument)."""
    p, i, s = ctypes.c_void_p, ctypes.c_int, ctypes.c_char_p
    signatures: dict[str, tuple[list[Any], Any]] = {
        "sqlite3_libversion": ([], s),
        "sqlite3_open_v2": ([s, ctypes.POINTER(p), i, s], i),
        "sqlite3_close_v2": ([p], i),
        "sqlite3_errmsg": ([p], s),
        "sqlite3_prepare_v3": ([p, s, i, ctypes.c_uint, ctypes.POINTER(p), ctypes.POINTER(s)], i),
        "sqlite3_finalize": ([p], i),
        "sqlite3_column_count": ([p], i),
        "sqlite3_bind_text": ([p, i, s, i, p], i),
        "sqlite3_bind_int64": ([p, i, ctypes.c_int64], i),
        "sqlite3_step": ([p], i),
        "sqlite3_reset": ([p], i),
        "sqlite3_column_text": ([p, i], p),
        "sqlite3_column_bytes": ([p, i], i),
    }
    for name, (arguments, result) in signatures.items():
        function = getattr(lib, name)
        function.argtypes, function.restype = arguments, result
    return lib


def open_reader(path: str | Path) -> HeldReader | None:
    """A held reader of the database file, or None where the sqlite3 module's library is not found."""
    found = loaded_library()
    if found is None:
        return None
    lib = _bind(ctypes.PyDLL(found))  # already loaded: the same copy, not a second one
    if lib.sqlite3_libversion().decode() != sqlite3.sqlite_version:
        return None  # not the library the sqlite3 module uses after all
    return HeldReader(lib, str(path))


class HeldReader:
    """Reads of one database file, with one connection per thread (closed with the reader or thread)."""

    def __init__(self, lib: ctypes.PyDLL, path: str):
        self.lib, self.path = lib, path
        self._local = threading.local()

    def first(self, sql: str, params: Sequence[str | int]) -> Any:
        """The JSON value of the first row's one column, decoded; None when there is no row."""
        statement = self._connection().statement(sql)
        lib = self.lib
        try:
            for index, value in enumerate(params, start=1):
                if isinstance(value, str):
                    data = value.encode()
                    code = lib.sqlite3_bind_text(statement, index, data, len(data), SQLITE_TRANSIENT)
                else:
                    code = lib.sqlite3_bind_int64(statement, index, value)
                if code != SQLITE_OK:
                    raise Unavailable(f"binding parameter {index} gave SQLite code {code}")
            code = lib.sqlite3_step(statement)
            if code == SQLITE_DONE:
                return None
            if code != SQLITE_ROW:
                raise Unavailable(f"SQLite code {code}")  # busy, or an error: the caller reads again
            text = lib.sqlite3_column_text(statement, 0)
            if text is None:
                return None
            return json.loads(ctypes.string_at(text, lib.sqlite3_column_bytes(statement, 0)))
        finally:
            lib.sqlite3_reset(statement)

    def _connection(self) -> _Connection:
        connection: _Connection | None = getattr(self._local, "connection", None)
        if connection is None:
            connection = self._local.connection = _Connection(self.lib, self.path)
        return connection


class _Connection:
    """One thread's connection and its prepared statements; closed when garbage collected."""

    def __init__(self, lib: ctypes.PyDLL, path: str):
        self.lib, handle = lib, ctypes.c_void_p()
        code = lib.sqlite3_open_v2(path.encode(), ctypes.byref(handle), SQLITE_OPEN_READWRITE, None)
        self.handle, self.statements = handle, dict[str, ctypes.c_void_p]()
        weakref.finalize(self, _close, lib, handle, self.statements)
        if code != SQLITE_OK:
            raise Unavailable(f"opening {path} gave SQLite code {code}")

    def statement(self, sql: str) -> ctypes.c_void_p:
        statement = self.statements.get(sql)
        if statement is None:
            statement = ctypes.c_void_p()
            code = self.lib.sqlite3_prepare_v3(
                self.handle, sql.encode(), -1, SQLITE_PREPARE_PERSISTENT, ctypes.byref(statement), None
            )
            if code != SQLITE_OK:
                raise Unavailable(f"preparing gave SQLite code {code}: {self.lib.sqlite3_errmsg(self.handle).decode()}")
            if self.lib.sqlite3_column_count(statement) != 1:
                self.lib.sqlite3_finalize(statement)
                raise ValueError("a held read selects one column, a JSON text (json_array)")
            self.statements[sql] = statement
        return statement


def _close(lib: ctypes.PyDLL, handle: ctypes.c_void_p, statements: dict[str, ctypes.c_void_p]) -> None:
    for statement in statements.values():
        lib.sqlite3_finalize(statement)
    statements.clear()
    lib.sqlite3_close_v2(handle)  # also after a failed open, which still allocates a handle
