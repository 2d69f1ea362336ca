"""Account pages: first-admin setup link, sign in, sign out."""

from __future__ import annotations

import functools

from flask import Blueprint, abort, g, redirect, render_template, session, url_for
from flask_babel import gettext as _

from survey_app import accounts
from survey_app.auth_forms import LoginForm, LogoutForm, SetupForm
from survey_app.db import get_db
from survey_app.i18n import current_language
from survey_app.timeutil import now_utc

bp = Blueprint("auth", __name__)


@bp.before_app_request
def load_user() -> None:
    user_id = session.get("user_id")
    g.user = None
    if user_id is not None:
        rows = list(get_db().query("SELECT id, email, name, role, language FROM user "
                                   "WHERE id = ? AND active = 1", [user_id]))
        g.user = rows[0] if rows else None
    g.logout_form = LogoutForm() if g.user else None


def login_required(view):
    """Send anonymous visitors to the sign-in page."""
    @functools.wraps(view)
    def wrapped(**kwargs):
        if g.user is None:
            return redirect(url_for("auth.login"), code=303)
        return view(**kwargs)
    return wrapped


def admin_required(view):
    """Federation admins only; anyone else signed in gets 404 (nothing to learn from a 403)."""
    @functools.wraps(view)
    @login_required
    def wrapped(**kwargs):
        if g.user["role"] != "admin":
            abort(404)
        return view(**kwargs)
    return wrapped


@bp.route("/setup/<token>", methods=["GET", "POST"])
def setup(token: str):
    db = get_db()
    if accounts.admin_exists(db) or accounts.find_token(db, token, "setup", now_utc()) is None:
        abort(404)
    form = SetupForm()
    if form.validate_on_submit():
        user_id = accounts.create_first_admin(db, token, form.email.data, form.password.data,
                                              current_language(), now_utc())
        if user_id is None:
            abort(404)
        session.clear()
        session["user_id"] = user_id
        return redirect(url_for("backoffice.index"), code=303)
    return render_template("auth/setup.html", form=form)


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    error = None
    if form.validate_on_submit():
        user = accounts.find_user_by_email(get_db(), form.email.data)
        if accounts.verify_password(user["password_hash"] if user else None, form.password.data):
            session.clear()
            session["user_id"] = user["id"]
            return redirect(url_for("backoffice.index"), code=303)
        error = _("E-mail address or password is not correct.")
    return render_template("auth/login.html", form=form, error=error)


@bp.route("/logout", methods=["POST"])
def logout():
    if LogoutForm().validate_on_submit():
        session.clear()
    return redirect(url_for("respondent.home"), code=303)
