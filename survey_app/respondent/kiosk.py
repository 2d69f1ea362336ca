"""Kiosk links (/k/<token>): an open link on a shared tablet, where people answer one after another.

- Each person starts with the Start button, which rotates the person key kept in the tablet's
  cookie (and deletes the previous person's unfinished draft): nobody continues someone else's.
- A page without a current person, or whose person's draft went idle, sends to the start (or to
  the "answers cleared" page): the back button and a reload never show the previous person's
  answers (every page is also `Cache-Control: no-store`).
- Idle: the draft expires `idle + warning` seconds after it was last saved (server side). The
  optional script warns after `idle` seconds without activity and clears after `warning` more;
  without JavaScript the page moves to a warning page after `idle` seconds, then to the cleared one.
- The thank-you page goes back to the start after a few seconds (meta refresh, no script needed).
- Each tablet has a ceiling of responses per hour (domain.kiosks).
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from flask import abort, current_app, g, redirect, request, url_for
from flask_babel import lazy_gettext as _l
from sqlite_utils import Database
from werkzeug.wrappers import Response

from survey_app.core import timeutil
from survey_app.core.timeutil import iso_utc
from survey_app.domain.kiosks import HOUR, kiosk_key, sent_this_hour
from survey_app.respondent import drafts
from survey_app.respondent.links import KIOSK, SurveyLink
from survey_app.storage.db import write_transaction
from survey_app.storage.ratelimit import allow
from survey_app.web.db import get_db

COOKIE = "vises_kiosk"
PERSON_KEY = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
COOKIE_PATH = "/k/"
# Views that show or take a person's answers: they need the current person and a live draft.
PERSON_ENDPOINTS = {"respondent.page", "respondent.saved", "respondent.easy.question", "respondent.easy.send"}
FULL = _l("This tablet has received many answers this hour. Please come back a little later, or ask at the desk.")


def settings() -> Any:
    return current_app.config["SETTINGS"]


def lifetime() -> timedelta:
    return timedelta(seconds=settings()["kiosk.idle_seconds"] + settings()["kiosk.warning_seconds"])


def person_key() -> str | None:
    key = request.cookies.get(COOKIE, "")
    return key if PERSON_KEY.fullmatch(key) else None


def start_url(link: SurveyLink) -> str:
    return url_for("respondent.intro", kind=KIOSK, token=link.token)


def kiosk_url(endpoint: str, link: SurveyLink) -> str:
    return url_for(f"respondent.kiosk.{endpoint}", token=link.token)


def draft_updated(db: Database, link: SurveyLink, key: str) -> str | None:
    row = db.execute(
        "SELECT updated_at FROM draft WHERE browser_key = ?", [drafts.draft_key(link.campaign["id"], key)]
    ).fetchone()
    return row[0] if row else None


def delete_draft(db: Database, link: SurveyLink, key: str | None) -> None:
    if key:
        with write_transaction(db):
            db.execute("DELETE FROM draft WHERE browser_key = ?", [drafts.draft_key(link.campaign["id"], key)])


def guard(link: SurveyLink) -> None:
    """On a person's page: no current person, or an idle draft, ends at the start or cleared page."""
    if request.endpoint not in PERSON_ENDPOINTS:
        return
    db, key, now = get_db(), person_key(), timeutil.now_utc()
    updated = draft_updated(db, link, key) if key else None
    if updated is None:
        abort(redirect(start_url(link), code=303))
    if updated < iso_utc(now - lifetime()):
        delete_draft(db, link, key)
        abort(forget(redirect(kiosk_url("cleared", link), code=303)))


def full(db: Database, link: SurveyLink, now: datetime) -> bool:
    return sent_this_hour(db, link.kiosk["id"], now) >= link.kiosk["hourly_limit"]  # type: ignore[index]


def count_response(db: Database, link: SurveyLink, now: datetime) -> bool:
    """Count one response for the tablet's hour; False when the ceiling is reached (nothing sent)."""
    return allow(db, kiosk_key(link.kiosk["id"]), link.kiosk["hourly_limit"], HOUR, now)  # type: ignore[index]


def forget(response: Response) -> Response:
    """The next person starts without a key: nothing of this person is reachable any more."""
    response.delete_cookie(COOKIE, path=COOKIE_PATH)
    return response


def template_context() -> dict[str, Any]:
    """For base.html: on a kiosk person's page, the idle timer (script) and its no-script fallback."""
    link = g.get("survey_link")
    if link is None or link.kind != KIOSK or request.endpoint not in PERSON_ENDPOINTS:
        return {}
    return {
        "kiosk": {
            "idle": settings()["kiosk.idle_seconds"],
            "warning": settings()["kiosk.warning_seconds"],
            "idle_url": kiosk_url("idle", link),
            "cleared_url": kiosk_url("cleared", link),
        }
    }
