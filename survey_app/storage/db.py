"""The one module that opens SQLite connections for the sqlite3 module, and the one transaction
convention. (storage/held_reads.py opens connections of its own, used only to read, through the same
library, for the survey pages' one-row look-up.)

Every connection gets a busy timeout, foreign keys and secure delete (WAL is set once, in the file);
the driver runs in autocommit mode (`isolation_level=None`) so transactions are ours. Every write goes through
`write_transaction`, which is re-entrant: the outermost block starts with BEGIN IMMEDIATE (a deferred
BEGIN that reads then writes fails at once with "database is locked" when another writer is active;
IMMEDIATE waits its turn instead), and a block inside it becomes a SAVEPOINT of that transaction.
"""

from __future__ import annotations

import itertools
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlite_utils

from survey_app.core.errors import VisesError

BUSY_TIMEOUT_MS = 5000
WAL_KEPT_BYTES = 64 * 1024 * 1024  # the log file is cut back to this after a checkpoint
_savepoints = itertools.count()  # unique savepoint names; the name only has to differ from the outer ones


def connect(path: str | Path) -> sqlite_utils.Database:
    """Open a configured connection to the database file (created if missing)."""
    if str(path) != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(str(path), isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False)
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    # WAL is a property of the file, set once by `migrate`; asking again costs ~2 ms per connection.
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("PRAGMA foreign_keys = ON")
    # Deleted rows (drafts, e-mail addresses, dropped dates) are overwritten with zeros instead of
    # lingering in free pages of the file, where anyone with a copy could read them back.
    conn.execute("PRAGMA secure_delete = ON")
    # A large batch (a `--full` rebuild writes from two processes) leaves the log file hundreds of
    # MB long; SQLite reuses it rather than shrinking it, unless told where to cut it back.
    conn.execute(f"PRAGMA journal_size_limit = {WAL_KEPT_BYTES}")
    return sqlite_utils.Database(conn, execute_plugins=False)


@contextmanager
def write_transaction(db: sqlite_utils.Database) -> Iterator[sqlite_utils.Database]:
    """Run the block atomically: commit (or release) on success, roll back on error.

    Re-entrant, so a domain function can guard its own writes and still be called from a view or
    job that groups several of them: outside a transaction this is BEGIN IMMEDIATE ... COMMIT;
    inside one it is a savepoint, and only the outermost block commits. sqlite-utils write methods
    called inside nest as savepoints too, so they join the transaction.
    """
    if db.conn.in_transaction:
        name = f"vises_{next(_savepoints)}"
        db.conn.execute(f"SAVEPOINT {name}")
        try:
            yield db
        except BaseException:
            db.conn.execute(f"ROLLBACK TO {name}")
            db.conn.execute(f"RELEASE {name}")
            raise
        else:
            db.conn.execute(f"RELEASE {name}")
        return
    db.conn.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        if db.conn.in_transaction:
            db.conn.execute("ROLLBACK")
        raise
    else:
        db.conn.execute("COMMIT")


@contextmanager
def parents_checked_by_query(db: sqlite_utils.Database) -> Iterator[None]:
    """Foreign keys off around statements that only ever write child rows whose parents they have just
    read, or check by a query before they commit (pipeline/save.py), or only delete child rows, in the
    same write transaction: SQLite would look every parent up again, row by row (a quarter of the time
    of storing a chunk's scores, a third of saving a run's cells). Other connections keep
    their own checks and cascades. A no-op inside an open transaction (SQLite ignores the pragma),
    where the checks simply stay on.
    """
    db.execute("PRAGMA foreign_keys = OFF")
    try:
        yield
    finally:
        db.execute("PRAGMA foreign_keys = ON")


@contextmanager
def durable_transaction(db: sqlite_utils.Database) -> Iterator[sqlite_utils.Database]:
    """A write transaction whose COMMIT returns only once the transaction is on disk.

    Connections run with synchronous=NORMAL: in WAL mode a commit then survives a crash of the
    process but not a power cut or an OS crash (the WAL is synced at checkpoints only). FULL
    makes SQLite fsync the WAL at this commit, which also makes every earlier commit durable.
    SQLite cannot change the level inside a transaction, so this block must be the outermost.
    """
    if db.conn.in_transaction:
        raise RuntimeError("a durable transaction must be the outermost one")
    db.conn.execute("PRAGMA synchronous = FULL")
    try:
        with write_transaction(db):
            yield db
    finally:
        db.conn.execute("PRAGMA synchronous = NORMAL")


def inserted_id(cursor: sqlite3.Cursor) -> int:
    """The rowid of the row an INSERT just wrote (sqlite3 types `lastrowid` as optional)."""
    if cursor.lastrowid is None:
        raise RuntimeError("the statement inserted no row")
    return cursor.lastrowid


class DatabaseNotWritable(VisesError):
    """The database file or its folder cannot be written by this user; the message names the fix."""

    def __init__(self, path: str | Path, why: str):
        folder = Path(path).parent
        super().__init__(
            f"{path}: the database cannot be written ({why}). Fix: let the user running vises write to the file "
            f"and to its folder {folder} (chown or chmod), or set database.path to a writable place."
        )


def migrate(path: str | Path) -> list[str]:
    """Apply pending migrations; return the names applied (empty when up to date).

    The first write of every command and server start: a read-only file or folder ends here, in
    one line naming the fix, not in a traceback.
    """
    from survey_app.storage.schema import migrations

    try:
        db = connect(path)
    except (OSError, sqlite3.OperationalError) as exc:
        raise DatabaseNotWritable(path, str(exc)) from None
    try:
        db.execute("PRAGMA journal_mode = WAL")
        # Off while migrating (it cannot change inside a transaction): a table rebuild drops a table
        # others reference, which would cascade-delete their rows (storage.rebuild). Checked before commit.
        db.execute("PRAGMA foreign_keys = OFF")
        with write_transaction(db):
            # A real write even when nothing is pending, so a read-only file fails here and now.
            db.execute(f"PRAGMA user_version = {int(db.execute('PRAGMA user_version').fetchone()[0])}")
            pending = [m.name for m in migrations.pending(db)]
            migrations.apply(db)
            broken = db.execute("PRAGMA foreign_key_check").fetchall()
            if broken:
                raise RuntimeError(f"migrations left rows whose references are missing: {broken[:5]}")
        return pending
    except sqlite3.OperationalError as exc:
        if "readonly" in str(exc) or "unable to open" in str(exc):
            raise DatabaseNotWritable(path, str(exc)) from None
        raise
    finally:
        db.close()
