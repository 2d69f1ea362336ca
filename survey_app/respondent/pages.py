"""Helpers of the respondent views: the link of the request, page forms, rendering, cookies."""

from __future__ import annotations

import re
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from flask import abort, current_app, g, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from survey_app.core import timeutil
from survey_app.core.timeutil import parse_iso
from survey_app.domain import series
from survey_app.questionnaire.model import Section, translate
from survey_app.respondent import drafts, kiosk
from survey_app.respondent.forms import PageForm, build_page_form
from survey_app.respondent.links import KIOSK, PERSONAL, SurveyLink, resolve
from survey_app.web.db import get_db
from survey_app.web.i18n import current_language

BROWSER_KEY = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
FORM_TYPES = ("application/x-www-form-urlencoded",)


def current_link(kind: str, token: str) -> SurveyLink:
    """The request's survey link (resolved once per request), or a 404/429 abort (a kiosk page
    without its current person or with an idle draft redirects instead: respondent.kiosk)."""
    if "survey_link" not in g:
        g.survey_link = resolve(get_db(), kind, token, timeutil.now_utc())
        if kind == KIOSK:
            kiosk.guard(g.survey_link)
    return g.survey_link


def language(link: SurveyLink) -> str:
    chosen = current_language()
    return chosen if chosen in link.languages else link.languages[0]


def browser_key() -> str | None:
    link = g.get("survey_link")
    if link is not None and link.kind == KIOSK:
        return kiosk.person_key()  # a kiosk's person, rotated at each start
    key = request.cookies.get(drafts.BROWSER_COOKIE, "")
    return key if BROWSER_KEY.fullmatch(key) else None


def load_draft(link: SurveyLink) -> drafts.Draft:
    return drafts.load(get_db(), link, None if link.invitation else browser_key())


def url(endpoint: str, link: SurveyLink, **values: Any) -> str:
    return url_for(f"respondent.{endpoint}", kind=link.kind, token=link.token, **values)


def see_other(location: str) -> Response:
    """Post/Redirect/Get: 303 so a refresh never re-posts."""
    return redirect(location, code=303)


def section_of(link: SurveyLink, number: int) -> Section:
    if not 1 <= number <= len(link.questionnaire.sections):
        abort(404)
    return link.questionnaire.sections[number - 1]


def page_form_class(link: SurveyLink, section: Section, lang: str) -> type[PageForm]:
    """Form classes are built once per (questionnaire, page, language, channel) and reused."""
    cache = current_app.extensions.setdefault("vises.page_forms", {})
    last = section is link.questionnaire.sections[-1]
    replayable = link.kind != PERSONAL and last  # open and kiosk links: a submission id against replays
    key = (id(link.questionnaire), section.id, lang, replayable, tuple(link.languages))
    if key not in cache:
        cache[key] = build_page_form(link.questionnaire, section, lang, replayable, link.languages)
    return cache[key]


def check_post() -> None:
    """Only what a browser's plain form sends is accepted; anything else is a 400, never a 500."""
    if request.mimetype not in FORM_TYPES or request.files:
        abort(400)


def unknown_fields(form: PageForm) -> bool:
    return bool(set(request.form.keys()) - set(form._fields))


def closing_text(link: SurveyLink, lang: str) -> str:
    """The closing moment in the campaign's own timezone (what the manager typed)."""
    closes = parse_iso(link.campaign["closes_at"]).astimezone(ZoneInfo(link.campaign["timezone"]))
    return format_datetime(closes, "d MMMM y, HH:mm", tzinfo=closes.tzinfo, locale=lang)


def render_page(link: SurveyLink, form: PageForm, number: int, status: int = 200, **extra: Any):
    lang = language(link)
    total = len(link.questionnaire.sections)
    answers = {**form.earlier, **form.page_answers()}
    views = [
        form.views[q.id]
        for q in form.section.questions
        if form.views[q.id].condition or link.questionnaire.is_visible(q, answers)
    ]
    errors = form.question_errors()
    return render_template(
        "respondent/page.html",
        link=link,
        form=form,
        views=views,
        number=number,
        total=total,
        last=number == total,
        follow_up=number == total and link.kind != KIOSK and series.wave_of(get_db(), link.campaign["id"]) is not None,
        errors=errors,
        page_has_errors=bool(errors or form.csrf_failed),
        section_title=translate(form.section.title, lang),
        section_intro=translate(form.section.intro, lang) if form.section.intro else "",
        title=translate(link.questionnaire.title, lang),
        lang=lang,
        **extra,
    ), status


def set_browser_cookie(response: Response, key: str) -> Response:
    response.set_cookie(
        drafts.BROWSER_COOKIE,
        key,
        max_age=drafts.BROWSER_COOKIE_MAX_AGE,
        path="/o/",
        httponly=True,
        samesite="Lax",
        secure=current_app.config["SESSION_COOKIE_SECURE"],
    )
    return response
