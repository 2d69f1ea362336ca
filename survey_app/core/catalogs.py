"""Translation catalogs: the one loader used by pages, e-mails, charts and the PDF.

Pages get theirs through Flask-Babel (web/i18n.py hands it these same catalogs), code that runs
without a request (the pipeline's charts, the digest, the PDF) asks `translator(language)`.
Catalogs never change while a process runs, so each one is parsed once.
"""

from __future__ import annotations

import functools
from pathlib import Path

from babel.support import NullTranslations, Translations

from survey_app.core.errors import VisesError

TRANSLATIONS = Path(__file__).resolve().parent.parent / "translations"
LANGUAGE_NAMES = {"fr": "Français", "nl": "Nederlands", "en": "English"}


class MissingCatalogs(VisesError):
    """The compiled catalogs (.mo) of an offered language are missing."""


def check_catalogs(languages: list[str]) -> None:
    """Compiled catalogs are built by `make translations`; fail clearly when they are missing."""
    missing = [
        lang
        for lang in languages
        if lang != "en" and not (TRANSLATIONS / lang / "LC_MESSAGES" / "messages.mo").exists()
    ]
    if missing:
        raise MissingCatalogs(
            f"compiled translations missing for {', '.join(missing)} in {TRANSLATIONS}. "
            "Fix: run `make translations` (or `pybabel compile -d survey_app/translations`)."
        )


@functools.cache
def catalog(directory: str, language: str, domain: str = "messages") -> NullTranslations:
    """The compiled catalog of `language` in `directory` (a NullTranslations when there is none)."""
    return Translations.load(directory, [language], domain=domain)


@functools.cache  # pages call it for every string they translate
def translator(language: str) -> NullTranslations:
    """The app's catalog of `language` (English, the source language, needs none)."""
    return catalog(str(TRANSLATIONS), language)
