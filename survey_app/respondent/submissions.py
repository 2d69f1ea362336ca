"""Final submission: one durable BEGIN IMMEDIATE transaction that never loses nor duplicates a
response.

Personal links: the invitation is marked answered inside the transaction by an UPDATE that only
an unanswered link matches, so of two concurrent submits (double click, two tabs, threads)
exactly one goes on. Open links: the
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
from survey_app.storage.db import durable_transaction, write_transaction
from survey_app.storage.group_commit import GroupCommit

AnswerRow = tuple[str, float | None, str | None, int]
# A response's answers in one INSERT of many rows: executemany steps once per row, and each step
# lets the server's other threads take the interpreter in between.
ANSWERS_SQL = "INSERT INTO answer (response_id, question_id, value_num, value_text, dont_know) VALUES "
ROWS_PER_INSERT = 200  # 1,000 parameters: far below SQLite's limit
DURABLE_SUBMIT = True  # benchmarks/respondent.py turns it off to measure what durability costs


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
    committer: GroupCommit | None = None,
) -> bool:
    """Store the response (and its series hashes); False when it was already stored (replay, second
    tab, used link).

    Durable (DURABLE_SUBMIT): the caller sends the thank-you page only once the response is on
    disk; submits arriving together share one commit through `committer` (storage.group_commit).
    Called inside a transaction (back-office entry counts the entry with it), it joins that one,
    which is then the one to make durable.
    """
    rows = list(answer_rows(link.questionnaire, answers))
    week = submission_week(link, now)
    if link.invitation is not None:  # a fresh random id: one derived from the token would link them
        submission_id = secrets.token_urlsafe(16)

    def store(db: Database) -> bool:
        conn = db.conn
        if link.invitation is not None:
            # Only an unanswered link matches: of two concurrent submits, exactly one goes on.
            marked = conn.execute(
                "UPDATE invitation SET answered = 1 WHERE id = ? AND answered = 0", [link.invitation["id"]]
            ).rowcount
            if not marked:
                return False
        try:  # an open link's id came with its last page: UNIQUE makes a replay store nothing
            response_id = conn.execute(
                "INSERT INTO response (campaign_id, submission_id, language, link, channel, submitted_week) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                [link.campaign["id"], submission_id, language, link.link_kind, link.channel, week],
            ).lastrowid
        except sqlite3.IntegrityError:
            return False
        for start in range(0, len(rows), ROWS_PER_INSERT):
            chunk = rows[start : start + ROWS_PER_INSERT]
            conn.execute(
                ANSWERS_SQL + ", ".join(["(?, ?, ?, ?, ?)"] * len(chunk)), [v for r in chunk for v in (response_id, *r)]
            )
        if series_link is not None:
            store_link(db, series_link[0], int(response_id or 0), series_link[1])
        # A personal link's draft went when it was marked answered (trigger invitation_answered_drops_draft).
        if link.invitation is None and browser_key:
            conn.execute("DELETE FROM draft WHERE browser_key = ?", [draft_key(link.campaign["id"], browser_key)])
        return True

    if not DURABLE_SUBMIT or db.conn.in_transaction:  # inside a caller's transaction: durable as it is
        with write_transaction(db):
            return store(db)
    if committer is None:
        with durable_transaction(db):
            return store(db)
    return committer.run(db, store)
