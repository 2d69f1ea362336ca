"""Typography of each language for printed texts (the PDF report, the public page): quotation
marks, the spaces French puts before punctuation, and dates in one long style formatted by Babel.

French: « guillemets » with no-break spaces inside, a no-break space before ":" and a narrow
no-break space before ";", "!" and "?" (so a line never starts with them), and "1er" for the
first day of a month. Dutch and English use curly double quotes. Babel formats every date in the
"long" style of its locale; nothing here prints an ISO date.
"""

from __future__ import annotations

import re
from datetime import date

from babel.dates import format_date

NBSP, NNBSP = "\u00a0", "\u202f"
QUOTES = {"fr": ("«" + NBSP, NBSP + "»"), "nl": ("“", "”"), "en": ("“", "”")}
_FRENCH_SPACES = (
    (re.compile(r"[ \u00a0\u202f]+:"), NBSP + ":"),
    (re.compile(r"[ \u00a0\u202f]+([;!?])"), NNBSP + r"\1"),
    (re.compile(r"«[ \u00a0\u202f]*"), "«" + NBSP),
    (re.compile(r"[ \u00a0\u202f]*»"), NBSP + "»"),
    # A space between digits groups thousands (Babel's "1 234"): never break a number in two.
    (re.compile(r"(?<=\d) (?=\d{3}\b)"), NNBSP),
    (re.compile(r"(?<=\d) %"), NBSP + "%"),
)
_APOSTROPHE = re.compile(r"(?<=\w)'(?=\w)")
_STRAIGHT_QUOTES = re.compile(r'"([^"\n]+)"')
_FIRST_OF_MONTH = re.compile(r"(?<!\d)1 (?=\D)")


def quoted(text: str, language: str) -> str:
    """`text` between the quotation marks of `language`."""
    opening, closing = QUOTES.get(language, QUOTES["en"])
    return f"{opening}{text.strip()}{closing}"


def typeset(text: str, language: str) -> str:
    """Apostrophes and quotation marks of print, and French spacing, in any text (translated
    strings, the enterprise's words, testimonies): only spaces and quote marks ever change."""
    text = _APOSTROPHE.sub("’", text)
    text = _STRAIGHT_QUOTES.sub(lambda m: quoted(m.group(1), language), text)
    if language == "fr":
        for pattern, replacement in _FRENCH_SPACES:
            text = pattern.sub(replacement, text)
    return text


def long_date(day: date, language: str) -> str:
    """'1er décembre 2025', '1 december 2025', 'December 1, 2025': Babel's long date, and the
    French ordinal for the first of a month (Babel writes '1 décembre')."""
    text = format_date(day, "long", locale=language)
    if language == "fr" and day.day == 1:
        text = _FIRST_OF_MONTH.sub("1er ", text, count=1)
    return text.replace(" ", NBSP, 1)  # the day and its month stay on one line
