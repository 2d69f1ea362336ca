"""Reading a TOML file an operator wrote (config.toml, a questionnaire), with every way it can be
broken turned into a problem and a fix: not UTF-8 (a file saved in Latin-1 or Windows-1252), not
valid TOML, or nested so deeply that the parser gives up (RecursionError, a traceback before).
"""

from __future__ import annotations

import tomllib
from typing import Any


class TomlProblem(Exception):
    """Why a TOML file cannot be read, and the fix; the caller adds the file name."""

    def __init__(self, problem: str, fix: str):
        super().__init__(problem)
        self.problem, self.fix = problem, fix


def decode(data: bytes) -> str:
    """The file's text, or TomlProblem naming the first byte that is not UTF-8 and its line."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise TomlProblem(
            f"not UTF-8 text (byte 0x{data[exc.start]:02x} on line {line})",
            "save the file as UTF-8 (in most editors: Save as, encoding UTF-8)",
        ) from None


def parse(text: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise TomlProblem(f"not valid TOML ({exc})", "correct the syntax at that line") from None
    except RecursionError:
        raise TomlProblem(
            "nested too deeply to be read (lists or tables inside each other hundreds of levels deep)",
            "write the value flat; no setting or question needs more than two levels",
        ) from None


def read_toml(data: bytes, _source: str = "") -> dict[str, Any]:
    return parse(decode(data))
