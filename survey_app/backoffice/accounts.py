"""Admin pages for manager accounts: invite, assign to enterprises, issue reset links."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from survey_app.accounts import sessions
from survey_app.accounts import users as accounts
from survey_app.accounts.guards import admin_required
from survey_app.accounts.scoping import visible_enterprises
from survey_app.backoffice.forms import ButtonForm, ManagerForm, MembershipForm, choices
from survey_app.core.timeutil import now_utc
from survey_app.storage.db import write_transaction
from survey_app.web.db import get_db

bp = Blueprint("accounts", __name__, url_prefix="/accounts")


def _user_or_404(user_id: int) -> dict:
    rows = list(get_db().query("SELECT id, email, name, role, language, active FROM user WHERE id = ?", [user_id]))
    if not rows:
        abort(404)
    return rows[0]


def _one_time_link(endpoint: str, token: str) -> str:
    base = current_app.config["SETTINGS"]["server.base_url"].rstrip("/")
    return base + url_for(endpoint, token=token)


def _with_enterprise_choices(form):
    form.enterprises.choices = choices((e["id"], e["name"]) for e in visible_enterprises())
    return form


@bp.route("/")
@admin_required
def index():
    users = list(
        get_db().query(
            "SELECT u.id, u.email, u.name, u.role, u.active, group_concat(e.name, ', ') AS enterprises "
            "FROM user u LEFT JOIN membership m ON m.user_id = u.id LEFT JOIN enterprise e ON e.id = m.enterprise_id "
            "GROUP BY u.id ORDER BY u.role, u.email"
        )
    )
    return render_template("backoffice/accounts.html", users=users)


@bp.route("/new", methods=["GET", "POST"])
@admin_required
def new():
    form = _with_enterprise_choices(ManagerForm())
    if form.validate_on_submit():
        user_id, token = accounts.invite_manager(
            get_db(),
            form.email.data,
            form.name.data,
            form.language.data,
            form.enterprises.data,
            now_utc(),
            form.role.data,
        )
        flash(
            _(
                "Account created. Send this one-time welcome link to %(email)s (valid 14 days): %(link)s",
                email=form.email.data,
                link=_one_time_link("auth.welcome", token),
            )
        )
        return redirect(url_for(".edit", user_id=user_id), code=303)
    return render_template("backoffice/account_new.html", form=form)


@bp.route("/<int:user_id>", methods=["GET", "POST"])
@admin_required
def edit(user_id: int):
    user, db = _user_or_404(user_id), get_db()
    form = _with_enterprise_choices(
        MembershipForm(
            data={
                "active": bool(user["active"]),
                "enterprises": [
                    r[0] for r in db.execute("SELECT enterprise_id FROM membership WHERE user_id = ?", [user_id])
                ],
            }
        )
    )
    if form.validate_on_submit():
        with write_transaction(db):
            accounts.set_memberships(db, user_id, form.enterprises.data)
            db.execute("UPDATE user SET active = ? WHERE id = ?", [int(form.active.data), user_id])
        if not form.active.data:
            sessions.end_all(db, user_id)
        flash(_("Saved."))
        return redirect(url_for(".edit", user_id=user_id), code=303)
    return render_template("backoffice/account_edit.html", user=user, form=form, button=ButtonForm())


@bp.route("/<int:user_id>/reset", methods=["POST"])
@admin_required
def reset(user_id: int):
    user = _user_or_404(user_id)
    if ButtonForm().validate_on_submit():
        token = accounts.issue_token(get_db(), "reset", now_utc(), user["id"])
        flash(
            _(
                "Send this one-time link to %(email)s to choose a new password (valid 2 days): %(link)s",
                email=user["email"],
                link=_one_time_link("auth.reset", token),
            )
        )
    return redirect(url_for(".edit", user_id=user_id), code=303)
