"""Easy mode (nested blueprint "respondent.easy"): one question per screen, large answers with
pictures, read aloud, on the same links, drafts and submission as the usual pages.

A campaign can make it the default; a respondent can choose it on the intro page. The draft
remembers the mode, so a respondent resumes in the mode they chose. The last screen is a short
"ready to send?" page carrying the submission id, so a replayed send stores nothing; personal
links are single-use as always (submissions.submit re-reads the invitation).
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, request
from flask_wtf import FlaskForm
from wtforms import HiddenField
from wtforms.validators import Regexp

from survey_app.core import timeutil
from survey_app.questionnaire.model import DONT_KNOW, RawAnswer
from survey_app.respondent import drafts, easy_pages, follow_up, kiosk, submissions
from survey_app.respondent.easy_render import render_question, render_send
from survey_app.respondent.forms import SUBMISSION_ID, PageForm, build_page_form
from survey_app.respondent.links import KIOSK, SurveyLink
from survey_app.respondent.pages import (
    already_answered,
    browser_key,
    check_post,
    current_link,
    language,
    load_draft,
    see_other,
    set_browser_cookie,
    unknown_fields,
    url,
)
from survey_app.storage.db import write_transaction
from survey_app.web.db import get_db

bp = Blueprint("easy", __name__, url_prefix="/<any(s, o, k):kind>/<token>/easy")


class SendForm(FlaskForm):
    submission_id = HiddenField(validators=[Regexp(SUBMISSION_ID)])


def form_class(link: SurveyLink, number: int, lang: str) -> type[PageForm]:
    """The respondent's page form over one question (built once per question and language)."""
    cache = current_app.extensions.setdefault("vises.easy_forms", {})
    key = (id(link.questionnaire), number, lang, tuple(link.languages))
    if key not in cache:
        question = easy_pages.items(link.questionnaire)[number - 1]
        section = easy_pages.screen_section(link.questionnaire, question)
        cache[key] = build_page_form(link.questionnaire, section, lang, False, link.languages)
    return cache[key]


def resume_url(link: SurveyLink, answers: dict[str, RawAnswer], **values) -> str:
    number = easy_pages.resume(link.questionnaire, answers)
    return url("easy.send", link, **values) if number is None else url("easy.question", link, number=number, **values)


def resume_target(link: SurveyLink, draft: drafts.Draft, **values: str) -> str:
    """Where a returning respondent continues: in the mode their draft was answered in."""
    if draft_is_easy(link):
        return resume_url(link, draft.answers, **values)
    return url("page", link, number=drafts.resume_page(link.questionnaire, draft.answers) + 1, **values)


def _initial(cls: type[PageForm], answers: dict[str, RawAnswer]) -> dict[str, RawAnswer | bool]:
    (question,) = cls.section.questions
    raw = answers.get(question.id, question.default_answer())
    if raw == DONT_KNOW and cls.views[question.id].dont_know_name:
        return {f"dk_{question.id}": True}
    return {f"q_{question.id}": raw}


def _draft_where(link: SurveyLink, key: str | None) -> tuple[str, str | int] | None:
    if link.invitation is not None:
        return "invitation_id = ?", link.invitation["id"]
    return ("browser_key = ?", drafts.draft_key(link.campaign["id"], key)) if key else None


def mark_easy(link: SurveyLink, key: str | None) -> None:
    """Remember the mode on the draft, so that a later visit resumes in easy mode."""
    where = _draft_where(link, key)
    if where:
        with write_transaction(get_db()):
            get_db().execute(f"UPDATE draft SET mode = 'easy' WHERE {where[0]} AND mode != 'easy'", [where[1]])


def draft_is_easy(link: SurveyLink) -> bool:
    where = _draft_where(link, browser_key())
    row = where and get_db().execute(f"SELECT mode FROM draft WHERE {where[0]}", [where[1]]).fetchone()
    return bool(row and row[0] == "easy")


@bp.route("/<int:number>", methods=["GET", "POST"])
def question(kind: str, token: str, number: int):
    link = current_link(kind, token)
    if link.submitted:
        return render_template("respondent/answered.html", link=link)
    if not 1 <= number <= len(easy_pages.items(link.questionnaire)):
        abort(404)
    draft, lang = load_draft(link), language(link)
    cls = form_class(link, number, lang)
    if request.method == "POST":
        return _post(link, cls, draft, number)
    resume = easy_pages.resume(link.questionnaire, draft.answers)
    if (resume is not None and number > resume) or not easy_pages.shown(link.questionnaire, number, draft.answers):
        return see_other(resume_url(link, draft.answers))
    form = cls(data=_initial(cls, draft.answers))
    form.earlier = draft.answers
    return render_question(link, form, number, lang)


def _post(link: SurveyLink, cls: type[PageForm], draft: drafts.Draft, number: int):
    check_post()
    form = cls()
    if unknown_fields(form):
        abort(400)
    form.earlier = draft.answers
    form.strict = form.action.data == "next" and not form.lang.data
    if not form.validate() or form.csrf_failed:
        return render_question(link, form, number, language(link), csrf_expired=form.csrf_failed)
    key = browser_key() or (None if link.invitation else drafts.new_browser_key())
    answers, lang = form.visible_answers(), form.lang.data or language(link)
    section = easy_pages.section_index(link.questionnaire, cls.section.questions[0])
    if not drafts.save(get_db(), link, key, answers, section, lang, timeutil.now_utc()):
        return see_other(url("thanks", link))
    mark_easy(link, key)
    merged = {**draft.answers, **answers}
    response = see_other(_target(link, form, number, merged))
    return set_browser_cookie(response, key) if key and key != browser_key() and link.kind != KIOSK else response


def _target(link: SurveyLink, form: PageForm, number: int, answers: dict[str, RawAnswer]) -> str:
    if form.lang.data:
        return url("easy.question", link, number=number, lang=form.lang.data)
    if form.action.data == "save":
        return url("saved", link)
    if form.action.data == "back":
        before = easy_pages.preceding(link.questionnaire, number, answers)
        return url("easy.question", link, number=before) if before else url("intro", link)
    after = easy_pages.following(link.questionnaire, number, answers)
    return url("easy.question", link, number=after) if after else url("easy.send", link)


@bp.route("/send", methods=["GET", "POST"])
def send(kind: str, token: str):
    link = current_link(kind, token)
    if link.submitted:
        return already_answered(link)
    draft = load_draft(link)
    if request.method == "GET" and not drafts.complete(link.questionnaire, draft.answers):
        return see_other(resume_url(link, draft.answers))
    if follow_up.offered(get_db(), link) is not None:  # a series: the linking step sends the answers
        return see_other(url("follow_up.step", link))
    if request.method == "GET":
        return render_send(link, SendForm(data={"submission_id": submissions.new_submission_id()}), draft.answers)
    check_post()
    form = SendForm()
    if not form.validate():
        return render_send(link, form, draft.answers, csrf_expired=True)
    return _finish(link, draft.answers, form.submission_id.data)


def _finish(link: SurveyLink, answers: dict[str, RawAnswer], submission_id: str | None):
    """Submit once; a replay, a second tab or a lost race all end on the thank-you page."""
    db, key, now = get_db(), browser_key(), timeutil.now_utc()
    if submissions.already_stored(db, link, submission_id):
        return see_other(url("thanks", link))
    if not drafts.complete(link.questionnaire, answers):
        return see_other(resume_url(link, answers))
    if link.kind == KIOSK and not kiosk.count_response(db, link, now):
        return render_send(link, SendForm(data={"submission_id": submission_id}), answers, full=True), 429
    submissions.submit(db, link, answers, language(link), submission_id, key, now)
    response = see_other(url("thanks", link))
    return kiosk.forget(response) if link.kind == KIOSK else response
