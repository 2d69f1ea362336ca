"""Checks and clean-ups of untrusted text: control characters, one-line values, echoed values.

A name typed into a form ends up in e-mail headers, CSV cells and page titles, where a line break
or another control character breaks things (a reminder with a newline in its subject cannot be
sent) or fools a reader. Single-line fields refuse them all; multi-line fields keep only line
breaks and tabs. Values echoed back in an error message are cut, so that a 50 MB value in a
config file gives one readable line, not 50 MB of output.
"""

from __future__ import annotations

import unicodedata
from typing import Any

ECHO_LIMIT = 80  # characters of a value shown back in an error message
# Line and paragraph separators (Zl, Zp) break lines like \n does in many readers.
_LINE_BREAKING = {"Cc", "Zl", "Zp"}
_MULTI_LINE_ALLOWED = {"\n", "\r", "\t"}


def control_characters(text: str, multi_line: bool = False) -> list[str]:
    """The distinct control characters in `text`, as U+XXXX codes (line breaks allowed if multi_line)."""
    found = {
        char
        for char in text
        if unicodedata.category(char) in _LINE_BREAKING and not (multi_line and char in _MULTI_LINE_ALLOWED)
    }
    return [f"U+{ord(char):04X}" for char in sorted(found)]


def one_line(text: str) -> str:
    """`text` on one line: control characters and line breaks become single spaces (for mail headers)."""
    cleaned = "".join(" " if unicodedata.category(c) in _LINE_BREAKING else c for c in text)
    return " ".join(cleaned.split())


def shown(value: Any, limit: int = ECHO_LIMIT) -> str:
    """`repr(value)` cut to `limit` characters with an ellipsis: a value echoed in an error message."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def clip_quoted(message: str, limit: int = ECHO_LIMIT) -> str:
    """`message` with every quoted value longer than `limit` characters cut to `limit`, line by line.

    Error messages quote the offending value ('...' or "..."); a value pasted by mistake can be
    megabytes long. A line still too long after that (an unquoted value) is cut in the middle.
    Linear in the length of the message (str.find), so a 50 MB value is cut in milliseconds.
    """
    return "\n".join(_clip_line(line, limit) for line in message.split("\n"))


def _clip_line(line: str, limit: int) -> str:
    if len(line) <= 3 * limit:
        return line
    parts, start = [], 0
    while True:
        opening = min((i for i in (line.find("'", start), line.find('"', start)) if i >= 0), default=-1)
        closing = line.find(line[opening], opening + 1) if opening >= 0 else -1
        if closing < 0:
            parts.append(line[start:])
            break
        body = line[opening + 1 : closing]
        parts += [line[start : opening + 1], body if len(body) <= limit else body[: limit - 1] + "…", line[closing]]
        start = closing + 1
    clipped, maximum = "".join(parts), 40 * limit
    return clipped if len(clipped) <= maximum else clipped[: maximum // 2] + " … " + clipped[-maximum // 2 :]
