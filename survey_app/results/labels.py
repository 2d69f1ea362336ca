"""Labels of a campaign's questions and options in one language, and its per-question results.

Questions come from the pinned questionnaire version plus the campaign's own questions, read the
same way as the response export does, so a label on the dashboard matches the exported file.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from flask import current_app
from sqlite_utils import Database

from survey_app.domain.campaigns import instruments_of
from survey_app.questionnaire.model import Question, format_value, translate
from survey_app.results import words
from survey_app.results.exports import export_questions
from survey_app.web.labels import AGREE5_LABELS, YES_NO_LABELS


def for_campaign(campaign: dict[str, Any]) -> dict[str, Question]:
    """The campaign's questions by id (questionnaire and custom)."""
    registry = current_app.extensions["vises.registry"]
    base = registry.get(campaign["questionnaire_id"], campaign["questionnaire_version"])
    if base is None:
        return {}
    instruments = registry.instruments_for(instruments_of(campaign))
    return {q.id: q for q in export_questions(campaign, base, instruments)}


def question_label(questions: dict[str, Question], question_id: str, language: str) -> str:
    question = questions.get(question_id)
    return translate(question.label, language) if question else question_id


def option_label(question: Question | None, option: str, language: str) -> str:
    if question is None:
        return option
    if question.type == "agree5" and option.isdigit() and 1 <= int(option) <= 5:
        return str(AGREE5_LABELS[int(option) - 1])
    if question.type == "yes_no" and option in ("0", "1"):
        return str(YES_NO_LABELS[int(option)])
    labels = {format_value(o.value): translate(o.label, language) for o in question.options}
    return labels.get(option, option)


def custom_results(
    db: Database, campaign_id: int, questions: dict[str, Question], language: str
) -> list[dict[str, Any]]:
    """Per question: its distribution as counts and shares, or the suppression words."""
    min_group = current_app.config["SETTINGS"]["privacy.min_group_size"]
    rows: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in db.query("SELECT * FROM custom_result WHERE campaign_id = ? ORDER BY rowid", [campaign_id]):
        rows[row["question_id"]].append(row)
    order = list(questions)
    results = []
    for question_id in sorted(rows, key=lambda q: order.index(q) if q in order else len(order)):
        options, question = rows[question_id], questions.get(question_id)
        suppressed = any(o["suppressed"] for o in options)
        first = options[0]
        results.append(
            {
                "id": question_id,
                "label": question_label(questions, question_id, language),
                "suppressed": suppressed,
                "note": words.fewer_than(min_group) if suppressed else "",
                "n": "" if suppressed else str(first["n"]),
                "mean": "" if suppressed or first["mean"] is None else words.score(first["mean"]),
                "options": []
                if suppressed
                else [
                    {
                        "label": option_label(question, o["option"], language),
                        "count": str(o["count"]),
                        "share": words.share(o["share"]),
                    }
                    for o in options
                ],
            }
        )
    return results
