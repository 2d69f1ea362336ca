"""A VISES questionnaire -> an XLSForm workbook (survey, choices, settings) that pyxform converts
to an XForm and that the import reads back to the same questionnaire.

Every language becomes `label::Français (fr)` style columns; scales become choice lists with
their values; show_if becomes `relevant`; the intro a note that opens the form. What XLSForm has
no column for goes into extra `vises_*` columns, which KoboToolbox and ODK ignore.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import Any

from survey_app.core.catalogs import translator
from survey_app.questionnaire.model import DONT_KNOW, Condition, Question, Questionnaire, ShowIf, format_value
from survey_app.questionnaire.xlsform.languages import display_name

AGREE5 = ("Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree", "Strongly agree")
FIXED_LISTS = ("agree5", "scale0_10", "nps", "yes_no")
XPATH_TESTS = {"more_than": ">", "at_least": ">=", "less_than": "<", "at_most": "<="}


def header(code: str) -> str:
    return f"{display_name(code)} ({code})"


def export_workbook(questionnaire: Questionnaire) -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    survey, lists = _Survey(questionnaire), _Lists(questionnaire.languages)
    survey.note("vises_intro", questionnaire.intro)
    for section in questionnaire.sections:
        survey.row({"type": "begin_group", "name": section.id, "appearance": "field-list"}, {"label": section.title})
        for question in section.questions:
            survey.question(question, lists.name_for(question))
        survey.row({"type": "end_group"})
    _write(book.active, "survey", survey.columns(), survey.rows)
    _write(book.create_sheet(), "choices", lists.columns(), lists.rows)
    _write(book.create_sheet(), "settings", *_settings(questionnaire))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _write(sheet: Any, title: str, columns: list[str], rows: list[dict[str, Any]]) -> None:
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    sheet.title = title
    sheet.append(columns)
    for row in rows:
        # Control characters (possible in TOML texts) cannot be stored in a worksheet.
        sheet.append(
            [ILLEGAL_CHARACTERS_RE.sub("", v) if isinstance(v, str) else v for v in (row.get(c) for c in columns)]
        )


class _Survey:
    FIRST = ("type", "name")
    LAST = ("required", "relevant", "constraint", "default", "appearance", "parameters")
    EXTRA = ("vises_type", "vises_indicator", "vises_reverse", "vises_dont_know")

    def __init__(self, questionnaire: Questionnaire):
        self.questionnaire = questionnaire
        self.rows: list[dict[str, Any]] = []
        self.text_columns: list[str] = []

    def row(self, values: dict[str, Any], texts: Mapping[str, Mapping[str, str]] | None = None) -> None:
        row = {k: v for k, v in values.items() if v not in (None, "")}
        for key, by_language in (texts or {}).items():
            for code, text in by_language.items():
                column = f"{key}::{header(code)}"
                if column not in self.text_columns:
                    self.text_columns.append(column)
                row[column] = text
        self.rows.append(row)

    def note(self, name: str, label: Mapping[str, str]) -> None:
        self.row({"type": "note", "name": name}, {"label": label})

    def question(self, q: Question, list_name: str | None) -> None:
        kind = {"multiple": "select_multiple", "text": "text", "note": "note"}.get(q.type, "select_one")
        if q.type == "number":
            kind = (
                "range"
                if q.step and q.min is not None and q.max is not None
                else ("integer" if q.integer else "decimal")
            )
        values: dict[str, Any] = {
            "type": f"{kind} {list_name}" if list_name else kind,
            "name": q.id,
            "required": "yes" if q.required else "",
            "relevant": relevant(q.show_if, self.questionnaire) if q.show_if else "",
            "constraint": _constraint(q),
            "default": _default(q.default),
            "appearance": "likert" if q.type in ("agree5", "scale") else "",
            "parameters": _parameters(q) if kind == "range" else "",
            "vises_type": q.type if q.type in ("agree5", "scale0_10", "nps", "yes_no", "scale", "single") else "",
            "vises_indicator": q.indicator or "",
            "vises_reverse": "yes" if q.reverse else "",
            "vises_dont_know": "yes" if q.dont_know else "",
        }
        texts: dict[str, Mapping[str, str] | None] = {"label": q.label, "hint": q.hint}
        texts["required_message"], texts["constraint_message"] = q.required_message, q.constraint_message
        for kind_name, files in (q.media or {}).items():
            texts[f"media::{kind_name}"] = files
        self.row(values, {k: v for k, v in texts.items() if v})

    def columns(self) -> list[str]:
        used = {key for row in self.rows for key in row}
        fixed = [c for c in (*self.FIRST, *self.LAST, *self.EXTRA) if c in used or c in self.FIRST]
        return [*fixed[:2], *self.text_columns, *fixed[2:]]


class _Lists:
    """Choice lists: one per fixed scale (with or without "don't know"), one per option set."""

    def __init__(self, languages: tuple[str, ...]):
        self.languages = languages
        self.rows: list[dict[str, Any]] = []
        self.by_content: dict[str, str] = {}
        self.media_columns: list[str] = []

    def name_for(self, q: Question) -> str | None:
        if q.type in FIXED_LISTS:
            base = "scale0_10" if q.type == "nps" else q.type
            choices = self._fixed(base)
        elif q.type in ("scale", "single", "multiple"):
            base = q.id
            choices = [(format_value(o.value), o.label, o.media or {}) for o in q.options]
        else:
            return None
        if q.dont_know:
            base, choices = f"{base}_dk", [*choices, (DONT_KNOW, self._texts("Don't know / not applicable"), {})]
        key = repr(choices)
        if key not in self.by_content:
            self.by_content[key] = base
            for name, labels, media in choices:
                self._add(base, name, labels, media)
        return self.by_content[key]

    def _fixed(self, kind: str) -> list[tuple[str, Mapping[str, str], Mapping]]:
        if kind == "agree5":
            return [(str(i + 1), self._texts(text), {}) for i, text in enumerate(AGREE5)]
        if kind == "yes_no":
            return [("yes", self._texts("Yes"), {}), ("no", self._texts("No"), {})]
        return [(str(i), {code: str(i) for code in self.languages}, {}) for i in range(11)]

    def _texts(self, english: str) -> dict[str, str]:
        return {code: translator(code).gettext(english) for code in self.languages}

    def _add(
        self, list_name: str, name: str, labels: Mapping[str, str], media: Mapping[str, Mapping[str, str]]
    ) -> None:
        row: dict[str, Any] = {"list_name": list_name, "name": name}
        row.update({f"label::{header(code)}": text for code, text in labels.items()})
        for kind, files in media.items():
            for code, file_name in files.items():
                column = f"media::{kind}::{header(code)}"
                if column not in self.media_columns:
                    self.media_columns.append(column)
                row[column] = file_name
        self.rows.append(row)

    def columns(self) -> list[str]:
        return ["list_name", "name", *(f"label::{header(code)}" for code in self.languages), *self.media_columns]


def _settings(q: Questionnaire) -> tuple[list[str], list[dict[str, Any]]]:
    values: dict[str, Any] = {
        "form_title": q.title[q.languages[0]],
        "form_id": q.id,
        "version": str(q.version),
        "default_language": header(q.languages[0]),
        "vises_stakeholder_group": q.stakeholder_group,
        "vises_estimated_minutes": str(q.estimated_minutes),
    }
    values.update({f"vises_title::{header(code)}": q.title[code] for code in q.languages})
    return list(values), [values]


def _parameters(q: Question) -> str:
    start, end, step = (format_value(v) if v is not None else "" for v in (q.min, q.max, q.step))
    return f"start={start} end={end} step={step}"


def _constraint(q: Question) -> str:
    if q.type == "number" and not q.step:
        bounds = [f". >= {format_value(q.min)}" if q.min is not None else ""]
        bounds.append(f". <= {format_value(q.max)}" if q.max is not None else "")
        return " and ".join(b for b in bounds if b)
    if q.type == "text" and q.max_length != 1000:
        return f"string-length(.) <= {q.max_length}"
    return ""


def _default(value: Any) -> str:
    if value is None:
        return ""
    return " ".join(format_value(v) for v in value) if isinstance(value, tuple) else format_value(value)


def relevant(condition: Condition, questionnaire: Questionnaire) -> str:
    """show_if as XPath (what xlsform/relevant.py reads back)."""
    if not isinstance(condition, ShowIf):
        if condition.op == "not":
            return f"not({relevant(condition.parts[0], questionnaire)})"
        joined = f" {'and' if condition.op == 'all' else 'or'} ".join(
            _wrapped(part, questionnaire) for part in condition.parts
        )
        return joined
    ref = f"${{{condition.question}}}"
    if condition.test == "answered":
        return f"{ref} != ''"
    if condition.test in XPATH_TESTS:
        return f"{ref} {XPATH_TESTS[condition.test]} {format_value(condition.values[0])}"
    parent = questionnaire.question(condition.question)
    if parent.type == "number":
        return " or ".join(f"{ref} = {format_value(v)}" for v in condition.values)
    if parent.type == "multiple":
        return " or ".join(f"selected({ref}, '{format_value(v)}')" for v in condition.values)
    return " or ".join(f"{ref} = '{format_value(v)}'" for v in condition.values)


def _wrapped(part: Condition, questionnaire: Questionnaire) -> str:
    text = relevant(part, questionnaire)
    simple = isinstance(part, ShowIf) and (part.test != "in" or len(part.values) == 1)
    return text if simple or (not isinstance(part, ShowIf) and part.op == "not") else f"({text})"
