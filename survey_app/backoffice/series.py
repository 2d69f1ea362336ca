"""Follow-up series (distance travelled): create one, add its waves in order, end it, erase its links.

Every look-up is scoped by the user's enterprises (accounts.scoping). Managers never see a code or
a hash: these pages show the waves and what linking means, the results live on the dashboard.
Ending stops offering the link; erasing (a confirmation step) deletes the key file and every link.
"""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from survey_app.accounts import audit
from survey_app.accounts.guards import login_required
from survey_app.accounts.scoping import enterprise_or_404, series_or_404, visible_enterprises, visible_series
from survey_app.backoffice.confirm import confirmation_page, is_confirmed
from survey_app.backoffice.forms import ButtonForm, choices
from survey_app.backoffice.series_forms import METHOD_LABELS, SeriesForm, WaveForm
from survey_app.core.config import instance_folder
from survey_app.core.timeutil import now_utc
from survey_app.domain import series
from survey_app.domain.series_codes import QUESTION_IDS
from survey_app.web.db import get_db
from survey_app.web.labels import CODE_QUESTION_LABELS

bp = Blueprint("series", __name__, url_prefix="/series")


@bp.route("/", methods=["GET", "POST"])
@login_required
def index():
    form = SeriesForm()
    form.enterprise.choices = choices((e["id"], e["name"]) for e in visible_enterprises())
    form.questions.choices = choices((q, CODE_QUESTION_LABELS[q]) for q in QUESTION_IDS)
    if form.validate_on_submit():
        enterprise = enterprise_or_404(form.enterprise.data)
        questions = list(form.questions.data or [])
        args = (
            enterprise["id"],
            form.stakeholder_group.data,
            (form.name.data or "").strip(),
            form.method.data,
            questions,
        )
        series_id = series.create(get_db(), *args, now_utc())
        audit.record("series.create", "series", series_id, enterprise["id"], method=form.method.data)
        return redirect(url_for(".view", series_id=series_id), code=303)
    return render_template("backoffice/series_list.html", form=form, all_series=visible_series(), methods=METHOD_LABELS)


@bp.route("/<int:series_id>", methods=["GET", "POST"])
@login_required
def view(series_id: int):
    record = series_or_404(series_id)
    db = get_db()
    form = WaveForm()
    form.campaign.choices = choices((c["id"], c["title"]) for c in series.candidates(db, record))
    if record["state"] == "active" and form.validate_on_submit():
        if series.add_wave(db, record, form.campaign.data):
            audit.record("series.add_wave", "series", series_id, record["enterprise_id"], campaign=form.campaign.data)
            flash(_("The wave is added to the series."))
        return redirect(url_for(".view", series_id=series_id), code=303)
    questions = [CODE_QUESTION_LABELS[q] for q in record["questions"].split()]
    return render_template(
        "backoffice/series.html",
        series=record,
        waves=series.waves(db, series_id),
        form=form,
        button=ButtonForm(),
        methods=METHOD_LABELS,
        questions=questions,
    )


@bp.route("/<int:series_id>/end", methods=["POST"])
@login_required
def end(series_id: int):
    record = series_or_404(series_id)
    here = url_for(".view", series_id=series_id)
    if not is_confirmed():
        return confirmation_page(
            _("End the series?"),
            [
                _("Respondents will no longer be offered to link their answers, in any wave of the series."),
                _("The results already linked stay on the dashboard until you erase the links."),
            ],
            _("Yes, end the series"),
            here,
        )
    series.end(get_db(), series_id)
    audit.record("series.end", "series", series_id, record["enterprise_id"])
    flash(_("The series is ended. You can now erase its links."))
    return redirect(here, code=303)


@bp.route("/<int:series_id>/erase", methods=["POST"])
@login_required
def erase(series_id: int):
    record = series_or_404(series_id)
    here = url_for(".view", series_id=series_id)
    if record["state"] != "ended":
        return redirect(here, code=303)
    if not is_confirmed():
        return confirmation_page(
            _("Erase the links of the series?"),
            [
                _("The secret key of the series is deleted: no answer can ever be linked to another again."),
                _("Every paired result (distance travelled) of the series disappears. The answers themselves stay."),
                _("This cannot be undone."),
            ],
            _("Yes, erase the links"),
            here,
        )
    series.erase(get_db(), instance_folder(current_app.config["SETTINGS"]), series_id)
    audit.record("series.erase", "series", series_id, record["enterprise_id"])
    flash(_("The links of the series are erased."))
    return redirect(here, code=303)
