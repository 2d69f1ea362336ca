"""Helpers of the respondent views: the link of the request, page forms, rendering, cookies."""

from __future__ import annotations

import re
import threading
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from flask import abort, current_app, g, render_template, request, url_for
from werkzeug.wrappers import Response

from survey_app.core import timeutil
from survey_app.core.timeutil import parse_iso
from survey_app.questionnaire.model import Section
from survey_app.respondent import drafts, kiosk, rendering
from survey_app.respondent.csrf import FIELD
from survey_app.respondent.forms import SUBMISSION_ID, PageForm, build_page_form
from survey_app.respondent.links import KIOSK, PERSONAL, SurveyLink, questionnaire_key, resolve
from survey_app.respondent.rendering import PageState
from survey_app.respondent.submissions import new_submission_id
from survey_app.storage.db import connect
from survey_app.storage.group_commit import GroupCommit
from survey_app.web.db import get_db
from survey_app.web.i18n import select_locale

BROWSER_KEY = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
FORM_TYPES = ("application/x-www-form-urlencoded",)
PAGE_FORMS = "vises.page_forms"  # app.extensions key of the page form classes built so far
GROUP_COMMIT = "vises.group_commit"  # app.extensions key of the final submits' committer
_building = threading.Lock()


def current_link(kind: str, token: str) -> SurveyLink:
    """The request's survey link (resolved once per request), or a 404/429 abort (a kiosk page
    without its current person or with an idle draft redirects instead: respondent.kiosk)."""
    if "survey_link" not in g:
        g.survey_link = resolve(get_db(), kind, token, timeutil.now_utc())
        if kind == KIOSK:
            kiosk.guard(g.survey_link)
    return g.survey_link


def language(link: SurveyLink) -> str:
    """The language of the questions: the visitor's, if the campaign offers it (once per request)."""
    chosen = g.get("survey_language")
    if chosen is None:
        chosen = g.survey_language = questions_language(interface_language(), link.languages)
    return chosen


def questions_language(interface: str, offered: list[str]) -> str:
    """The interface language when the campaign offers it, else the campaign's first language."""
    return interface if interface in offered else offered[0]


def interface_language() -> str:
    """The language of the page's own texts (buttons, messages): the visitor's choice, as Flask-Babel
    would select it (once per request; a cached page needs the code only, not a babel Locale)."""
    chosen = g.get("interface_language")
    if chosen is None:
        chosen = g.interface_language = select_locale()
    return chosen


def browser_key() -> str | None:
    link = g.get("survey_link")
    if link is not None and link.kind == KIOSK:
        return kiosk.person_key()  # a kiosk's person, rotated at each start
    key = request.cookies.get(drafts.BROWSER_COOKIE, "")
    return key if BROWSER_KEY.fullmatch(key) else None


def load_draft(link: SurveyLink) -> drafts.Draft:
    """The link's draft: a personal link's was read with the link (links.resolve), in one statement."""
    if link.invitation is not None:
        return drafts.from_row(link.draft_row)
    return drafts.load(get_db(), link, browser_key())


def url(endpoint: str, link: SurveyLink, **values: Any) -> str:
    return url_for(f"respondent.{endpoint}", kind=link.kind, token=link.token, **values)


def place_after_save(action: str | None, number: int, total: int) -> tuple[str, dict[str, int]]:
    """Where a page leads once its answers are saved: (endpoint, its values). Save and continue
    later, Back (from page 1: the introduction), or Next (the last page stays put)."""
    if action == "save":
        return "saved", {}
    if action == "back":
        return ("page", {"number": number - 1}) if number > 1 else ("intro", {})
    return "page", {"number": min(number + 1, total)}


def see_other(location: str) -> Response:
    """Post/Redirect/Get: 303 so a refresh never re-posts (no body: browsers follow at once)."""
    return Response(status=303, headers={"Location": location})


def already_answered(link: SurveyLink) -> Response | str:
    """A link whose answers are in: a POST (a replay, a second tab) ends on the thank-you page as
    the first one did; a GET says the survey was answered."""
    if request.method == "POST":
        return see_other(url("thanks", link))
    return render_template("respondent/answered.html", link=link)


def group_commit() -> GroupCommit:
    """The app's final submits share durable commits (one per database, see storage.group_commit),
    on a connection of the committer's own, opened at the first submit."""
    committer: GroupCommit | None = current_app.extensions.get(GROUP_COMMIT)
    if committer is None:
        with _building:  # one committer, one connection, however many threads submit first
            committer = current_app.extensions.get(GROUP_COMMIT)
            if committer is None:
                own = connect(current_app.config["SETTINGS"]["database.path"])
                committer = current_app.extensions[GROUP_COMMIT] = GroupCommit(own)
    return committer


def section_of(link: SurveyLink, number: int) -> Section:
    if not 1 <= number <= len(link.questionnaire.sections):
        abort(404)
    return link.questionnaire.sections[number - 1]


def page_form_class(link: SurveyLink, section: Section, lang: str) -> type[PageForm]:
    """Form classes are built once per (questionnaire, page, language, channel) and reused."""
    cache = current_app.extensions.setdefault(PAGE_FORMS, {})
    key = page_form_key(link, section, lang)
    if key not in cache:
        cache[key] = build_page_form(link.questionnaire, section, lang, key[3], link.languages)
    return cache[key]


def page_form_key(link: SurveyLink, section: Section, lang: str) -> tuple:
    """What a page's form class depends on; its fourth item says whether it carries a submission id."""
    last = section is link.questionnaire.sections[-1]
    replayable = link.kind != PERSONAL and last  # open and kiosk links: a submission id against replays
    return (questionnaire_key(link.campaign), section.id, lang, replayable, tuple(link.languages))


def check_post() -> None:
    """Only what a browser's plain form sends is accepted; anything else is a 400, never a 500."""
    if request.mimetype not in FORM_TYPES or request.files:
        abort(400)


def unknown_fields(form: PageForm) -> bool:
    return bool(set(request.form.keys()) - set(form._fields) - {FIELD})


def closing_text(link: SurveyLink, lang: str) -> str:
    """The closing moment in the campaign's own timezone (what the manager typed)."""
    closes = parse_iso(link.campaign["closes_at"]).astimezone(ZoneInfo(link.campaign["timezone"]))
    return format_datetime(closes, "d MMMM y, HH:mm", tzinfo=closes.tzinfo, locale=lang)


def render_page(link: SurveyLink, form_class: type[PageForm], number: int, state: PageState, status: int = 200):
    html = rendering.render(link, form_class, number, (language(link), interface_language()), state)
    return Response(html, status, mimetype="text/html")


def posted_state(form: PageForm, csrf_expired: bool, notice: str | None = None) -> PageState:
    """A page that did not validate (or was refused, with `notice`): what was posted, its errors,
    and the same submission id."""
    posted_id = form.submission_id.data if form.with_submission_id else None
    return PageState(
        answers={**form.earlier, **form.page_answers()},
        errors={
            q.id: form[f"q_{q.id}"].errors for q in form.section.questions if q.answerable and form[f"q_{q.id}"].errors
        },
        summary=form.question_errors(),
        csrf_expired=csrf_expired,
        notice=notice,
        submission_id=(posted_id if posted_id and re.fullmatch(SUBMISSION_ID, posted_id) else new_submission_id())
        if form.with_submission_id
        else None,
    )


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
