"""How a setting is declared, checked and written back, independent of which settings exist.

A setting is a field of a frozen section dataclass in `survey_app.core.config`, made with
`setting(default, help, check)`: the annotation is its type, the field name its key, the section's
name its `[section]`. `declared()` turns those fields into `Setting` records (the declaration table
that validation, error messages and the generated config.toml read), so each setting is written once.
"""

from __future__ import annotations

import dataclasses
import json
import re
import textwrap
import typing
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from survey_app.core.addresses import is_email

T = TypeVar("T")
Check = Callable[[Any], "str | None"]  # None when the value is fine, else what is wrong with it
STRINGS = tuple[str, ...]  # the one collection type: a TOML list of strings, kept as a tuple
HELP, CHECK = "vises.help", "vises.check"
COMMENT_WIDTH = 100


def setting(default: T, help: str, check: Check | None = None, *, secret: bool = False) -> T:
    """A settings field: its default, the help written above it in config.toml, an optional check.

    A secret (password, key) is left out of the settings' repr, so it never reaches a log line.
    """
    return field(default=default, repr=not secret, metadata={HELP: help, CHECK: check})


@dataclass(frozen=True)
class Setting:
    """One row of the declaration table, read off a section dataclass field."""

    name: str  # "section.key"
    type: Any  # str, int, bool or STRINGS
    default: Any
    help: str
    check: Check | None = None

    @property
    def section(self) -> str:
        return self.name.split(".")[0]

    @property
    def key(self) -> str:
        return self.name.split(".", 1)[1]


def declared(section: str, cls: type) -> list[Setting]:
    """The settings of one section dataclass, in field order."""
    hints = typing.get_type_hints(cls)
    undeclared = [f.name for f in dataclasses.fields(cls) if HELP not in f.metadata]
    if undeclared:  # a plain default would have no help and no check: refuse it at import
        raise TypeError(f"declare {', '.join(undeclared)} of {cls.__name__} with setting(default, help)")
    return [
        Setting(f"{section}.{f.name}", hints[f.name], f.default, f.metadata[HELP], f.metadata[CHECK])
        for f in dataclasses.fields(cls)
    ]


def accepts(setting: Setting, value: Any) -> bool:
    """Whether a value read from TOML (or given as an override) has the setting's type."""
    if setting.type is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if setting.type == STRINGS:
        return isinstance(value, list | tuple) and all(isinstance(v, str) for v in value)
    return isinstance(value, setting.type)


def coerce(setting: Setting, value: Any) -> Any:
    """The value as the settings object keeps it (a TOML list becomes a tuple: settings are frozen)."""
    return tuple(value) if setting.type == STRINGS else value


def type_name(value: Any) -> str:
    return {
        bool: "true/false",
        int: "a whole number",
        str: "a quoted string",
        list: "a list",
        tuple: "a list",
        float: "a number",
        dict: "a table",
    }.get(type(value), type(value).__name__)


def toml_value(value: Any) -> str:
    """The value spelled as in config.toml."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)  # a JSON string is a valid TOML basic string
    if isinstance(value, list | tuple):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    return str(value)


def comment(text: str) -> list[str]:
    """Text as TOML comment lines."""
    return textwrap.wrap(text, COMMENT_WIDTH, initial_indent="# ", subsequent_indent="# ", break_on_hyphens=False)


# Checks shared by several settings.


def between(low: int, high: int) -> Check:
    return lambda v: None if low <= v <= high else f"must be between {low} and {high}"


def one_of(choices: tuple[str, ...]) -> Check:
    return lambda v: None if v in choices else f"must be one of {list(choices)}"


def subset_of(choices: tuple[str, ...]) -> Check:
    def check(value: Sequence[str]) -> str | None:
        unknown = [v for v in value if v not in choices]
        if unknown or not value:
            return f"must be a non-empty list taken from {list(choices)} (unknown: {unknown})"
        return None

    return check


def timezone_name(value: str) -> str | None:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        return "must be an IANA timezone name such as 'Europe/Brussels' or 'Europe/Paris'"
    return None


def base_url(value: str) -> str | None:
    if not re.fullmatch(r"https?://[^\s/]+(/[^\s]*)?", value):
        return "must be an absolute http:// or https:// address, such as 'https://survey.example.org'"
    return None


def host_names(value: Sequence[str]) -> str | None:
    """Bare host names or addresses (a leading dot: every subdomain), without scheme, port or path."""
    wrong = [v for v in value if not re.fullmatch(r"\.?[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*|[0-9A-Fa-f:]+", v)]
    return f"must list host names such as 'vises.internal' or '.example.org', got {wrong}" if wrong else None


def email(value: str) -> str | None:
    # The sender may be a host without a dot (vises@localhost, the bundled default).
    return None if is_email(value, dotless_domain=True) else "must be an e-mail address"
