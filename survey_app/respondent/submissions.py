"""Final submission: one BEGIN IMMEDIATE transaction that never loses nor duplicates a response.

Personal links: the invitation row is re-read inside the transaction, so of two concurrent
submits (double click, two tabs, threads) exactly one finds it unsubmitted. Open links: the
submission id rendered into the last page is UNIQUE, so a replayed POST stores nothing.
The response row carries no invitation id, no e-mail and no date finer than its ISO week, and the
invitation keeps only that it was answered, never when (anonymity).
"""

from __future__ import annotations

import secrets
import sqlite3
from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any

from sqlite_utils import Database

from survey_app.domain.series import store_link
from survey_app.domain.series_codes import LinkHashes
from survey_app.questionnaire.model import DONT_KNOW, Question, Questionnaire, RawAnswer
from survey_app.respondent.drafts import draft_key, submission_week
from survey_app.storage.db import write_transaction

AnswerRow = tuple[str, float | None, str | None, int]


def stored_value(question: Question, raw: RawAnswer) -> AnswerRow | None:
    """(question id, value_num, value_text, dont_know) of one answer; None when unanswered."""
    if raw in (None, "", []):
        return None
    if raw == DONT_KNOW or raw == [DONT_KNOW]:
        return question.id, None, None, 1
    if question.type == "multiple":
        return question.id, None, " ".join(raw if isinstance(raw, list) else [raw]), 0
    if question.type in ("single", "text"):
        return question.id, None, str(raw), 0
    return question.id, question.numeric(str(raw)), None, 0


def answer_rows(questionnaire: Questionnaire, answers: Mapping[str, RawAnswer]) -> Iterator[AnswerRow]:
    """Rows of the visible, answered questions: hidden questions are never stored."""
    for question in questionnaire.questions:
        if questionnaire.is_visible(question, answers):
            row = stored_value(question, answers.get(question.id))
            if row is not None:
                yield row


def new_submission_id() -> str:
    """Random id rendered into an open link's last page: a replay of that page stores nothing."""
    return secrets.token_urlsafe(16)


def already_stored(db: Database, link: Any, submission_id: str | None) -> bool:
    """Fresh read (not the request's copy): another request may have just submitted."""
    if link.invitation is not None:
        return bool(db.execute("SELECT answered FROM invitation WHERE id = ?", [link.invitation["id"]]).fetchone()[0])
    return bool(
        submission_id and db.execute("SELECT 1 FROM response WHERE submission_id = ?", [submission_id]).fetchone()
    )


def submit(
    db: Database,
    link: Any,
    answers: Mapping[str, RawAnswer],
    language: str,
    submission_id: str | None,
    browser_key: str | None,
    now: datetime,
    series_link: tuple[int, LinkHashes] | None = None,
) -> bool:
    """Store the response (and its series hashes); False when it was already stored (replay, second tab, used link)."""
    rows = list(answer_rows(link.questionnaire, answers))
    with write_transaction(db):
        if link.invitation is not None:
            done = db.execute("SELECT answered FROM invitation WHERE id = ?", [link.invitation["id"]]).fetchone()[0]
            if done:
                return False
            # A fresh random id: deriving it from the token would link response and invitation.
            submission_id = secrets.token_urlsafe(16)
        try:
            response_id = db.execute(
                "INSERT INTO response (campaign_id, submission_id, language, link, channel, submitted_week) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                [
                    link.campaign["id"],
                    submission_id,
                    language,
                    link.link_kind,
                    link.channel,
                    submission_week(link, now),
                ],
            ).lastrowid
        except sqlite3.IntegrityError:
            return False
        db.conn.executemany(
            "INSERT INTO answer (response_id, question_id, value_num, value_text, dont_know) VALUES (?, ?, ?, ?, ?)",
            [(response_id, *row) for row in rows],
        )
        if series_link is not None:
            store_link(db, series_link[0], int(response_id or 0), series_link[1])
        if link.invitation is not None:
            db.execute("UPDATE invitation SET answered = 1 WHERE id = ?", [link.invitation["id"]])
            db.execute("DELETE FROM draft WHERE invitation_id = ?", [link.invitation["id"]])
        elif browser_key:
            db.execute("DELETE FROM draft WHERE browser_key = ?", [draft_key(link.campaign["id"], browser_key)])
    return True
