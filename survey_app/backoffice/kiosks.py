"""Kiosks of a campaign (shared tablets): add one with its ceiling per hour, remove one. Listed on
the links page with this hour's count, beside the paper questionnaires."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, flash, redirect, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlite_utils import Database
from wtforms import IntegerField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, NumberRange

from survey_app.accounts.guards import login_required
from survey_app.accounts.scoping import campaign_or_404
from survey_app.core import timeutil
from survey_app.domain import kiosks
from survey_app.domain.campaigns import languages_of
from survey_app.web.db import get_db
from survey_app.web.forms import required

bp = Blueprint("kiosks", __name__, url_prefix="/campaigns/<int:campaign_id>/kiosks")
PAPER_FORMS_PER_SHEET = 20  # as assisted.paper.FORMS_PER_SHEET (the back office may not import it)


class KioskForm(FlaskForm):
    name = StringField(
        _l("Name of the tablet"),
        validators=[DataRequired(), Length(max=100)],
        description=_l("For example: reception desk."),
    )
    hourly_limit = IntegerField(
        _l("Most responses per hour"),
        validators=[DataRequired(), NumberRange(min=1, max=1000)],
        description=_l("Beyond it the tablet asks people to come back later: one tablet cannot flood the campaign."),
    )
    submit = SubmitField(_l("Add the tablet"))


class RemoveKioskForm(FlaskForm):
    submit = SubmitField(_l("Remove"))


def reach_context(db: Database, campaign: dict[str, Any]) -> dict[str, Any]:
    """What the links page shows about kiosks and paper questionnaires."""
    # Every unrevoked link gets a paper form, answered or not (assisted/paper.py says why).
    printable = db.execute(
        "SELECT count(*) FROM invitation WHERE campaign_id = ? AND revoked_at IS NULL", [campaign["id"]]
    ).fetchone()[0]
    base_url = current_app.config["SETTINGS"]["server.base_url"]
    return {
        "kiosks": [
            {**k, "url": kiosks.kiosk_link(base_url, k["token"])}
            for k in kiosks.kiosks_of(db, campaign["id"], timeutil.now_utc())
        ],
        "kiosk_form": KioskForm(data={"hourly_limit": current_app.config["SETTINGS"]["kiosk.hourly_limit"]}),
        "remove_kiosk_form": RemoveKioskForm(),
        "paper_languages": languages_of(campaign),
        "paper_sheets": range(1, (printable + PAPER_FORMS_PER_SHEET - 1) // PAPER_FORMS_PER_SHEET + 1),
    }


def _back(campaign_id: int):
    return redirect(url_for("backoffice.links.index", campaign_id=campaign_id) + "#kiosks", code=303)


@bp.post("/")
@login_required
def add(campaign_id: int):
    campaign_or_404(campaign_id)
    form, db = KioskForm(), get_db()
    if not form.validate_on_submit():
        flash(_("Give the tablet a name and a ceiling between 1 and 1000 responses per hour."), "error")
    elif len(kiosks.kiosks_of(db, campaign_id, timeutil.now_utc())) >= kiosks.MAX_KIOSKS:
        flash(_("A campaign can have at most %(max)d tablets.", max=kiosks.MAX_KIOSKS), "error")
    else:
        kiosks.add_kiosk(
            db, campaign_id, required(form.name.data).strip(), required(form.hourly_limit.data), timeutil.now_utc()
        )
        flash(_("Tablet added. Open its link on the tablet."))
    return _back(campaign_id)


@bp.post("/<int:kiosk_id>/remove")
@login_required
def remove(campaign_id: int, kiosk_id: int):
    campaign_or_404(campaign_id)
    if RemoveKioskForm().validate_on_submit() and kiosks.remove_kiosk(
        get_db(), campaign_id, kiosk_id, timeutil.now_utc()
    ):
        flash(_("Tablet removed: its link no longer works."))
    return _back(campaign_id)
