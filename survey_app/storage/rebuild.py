"""Rebuild a table with a changed definition (SQLite's "12-step" ALTER TABLE procedure).

SQLite cannot change a CHECK constraint in place, so a migration that must change one builds the
table again from its own stored CREATE TABLE text with some fragments replaced, copies the rows,
drops the old table and renames the new one; its indexes and triggers are created again. The text
is read from the database rather than written out here, so columns that earlier migrations added
(in any part of the code) are kept without this function knowing about them.

`storage.db.migrate` runs migrations with foreign keys off (as the procedure requires: dropping a
table that others reference would otherwise cascade-delete their rows) and checks every foreign
key before it commits.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from sqlite_utils import Database


def _schema_sql(db: Database, kind: str, table: str) -> list[str]:
    return [
        row[0]
        for row in db.execute(
            "SELECT sql FROM sqlite_master WHERE type = ? AND tbl_name = ? AND sql IS NOT NULL ORDER BY rowid",
            [kind, table],
        )
    ]


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def rebuild_table(db: Database, table: str, replace: Mapping[str, str], copy: Mapping[str, str] | None = None) -> None:
    """Rebuild `table` with each key of `replace` in its definition replaced by its value.

    `copy` gives, for a column of the new table, the SQL expression (over the old table's columns)
    that fills it; other columns are copied by name, and new columns not named get their default.
    """
    (sql,) = _schema_sql(db, "table", table)
    for old, new in replace.items():
        if old not in sql:
            raise RuntimeError(f"table {table}: definition has no {old!r} to replace")
        sql = sql.replace(old, new)
    indexes, triggers = _schema_sql(db, "index", table), _schema_sql(db, "trigger", table)
    temporary = f"{table}_rebuilt"
    db.execute(re.sub(rf'^CREATE TABLE\s+"?{re.escape(table)}"?', f'CREATE TABLE "{temporary}"', sql, count=1))
    old_columns = {c.name for c in db[table].columns}
    copy = dict(copy or {})
    targets = [c.name for c in db[temporary].columns if c.name in copy or c.name in old_columns]
    columns = ", ".join(_quoted(name) for name in targets)
    sources = ", ".join(copy.get(name, _quoted(name)) for name in targets)
    db.execute(f'INSERT INTO "{temporary}" ({columns}) SELECT {sources} FROM "{table}"')
    db.execute(f'DROP TABLE "{table}"')
    db.execute(f'ALTER TABLE "{temporary}" RENAME TO "{table}"')
    for statement in indexes + triggers:
        db.execute(statement)
