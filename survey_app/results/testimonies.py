"""Testimonies (free-text answers) and the manager's choice to hide some from the report.

The choice lives in `testimony_hidden`, apart from `testimony`, which every pipeline run
rewrites: hiding a quote keeps it in the data (and on the dashboard, marked hidden); only the
report and its PDF leave it out. Every change is scoped by enterprise, so an id from another
enterprise changes nothing.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import current_app, url_for
from sqlite_utils import Database

from survey_app.core.timeutil import iso_utc
from survey_app.questionnaire.model import Question
from survey_app.results.labels import question_label
from survey_app.storage.db import write_transaction


def for_campaign(
    db: Database, campaign_id: int, questions: dict[str, Question], language: str, include_hidden: bool = True
) -> list[dict[str, Any]]:
    """Quotes of one wave, oldest first, each with its question and hide/show action."""
    min_group = current_app.config["SETTINGS"]["privacy.min_group_size"]
    # The pipeline keeps quotes only for groups of min_group or more; checked again here so that a
    # stale row can never show a quote from a small group.
    rows = db.query(
        "SELECT t.response_id, t.question_id, t.language, t.text, c.enterprise_id, "
        "h.hidden_at IS NOT NULL AS hidden FROM testimony t "
        "JOIN campaign c ON c.id = t.campaign_id "
        "JOIN campaign_summary s ON s.campaign_id = t.campaign_id AND s.submitted >= ? "
        "LEFT JOIN testimony_hidden h ON h.response_id = t.response_id AND h.question_id = t.question_id "
        "WHERE t.campaign_id = ? ORDER BY t.response_id, t.question_id",
        [min_group, campaign_id],
    )
    quotes = []
    order = {question_id: index for index, question_id in enumerate(questions)}
    for row in rows:
        if row["hidden"] and not include_hidden:
            continue
        keys = {
            "enterprise_id": row["enterprise_id"],
            "response_id": row["response_id"],
            "question_id": row["question_id"],
        }
        quotes.append(
            {
                "text": row["text"],
                "language": row["language"],
                "hidden": bool(row["hidden"]),
                "question": question_label(questions, row["question_id"], language),
                "question_id": row["question_id"],
                "order": order.get(row["question_id"], len(order)),
                "id": f"t{row['response_id']}-{row['question_id']}",
                "action": url_for("dashboard.show_testimony" if row["hidden"] else "dashboard.hide_testimony", **keys),
            }
        )
    return quotes


def by_question(quotes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Quotes under the question they answer, questions in questionnaire order."""
    groups: dict[str, dict[str, Any]] = {}
    for quote in sorted(quotes, key=lambda q: q["order"]):
        group = groups.setdefault(quote["question_id"], {"question": quote["question"], "quotes": []})
        group["quotes"].append(quote)
    return list(groups.values())


def _belongs(db: Database, enterprise_id: int, response_id: int, question_id: str) -> bool:
    return (
        db.execute(
            "SELECT 1 FROM testimony t JOIN campaign c ON c.id = t.campaign_id "
            "WHERE t.response_id = ? AND t.question_id = ? AND c.enterprise_id = ?",
            [response_id, question_id, enterprise_id],
        ).fetchone()
        is not None
    )


def hide(db: Database, enterprise_id: int, response_id: int, question_id: str, user_id: int, now: datetime) -> bool:
    """Leave a quote out of the report; False when it is not a quote of this enterprise."""
    with write_transaction(db):
        if not _belongs(db, enterprise_id, response_id, question_id):
            return False
        db.execute(
            "INSERT OR IGNORE INTO testimony_hidden (response_id, question_id, hidden_by, hidden_at) "
            "VALUES (?, ?, ?, ?)",
            [response_id, question_id, user_id, iso_utc(now)],
        )
    return True


def show(db: Database, enterprise_id: int, response_id: int, question_id: str) -> bool:
    """Put a hidden quote back in the report; False when it is not a quote of this enterprise."""
    with write_transaction(db):
        if not _belongs(db, enterprise_id, response_id, question_id):
            return False
        db.execute("DELETE FROM testimony_hidden WHERE response_id = ? AND question_id = ?", [response_id, question_id])
    return True
