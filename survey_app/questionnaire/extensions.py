"""Validate the question keys that came with XLSForm import: `integer`, `step`, `default`,
`required_message`, `constraint_message` and `media` (docs/questionnaire-format.md, section 7).

All are optional; a file without them means exactly what it meant before.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from survey_app.questionnaire.model import MEDIA_KINDS, Question, format_value

if TYPE_CHECKING:
    from survey_app.questionnaire.rules import Checker


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def check_extensions(rq: dict, qtype: Any, flags: dict[str, bool], check: Checker, where: str) -> dict[str, Any]:
    """The extension fields of one question table, checked; problems go to `check`."""
    integer, step = rq.get("integer", False), rq.get("step")
    if not isinstance(integer, bool):
        check.add(where, "'integer' must be true or false", "write integer = true")
    if (integer or step is not None) and qtype != "number":
        check.add(where, "'integer' and 'step' are only for type 'number'", "remove them")
    if step is not None and not (_number(step) and step > 0):
        check.add(where, f"'step' must be a number above 0 (got {step!r})", "write step = 5")
    if qtype == "note":
        for flag in ("required", "dont_know"):
            if flags[flag]:
                check.add(where, f"a note takes no answer, so '{flag}' does not apply", f"remove {flag}")
        if "default" in rq:
            check.add(where, "a note takes no answer, so 'default' does not apply", "remove default")
    messages = {
        key: check.texts(rq.get(key), where, key, optional=True) for key in ("required_message", "constraint_message")
    }
    return {
        "integer": integer is True,
        "step": step if _number(step) else None,
        "default": tuple(rq["default"]) if isinstance(rq.get("default"), list) else rq.get("default"),
        **messages,
        "media": check_media(rq.get("media"), check, where, "media"),
    }


def check_media(raw: Any, check: Checker, where: str, key: str) -> dict[str, dict[str, str]] | None:
    """A table kind -> language -> file name; not every language needs a file."""
    if raw is None:
        return None
    fix = f'write {key}.image.fr = "picture.png" (kinds: {", ".join(MEDIA_KINDS)})'
    if not isinstance(raw, dict) or not raw:
        check.add(where, f"'{key}' must be a table of media kinds", fix)
        return None
    media: dict[str, dict[str, str]] = {}
    for kind, files in raw.items():
        if kind not in MEDIA_KINDS:
            check.add(where, f"unknown media kind '{key}.{kind}'", fix)
        elif not isinstance(files, dict) or not files:
            check.add(where, f"'{key}.{kind}' must be a table of file names by language", fix)
        else:
            for lang, name in files.items():
                if lang not in check.known_languages:
                    check.add(
                        where, f"unknown language '{key}.{kind}.{lang}'", f"use only {', '.join(check.languages)}"
                    )
                elif not isinstance(name, str) or not name.strip() or "/" in name or "\\" in name:
                    check.add(where, f"'{key}.{kind}.{lang}' must be a file name without folders", fix)
            media[kind] = {lang: str(name) for lang, name in files.items()}
    return media


def check_default(question: Question, check: Checker, where: str) -> None:
    """A default must be an answer the question accepts."""
    value = question.default
    if value is None:
        return
    if question.type == "text":
        ok = isinstance(value, str) and len(value) <= question.max_length
    elif question.type == "number":
        ok = isinstance(value, (int, float)) and _number(value)
        ok = ok and (question.min is None or value >= question.min)  # type: ignore[operator]
        ok = ok and (question.max is None or value <= question.max)  # type: ignore[operator]
    elif question.type == "multiple":
        ok = isinstance(value, tuple) and bool(value) and all(format_value(v) in question.choices() for v in value)
    else:
        ok = isinstance(value, (str, int, float)) and format_value(value) in question.choices()
    if not ok:
        allowed = ", ".join(question.choices()) or "a value of the question's type"
        check.add(where, f"'default' {value!r} is not an answer of this question", f"use one of: {allowed}")
