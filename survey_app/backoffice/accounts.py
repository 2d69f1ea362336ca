"""Admin pages for manager accounts: invite, assign to enterprises, e-mail reset links, remove a
lost second factor. Welcome and reset links go by e-mail only (the outbox): an admin never sees
them, so an admin cannot take over another account with them."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from survey_app.accounts import audit, sessions, totp
from survey_app.accounts import users as accounts
from survey_app.accounts.guards import admin_required
from survey_app.accounts.scoping import visible_enterprises
from survey_app.backoffice.forms import ButtonForm, ManagerForm, MembershipForm, choices
from survey_app.core.timeutil import now_utc
from survey_app.mail import account_mail
from survey_app.storage.db import write_transaction
from survey_app.web.db import get_db

bp = Blueprint("accounts", __name__, url_prefix="/accounts")


def _user_or_404(user_id: int) -> dict:
    rows = list(get_db().query("SELECT id, email, name, role, language, active FROM user WHERE id = ?", [user_id]))
    if not rows:
        abort(404)
    return rows[0]


def _email_link(user: dict, purpose: str) -> None:
    """Issue a one-time link and queue its e-mail, together (inside the caller's transaction)."""
    db, now = get_db(), now_utc()
    token = accounts.issue_token(db, purpose, now, user["id"])
    account_mail.queue(db, current_app.config["SETTINGS"], purpose, user, token, now)


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
        db = get_db()
        with write_transaction(db):
            user_id, token = accounts.invite_manager(
                db,
                form.email.data,
                form.name.data,
                form.language.data,
                form.enterprises.data,
                now_utc(),
                form.role.data,
            )
            user = {"id": user_id, "email": form.email.data.strip(), "language": form.language.data}
            account_mail.queue(db, current_app.config["SETTINGS"], "invite", user, token, now_utc())
            audit.record("account.invite", "user", user_id, enterprises=len(form.enterprises.data), role=form.role.data)
        flash(
            _("Account created. A welcome e-mail with a one-time link is on its way to %(email)s.", email=user["email"])
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
            audit.record(
                "account.edit", "user", user_id, active=bool(form.active.data), enterprises=len(form.enterprises.data)
            )
        if not form.active.data:
            sessions.end_all(db, user_id)
        flash(_("Saved."))
        return redirect(url_for(".edit", user_id=user_id), code=303)
    return render_template(
        "backoffice/account_edit.html",
        user=user,
        form=form,
        button=ButtonForm(),
        two_factor=totp.enrolled(db, user_id),
    )


@bp.route("/<int:user_id>/reset", methods=["POST"])
@admin_required
def reset(user_id: int):
    user, db = _user_or_404(user_id), get_db()
    if ButtonForm().validate_on_submit():
        purpose = "reset" if accounts.password_hash_of(db, user_id) else "invite"  # never signed in: welcome again
        with write_transaction(db):
            _email_link(user, purpose)
            audit.record("account.reset_sent", "user", user_id)
        flash(_("An e-mail with a one-time link to choose a password is on its way to %(email)s.", email=user["email"]))
    return redirect(url_for(".edit", user_id=user_id), code=303)


@bp.route("/<int:user_id>/two-factor/remove", methods=["POST"])
@admin_required
def remove_two_factor(user_id: int):
    """For someone who lost both their phone and their recovery codes: they enrol again at sign-in."""
    user, db = _user_or_404(user_id), get_db()
    if ButtonForm().validate_on_submit():
        with write_transaction(db):
            totp.disable(db, user_id)
            audit.record("2fa.remove", "user", user_id)
        sessions.end_all(db, user_id)
        flash(_("Two-step sign-in removed for %(email)s.", email=user["email"]))
    return redirect(url_for(".edit", user_id=user_id), code=303)
