"""Pages of a kiosk link besides the survey pages (see respondent.kiosk for the rules): the start
page and its Start button, the idle warning, the "answers cleared" page and the thank-you page
that returns to the start. Nested in the respondent blueprint as "respondent.kiosk"."""

from __future__ import annotations

from flask import Blueprint, current_app, make_response, render_template
from flask_wtf import FlaskForm
from wtforms import HiddenField
from wtforms.validators import AnyOf

from survey_app.core import timeutil
from survey_app.core.timeutil import iso_utc
from survey_app.questionnaire.model import translate
from survey_app.respondent import drafts, kiosk
from survey_app.respondent.easy import resume_target
from survey_app.respondent.links import KIOSK, SurveyLink
from survey_app.respondent.pages import current_link, language, load_draft, see_other, url
from survey_app.storage.db import write_transaction
from survey_app.web.db import get_db

bp = Blueprint("kiosk", __name__, url_prefix="/k/<token>")
CLEARED_SECONDS = 10  # the "answers cleared" page, then back to the start


class StartForm(FlaskForm):
    mode = HiddenField(validators=[AnyOf(("standard", "easy"))])


def start_page(link: SurveyLink, status: int = 200):
    return render_template(
        "respondent/kiosk/start.html",
        link=link,
        form=StartForm(),
        full=kiosk.full(get_db(), link, timeutil.now_utc()),
        full_message=kiosk.FULL,
        action=kiosk.kiosk_url("start", link),
        title=translate(link.questionnaire.title, language(link)),
    ), status


def thanks_page(link: SurveyLink):
    seconds, start = kiosk.settings()["kiosk.thanks_seconds"], kiosk.start_url(link)
    back = {"seconds": seconds, "url": start}
    return render_template("respondent/kiosk/thanks.html", link=link, seconds=seconds, start=start, return_to=back)


@bp.post("/start")
def start(token: str):
    """A new person: a fresh key, the previous person's draft deleted, idle drafts of the tablet too."""
    link = current_link(KIOSK, token)
    form, db, now = StartForm(), get_db(), timeutil.now_utc()
    if not form.validate() or kiosk.full(db, link, now):
        return start_page(link, 400 if not form.validate() else 429)
    key = drafts.new_browser_key()
    with write_transaction(db):
        kiosk.delete_draft(db, link, kiosk.person_key())
        db.execute(
            "DELETE FROM draft WHERE kiosk_id = ? AND updated_at < ?",
            [link.kiosk["id"], iso_utc(now - kiosk.lifetime())],  # type: ignore[index]
        )
        drafts.save(db, link, key, {}, 0, language(link), now)
        db.execute(
            "UPDATE draft SET kiosk_id = ?, mode = ? WHERE browser_key = ?",
            [link.kiosk["id"], form.mode.data, drafts.draft_key(link.campaign["id"], key)],  # type: ignore[index]
        )
    first = url("easy.question", link, number=1) if form.mode.data == "easy" else url("page", link, number=1)
    response = see_other(first)
    response.set_cookie(kiosk.COOKIE, key, path=kiosk.COOKIE_PATH, httponly=True, samesite="Lax", secure=_secure())
    return response


@bp.get("/idle")
def idle(token: str):
    """Without JavaScript, a page left alone comes here: continue, or be cleared in a few seconds."""
    link = current_link(KIOSK, token)
    seconds = kiosk.settings()["kiosk.warning_seconds"]
    return render_template(
        "respondent/kiosk/idle.html",
        link=link,
        seconds=seconds,
        return_to={"seconds": seconds, "url": kiosk.kiosk_url("cleared", link)},
        resume=kiosk.start_url(link) if kiosk.person_key() is None else resume_target(link, load_draft(link)),
    )


@bp.get("/cleared")
def cleared(token: str):
    """The tablet forgets its person; an idle draft is deleted (its time is over anyway)."""
    link, db = current_link(KIOSK, token), get_db()
    key = kiosk.person_key()
    updated = kiosk.draft_updated(db, link, key) if key else None
    if updated is not None and updated < iso_utc(timeutil.now_utc() - kiosk.lifetime()):
        kiosk.delete_draft(db, link, key)
    start = kiosk.start_url(link)
    back = {"seconds": CLEARED_SECONDS, "url": start}
    page = render_template("respondent/kiosk/cleared.html", link=link, start=start, return_to=back)
    return kiosk.forget(make_response(page))


def _secure() -> bool:
    return bool(current_app.config["SESSION_COOKIE_SECURE"])
