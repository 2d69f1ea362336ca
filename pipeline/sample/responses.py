"""Insert submitted responses in bulk, for the demo, synthetic data and tests.

Answers are given as {question id: value}: a number is stored as value_num (yes_no as 1/0), a
string as value_text, a list as space-separated option values, and DONT_KNOW as "don't know"
(no value). Ids are assigned here, inside the caller's transaction, so answers can be inserted
with executemany without a round trip per response.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from sqlite_utils import Database

from survey_app.core.timeutil import iso_week
from survey_app.questionnaire.model import DONT_KNOW
from survey_app.storage.db import write_transaction

Answers = Mapping[str, Any]


def answer_row(response_id: int, question_id: str, value: Any) -> tuple | None:
    """(response_id, question_id, value_num, value_text, dont_know), or None for no answer."""
    if value is None:
        return None
    if value == DONT_KNOW:
        return (response_id, question_id, None, None, 1)
    if isinstance(value, bool):
        return (response_id, question_id, float(value), None, 0)
    if isinstance(value, (int, float)):
        return (response_id, question_id, float(value), None, 0)
    if isinstance(value, (list, tuple)):
        return (response_id, question_id, None, " ".join(str(v) for v in value), 0)
    return (response_id, question_id, None, str(value), 0)


def next_response_id(db: Database) -> int:
    return db.execute("SELECT COALESCE(MAX(id), 0) + 1 FROM response").fetchone()[0]


def insert_responses(
    db: Database,
    campaign_id: int,
    answer_sets: Iterable[Answers],
    submitted_on: str,
    languages: Iterable[str] | None = None,
    link: str = "open",
    first_id: int | None = None,
) -> list[int]:
    """Insert responses and their answers (inside the caller's write transaction); return their ids.

    `submitted_on` is a day ("2026-03-01"); the response keeps only its ISO week, like a real one.
    """
    week = iso_week(date.fromisoformat(submitted_on))
    response_id = next_response_id(db) if first_id is None else first_id
    language_list = list(languages) if languages is not None else None
    responses: list[tuple] = []
    answers: list[tuple] = []
    ids: list[int] = []
    for i, answer_set in enumerate(answer_sets):
        language = language_list[i % len(language_list)] if language_list else "fr"
        responses.append((response_id, campaign_id, f"r-{response_id}", language, link, week))
        answers.extend(
            row for qid, value in answer_set.items() if (row := answer_row(response_id, qid, value)) is not None
        )
        ids.append(response_id)
        response_id += 1
    db.conn.executemany(
        "INSERT INTO response (id, campaign_id, submission_id, language, link, "
        "submitted_week) VALUES (?, ?, ?, ?, ?, ?)",
        responses,
    )
    db.conn.executemany(
        "INSERT INTO answer (response_id, question_id, value_num, value_text, dont_know) VALUES (?, ?, ?, ?, ?)",
        answers,
    )
    return ids


def add_responses(
    db: Database,
    campaign_id: int,
    answer_sets: Iterable[Answers],
    submitted_on: str = "2026-03-01",
    languages: Iterable[str] | None = None,
    link: str = "open",
) -> list[int]:
    """insert_responses in its own write transaction."""
    with write_transaction(db):
        return insert_responses(db, campaign_id, answer_sets, submitted_on, languages, link)
