"""Translation catalogs outside a request: the one loader used by pages, e-mails, charts and the PDF.

Flask-Babel serves the same compiled files to pages; code that runs without a request (the
pipeline's charts, the digest, the PDF) asks `translator(language)` here. Catalogs never change
while a process runs, so each language is parsed once.
"""

from __future__ import annotations

import functools
from pathlib import Path

from babel.support import NullTranslations, Translations

TRANSLATIONS = Path(__file__).resolve().parent.parent / "translations"
LANGUAGE_NAMES = {"fr": "Français", "nl": "Nederlands", "en": "English"}


@functools.cache
def translator(language: str) -> NullTranslations:
    """The compiled catalog of `language` (English, the source language, needs none)."""
    return Translations.load(str(TRANSLATIONS), [language])


def group_label(group: str, language: str) -> str:
    _ = translator(language).gettext
    return {"beneficiaries": _("Beneficiaries"), "workers": _("Workers"), "partners": _("Partners")}[group]
