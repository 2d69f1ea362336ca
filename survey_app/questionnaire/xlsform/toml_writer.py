"""Write a questionnaire table as TOML laid out like the bundled files (docs/questionnaire-format.md):
top keys, texts as `label.fr = "..."` lines, [[sections]], then [[questions]] with their options
one per line. The standard library reads TOML but does not write it.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
TOP = ("id", "version", "stakeholder_group", "languages", "estimated_minutes")
QUESTION_SCALARS = (
    "id",
    "section",
    "type",
    "indicator",
    "reverse",
    "required",
    "dont_know",
    "integer",
    "min",
    "max",
    "step",
    "max_length",
)
QUESTION_TEXTS = ("label", "hint", "required_message", "constraint_message")


def to_toml(table: dict[str, Any], comment: str = "") -> str:
    lines = [f"# {line}".rstrip() for line in comment.splitlines()]
    lines += [f"{key} = {value(table[key])}" for key in TOP if key in table]
    for key in ("title", "intro"):
        lines += ["", *_texts(key, table[key])]
    for section in table.get("sections", []):
        lines += ["", "[[sections]]", f"id = {value(section['id'])}", *_texts("title", section["title"])]
    for question in table.get("questions", []):
        lines += ["", "[[questions]]", *_question(question)]
    return "\n".join(lines) + "\n"


def _question(question: dict[str, Any]) -> list[str]:
    lines = [f"{key} = {value(question[key])}" for key in QUESTION_SCALARS if key in question]
    for key in QUESTION_TEXTS:
        if key in question:
            lines += _texts(key, question[key])
    for kind, files in question.get("media", {}).items():
        lines += _texts(f"media.{kind}", files)
    for key in ("show_if", "default"):
        if key in question:
            lines.append(f"{key} = {value(question[key])}")
    if "options" in question:
        lines.append("options = [")
        lines += [f"  {value(option)}," for option in question["options"]]
        lines.append("]")
    return lines


def _texts(key: str, texts: dict[str, str]) -> list[str]:
    return [f"{key}.{_key(lang)} = {value(text)}" for lang, text in texts.items()]


def _key(key: str) -> str:
    return key if BARE_KEY.fullmatch(key) else value(key)


def value(item: Any) -> str:
    """One TOML value; tables become inline tables (one line, as the format guide asks)."""
    if isinstance(item, bool):
        return "true" if item else "false"
    if isinstance(item, int):
        return str(item)
    if isinstance(item, float):
        if not math.isfinite(item):
            raise ValueError(f"{item!r} has no TOML form here")
        return str(int(item)) if item.is_integer() else repr(item)
    if isinstance(item, str):
        return json.dumps(item, ensure_ascii=False).replace("\x7f", "\\u007f")
    if isinstance(item, (list, tuple)):
        return "[" + ", ".join(value(v) for v in item) + "]"
    if isinstance(item, dict):
        return "{ " + ", ".join(f"{_key(k)} = {value(v)}" for k, v in item.items()) + " }" if item else "{}"
    raise TypeError(f"cannot write {type(item).__name__} as TOML")
