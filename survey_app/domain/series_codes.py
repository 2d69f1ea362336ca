"""A respondent's linking code: the shipped code questions, the code card, and the keyed hashes.

A follow-up series links the answers of one person across waves by a code only that person holds:
either answers to a few stable questions (none a name or a full date) or a random code card shown
at the end of the baseline survey. The server keeps neither: it stores HMAC-SHA256 of the code with
the series' own secret (series_keys.py), plus one HMAC per "code with element i masked", so that a
code with one differing answer can still be matched when that is unambiguous (pipeline/pairs.py).
Card codes have a check character, so a typo is refused at the follow-up instead of being masked.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from survey_app.core.short_codes import ALPHABET, check_character, normalise

METHODS = ("questions", "card")
CARD_PAYLOAD = 8  # 40 random bits: collisions stay negligible for the size of any one series
CARD_LENGTH = CARD_PAYLOAD + 1


@dataclass(frozen=True)
class CodeQuestion:
    """One stable question; `kind` says how the answer is asked and normalised."""

    id: str
    kind: str  # "letter": one letter A-Z; "month": 1-12; "count": 0-9 (9 means "9 or more")


# The shipped list. Labels are in survey_app/respondent/follow_up.py (translated there, in the
# web layer). None is a name or a full date: one letter, a month without day or year, a small count.
CODE_QUESTIONS: tuple[CodeQuestion, ...] = (
    CodeQuestion("mother_initial", "letter"),
    CodeQuestion("birth_month", "month"),
    CodeQuestion("older_siblings", "count"),
    CodeQuestion("birthplace_initial", "letter"),
    CodeQuestion("father_initial", "letter"),
    CodeQuestion("younger_siblings", "count"),
)
QUESTION_IDS = tuple(q.id for q in CODE_QUESTIONS)
MIN_QUESTIONS, MAX_QUESTIONS = 3, 5


def question(question_id: str) -> CodeQuestion:
    return next(q for q in CODE_QUESTIONS if q.id == question_id)


def normalise_element(kind: str, raw: str) -> str | None:
    """The answer as one element of the code, or None when it is not a valid answer."""
    text = unicodedata.normalize("NFKD", (raw or "").strip()).encode("ascii", "ignore").decode().upper()
    if kind == "letter":
        return text if len(text) == 1 and "A" <= text <= "Z" else None
    if kind == "month":
        return str(int(text)) if text.isdigit() and 1 <= int(text) <= 12 else None
    if kind == "count":
        return str(min(int(text), 9)) if text.isdigit() and len(text) <= 3 else None
    raise ValueError(f"unknown code question kind {kind!r}")


def elements_from_answers(question_ids: Sequence[str], answers: Mapping[str, str]) -> list[str] | None:
    """The code's elements in the series' order, or None when an answer is missing or invalid."""
    out = []
    for qid in question_ids:
        element = normalise_element(question(qid).kind, answers.get(qid, ""))
        if element is None:
            return None
        out.append(element)
    return out


def new_card_code() -> str:
    payload = "".join(secrets.choice(ALPHABET) for _ in range(CARD_PAYLOAD))
    return payload + check_character(payload)


def card_from_typed(typed: str) -> str | None:
    """The card code typed at a follow-up (spaces and dashes allowed), or None when the check fails."""
    code = normalise(typed)
    if len(code) != CARD_LENGTH or any(c not in ALPHABET for c in code):
        return None
    return code if check_character(code[:CARD_PAYLOAD]) == code[-1] else None


def card_display(code: str) -> str:
    """ABCD-EFGH-J: groups of four read aloud and copied more easily."""
    return f"{code[:4]}-{code[4:8]}-{code[8:]}"


@dataclass(frozen=True)
class LinkHashes:
    """What the server keeps of a code: its keyed hash and, for question codes, one per masked element."""

    code_hash: str
    masks: tuple[str, ...] = ()


def _mac(key: bytes, message: str) -> str:
    return hmac.new(key, message.encode(), hashlib.sha256).hexdigest()


def hashes(key: bytes, method: str, elements: Sequence[str]) -> LinkHashes:
    """HMAC-SHA256 of the code; question codes also get one HMAC per element masked."""
    if method == "card":
        return LinkHashes(_mac(key, "card:" + "".join(elements)))
    code = "|".join(elements)
    masks = tuple(
        _mac(key, f"mask:{i}:" + "|".join("*" if j == i else e for j, e in enumerate(elements)))
        for i in range(len(elements))
    )
    return LinkHashes(_mac(key, "code:" + code), masks)
