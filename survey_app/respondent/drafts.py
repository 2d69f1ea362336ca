"""Drafts: answers kept on the server between pages, so nothing typed is lost.

A personal link's draft belongs to its invitation (resume on any device). An open link's draft
belongs to a random key in a browser cookie; only a hash of (campaign, key) is stored, so the
database alone cannot be used to take over someone's draft.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlite_utils import Database

from survey_app.core.timeutil import iso_utc, local_week
from survey_app.questionnaire.model import Questionnaire, RawAnswer
from survey_app.questionnaire.rules import ID_PATTERN
from survey_app.storage.db import write_transaction

BROWSER_COOKIE = "vises_browser"
BROWSER_COOKIE_MAX_AGE = 60 * 24 * 3600


@dataclass
class Draft:
    answers: dict[str, RawAnswer] = field(default_factory=dict)
    page: int = 0
    language: str | None = None


def new_browser_key() -> str:
    return secrets.token_urlsafe(16)


def draft_key(campaign_id: int, browser_key: str) -> str:
    return hashlib.sha256(f"{campaign_id}:{browser_key}".encode()).hexdigest()


def _where(link: Any, browser_key: str | None) -> tuple[str, list[Any]] | None:
    if link.invitation is not None:
        return "invitation_id = ?", [link.invitation["id"]]
    if browser_key:
        return "browser_key = ?", [draft_key(link.campaign["id"], browser_key)]
    return None


def load(db: Database, link: Any, browser_key: str | None) -> Draft:
    """The saved draft, or an empty one."""
    where = _where(link, browser_key)
    row = where and db.execute(f"SELECT answers, page, language FROM draft WHERE {where[0]}", where[1]).fetchone()
    return from_row(row)


def from_row(row: tuple[str, int, str | None] | None) -> Draft:
    """A draft from its (answers, page, language) columns; an empty one for no row."""
    return Draft(json.loads(row[0]), row[1], row[2]) if row else Draft()


def submission_week(link: Any, now: datetime) -> str:
    """The ISO week ("2026-W10") in the campaign's timezone: all a response keeps of its moment."""
    return local_week(now, link.campaign["timezone"])


def save(
    db: Database,
    link: Any,
    browser_key: str | None,
    answers: Mapping[str, RawAnswer],
    page: int,
    language: str,
    now: datetime,
) -> bool:
    """Merge `answers` into the draft; False when the personal link was submitted meanwhile.

    One write transaction, re-reading inside it what another request may have changed: the draft
    (two tabs saving two pages keep both) and, for a personal link, whether it was submitted.
    Usually a single read and a single write.
    """
    conn, updated = db.conn, iso_utc(now)
    if link.invitation is not None and _merged_in_place(db, link.invitation["id"], answers, page, language, updated):
        return True
    with write_transaction(db):
        if link.invitation is not None:
            owner, key = "invitation_id", link.invitation["id"]
            row = conn.execute(
                "SELECT i.answered, i.started, d.answers FROM invitation i "
                "LEFT JOIN draft d ON d.invitation_id = i.id WHERE i.id = ?",
                [key],
            ).fetchone()
            if row[0]:
                return False
            if not row[1]:
                conn.execute("UPDATE invitation SET started = 1 WHERE id = ?", [key])
            current = row[2]
        else:
            assert browser_key, "an open-link draft needs a browser key"
            owner, key = "browser_key", draft_key(link.campaign["id"], browser_key)
            found = conn.execute("SELECT answers FROM draft WHERE browser_key = ?", [key]).fetchone()
            current = found and found[0]
        merged = json.dumps({**(json.loads(current) if current else {}), **answers}, ensure_ascii=False)
        if current is not None:
            conn.execute(
                f"UPDATE draft SET answers = ?, page = ?, language = ?, updated_at = ? WHERE {owner} = ?",
                [merged, page, language, updated, key],
            )
        else:
            conn.execute(
                f"INSERT INTO draft (campaign_id, {owner}, answers, page, language, updated_at) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                [link.campaign["id"], key, merged, page, language, updated],
            )
    return True


# A personal link's everyday save, in one statement: its draft exists (so the link was started)
# and the link is not answered. json_set merges key by key as {**current, **answers} does, in the
# same order (a new key goes last); question ids (rules.ID_PATTERN) are safe in a JSON path.
MERGE_IN_PLACE = (
    "UPDATE draft SET answers = json_set(answers{pairs}), page = ?, language = ?, updated_at = ? "
    "WHERE invitation_id = ? AND (SELECT answered = 0 AND started = 1 FROM invitation WHERE id = ?)"
)


def _merged_in_place(
    db: Database, invitation_id: int, answers: Mapping[str, RawAnswer], page: int, language: str, updated: str
) -> bool:
    """True if the one-statement save applied; False (nothing changed) leaves it to the transaction
    of `save`: no draft yet, the link answered meanwhile, an unusual key, or SQLite busy (a write
    of another process between this statement's read and its write)."""
    if not all(ID_PATTERN.fullmatch(key) for key in answers):
        return False
    params: list[object] = []
    for key, value in answers.items():
        params += [f"$.{key}", json.dumps(value, ensure_ascii=False)]
    sql = MERGE_IN_PLACE.format(pairs=", ?, json(?)" * len(answers))
    try:  # a lone statement is its own transaction (or joins the caller's)
        changed = db.conn.execute(sql, [*params, page, language, updated, invitation_id, invitation_id]).rowcount
    except sqlite3.OperationalError:
        return False
    return changed == 1


def resume_page(questionnaire: Questionnaire, answers: Mapping[str, RawAnswer]) -> int:
    """Index of the first page with a visible question left unanswered (the last page when done).

    Optional questions count as answered once their page was sent, even if left empty.
    """
    for index, section in enumerate(questionnaire.sections):
        if any(
            q.id not in answers or (q.required and answers[q.id] in (None, "", []))
            for q in section.questions
            if q.answerable and questionnaire.is_visible(q, answers)
        ):
            return index
    return len(questionnaire.sections) - 1


def complete(questionnaire: Questionnaire, answers: Mapping[str, RawAnswer]) -> bool:
    """Every visible required question has an answer ("don't know" counts as one)."""
    return all(
        answers.get(q.id) not in (None, "", [])
        for q in questionnaire.questions
        if q.required and questionnaire.is_visible(q, answers)
    )


def mark_opened(db: Database, link: Any) -> None:
    """Record that a personal link was opened, never when (for the response-rate follow-up)."""
    if link.invitation is not None and not link.invitation["opened"]:
        with write_transaction(db):
            db.execute("UPDATE invitation SET opened = 1 WHERE id = ? AND opened = 0", [link.invitation["id"]])
