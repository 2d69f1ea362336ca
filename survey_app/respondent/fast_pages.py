"""What the survey fast path (fast_path.py) answers, and how: a personal link's page and its valid
posts, with the functions the Flask views use (views.page, post_page, after_valid_post, finish).

Each function returns None where the views would do something else than the plain case: the
link is not available or already answered (404, 429, "already answered"), the page is out of
range or ahead of the draft (404, redirect), the visitor is signed in or has a session holding more
than its CSRF token, a form class or page plan was not built yet, the CSRF token is not the one
handed out, a field is unknown (400), the answers do not validate (errors shown), the language
changes, or the last page leads to a follow-up series. tests/test_survey_fast_path.py checks that
what it answers is what Flask answers, byte for byte but for the time inside the CSRF signature.
"""

from __future__ import annotations

import functools
import hmac
from dataclasses import dataclass
from typing import Any

from babel import Locale
from flask import Flask, current_app, g
from flask_babel import force_locale
from werkzeug.datastructures import MultiDict

from survey_app.core import timeutil
from survey_app.respondent import drafts, follow_up, submissions
from survey_app.respondent.csrf import FIELD, kept_signature
from survey_app.respondent.forms import PageForm
from survey_app.respondent.links import SurveyLink, personal_link
from survey_app.respondent.pages import PAGE_FORMS, group_commit, page_form_key, place_after_save, questions_language
from survey_app.respondent.quick_check import STRICT_ACTIONS, Checked, quick_check
from survey_app.respondent.rendering import PageRequest, PageState, fill, follows_up, plan_cache, shown_answers
from survey_app.web import i18n
from survey_app.web.db import get_db

HTML = "text/html; charset=utf-8"


@dataclass(frozen=True)
class Visit:
    """What the fast path reads of a request: the link's token and page, the visitor's cookies."""

    token: str
    number: int
    session: dict[str, Any]  # the verified session cookie's data
    language_cookie: str | None
    accept_language: str
    script_root: str  # where the app is mounted (links are built under it, as url_for does)
    path: str  # the page's own address (PATH_INFO), which its form posts back to
    form: list[tuple[str, str]] | None = None  # a POST's fields, in order (None for a GET)


@dataclass(frozen=True)
class Answer:
    """The WSGI response the fast path sends (the security headers are added around it)."""

    status: str
    headers: list[tuple[str, str]]
    body: bytes


@dataclass(frozen=True)
class Page:
    """A personal link's page as the fast path sees it: link, form class, languages, draft."""

    link: SurveyLink
    form_class: type[PageForm]
    languages: tuple[str, str]  # of the questions, of the interface
    draft: drafts.Draft
    csrf: str  # the signed token handed out for this visitor's session


def answer_get(app: Flask, visit: Visit) -> Answer | None:
    page = _page(app, visit)
    if page is None or visit.number > drafts.resume_page(page.link.questionnaire, page.draft.answers) + 1:
        return None
    state = PageState(shown_answers(page.form_class, page.draft.answers))
    html = _fill(page, visit, state)
    if html is None:
        return None
    body = html.encode()
    return Answer("200 OK", [("Content-Type", HTML), ("Content-Length", str(len(body))), ("Vary", "Cookie")], body)


def answer_post(app: Flask, visit: Visit) -> Answer | None:
    page = _page(app, visit)
    if page is None:
        return None
    fields = MultiDict(visit.form)
    posted = fields.get(FIELD)
    if not posted or not hmac.compare_digest(page.csrf.encode(), posted.encode()):
        return None  # Flask checks it fully (an older signature, an expired page)
    checked = quick_check(page.form_class, fields, page.draft.answers, FIELD) or _checked_by_form(page, fields)
    if checked is None:
        return None
    return _after_valid_post(page, visit, checked)


def _checked_by_form(page: Page, fields: MultiDict) -> Checked | None:
    """What quick_check was not sure of: the page's WTForms form validates it, as the views do."""
    form = page.form_class(formdata=fields)
    if set(fields.keys()) - set(form._fields) - {FIELD} or form.lang.data:
        return None  # an unknown field (400), or a language switch
    form.earlier = page.draft.answers
    form.strict = form.action.data in STRICT_ACTIONS
    g.wtforms_language = page.languages[1]
    with force_locale(_locale(page.languages[1])):  # a failed check words its messages, in the visitor's language
        if not form.validate():
            return None  # Flask shows the errors, answers kept
    return Checked(form.action.data, form.visible_answers())


@functools.cache  # Locale.parse reads babel's data each time; force_locale takes a Locale as it is
def _locale(language: str) -> Locale:
    return Locale.parse(language)


def _page(app: Flask, visit: Visit) -> Page | None:
    if set(visit.session) != {FIELD}:
        return None  # signed in, or anything else a session may hold: the views handle it
    csrf = kept_signature(app, visit.session[FIELD])
    if csrf is None:
        return None  # no page was served to this session by this process yet
    link = personal_link(get_db(), visit.token, timeutil.now_utc())
    if link is None or link.submitted or visit.number > len(link.questionnaire.sections):
        return None
    settings = app.config["SETTINGS"]
    interface = i18n.choose_language(
        None, visit.language_cookie, visit.accept_language, settings.i18n.languages, settings["i18n.default_language"]
    )
    lang = questions_language(interface, link.languages)
    section = link.questionnaire.sections[visit.number - 1]
    form_class = current_app.extensions.get(PAGE_FORMS, {}).get(page_form_key(link, section, lang))
    if form_class is None:
        return None
    return Page(link, form_class, (lang, interface), drafts.from_row(link.draft_row), csrf)


def _fill(page: Page, visit: Visit, state: PageState) -> str | None:
    request = PageRequest(
        page.link,
        page.form_class,
        visit.number,
        page.languages,
        follows_up(get_db(), page.link, visit.number),
        visit.path,
        page.csrf,
    )
    return fill(request, state, plan_cache().peek)


def _after_valid_post(page: Page, visit: Visit, checked: Checked) -> Answer | None:
    link, number, db, now = page.link, visit.number, get_db(), timeutil.now_utc()
    total, lang, answers = len(link.questionnaire.sections), page.languages[0], checked.answers
    if checked.action == "submit" and number == total:
        if follow_up.offered(db, link) is not None:
            return None  # the linking step of a series: the views
        everything = {**page.draft.answers, **answers}
        if not drafts.complete(link.questionnaire, everything):
            if not drafts.save(db, link, None, everything, total - 1, lang, now):
                return _see_other(visit, "thanks")
            return _see_other(visit, "page", drafts.resume_page(link.questionnaire, everything) + 1)
        submissions.submit(db, link, everything, lang, None, None, now, committer=group_commit())
        return _see_other(visit, "thanks")
    if not drafts.save(db, link, None, answers, number - 1, lang, now):
        return _see_other(visit, "thanks")
    endpoint, values = place_after_save(checked.action, number, total)
    return _see_other(visit, endpoint, values.get("number"))


def _see_other(visit: Visit, endpoint: str, number: int | None = None) -> Answer:
    """The 303 of pages.see_other, to the address url_for builds for the respondent endpoint."""
    where = f"{visit.script_root}/s/{visit.token}"
    location = where if endpoint == "intro" else f"{where}/{number if endpoint == 'page' else endpoint}"
    headers = [("Location", location), ("Content-Type", "text/plain; charset=utf-8"), ("Vary", "Cookie")]
    headers.append(("Content-Length", "0"))  # werkzeug's order: its Response, then the session's Vary
    return Answer("303 SEE OTHER", headers, b"")
