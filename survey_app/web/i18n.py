"""Language choice and catalogs (Flask-Babel).

The language comes from `?lang=`, then the `lang` cookie, then Accept-Language, then the configured
default. A `?lang=` choice is remembered in the cookie so it sticks on the next pages. Catalogs
come from core.catalogs, parsed once per process and shared with e-mails, charts and the PDF.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from functools import cached_property

from babel import support
from flask import Flask, Response, current_app, g, request
from flask_babel import Babel, Domain, get_locale
from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header
from wtforms.i18n import messages_path

from survey_app.core.catalogs import LANGUAGE_NAMES, TRANSLATIONS, catalog, check_catalogs, translator

COOKIE = "lang"
COOKIE_MAX_AGE = 365 * 24 * 3600


def offered_languages() -> list[str]:
    return list(current_app.config["SETTINGS"].i18n.languages)  # settings keep a tuple


def select_locale() -> str:
    settings = current_app.config["SETTINGS"]
    return choose_language(
        _chosen(),
        _look_up(request.cookies, COOKIE),
        request.headers.get("Accept-Language", ""),
        settings.i18n.languages,
        settings["i18n.default_language"],
    )


def choose_language(
    asked: str | None, remembered: str | None, accept_language: str, offered: tuple[str, ...], default: str
) -> str:
    """The interface language: `?lang=`, then the `lang` cookie, then Accept-Language, then the
    default. Pure, so the survey fast path (respondent.fast_path) chooses exactly as Flask-Babel."""
    for candidate in (asked, remembered):
        if candidate in offered:
            return candidate
    return _best_match(accept_language, tuple(offered)) or default


@functools.lru_cache(maxsize=512)  # browsers send a few dozen different headers; parsing costs
def _best_match(header: str, offered: tuple[str, ...]) -> str | None:
    return parse_accept_header(header, LanguageAccept).best_match(offered)


def _chosen() -> str | None:
    """The `?lang=` of the request, if any (every page asks, so the common case stays cheap)."""
    return _look_up(request.args, "lang") if request.query_string else None


def _look_up(values: Mapping[str, str], key: str) -> str | None:
    # werkzeug's MultiDict.get raises and catches an exception for a missing key: look first.
    return values[key] if key in values else None  # noqa: SIM401


def current_language() -> str:
    return str(get_locale() or current_app.config["SETTINGS"]["i18n.default_language"])


class CatalogDomain(Domain):
    """The app's messages in the request's (or forced) language, from core.catalogs."""

    def get_translations(self) -> support.NullTranslations:
        locale = get_locale()
        return translator(str(locale)) if locale is not None else support.NullTranslations()


class CatalogBabel(Babel):
    @cached_property
    def domain_instance(self) -> Domain:
        return CatalogDomain()


@functools.cache  # every field of every form asks, several times
def _wtforms_catalog(language: str) -> support.NullTranslations:
    return catalog(messages_path(), language, "wtforms")


class WTFormsTranslations:
    """WTForms' own messages in the request's language. Flask-WTF parses the catalog again on
    every request (~0.5 ms); the files never change while the process runs, so parse them once."""

    def gettext(self, string: str) -> str:
        return _wtforms_catalog(_request_language()).ugettext(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return _wtforms_catalog(_request_language()).ungettext(singular, plural, n)


def _request_language() -> str:
    if "wtforms_language" not in g:  # each field of a form asks when it is built
        g.wtforms_language = current_language()
    return g.wtforms_language


WTFORMS_TRANSLATIONS = WTFormsTranslations()


def remember_choice(response: Response) -> Response:
    chosen = _chosen()
    if chosen in offered_languages() and request.cookies.get(COOKIE) != chosen:
        response.set_cookie(
            COOKIE,
            chosen,
            max_age=COOKIE_MAX_AGE,
            httponly=True,
            samesite="Lax",
            secure=current_app.config["SESSION_COOKIE_SECURE"],
        )
    return response


def init_app(app: Flask) -> None:
    check_catalogs(app.config["SETTINGS"]["i18n.languages"])
    timezone = app.config["SETTINGS"]["i18n.timezone"]
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(TRANSLATIONS)
    app.config["BABEL_DEFAULT_TIMEZONE"] = timezone
    CatalogBabel(app, locale_selector=select_locale, timezone_selector=lambda: timezone)
    app.after_request(remember_choice)
    app.jinja_env.globals.update(
        LANGUAGE_NAMES=LANGUAGE_NAMES, current_language=current_language, offered_languages=offered_languages
    )
