"""Two-factor pages: the code asked after the password, enrolment (QR code, first code, recovery
codes shown once), and the user's own settings (new recovery codes, turning it off).

Codes are rate limited per account (5 tries in 15 minutes, across every address), so the million
possible codes cannot be tried; a used code is refused for the rest of its window (accounts.totp).
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, Length

from survey_app.accounts import audit, totp
from survey_app.accounts.guards import login_required
from survey_app.accounts.users import password_hash_of, verify_password
from survey_app.accounts.views import sign_in
from survey_app.core.timeutil import now_utc
from survey_app.storage import ratelimit
from survey_app.web.db import get_db

bp = Blueprint("two_factor", __name__)
CODE_ATTEMPTS, WINDOW_SECONDS = 5, 15 * 60
PENDING_SECRET = "totp_enrolling"  # the secret being enrolled, in the signed session cookie


class CodeForm(FlaskForm):
    code = StringField(
        _l("Code"),
        validators=[DataRequired(), Length(max=20)],
        description=_l("The 6 digits your authenticator app shows now, or one of your recovery codes."),
        render_kw={"autocomplete": "one-time-code", "inputmode": "text", "autocapitalize": "off"},
    )
    submit = SubmitField(_l("Continue"))


class DisableForm(FlaskForm):
    password = PasswordField(_l("Your password"), validators=[DataRequired(), Length(max=256)])
    submit = SubmitField(_l("Turn two-step sign-in off"))


class RenewForm(FlaskForm):
    submit = SubmitField(_l("New recovery codes"))


def _allowed(user_id: int) -> bool:
    return ratelimit.allow(get_db(), f"2fa:{user_id}", CODE_ATTEMPTS, WINDOW_SECONDS, now_utc())


def _pending(state: str) -> dict:
    if g.pending is None or g.pending["state"] != state:
        abort(404)
    return g.pending["user"]


def _finish(user: dict, action: str):
    sign_in(user["id"])  # a new session id once both factors are given
    audit.record(action, "user", user["id"], actor_id=user["id"])
    return redirect(url_for("backoffice.index"), code=303)


@bp.route("/login/code", methods=["GET", "POST"])
def code():
    user, form, error, status = _pending("code"), CodeForm(), None, 200
    if form.validate_on_submit():
        db, entered, now = get_db(), form.code.data or "", now_utc()
        if not _allowed(user["id"]):
            error, status = _("Too many codes tried. Please wait 15 minutes and try again."), 429
        elif totp.verify(db, current_app.config["SETTINGS"], user["id"], entered, now):
            return _finish(user, "signin.success")
        elif totp.use_recovery_code(db, user["id"], entered, now):
            flash(
                _(
                    "You signed in with a recovery code; it will not work again. %(num)d left.",
                    num=totp.recovery_codes_left(db, user["id"]),
                )
            )
            return _finish(user, "signin.recovery_code")
        else:
            audit.record("signin.code_failure", "user", user["id"], actor_id=user["id"])
            error = _("This code is not valid. Check the time of your phone, or wait for the next code.")
    return render_template("auth/two_factor_code.html", form=form, error=error), status


def _enrolling_user() -> dict:
    """The user enrolling: one signed in, or one whose role requires it, between password and setup."""
    if g.user is not None:
        return g.user
    return _pending("enrol")


@bp.route("/account/two-factor/setup", methods=["GET", "POST"])
def setup():
    user, db = _enrolling_user(), get_db()
    if totp.enrolled(db, user["id"]):
        return redirect(url_for(".manage"), code=303)
    secret = session.setdefault(PENDING_SECRET, totp.new_secret())
    form, error, status = CodeForm(), None, 200
    if form.validate_on_submit():
        if not _allowed(user["id"]):
            error, status = _("Too many codes tried. Please wait 15 minutes and try again."), 429
        else:
            codes = totp.confirm(
                db, current_app.config["SETTINGS"], user["id"], secret, form.code.data or "", now_utc()
            )
            if codes is not None:
                session.pop(PENDING_SECRET, None)
                audit.record("2fa.enrol", "user", user["id"], actor_id=user["id"])
                if g.user is None:
                    sign_in(user["id"])
                    audit.record("signin.success", "user", user["id"], actor_id=user["id"])
                return render_template("auth/two_factor_codes.html", codes=codes)
            error = _("This code is not valid. Check the time of your phone, or wait for the next code.")
    uri = totp.provisioning_uri(secret, user["email"])
    return render_template(
        "auth/two_factor_setup.html", form=form, error=error, qr=totp.qr_svg(uri), secret=secret
    ), status


@bp.route("/account/two-factor", methods=["GET"])
@login_required
def manage():
    db = get_db()
    return render_template(
        "auth/two_factor_manage.html",
        enrolled=totp.enrolled(db, g.user["id"]),
        required=totp.required_for(current_app.config["SETTINGS"], g.user["role"]),
        left=totp.recovery_codes_left(db, g.user["id"]),
        disable=DisableForm(),
        renew=RenewForm(),
    )


@bp.route("/account/two-factor/recovery-codes", methods=["POST"])
@login_required
def renew():
    db = get_db()
    if not RenewForm().validate_on_submit() or not totp.enrolled(db, g.user["id"]):
        return redirect(url_for(".manage"), code=303)
    codes = totp.new_recovery_codes(db, g.user["id"])
    audit.record("2fa.recovery_codes", "user", g.user["id"])
    return render_template("auth/two_factor_codes.html", codes=codes)


@bp.route("/account/two-factor/disable", methods=["POST"])
@login_required
def disable():
    db, form = get_db(), DisableForm()
    if totp.required_for(current_app.config["SETTINGS"], g.user["role"]):
        abort(404)  # the page offers no such button: required means it stays on
    if form.validate_on_submit() and verify_password(password_hash_of(db, g.user["id"]), form.password.data or ""):
        totp.disable(db, g.user["id"])
        audit.record("2fa.disable", "user", g.user["id"])
        flash(_("Two-step sign-in is off."))
    else:
        flash(_("The password is not correct."), "error")
    return redirect(url_for(".manage"), code=303)
