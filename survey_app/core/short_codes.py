"""Short codes a respondent types at /code: six random characters and a check character.

The alphabet leaves out 0/O and 1/I, which read alike. The check character (Luhn mod 32) catches
every single wrong character and almost every swap of two neighbours, so a typo is told apart from
an unknown code without asking the database (no oracle: anyone can compute it). New codes are
unique across all campaigns (a unique index on seven-character codes); codes printed before, six
characters without a check, still work when no other campaign has the same one.
"""

from __future__ import annotations

import re
import secrets

ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
PAYLOAD = 6
LENGTH = PAYLOAD + 1
LEGACY_LENGTH = PAYLOAD
_SEPARATORS = re.compile(r"[\s\-_.·]+")


def check_character(payload: str) -> str:
    """Luhn mod N over ALPHABET: doubling every second character from the right."""
    base, total = len(ALPHABET), 0
    for position, character in enumerate(reversed(payload)):
        value = ALPHABET.index(character)
        if position % 2 == 0:
            value *= 2
            value = value // base + value % base
        total += value
    return ALPHABET[(base - total % base) % base]


def new_code() -> str:
    payload = "".join(secrets.choice(ALPHABET) for _ in range(PAYLOAD))
    return payload + check_character(payload)


def normalise(typed: str) -> str:
    """What was typed, upper case, without spaces or dashes (people copy "ABCD-EFG" or "abcd efg")."""
    return _SEPARATORS.sub("", typed or "").upper()[:32]


def is_valid(code: str) -> bool:
    """A new code (seven characters with a correct check) or an old one (six characters)."""
    if not code or any(c not in ALPHABET for c in code):
        return False
    if len(code) == LENGTH:
        return check_character(code[:PAYLOAD]) == code[-1]
    return len(code) == LEGACY_LENGTH
