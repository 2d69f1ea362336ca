"""The audit trail pages: admins read every entry, managers their enterprises' ones; both filter
and export the filtered entries as CSV (cells a spreadsheet would run as formulas are neutralised).

Read-only: filters come by GET, and nothing here writes.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date

from flask import Blueprint, Response, g, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField
from wtforms.validators import Optional

from survey_app.accounts.guards import login_required
from survey_app.accounts.scoping import visible_enterprises
from survey_app.backoffice.forms import choices
from survey_app.results.exports import neutralise
from survey_app.storage import audit
from survey_app.web.converters import SQLITE_MAX, bounded_arg
from survey_app.web.db import get_db

bp = Blueprint("audit", __name__, url_prefix="/audit")
PAGE = 100
COLUMNS = ("at", "actor", "actor_email", "action", "object_type", "object_id", "enterprise", "details")


class FilterForm(FlaskForm):
    class Meta:
        csrf = False  # read-only choices sent by GET

    action = SelectField(_l("Action"), validate_choice=False)
    actor = SelectField(_l("Who"), validate_choice=False)
    enterprise = SelectField(_l("Enterprise"), validate_choice=False)
    since = DateField(_l("From"), validators=[Optional()])
    until = DateField(_l("Until"), validators=[Optional()])


def _scope() -> list[int] | None:
    """None for admins (every entry); a manager's enterprise ids otherwise."""
    return None if g.user["role"] == "admin" else [e["id"] for e in visible_enterprises()]


def _day(value) -> str:
    return value.isoformat() if isinstance(value, date) else ""


def _filters(form: FilterForm, scope: list[int] | None) -> audit.Filters:
    enterprise = int(form.enterprise.data) if (form.enterprise.data or "").isdigit() else None
    actor = int(form.actor.data) if (form.actor.data or "").isdigit() else None
    return audit.Filters(
        action=form.action.data or "",
        actor_id=actor,
        enterprise_id=enterprise if scope is None or enterprise in scope else None,
        since=_day(form.since.data),
        until=_day(form.until.data),
    )


def _form() -> FilterForm:
    form = FilterForm(request.args)
    form.action.choices = choices([("", _l("All actions")), *((a, a) for a in audit.actions(get_db()))])
    form.enterprise.choices = choices(
        [("", _l("All enterprises")), *((str(e["id"]), e["name"]) for e in visible_enterprises())]
    )
    people = get_db().query(
        "SELECT DISTINCT u.id, u.email FROM audit_log a JOIN user u ON u.id = a.actor_id ORDER BY u.email"
    )
    form.actor.choices = choices([("", _l("Everybody")), *((str(p["id"]), p["email"]) for p in people)])
    if not form.validate():
        form.since.data = form.until.data = None
    return form


@bp.get("/")
@login_required
def index():
    form, scope = _form(), _scope()
    # Clamped so that the OFFSET stays an integer SQLite can take (a huge ?page= is the last page).
    page = bounded_arg(request.args.get("page", type=int), 1, high=SQLITE_MAX // (PAGE + 1))
    rows = [
        {**e, "details": json.loads(e["details"])}
        for e in audit.entries(get_db(), _filters(form, scope), scope, PAGE + 1, (page - 1) * PAGE)
    ]
    return render_template(
        "backoffice/audit.html",
        form=form,
        entries=rows[:PAGE],
        page=page,
        more=len(rows) > PAGE,
        query={k: v for k, v in request.args.items() if k != "page"},
    )


@bp.get("/audit.csv")
@login_required
def download():
    form, scope = _form(), _scope()
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    for e in audit.entries(get_db(), _filters(form, scope), scope):
        details = json.loads(e["details"])
        writer.writerow(
            neutralise(str(v))
            for v in (
                e["at"],
                e["actor"],
                e["actor_email"] or "",
                e["action"],
                e["object_type"],
                e["object_id"],
                e["enterprise_name"] or "",
                " ".join(f"{k}={v}" for k, v in details.items()),
            )
        )
    return Response(
        buffer.getvalue(),
        mimetype="text/csv; charset=utf-8",
        headers={"Content-Disposition": "attachment; filename=audit-trail.csv"},
    )
