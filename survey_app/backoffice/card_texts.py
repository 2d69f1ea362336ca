"""What printed cards and posters say, in each of the campaign's languages (never the manager's):
how to answer with the QR code, and where to type the code without a camera (/code)."""

from __future__ import annotations

from flask import current_app, url_for
from flask_babel import force_locale
from flask_babel import gettext as _

from survey_app.domain import campaigns as store


def card_sentences(campaign: dict) -> list[tuple[str, str]]:
    """The invitation sentence in each of the campaign's languages (not the manager's language)."""
    sentences = []
    for lang in store.languages_of(campaign):
        with force_locale(lang):
            sentences.append(
                (
                    lang,
                    _(
                        "Scan the code with your phone to give your opinion. It takes "
                        "about five minutes and your answers are anonymous."
                    ),
                )
            )
    return sentences


def code_sentences(campaign: dict) -> list[tuple[str, str]]:
    """Where to type the code without a camera, in each of the campaign's languages."""
    address = current_app.config["SETTINGS"]["server.base_url"].rstrip("/") + url_for("codes.enter")
    sentences = []
    for lang in store.languages_of(campaign):
        with force_locale(lang):
            sentences.append((lang, _("No camera? Go to %(address)s and type the code.", address=address)))
    return sentences
