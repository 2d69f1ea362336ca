"""Forgotten password: ask for a reset link by e-mail.

The answer is the same whether or not the address has an account, and takes about as long (the
mail is rendered either way; only queueing it differs). Requests are rate limited per address
and per account: beyond the limit the same answer comes back and nothing is sent. The link
(accounts.users, purpose "reset") works once, for an hour; asking again replaces it.
"""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, current_app, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, SubmitField
from wtforms.validators import DataRequired, Length

from survey_app.accounts import audit
from survey_app.accounts import users as accounts
from survey_app.core.timeutil import now_utc
from survey_app.storage import ratelimit
from survey_app.storage.db import write_transaction
from survey_app.web.db import get_db

bp = Blueprint("recovery", __name__)
PER_ADDRESS, PER_ACCOUNT, WINDOW_SECONDS = 10, 3, 60 * 60


class ForgotForm(FlaskForm):
    email = EmailField(_l("E-mail address of your account"), validators=[DataRequired(), Length(max=254)])
    submit = SubmitField(_l("Send me a link"))


def _within_limits(email: str, now: datetime) -> bool:
    db, address = get_db(), request.remote_addr or "unknown"
    per_address = ratelimit.allow(db, f"reset-ip:{address}", PER_ADDRESS, WINDOW_SECONDS, now)
    per_account = ratelimit.allow(db, f"reset-acct:{email.strip().lower()}", PER_ACCOUNT, WINDOW_SECONDS, now)
    return per_address and per_account


def request_reset(email: str, now: datetime) -> None:
    """Queue a reset mail if `email` names an active account and the limits allow it."""
    db, settings = get_db(), current_app.config["SETTINGS"]
    queue = current_app.extensions["vises.queue_account_mail"]
    allowed = _within_limits(email, now)
    user = accounts.find_user_by_email(db, email)
    with write_transaction(db):
        token = accounts.issue_token(db, "reset", now, user["id"]) if user and allowed else "x" * 43
        target = user or {"email": email, "language": "en"}
        mail_id = queue(db, settings, "reset", target, token, now)
        if not (user and allowed):
            db.execute("DELETE FROM outbox WHERE id = ?", [mail_id])  # rendered and written alike, then dropped
        else:
            audit.record("account.reset_requested", "user", user["id"], actor_id=user["id"])


@bp.route("/forgot", methods=["GET", "POST"])
def forgot():
    form = ForgotForm()
    if form.validate_on_submit():
        request_reset(form.email.data or "", now_utc())
        return render_template("auth/forgot.html", form=None, sent=True)
    return render_template("auth/forgot.html", form=form, sent=False)
