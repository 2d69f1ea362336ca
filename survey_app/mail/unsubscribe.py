"""Unsubscribe links of invitation e-mails (/u/<token>): a GET shows a confirmation page, the POST
removes that address from its campaign. No state changes on GET, so a link scanner or a preview
opening the link unsubscribes nobody.

The POST carries no CSRF token: mail clients post here by themselves for a one-click unsubscribe
(RFC 8058: List-Unsubscribe-Post). The 128-bit token in the path is what proves the request;
it is not the survey link's token, so unsubscribing reveals nothing about answers.
"""

from __future__ import annotations

from flask import Blueprint, abort, render_template

from survey_app.core.timeutil import now_utc
from survey_app.mail import invitations
from survey_app.web.db import get_db

bp = Blueprint("unsubscribe", __name__)


@bp.get("/u/<token>")
def confirm(token: str):
    target = invitations.unsubscribe_target(get_db(), token)
    if target is None:
        abort(404)
    return render_template("mail/unsubscribe.html", target=target, done=False)


@bp.post("/u/<token>")
def remove(token: str):
    db = get_db()
    target = invitations.unsubscribe_target(db, token)
    if target is None or not invitations.unsubscribe(db, token, now_utc()):
        abort(404)
    return render_template("mail/unsubscribe.html", target=target, done=True)
