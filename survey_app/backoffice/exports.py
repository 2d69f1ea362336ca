"""Export a campaign's responses as CSV or XLSX, streamed, as results/export_policy.py allows: only
campaigns whose respondents were told so, from min_group_size responses on; otherwise a notice."""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, render_template, request, stream_with_context
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField

from survey_app.accounts import audit
from survey_app.accounts.guards import login_required
from survey_app.accounts.scoping import campaign_or_404
from survey_app.backoffice.forms import choices
from survey_app.core.catalogs import LANGUAGE_NAMES
from survey_app.core.config import SUPPORTED_LANGUAGES
from survey_app.domain.campaigns import instruments_of
from survey_app.questionnaire.instruments import with_instruments
from survey_app.results import exports
from survey_app.results.export_policy import may_export
from survey_app.web.db import get_db

bp = Blueprint("exports", __name__, url_prefix="/campaigns/<int:campaign_id>/export")
MIMETYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


class ExportForm(FlaskForm):
    """Read-only choices sent by GET (a download changes nothing), so no CSRF token."""

    class Meta:
        csrf = False

    language = SelectField(
        _l("Language of questions and answers"), choices=choices((c, LANGUAGE_NAMES[c]) for c in SUPPORTED_LANGUAGES)
    )
    labels = BooleanField(_l("Answers as text (otherwise as codes and numbers)"))


def _page(campaign: dict, form: ExportForm | None):
    count = exports.response_count(get_db(), campaign["id"])
    minimum = current_app.config["SETTINGS"]["privacy.min_group_size"]
    return render_template(
        "backoffice/export.html",
        campaign=campaign,
        form=form,
        count=count,
        minimum=minimum,
        allowed=bool(campaign["responses_exportable"]),
        enough=may_export(campaign, count, minimum),
    )


@bp.route("/")
@login_required
def index(campaign_id: int):
    campaign = campaign_or_404(campaign_id)
    return _page(campaign, ExportForm(formdata=None, data={"language": campaign["enterprise_language"]}))


@bp.route("/responses.<any(csv, xlsx):kind>")
@login_required
def download(campaign_id: int, kind: str):
    campaign = campaign_or_404(campaign_id)
    minimum = current_app.config["SETTINGS"]["privacy.min_group_size"]
    if not may_export(campaign, exports.response_count(get_db(), campaign_id), minimum):
        return _page(campaign, None)  # the notice why: respondents were not told, or too few answered
    # A bare download link (no choices) gets the enterprise's language, answers as codes.
    form = ExportForm(request.args or None, data={"language": campaign["enterprise_language"]})
    if not form.validate():
        abort(400)
    audit.record(
        "export.download", "campaign", campaign_id, campaign["enterprise_id"], kind=kind, language=form.language.data
    )
    registry = current_app.extensions["vises.registry"]
    base = registry.get(campaign["questionnaire_id"], campaign["questionnaire_version"])
    instruments = registry.instruments_for(instruments_of(campaign))
    questions = exports.export_questions(campaign, base, instruments)
    table = exports.streamed_rows(
        current_app.config["SETTINGS"]["database.path"],
        campaign_id,
        questions,
        form.language.data,
        form.labels.data,
        minimum,
        [s for s in with_instruments(base, instruments).scorings if s.declared],
    )
    body = exports.csv_chunks(table) if kind == "csv" else exports.xlsx_chunks(table)
    return Response(
        stream_with_context(body),
        mimetype=MIMETYPES[kind],
        headers={"Content-Disposition": f"attachment; filename=campaign-{campaign_id}-responses.{kind}"},
    )
