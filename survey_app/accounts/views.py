"""Account pages: first-admin setup link, sign in and out, password change, one-time password links."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _

from survey_app.accounts import audit, login_guard, sessions, totp
from survey_app.accounts import users as accounts
from survey_app.accounts.forms import LoginForm, LogoutForm, PasswordChangeForm, SetPasswordForm, SetupForm
from survey_app.accounts.guards import for_interviewers, login_required
from survey_app.core.timeutil import now_utc
from survey_app.web.db import get_db
from survey_app.web.forms import required
from survey_app.web.i18n import current_language

bp = Blueprint("auth", __name__)
SESSION_KEY = "sid"


def _timeouts() -> sessions.Timeouts:
    return sessions.Timeouts.from_settings(current_app.config["SETTINGS"])


@bp.before_app_request
def load_user() -> None:
    """g.user: the fully signed-in user, or None; g.pending: a user between password and second
    factor ({"user": ..., "state": "code" or "enrol"}), who may only reach the two-factor pages."""
    g.user, g.pending = None, None
    session_id = session.get(SESSION_KEY)
    if session_id:
        db = get_db()
        found = sessions.resolve(db, session_id, now_utc(), _timeouts())
        rows = (
            list(db.query("SELECT id, email, name, role, language FROM user WHERE id = ? AND active = 1", [found[0]]))
            if found
            else []
        )
        if not rows:
            # Expired or ended elsewhere: drop the stale cookie content (and its CSRF token).
            session.clear()
        elif found and found[1] == "done":
            g.user = rows[0]
        else:
            g.pending = {"user": rows[0], "state": found[1] if found else "code"}
    # Not bound to the request body: reading it here would fail before any error page (413...).
    g.logout_form = LogoutForm(formdata=None) if g.user else None


def sign_in(user_id: int, second_factor: str = "done") -> None:
    """Start a new server-side session: a fresh id (and CSRF token) on every sign-in, and again
    once the second factor is given."""
    old = session.get(SESSION_KEY)
    if old:
        sessions.end(get_db(), old)
    session.clear()
    session[SESSION_KEY] = sessions.start(get_db(), user_id, now_utc(), second_factor)


def after_password(user: dict):
    """Where a correct password leads: the code page, the enrolment the role requires, or in."""
    db = get_db()
    if totp.enrolled(db, user["id"]):
        sign_in(user["id"], "code")
        return redirect(url_for("two_factor.code"), code=303)
    if totp.required_for(current_app.config["SETTINGS"], user["role"]):
        sign_in(user["id"], "enrol")
        return redirect(url_for("two_factor.setup"), code=303)
    sign_in(user["id"])
    audit.record("signin.success", "user", user["id"], actor_id=user["id"])
    return redirect(url_for("backoffice.index"), code=303)


@bp.route("/setup/<token>", methods=["GET", "POST"])
def setup(token: str):
    db = get_db()
    if accounts.admin_exists(db) or accounts.find_token(db, token, "setup", now_utc()) is None:
        abort(404)
    form = SetupForm()
    if form.validate_on_submit():
        user_id = accounts.create_first_admin(
            db, token, required(form.email.data), required(form.password.data), current_language(), now_utc()
        )
        if user_id is None:
            abort(404)
        audit.record("account.first_admin", "user", user_id, actor_id=user_id)
        return after_password({"id": user_id, "role": "admin"})
    return render_template("auth/setup.html", form=form)


@bp.route("/login", methods=["GET", "POST"])
def login():
    form, error, status = LoginForm(), None, 200
    if form.validate_on_submit():
        db, address = get_db(), request.remote_addr or "unknown"
        email, password = required(form.email.data), required(form.password.data)
        if not login_guard.check(db, email, address, now_utc()):
            error, status = _("Too many sign-in attempts. Please wait 15 minutes and try again."), 429
        else:
            user = accounts.find_user_by_email(db, email)
            # The hash is checked even without an account (same time), so `user` is tested after it.
            if accounts.verify_password(user["password_hash"] if user else None, password) and user:
                login_guard.succeeded(db, email, address)
                return after_password(user)
            if user:
                audit.record("signin.failure", "user", user["id"], actor_id=user["id"])
            error = _("E-mail address or password is not correct.")
    return render_template("auth/login.html", form=form, error=error), status


@bp.route("/logout", methods=["POST"])
def logout():
    if LogoutForm().validate_on_submit():
        if g.user:
            audit.record("signout", "user", g.user["id"])
        if session.get(SESSION_KEY):
            sessions.end(get_db(), session[SESSION_KEY])
        session.clear()
    return redirect(url_for("respondent.home"), code=303)


@bp.route("/account/password", methods=["GET", "POST"])
@for_interviewers
@login_required
def change_password():
    form = PasswordChangeForm()
    if form.validate_on_submit():
        db = get_db()
        accounts.set_password(db, g.user["id"], form.password.data)
        audit.record("account.password_change", "user", g.user["id"])
        sessions.end_all(db, g.user["id"])
        sign_in(g.user["id"])
        flash(_("Your password has been changed. Other sessions have been signed out."))
        return redirect(url_for("backoffice.index"), code=303)
    return render_template("auth/change_password.html", form=form)


@bp.route("/reset/<token>", methods=["GET", "POST"], endpoint="reset", defaults={"purpose": "reset"})
@bp.route("/welcome/<token>", methods=["GET", "POST"], endpoint="welcome", defaults={"purpose": "invite"})
def set_password(token: str, purpose: str):
    db = get_db()
    found = accounts.find_token(db, token, purpose, now_utc())
    if found is None or found["user_id"] is None:
        abort(404)
    form = SetPasswordForm()
    if form.validate_on_submit():
        if not accounts.consume_password_token(db, token, purpose, form.password.data, now_utc()):
            abort(404)
        audit.record(f"account.password_{purpose}", "user", found["user_id"], actor_id=found["user_id"])
        sessions.end_all(db, found["user_id"])
        user = next(db.query("SELECT id, role FROM user WHERE id = ?", [found["user_id"]]))
        return after_password(user)  # a reset link is no way around the second factor
    return render_template("auth/set_password.html", form=form, purpose=purpose)
