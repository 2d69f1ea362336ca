"""Respondent side: the home page and the survey reached by a personal (/s/), open (/o/) or kiosk (/k/) link.

Every POST ends in a 303 redirect (Post/Redirect/Get) or re-renders the page with the answers
kept. Tokens appear only in URLs: nothing here logs a path, and waitress is run without access
logs (see docs/performance.md, "Respondent pages").
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, request

from survey_app.core import timeutil
from survey_app.domain.campaigns import open_link, personal_link
from survey_app.domain.kiosks import kiosk_link
from survey_app.questionnaire.model import translate
from survey_app.respondent import drafts, easy, follow_up, follow_up_views, kiosk, kiosk_views, media, submissions
from survey_app.respondent.csrf import FIELD, csrf_valid
from survey_app.respondent.drafts import new_browser_key
from survey_app.respondent.links import KIOSK, OPEN, PERSONAL, SurveyLink
from survey_app.respondent.pages import (
    already_answered,
    browser_key,
    check_post,
    closing_text,
    current_link,
    group_commit,
    language,
    load_draft,
    page_form_class,
    place_after_save,
    posted_state,
    render_page,
    section_of,
    see_other,
    set_browser_cookie,
    unknown_fields,
    url,
)
from survey_app.respondent.plans import hole
from survey_app.respondent.quick_check import STRICT_ACTIONS
from survey_app.respondent.rendering import PageState, shown_answers
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


@bp.record_once
def _holes(state) -> None:
    state.app.jinja_env.globals["hole"] = hole  # the per-request parts of cached survey pages


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
        return already_answered(link)
    section = section_of(link, number)
    draft = load_draft(link)
    form_class = page_form_class(link, section, language(link))
    if request.method == "GET":
        resume = drafts.resume_page(link.questionnaire, draft.answers) + 1
        if number > resume:
            return see_other(url("page", link, number=resume))
        submission_id = submissions.new_submission_id() if form_class.with_submission_id else None
        state = PageState(shown_answers(form_class, draft.answers), submission_id=submission_id)
        return render_page(link, form_class, number, state)
    return post_page(link, form_class, draft, number)


def post_page(link: SurveyLink, form_class, draft: drafts.Draft, number: int):
    check_post()
    expired = not csrf_valid(request.form.get(FIELD))
    form = form_class()
    if unknown_fields(form):
        abort(400)
    form.earlier = draft.answers
    form.strict = form.action.data in STRICT_ACTIONS and not form.lang.data
    if not form.validate() or expired:
        return render_page(link, form_class, number, posted_state(form, expired))
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
    else:
        endpoint, values = place_after_save(form.action.data, number, len(link.questionnaire.sections))
        target = url(endpoint, link, **values)
    response = see_other(target)
    return set_browser_cookie(response, key) if key and key != browser_key() else response


def finish(link: SurveyLink, form, answers: dict, key: str | None):
    """Submit once; a replay, a second tab or a lost race all end on the thank-you page."""
    db, now = get_db(), timeutil.now_utc()
    submission_id = form.submission_id.data if form.with_submission_id else None
    if link.invitation is None and submissions.already_stored(db, link, submission_id):
        return see_other(url("thanks", link))
    if not drafts.complete(link.questionnaire, answers):
        if not drafts.save(db, link, key, answers, len(link.questionnaire.sections) - 1, language(link), now):
            return see_other(url("thanks", link))  # submitted meanwhile, from another tab
        return see_other(url("page", link, number=drafts.resume_page(link.questionnaire, answers) + 1))
    if link.kind == KIOSK and not kiosk.count_response(db, link, now):
        refused = posted_state(form, False, notice=str(kiosk.FULL))
        return render_page(link, type(form), len(link.questionnaire.sections), refused, 429)
    submissions.submit(db, link, answers, language(link), submission_id, key, now, committer=group_commit())
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
