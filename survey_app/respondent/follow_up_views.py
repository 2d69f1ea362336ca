"""Views of the linking step of a follow-up series (survey_app/respondent/follow_up.py): the step
itself, the card shown once after a baseline answer, and the card as a plain-text download.

Nested in the respondent blueprint; like the survey pages, its forms check their own CSRF token,
so an expired one re-renders the step instead of the global handler's bare 400.
"""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request

from survey_app.core import timeutil
from survey_app.questionnaire.model import translate
from survey_app.respondent import drafts, follow_up, submissions
from survey_app.respondent.links import SurveyLink
from survey_app.respondent.pages import (
    already_answered,
    browser_key,
    check_post,
    current_link,
    language,
    load_draft,
    see_other,
    unknown_fields,
    url,
)
from survey_app.web.db import get_db

bp = Blueprint("follow_up", __name__, url_prefix="/<any(s, o, k):kind>/<token>")


@bp.record_once
def _own_csrf_check(state) -> None:
    state.app.extensions["csrf"].exempt(bp)


@bp.route("/follow-up", methods=["GET", "POST"])
def step(kind: str, token: str):
    link = current_link(kind, token)
    if link.submitted:
        return already_answered(link)
    wave, draft = follow_up.offered(get_db(), link), load_draft(link)
    if wave is None or not drafts.complete(link.questionnaire, draft.answers):
        return see_other(url("page", link, number=drafts.resume_page(link.questionnaire, draft.answers) + 1))
    form_class = follow_up.form_class(wave)
    if request.method == "GET":
        return render_follow_up(link, form_class(data={"submission_id": submissions.new_submission_id()}))
    check_post()
    form = form_class()
    if unknown_fields(form):
        abort(400)
    if not form.validate():
        return render_follow_up(link, form, csrf_expired=form.csrf_token.errors != [])
    return send_follow_up(link, form, draft)


def send_follow_up(link: SurveyLink, form: follow_up.FollowUpForm, draft: drafts.Draft):
    """Send the answers, linked (hashes only) or not; a new card is shown once, right after."""
    db, submission_id = get_db(), form.submission_id.data or None
    if submissions.already_stored(db, link, submission_id):
        return see_other(url("thanks", link))
    hashes, card = (None, None)
    if form.action.data == "link":
        hashes, card = follow_up.link_hashes(form)
        if hashes is None:
            return render_follow_up(link, form)
    series_link = (form.wave.series_id, hashes) if hashes is not None else None
    now, lang = timeutil.now_utc(), language(link)
    stored = submissions.submit(db, link, draft.answers, lang, submission_id, browser_key(), now, series_link)
    if not (stored and card):
        return see_other(url("thanks", link))
    page = render_template(
        "respondent/card.html", link=link, card=follow_up.card_display(card), form=follow_up.CardForm(code=card)
    )
    return page, 200, {"Cache-Control": "no-store"}


def render_follow_up(link: SurveyLink, form: follow_up.FollowUpForm, csrf_expired: bool = False):
    return render_template(
        "respondent/follow_up.html",
        link=link,
        form=form,
        wave=form.wave,
        code_fields=follow_up.code_fields(form),
        errors=follow_up.error_items(form),
        csrf_expired=csrf_expired,
        title=translate(link.questionnaire.title, language(link)),
    )


@bp.route("/card.txt", methods=["POST"])
def card_text(kind: str, token: str):
    """The card as a plain-text file: the code comes back from the card page; nothing is stored."""
    current_link(kind, token)
    form = follow_up.CardForm()
    code = follow_up.card_from_typed(form.code.data or "") if form.validate() else None
    if code is None:
        abort(400)
    body = render_template("respondent/card.txt", link=current_link(kind, token), card=follow_up.card_display(code))
    headers = {"Content-Disposition": 'attachment; filename="vises-card.txt"', "Cache-Control": "no-store"}
    return body, 200, {"Content-Type": "text/plain; charset=utf-8", **headers}
