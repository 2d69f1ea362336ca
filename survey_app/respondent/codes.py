"""/code: a respondent types the short code printed on a card (or a poster) and lands on the survey.

Unknown, revoked, already answered and closed codes all get the same answer, so typing codes
teaches nothing about which exist. Only well-formed misses count against the per-address limit
(a typo caught by the check character costs nothing and asks nothing of the database); a valid
code is never counted, so a busy kiosk typing real codes is not slowed down. Once an address has
missed too often, it waits for the window to end, valid code or not: otherwise the limit would
not stop guessing.
"""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlite_utils import Database
from wtforms import StringField, SubmitField
from wtforms.validators import DataRequired, ValidationError

from survey_app.core import short_codes, timeutil
from survey_app.domain.campaigns import campaign_state
from survey_app.storage.ratelimit import allow
from survey_app.web.db import get_db

bp = Blueprint("codes", __name__)
MISS_LIMIT, MISS_WINDOW = 20, 900  # 20 wrong codes per quarter of an hour and address
NOT_FOUND = _l("No open survey has this code. Check the code on your card, or ask the person who gave it to you.")


def well_formed(_form, field) -> None:
    if not short_codes.is_valid(short_codes.normalise(field.data)):
        raise ValidationError(_l("This code has a typing error: check each character (7 letters and digits)."))


class CodeForm(FlaskForm):
    code = StringField(
        _l("Code on your card"),
        validators=[DataRequired(message=_l("Enter the code printed on your card.")), well_formed],
        description=_l("7 characters, letters and digits, for example: K7QM4TX. Capitals or not, spaces or not."),
        render_kw={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false", "class": "code-input"},
    )
    submit = SubmitField(_l("Go to the survey"))


def _miss_key() -> str:
    return f"code-miss:{request.remote_addr or 'unknown'}"


def _blocked(db: Database, now: datetime) -> bool:
    window = int(now.timestamp()) // MISS_WINDOW * MISS_WINDOW
    row = db.execute(
        "SELECT count FROM rate_limit WHERE key = ? AND window_start = ?", [_miss_key(), window]
    ).fetchone()
    return bool(row and row[0] >= MISS_LIMIT)


def _rows(db: Database, sql: str, params: list) -> list[dict]:
    cursor = db.execute(sql, params)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def survey_of(db: Database, code: str, now: datetime) -> str | None:
    """The survey URL behind a code that can still be answered, or None."""
    personal = _rows(
        db,
        "SELECT i.token, i.revoked_at, i.answered, c.closes_at, c.opens_at, c.closed_at "
        "FROM invitation i JOIN campaign c ON c.id = i.campaign_id WHERE i.short_code = ?",
        [code],
    )
    if len(personal) > 1:  # an old six-character code printed for two campaigns leads nowhere
        return None
    if personal:
        link = personal[0]
        usable = link["revoked_at"] is None and not link["answered"] and campaign_state(link, now) == "open"
        return url_for("respondent.intro", kind="s", token=link["token"]) if usable else None
    found = _rows(db, "SELECT * FROM campaign WHERE open_code = ? AND open_link_enabled = 1", [code])
    if len(found) == 1 and campaign_state(found[0], now) == "open":
        return url_for("respondent.intro", kind="o", token=found[0]["open_token"])
    return None


@bp.route("/code", methods=["GET", "POST"])
def enter():
    db, now, form = get_db(), timeutil.now_utc(), CodeForm()
    if request.method == "POST" and _blocked(db, now):
        return render_template("respondent/code.html", form=form, too_many=True), 429
    if form.validate_on_submit():
        target = survey_of(db, short_codes.normalise(form.code.data or ""), now)
        if target is not None:
            return redirect(target, code=303)
        allow(db, _miss_key(), MISS_LIMIT, MISS_WINDOW, now)
        form.code.errors = [NOT_FOUND]
    return render_template("respondent/code.html", form=form, too_many=False)
