"""Respondent side: the home page and the survey reached by a personal (/s/) or open (/o/) link.

Every POST ends in a 303 redirect (Post/Redirect/Get) or re-renders the page with the answers
kept. Tokens appear only in URLs: nothing here logs a path, and waitress is run without access
logs (see docs/performance.md, "Respondent pages").
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, render_template, request

from survey_app.core import timeutil
from survey_app.domain.campaigns import open_link, personal_link
from survey_app.domain.kiosks import kiosk_link
from survey_app.questionnaire.model import DONT_KNOW, translate
from survey_app.respondent import drafts, easy, follow_up, follow_up_views, kiosk, kiosk_views, media, submissions
from survey_app.respondent.drafts import new_browser_key
from survey_app.respondent.links import KIOSK, OPEN, PERSONAL, SurveyLink
from survey_app.respondent.pages import (
    browser_key,
    check_post,
    closing_text,
    current_link,
    language,
    load_draft,
    page_form_class,
    render_page,
    section_of,
    see_other,
    set_browser_cookie,
    unknown_fields,
    url,
)
from survey_app.web.db import get_db

# The address of a link as the respondent must type it again, built on the configured base URL.
LINK_ADDRESSES = {PERSONAL: personal_link, OPEN: open_link, KIOSK: kiosk_link}

bp = Blueprint("respondent", __name__)
LINK = "/<any(s, o, k):kind>/<token>"
# easy mode, kiosk pages, pictures and recordings, the linking step of a follow-up series
for nested in (easy.bp, kiosk_views.bp, media.bp, follow_up_views.bp):
    bp.register_blueprint(nested)
bp.context_processor(kiosk.template_context)


@bp.record_once
def _own_csrf_check(state) -> None:
    # Survey forms validate their CSRF token themselves, so an expired token re-renders the page
    # with every answer kept (and a fresh token) instead of the global handler's bare 400.
    # Easy mode's forms do the same; it is a nested blueprint, which the exemption of its parent does
    # not reach. (Kiosk starts and media are left to the global check: they keep no answers.)
    for blueprint in (bp, easy.bp):
        state.app.extensions["csrf"].exempt(blueprint)


@bp.route("/")
def home():
    return render_template("respondent/home.html")


@bp.route(LINK)
def intro(kind: str, token: str):
    link = current_link(kind, token)
    if link.kind == KIOSK:
        return kiosk_views.start_page(link)
    if link.submitted:
        return render_template("respondent/answered.html", link=link)
    draft = load_draft(link)
    if draft.answers:
        # On another device too, the respondent continues in the language and mode they chose.
        kept = draft.language in link.languages and draft.language != language(link) and not request.args.get("lang")
        chosen = {"lang": str(draft.language)} if kept else {}
        return see_other(easy.resume_target(link, draft, **chosen))
    drafts.mark_opened(get_db(), link)
    lang = language(link)
    questionnaire = link.questionnaire
    return render_template(
        "respondent/intro.html",
        link=link,
        title=translate(questionnaire.title, lang),
        intro_text=translate(questionnaire.intro, lang),
        closes=closing_text(link, lang),
        min_group=current_app.config["SETTINGS"]["privacy.min_group_size"],
        start=url("page", link, number=1),
        easy_start=url("easy.question", link, number=1),
        easy_default=bool(link.campaign.get("easy_mode")),
    )


@bp.route(LINK + "/<int:number>", methods=["GET", "POST"])
def page(kind: str, token: str, number: int):
    link = current_link(kind, token)
    if link.submitted:
        return (
            see_other(url("thanks", link))
            if request.method == "POST"
            else render_template("respondent/answered.html", link=link)
        )
    section = section_of(link, number)
    draft = load_draft(link)
    form_class = page_form_class(link, section, language(link))
    if request.method == "GET":
        resume = drafts.resume_page(link.questionnaire, draft.answers) + 1
        if number > resume:
            return see_other(url("page", link, number=resume))
        form = form_class(data=initial_data(form_class, draft.answers))
        form.earlier = draft.answers
        return render_page(link, form, number)
    return post_page(link, form_class, draft, number)


def initial_data(form_class, answers: dict) -> dict:
    """Field values from the draft; "don't know" on a text or number goes to its checkbox."""
    data: dict[str, Any] = {"submission_id": submissions.new_submission_id()}
    for question in form_class.section.questions:
        if not question.answerable:
            continue
        raw = answers.get(question.id, question.default_answer())
        if raw == DONT_KNOW and form_class.views[question.id].dont_know_name:
            data[f"dk_{question.id}"] = True
        else:
            data[f"q_{question.id}"] = raw
    return data


def post_page(link: SurveyLink, form_class, draft: drafts.Draft, number: int):
    check_post()
    form = form_class()
    if unknown_fields(form):
        abort(400)
    form.earlier = draft.answers
    form.strict = form.action.data in ("next", "submit") and not form.lang.data
    if not form.validate() or form.csrf_failed:
        return render_page(link, form, number, csrf_expired=form.csrf_failed)
    return after_valid_post(link, form, draft, number)


def after_valid_post(link: SurveyLink, form, draft: drafts.Draft, number: int):
    key = browser_key() or (None if link.invitation else new_browser_key())
    answers, lang = form.visible_answers(), language(link)
    if form.action.data == "submit" and number == len(link.questionnaire.sections) and not form.lang.data:
        if follow_up.offered(get_db(), link) is None:
            return finish(link, form, {**draft.answers, **answers}, key)
        return to_follow_up(link, {**draft.answers, **answers}, key)
    if not drafts.save(get_db(), link, key, answers, number - 1, form.lang.data or lang, timeutil.now_utc()):
        return see_other(url("thanks", link))
    if form.lang.data:
        target = url("page", link, number=number, lang=form.lang.data)
    elif form.action.data == "save":
        target = url("saved", link)
    elif form.action.data == "back":
        target = url("page", link, number=number - 1) if number > 1 else url("intro", link)
    else:
        target = url("page", link, number=min(number + 1, len(link.questionnaire.sections)))
    response = see_other(target)
    return set_browser_cookie(response, key) if key and key != browser_key() else response


def finish(link: SurveyLink, form, answers: dict, key: str | None):
    """Submit once; a replay, a second tab or a lost race all end on the thank-you page."""
    db, submission_id = get_db(), getattr(form, "submission_id", None)
    submission_id = submission_id.data if submission_id is not None else None
    if submissions.already_stored(db, link, submission_id):
        return see_other(url("thanks", link))
    if not drafts.complete(link.questionnaire, answers):
        drafts.save(db, link, key, answers, len(link.questionnaire.sections) - 1, language(link), timeutil.now_utc())
        return see_other(url("page", link, number=drafts.resume_page(link.questionnaire, answers) + 1))
    if link.kind == KIOSK and not kiosk.count_response(db, link, timeutil.now_utc()):
        return render_page(link, form, len(link.questionnaire.sections), 429, kiosk_full=kiosk.FULL)
    submissions.submit(db, link, answers, language(link), submission_id, key, timeutil.now_utc())
    response = see_other(url("thanks", link))
    return kiosk.forget(response) if link.kind == KIOSK else response


def to_follow_up(link: SurveyLink, answers: dict, key: str | None):
    """A series campaign: keep the complete draft, then ask whether to link this answer."""
    last = len(link.questionnaire.sections) - 1
    if not drafts.save(get_db(), link, key, answers, last, language(link), timeutil.now_utc()):
        return see_other(url("thanks", link))
    if drafts.complete(link.questionnaire, answers):
        response = see_other(url("follow_up.step", link))
    else:
        response = see_other(url("page", link, number=drafts.resume_page(link.questionnaire, answers) + 1))
    return set_browser_cookie(response, key) if key and key != browser_key() else response


@bp.route(LINK + "/saved")
def saved(kind: str, token: str):
    link = current_link(kind, token)
    if link.submitted:
        return render_template("respondent/answered.html", link=link)
    resume = easy.resume_target(link, load_draft(link))  # in the mode the draft was answered in
    base_url = current_app.config["SETTINGS"]["server.base_url"]  # never the request's Host header
    link_url = LINK_ADDRESSES[link.kind](base_url, link.token)
    return render_template("respondent/saved.html", link=link, resume=resume, link_url=link_url)


@bp.route(LINK + "/thanks")
def thanks(kind: str, token: str):
    link = current_link(kind, token)
    if link.kind == KIOSK:
        return kiosk_views.thanks_page(link)
    if link.invitation is not None and not link.submitted:
        return see_other(url("intro", link))
    return render_template("respondent/thanks.html", link=link)
