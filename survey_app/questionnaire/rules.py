"""Validate question tables (of questionnaire files and of campaign custom questions).

Every problem names the file, the question and the fix; all problems are collected, so an author
fixes a file in one pass.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from survey_app.core.config import SUPPORTED_LANGUAGES
from survey_app.core.errors import VisesError
from survey_app.questionnaire.extensions import check_default, check_extensions, check_media
from survey_app.questionnaire.model import (
    OPTION_TYPES,
    QUESTION_TYPES,
    SCORED_TYPES,
    Framework,
    Option,
    Question,
    format_value,
)
from survey_app.questionnaire.show_if import parse_show_if

ID_PATTERN = re.compile(r"[a-z][a-z0-9_]{0,39}")
# Option values of single and multiple may also start with a digit (XLSForm choice names "1", "2"...).
OPTION_VALUE_PATTERN = re.compile(r"[a-z0-9][a-z0-9_]{0,39}")
QUESTION_KEYS = {
    "id",
    "section",
    "type",
    "label",
    "hint",
    "indicator",
    "reverse",
    "required",
    "dont_know",
    "show_if",
    "options",
    "min",
    "max",
    "max_length",
    "integer",
    "step",
    "default",
    "required_message",
    "constraint_message",
    "media",
}


@dataclass(frozen=True)
class Problem:
    file: str
    where: str
    message: str
    fix: str

    def __str__(self) -> str:
        return f"{self.file}: {self.where}: {self.message}. Fix: {self.fix}."


class QuestionnaireError(VisesError):
    """One or more problems in a framework, questionnaire or custom-question definition."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class Checker:
    def __init__(self, file: str, languages: tuple[str, ...] = SUPPORTED_LANGUAGES):
        self.file = file
        self.languages = languages
        self.problems: list[Problem] = []

    def add(self, where: str, message: str, fix: str) -> None:
        self.problems.append(Problem(self.file, where, message, fix))

    def texts(self, raw: Any, where: str, key: str, optional: bool = False) -> dict[str, str] | None:
        """A table of translations with a non-empty text for every language of the file."""
        if raw is None:
            if not optional:
                self.add(
                    where,
                    f"'{key}' is missing",
                    f"add {key} = {{ " + ", ".join(f'{lang} = "..."' for lang in self.languages) + " }",
                )
            return None
        if not isinstance(raw, dict):
            self.add(
                where,
                f"'{key}' must be a table of translations",
                f'write {key} = {{ fr = "...", nl = "...", en = "..." }}',
            )
            return None
        for lang in self.languages:
            if not isinstance(raw.get(lang), str) or not raw[lang].strip():
                self.add(where, f"missing translation '{key}.{lang}'", f'add {lang} = "..." to {key}')
        known = self.known_languages
        for lang in raw:
            if lang not in known:
                self.add(where, f"unknown language '{key}.{lang}'", f"use only {', '.join(known)}")
        return {lang: str(raw.get(lang, "")) for lang in raw if lang in known}

    @property
    def known_languages(self) -> tuple[str, ...]:
        """The interface languages and those the file declares (a form may add others, e.g. de)."""
        return (*SUPPORTED_LANGUAGES, *(lang for lang in self.languages if lang not in SUPPORTED_LANGUAGES))

    def raise_if_any(self) -> None:
        if self.problems:
            raise QuestionnaireError(self.problems)


def parse_questions(
    raw_questions: list[Any],
    check: Checker,
    framework: Framework | None,
    section_ids: list[str],
    allowed_types: tuple[str, ...] = QUESTION_TYPES,
    taken_ids: tuple[str, ...] = (),
) -> list[Question]:
    """Validate a list of question tables; problems go to `check`, valid questions are returned.

    Also used for a campaign's custom questions (with a narrower `allowed_types`).
    """
    questions: list[Question] = []
    seen: set[str] = set(taken_ids)
    for i, rq in enumerate(raw_questions):
        if not isinstance(rq, dict):
            check.add(f"question {i + 1}", "must be a table", "write it as a [[questions]] table")
            continue
        qid = rq.get("id")
        where = f"question '{qid}'" if qid else f"question {i + 1}"
        before = len(check.problems)
        if not (isinstance(qid, str) and ID_PATTERN.fullmatch(qid)):
            check.add(
                where, f"'id' must be lowercase letters, digits and _ (got {qid!r})", 'write id = "feel_confident"'
            )
        elif qid in seen:
            check.add(where, "duplicate question id", "give each question a distinct id")
        seen.add(str(qid))
        for key in sorted(set(rq) - QUESTION_KEYS):
            check.add(where, f"unknown key '{key}'", f"remove it or use one of {', '.join(sorted(QUESTION_KEYS))}")
        qtype = rq.get("type")
        if qtype not in allowed_types:
            check.add(where, f"unknown type {qtype!r}", f"use one of {', '.join(allowed_types)}")
        section = rq.get("section", section_ids[-1] if section_ids else None)
        if section not in section_ids:
            check.add(
                where, f"unknown section {section!r}", f"use one of {', '.join(section_ids) or 'a declared section'}"
            )
        label = check.texts(rq.get("label"), where, "label") or {}
        hint = check.texts(rq.get("hint"), where, "hint", optional=True)
        options = _options(rq, qtype, check, where)
        indicator = _indicator(rq, qtype, check, where, framework)
        bounds = _bounds(rq, qtype, check, where)
        flags = {}
        for flag in ("reverse", "required", "dont_know"):
            value = rq.get(flag, False)
            if not isinstance(value, bool):
                check.add(where, f"'{flag}' must be true or false", f"write {flag} = true")
            flags[flag] = bool(value)
        if flags["reverse"] and not indicator:
            check.add(where, "'reverse' needs an indicator", 'add indicator = "..." or remove reverse')
        extra = check_extensions(rq, qtype, flags, check, where)
        if len(check.problems) > before:
            continue
        assert isinstance(qid, str) and isinstance(section, str) and isinstance(qtype, str)  # checked above
        question = Question(
            qid,
            section,
            qtype,
            label,
            hint,
            indicator,
            flags["reverse"],
            flags["required"],
            flags["dont_know"],
            None,
            options,
            *bounds,
            **extra,
        )
        check_default(question, check, where)
        show_if = parse_show_if(rq.get("show_if"), questions, check, where)
        if len(check.problems) == before:
            questions.append(Question(**{**question.__dict__, "show_if": show_if}))
    return questions


def _options(rq: dict, qtype: Any, check: Checker, where: str) -> tuple[Option, ...]:
    raw = rq.get("options")
    if qtype not in OPTION_TYPES:
        if raw is not None:
            check.add(where, f"'options' are not used by type {qtype!r}", "remove options")
        return ()
    if not isinstance(raw, list) or len(raw) < 2:
        check.add(
            where,
            f"type {qtype!r} needs at least two options",
            'add options = [{ value = ..., label = { fr = "...", nl = "...", en = "..." } }, ...]',
        )
        return ()
    options = []
    for j, o in enumerate(raw):
        value = o.get("value") if isinstance(o, dict) else None
        numeric = isinstance(value, (int, float)) and not isinstance(value, bool)
        if qtype == "scale" and not numeric:
            check.add(
                where,
                f"option {j + 1} of a scale needs a numeric value (got {value!r})",
                "write value = 0, 1, 2... as published for the scale",
            )
            value = None
        elif qtype != "scale" and not (isinstance(value, str) and OPTION_VALUE_PATTERN.fullmatch(value)):
            check.add(
                where,
                f"option {j + 1} needs a text value of lowercase letters, digits and _ (got {value!r})",
                'write value = "often"',
            )
            value = None
        label = check.texts(o.get("label") if isinstance(o, dict) else None, where, f"options[{j + 1}].label") or {}
        media = check_media(o.get("media") if isinstance(o, dict) else None, check, where, f"options[{j + 1}].media")
        if value is not None:  # an invalid option is reported above and left out
            options.append(Option(value, label, media))
    values = [format_value(o.value) for o in options]
    if len(set(values)) != len(values):
        check.add(where, "two options share a value", "give each option a distinct value")
    return tuple(options)


def _indicator(rq: dict, qtype: Any, check: Checker, where: str, framework: Framework | None) -> str | None:
    indicator = rq.get("indicator")
    if indicator is None:
        return None
    if qtype not in SCORED_TYPES:
        check.add(
            where,
            f"type {qtype!r} cannot feed an indicator",
            f"remove indicator, or use a scored type ({', '.join(SCORED_TYPES)})",
        )
    elif framework is not None and indicator not in {i.id for i in framework.indicators}:
        check.add(
            where,
            f"unknown indicator {indicator!r}",
            "use one declared in framework.toml (or in an instrument file's [[indicators]]): "
            + ", ".join(i.id for i in framework.indicators),
        )
    return indicator


def _bounds(rq: dict, qtype: Any, check: Checker, where: str) -> tuple[float | None, float | None, int]:
    low, high, max_length = rq.get("min"), rq.get("max"), rq.get("max_length", 1000)
    if qtype != "number" and (low is not None or high is not None):
        check.add(where, "'min' and 'max' are only for type 'number'", "remove them")
    if qtype == "number":
        for name, v in (("min", low), ("max", high)):
            if v is not None and not (isinstance(v, (int, float)) and not isinstance(v, bool)):
                check.add(where, f"'{name}' must be a number", f"write {name} = 0")
        if isinstance(low, (int, float)) and isinstance(high, (int, float)) and low > high:
            check.add(where, f"'min' ({low}) is greater than 'max' ({high})", "swap them")
    if not (isinstance(max_length, int) and 1 <= max_length <= 5000):
        check.add(where, "'max_length' must be between 1 and 5000", "write max_length = 1000")
    elif "max_length" in rq and qtype != "text":
        check.add(where, "'max_length' is only for type 'text'", "remove it")
    return low, high, max_length if isinstance(max_length, int) else 1000
