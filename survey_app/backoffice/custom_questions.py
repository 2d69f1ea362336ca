"""A campaign's custom questions: from the form's plain fields to question tables, validated by
the same rules as questionnaire files (question_rules.parse_questions).

Stored tables look like a questionnaire file's [[questions]]: ids custom_1..custom_5, the last
section of the questionnaire, texts in each offered language, option values o1, o2...
"""

from __future__ import annotations

import re
from typing import Any

from flask_babel import lazy_gettext as _l

from survey_app.questionnaire.model import Framework, Questionnaire
from survey_app.questionnaire.rules import Checker, parse_questions

CUSTOM_TYPES = ("agree5", "scale0_10", "single", "text")
SCORED = ("agree5", "scale0_10")
LABEL_PROBLEM = re.compile(r"translation 'label\.(\w+)'")


def _lines(text: str | None) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def to_table(entry: dict[str, Any], number: int, languages: tuple[str, ...], section: str) -> dict[str, Any]:
    """One form entry as a question table (before validation)."""
    table: dict[str, Any] = {
        "id": f"custom_{number}",
        "section": section,
        "type": entry["type"],
        "label": {lang: (entry.get(f"text_{lang}") or "").strip() for lang in languages},
        "required": False,
        "dont_know": entry["type"] in SCORED,
    }
    if entry["type"] == "single":
        per_language = {lang: _lines(entry.get(f"options_{lang}")) for lang in languages}
        count = max((len(v) for v in per_language.values()), default=0)
        table["options"] = [
            {
                "value": f"o{i + 1}",
                "label": {lang: (per_language[lang][i] if i < len(per_language[lang]) else "") for lang in languages},
            }
            for i in range(count)
        ]
    return table


def _field_problem(message: str, languages: tuple[str, ...]) -> tuple[str, Any]:
    """Map a rule problem to the form field it concerns, with a message for managers."""
    label = LABEL_PROBLEM.search(message)
    if label:
        return f"text_{label.group(1)}", _l("Write the question in this language too.")
    if "option" in message:
        missing = re.search(r"options\[\d+\]\.label\.(\w+)", message)
        lang = missing.group(1) if missing else languages[0]
        return f"options_{lang}", _l("Give at least two options, with the same number of lines in every language.")
    return "type", message


def build_custom_questions(
    entries: list[dict[str, Any]], languages: tuple[str, ...], questionnaire: Questionnaire, framework: Framework
) -> tuple[list[dict[str, Any]], list[tuple[int, str, Any]]]:
    """Validated question tables, and (entry index, field name, message) for each problem."""
    section = questionnaire.sections[-1].id
    used = [(i, e) for i, e in enumerate(entries) if e.get("type")]
    tables = [to_table(e, n + 1, languages, section) for n, (_i, e) in enumerate(used)]
    problems: list[tuple[int, str, Any]] = []
    for (index, _entry), table in zip(used, tables):
        check = Checker("custom questions", languages)
        parse_questions(
            [table],
            check,
            framework,
            [section],
            allowed_types=CUSTOM_TYPES,
            taken_ids=tuple(q.id for q in questionnaire.questions),
        )
        seen = set()
        for problem in check.problems:
            field, message = _field_problem(problem.message, languages)
            if field not in seen:
                seen.add(field)
                problems.append((index, field, message))
    return tables, problems


def to_form_entries(tables: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Stored tables back to form entries (to edit a campaign)."""
    entries = []
    for table in tables:
        entry = {"type": table["type"]}
        for lang, text in table["label"].items():
            entry[f"text_{lang}"] = text
            entry[f"options_{lang}"] = "\n".join(o["label"].get(lang, "") for o in table.get("options", []))
        entries.append(entry)
    return entries
