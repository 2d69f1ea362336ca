"""XLSForm names -> VISES identifiers (lowercase letters, digits and _, at most 40 characters),
distinct within their kind, and texts filled in for every language of the questionnaire.
"""

from __future__ import annotations

import re

from survey_app.questionnaire.xlsform.form import Texts

INVALID = re.compile(r"[^a-z0-9_]+")


def identifier(name: str, fallback: str = "q", first_digit: bool = False) -> str:
    """`HPlevel` -> `hplevel`, `Spec test` -> `spec_test`, `_1` -> `q_1` (`1` -> `1` for an option)."""
    text = INVALID.sub("_", name.strip().lower()).strip("_") or fallback
    if not text[0].isalpha() and not (first_digit and text[0].isdigit()):
        text = f"{fallback}_{text}"
    return text[:40].rstrip("_") or fallback


class Identifiers:
    """Hands out distinct identifiers: a second `q1` becomes `q1_2`."""

    def __init__(self, taken: tuple[str, ...] = ()):
        self.taken = set(taken)

    def take(self, name: str, fallback: str = "q", first_digit: bool = False) -> str:
        base = identifier(name, fallback, first_digit)
        candidate, number = base, 1
        while candidate in self.taken:
            number += 1
            suffix = f"_{number}"
            candidate = base[: 40 - len(suffix)] + suffix
        self.taken.add(candidate)
        return candidate


def humanize(name: str) -> str:
    """A readable title from a name: `teil_allgemeine` -> `Teil allgemeine`."""
    words = re.sub(r"[_\-.]+", " ", name).strip()
    return words[:1].upper() + words[1:] if words else name


def fill(texts: Texts, languages: list[str]) -> tuple[Texts, list[str]]:
    """A text for every language: a missing one takes the first language's (or any) text.
    Returns the texts and the languages that were filled in."""
    if not texts:
        return {}, []
    fallback = next((texts[lang] for lang in languages if texts.get(lang)), next(iter(texts.values())))
    missing = [lang for lang in languages if not texts.get(lang)]
    return {lang: texts.get(lang) or fallback for lang in languages}, missing
