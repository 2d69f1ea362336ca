"""Language tags of XLSForm columns ("French (fr)", "fr", "French", "Deutsch", "english (en)")
as ISO 639 codes, with the admin's --language-map first.

A plain `label` column is in the form's `default_language`, or the map's `default`, or else
English (what XLSForm tools assume), with a note saying so.
"""

from __future__ import annotations

import functools
import re

from babel import Locale, localedata

CODE_IN_BRACKETS = re.compile(r"\(\s*([A-Za-z]{2,3})(?:[-_][A-Za-z0-9]+)*\s*\)\s*$")
CODE = re.compile(r"[a-z]{2,3}")
NAME_LOCALES = ("en", "fr", "nl", "de", "es", "pt", "it")  # names in these, then native names
FALLBACK = "en"


class LanguageMapError(ValueError):
    pass


def parse_map(text: str | None) -> dict[str, str]:
    """'French=fr, Deutsch=de, default=fr' -> {"french": "fr", "deutsch": "de", "default": "fr"}."""
    mapping: dict[str, str] = {}
    for part in (text or "").split(","):
        if not part.strip():
            continue
        name, sep, code = part.partition("=")
        code = code.strip().lower()
        if not sep or not name.strip() or not CODE.fullmatch(code):
            raise LanguageMapError(part.strip())
        mapping[_key(name)] = code
    return mapping


def _key(name: str) -> str:
    return " ".join(name.split()).lower()


@functools.cache
def _names(locales: tuple[str, ...]) -> dict[str, str]:
    names: dict[str, str] = {}
    for locale in locales:
        for code, name in Locale.parse(locale).languages.items():
            if CODE.fullmatch(code):
                names.setdefault(name.lower(), code)
    return names


@functools.cache
def _native_names() -> dict[str, str]:
    """Each language's name for itself (Deutsch, Kiswahili...): slower, so only when needed."""
    names: dict[str, str] = {}
    for identifier in localedata.locale_identifiers():
        if CODE.fullmatch(identifier):
            name = Locale.parse(identifier).languages.get(identifier)
            if name:
                names.setdefault(name.lower(), identifier)
    return names


def known_code(code: str) -> bool:
    return CODE.fullmatch(code) is not None and code in Locale("en").languages


def resolve(tag: str, mapping: dict[str, str]) -> str | None:
    """The code of a column's language tag, or None when it cannot be told."""
    key = _key(tag)
    if key in mapping:
        return mapping[key]
    bracket = CODE_IN_BRACKETS.search(tag)
    if bracket:
        name = _key(tag[: bracket.start()])
        return mapping.get(name) or bracket.group(1).lower()
    if known_code(key):
        return key
    return _names(NAME_LOCALES).get(key) or _native_names().get(key)


def display_name(code: str) -> str:
    """The language's own name, for `label::Français (fr)` headers of an export."""
    try:
        name = Locale.parse(code).get_display_name(code) or code
    except (ValueError, LookupError):
        return code
    return name[:1].upper() + name[1:]
