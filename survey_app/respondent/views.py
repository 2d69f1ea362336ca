"""Respondent side: the home page and the survey reached by a personal (/s/) or open (/o/) link.

Every POST ends in a 303 redirect (Post/Redirect/Get) or re-renders the page with the answers
kept. Tokens appear only in URLs: nothing here logs a path, and waitress is run without access
logs (see docs/performance.md, "Respondent pages").
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, request

from survey_app.core import timeutil
from survey_app.questionnaire.model import translate
from survey_app.respondent import drafts, submissions
from survey_app.respondent.csrf import FIELD, csrf_valid
from survey_app.respondent.drafts import new_browser_key
from survey_app.respondent.links import SurveyLink
from survey_app.respondent.pages import (
    browser_key,
    check_post,
    closing_text,
    current_link,
    group_commit,
    language,
    load_draft,
    page_form_class,
    posted_state,
    render_page,
    section_of,
    see_other,
    set_browser_cookie,
    unknown_fields,
    url,
)
from survey_app.respondent.plans import hole
from survey_app.respondent.rendering import PageState
from survey_app.web.db import get_db

bp = Blueprint("respondent", __name__)
LINK = "/<any(s, o):kind>/<token>"


@bp.record_once
def _own_csrf_check(state) -> None:
    # Survey forms validate their CSRF token themselves, so an expired token re-renders the page
    # with every answer kept (and a fresh token) instead of the global handler's bare 400.
    state.app.extensions["csrf"].exempt(bp)


@bp.record_once
def _holes(state) -> None:
    state.app.jinja_env.globals["hole"] = hole  # the per-request parts of cached survey pages


@bp.route("/")
def home():
    return render_template("respondent/home.html")


@bp.route(LINK)
def intro(kind: str, token: str):
    link = current_link(kind, token)
    if link.submitted:
        return render_template("respondent/answered.html", link=link)
    draft = load_draft(link)
    if draft.answers:
        return see_other(url("page", link, number=drafts.resume_page(link.questionnaire, draft.answers) + 1))
    drafts.mark_opened(get_db(), link, timeutil.now_utc())
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
        submission_id = submissions.new_submission_id() if form_class.with_submission_id else None
        return render_page(link, form_class, number, PageState(draft.answers, submission_id=submission_id))
    return post_page(link, form_class, draft, number)


def post_page(link: SurveyLink, form_class, draft: drafts.Draft, number: int):
    check_post()
    expired = not csrf_valid(request.form.get(FIELD))
    form = form_class()
    if unknown_fields(form):
        abort(400)
    form.earlier = draft.answers
    form.strict = form.action.data in ("next", "submit") and not form.lang.data
    if not form.validate() or expired:
        return render_page(link, form_class, number, posted_state(form, expired))
    return after_valid_post(link, form, draft, number)


def after_valid_post(link: SurveyLink, form, draft: drafts.Draft, number: int):
    key = browser_key() or (None if link.invitation else new_browser_key())
    answers, lang = form.visible_answers(), language(link)
    if form.action.data == "submit" and number == len(link.questionnaire.sections) and not form.lang.data:
        return finish(link, form, {**draft.answers, **answers}, key)
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
    db, now = get_db(), timeutil.now_utc()
    submission_id = form.submission_id.data if form.with_submission_id else None
    if link.invitation is None and submissions.already_stored(db, submission_id):
        return see_other(url("thanks", link))
    if not drafts.complete(link.questionnaire, answers):
        if not drafts.save(db, link, key, answers, len(link.questionnaire.sections) - 1, language(link), now):
            return see_other(url("thanks", link))  # submitted meanwhile, from another tab
        return see_other(url("page", link, number=drafts.resume_page(link.questionnaire, answers) + 1))
    submissions.submit(db, link, answers, language(link), submission_id, key, now, group_commit())
    return see_other(url("thanks", link))


@bp.route(LINK + "/saved")
def saved(kind: str, token: str):
    link = current_link(kind, token)
    if link.submitted:
        return render_template("respondent/answered.html", link=link)
    draft = load_draft(link)
    resume = url("page", link, number=drafts.resume_page(link.questionnaire, draft.answers) + 1)
    return render_template(
        "respondent/saved.html", link=link, resume=resume, link_url=url("intro", link, _external=True)
    )


@bp.route(LINK + "/thanks")
def thanks(kind: str, token: str):
    link = current_link(kind, token)
    if link.invitation is not None and not link.submitted:
        return see_other(url("intro", link))
    return render_template("respondent/thanks.html", link=link)
