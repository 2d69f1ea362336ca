"""The audit trail: who changed what in the back office, on which object, and when.

One append-only table (triggers refuse UPDATE and DELETE, except the retention purge below).
Web views record through survey_app.accounts.audit (it knows the signed-in user); commands and
jobs call `record` here with actor "cli" or "scheduler".
An entry never holds personal data of respondents: no answers, no e-mail addresses, no free text.
Objects are named by type and id, and details may only be numbers, booleans or short identifiers
(`record` refuses anything else, so a careless call fails its test instead of leaking).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlite_utils import Database

from survey_app.core.timeutil import iso_utc
from survey_app.storage.db import write_transaction

IDENTIFIER = re.compile(r"[a-z0-9_.:-]{0,64}")
ACTORS = ("user", "cli", "scheduler")


def _checked(details: dict[str, Any]) -> str:
    for key, value in details.items():
        allowed = isinstance(value, bool | int) or (isinstance(value, str) and IDENTIFIER.fullmatch(value))
        if not IDENTIFIER.fullmatch(key) or not allowed:
            raise ValueError(f"audit detail {key!r}: only numbers, booleans and short identifiers are recorded")
    return json.dumps(details, sort_keys=True)


def record(
    db: Database,
    action: str,
    now: datetime,
    *,
    actor: str = "user",
    actor_id: int | None = None,
    object_type: str = "",
    object_id: int | str = "",
    enterprise_id: int | None = None,
    **details: Any,
) -> None:
    """Append one entry (inside the caller's transaction when there is one)."""
    if actor not in ACTORS or not IDENTIFIER.fullmatch(action) or not IDENTIFIER.fullmatch(str(object_id)):
        raise ValueError(f"audit entry {action!r}: bad actor, action or object id")
    with write_transaction(db):
        db.execute(
            "INSERT INTO audit_log (at, actor, actor_id, action, object_type, object_id, enterprise_id, details) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [iso_utc(now), actor, actor_id, action, object_type, str(object_id), enterprise_id, _checked(details)],
        )


def purge(db: Database, now: datetime, days: int) -> int:
    """Delete entries older than `days` days: the one DELETE the triggers let through, because
    audit_purge names the cutoff for the length of this transaction."""
    cutoff = iso_utc(now - timedelta(days=days))
    with write_transaction(db):
        db.execute("INSERT INTO audit_purge (cutoff) VALUES (?)", [cutoff])
        deleted = db.execute("DELETE FROM audit_log WHERE at < ?", [cutoff]).rowcount
        db.execute("DELETE FROM audit_purge")
    return deleted


@dataclass(frozen=True)
class Filters:
    action: str = ""
    actor_id: int | None = None
    enterprise_id: int | None = None
    since: str = ""  # ISO dates, inclusive
    until: str = ""


def _where(filters: Filters, enterprise_ids: list[int] | None) -> tuple[str, list[Any]]:
    """SQL conditions of the filters; `enterprise_ids` (a manager's) limits to those enterprises."""
    clauses: list[str] = ["1 = 1"]
    params: list[Any] = []
    if enterprise_ids is not None:
        clauses.append(f"a.enterprise_id IN ({', '.join('?' * len(enterprise_ids)) or 'NULL'})")
        params += enterprise_ids
    if filters.action:
        clauses.append("(a.action = ? OR a.action LIKE ? ESCAPE '\\')")
        params += [filters.action, filters.action.replace("_", "\\_").replace("%", "\\%") + ".%"]
    if filters.actor_id is not None:
        clauses.append("a.actor_id = ?")
        params.append(filters.actor_id)
    if filters.enterprise_id is not None:
        clauses.append("a.enterprise_id = ?")
        params.append(filters.enterprise_id)
    if filters.since:
        clauses.append("a.at >= ?")
        params.append(filters.since)
    if filters.until:
        clauses.append("a.at < date(?, '+1 day')")
        params.append(filters.until)
    return " AND ".join(clauses), params


def entries(
    db: Database, filters: Filters, enterprise_ids: list[int] | None, limit: int | None = None, offset: int = 0
) -> Iterator[dict[str, Any]]:
    """Matching entries, newest first, with the actor's e-mail (an account's, read from the
    user table: the trail itself keeps only the id)."""
    where, params = _where(filters, enterprise_ids)
    page = " LIMIT ? OFFSET ?" if limit is not None else ""
    return db.query(
        "SELECT a.*, u.email AS actor_email, e.name AS enterprise_name FROM audit_log a "
        "LEFT JOIN user u ON u.id = a.actor_id LEFT JOIN enterprise e ON e.id = a.enterprise_id "
        f"WHERE {where} ORDER BY a.id DESC{page}",
        [*params, *([limit, offset] if limit is not None else [])],
    )


def actions(db: Database) -> list[str]:
    return [r[0] for r in db.execute("SELECT DISTINCT action FROM audit_log ORDER BY action")]
