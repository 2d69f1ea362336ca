"""Export a campaign's responses, as results/export_policy.py allows (only campaigns whose
respondents were told so, from min_group_size responses on; otherwise a notice): CSV streamed from
the request up to STREAM_LIMIT responses; XLSX and larger CSV prepared in the background
(export_jobs.py), under the same policy."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    g,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_babel import format_datetime
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField

from survey_app.accounts import audit
from survey_app.accounts.guards import login_required
from survey_app.accounts.scoping import campaign_or_404
from survey_app.backoffice.forms import choices
from survey_app.core.catalogs import LANGUAGE_NAMES
from survey_app.core.config import SUPPORTED_LANGUAGES
from survey_app.core.timeutil import now_utc, parse_iso
from survey_app.domain.campaigns import instruments_of
from survey_app.questionnaire.instruments import with_instruments
from survey_app.questionnaire.model import Question
from survey_app.questionnaire.scoring import Scoring
from survey_app.results import exports
from survey_app.results.export_policy import may_export
from survey_app.storage import export_jobs
from survey_app.web.db import get_db

bp = Blueprint("exports", __name__, url_prefix="/campaigns/<int:campaign_id>/export")
MIMETYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
STREAM_LIMIT = 10_000  # CSV exports up to this many responses stream from the request itself


class ExportForm(FlaskForm):
    """The export's choices: posted from the export page (with the page's CSRF token, checked for
    every POST), or sent by GET from a bare download link (a download changes nothing)."""

    class Meta:
        csrf = False

    language = SelectField(
        _l("Language of questions and answers"), choices=choices((c, LANGUAGE_NAMES[c]) for c in SUPPORTED_LANGUAGES)
    )
    labels = BooleanField(_l("Answers as text (otherwise as codes and numbers)"))


def enough_responses(campaign: dict) -> tuple[int, int, bool]:
    """(responses, min_group_size, whether the policy lets this campaign's responses out)."""
    count = exports.response_count(get_db(), campaign["id"])
    minimum = current_app.config["SETTINGS"]["privacy.min_group_size"]
    return count, minimum, may_export(campaign, count, minimum)


def export_questions(campaign: dict) -> list[Question]:
    """The campaign's questions as exported: questionnaire version, custom questions, instruments."""
    registry = current_app.extensions["vises.registry"]
    base = registry.get(campaign["questionnaire_id"], campaign["questionnaire_version"])
    return exports.export_questions(campaign, base, registry.instruments_for(instruments_of(campaign)))


def export_scorings(campaign: dict) -> list[Scoring]:
    """The declared scorings whose per-response scores the file carries (validated instruments)."""
    registry = current_app.extensions["vises.registry"]
    base = registry.get(campaign["questionnaire_id"], campaign["questionnaire_version"])
    instruments = registry.instruments_for(instruments_of(campaign))
    return [s for s in with_instruments(base, instruments).scorings if s.declared]


def choices_form(campaign: dict) -> ExportForm:
    """The choices sent (a bare link gets the enterprise's language, answers as codes)."""
    sent = request.form if request.method == "POST" else request.args
    return ExportForm(sent or None, data={"language": campaign["enterprise_language"]})


def export_page(campaign: dict, notice: str | None = None, status: int = 200):
    """The export page: the choices, and the files being prepared or ready for this user."""
    count, minimum, enough = enough_responses(campaign)
    form = ExportForm(formdata=None, data={"language": campaign["enterprise_language"]}) if enough else None
    jobs = [j for j in export_jobs.recent(get_db(), campaign["id"], now_utc()) if may_download(j)]
    for job in jobs:  # in the federation's timezone and the page's language
        job["asked_at"] = format_datetime(parse_iso(job["created_at"]), "short")
    return render_template(
        "backoffice/export.html",
        campaign=campaign,
        form=form,
        count=count,
        minimum=minimum,
        allowed=bool(campaign["responses_exportable"]),
        enough=enough,
        streams=count <= STREAM_LIMIT,
        jobs=jobs,
        refresh=any(j["state"] in export_jobs.ACTIVE for j in jobs),
        notice=notice,
    ), status


def may_download(job: dict) -> bool:
    """A prepared file is for the user who asked for it and for the campaign's managers (the
    campaign itself was already scoped to the user's enterprises)."""
    return job["user_id"] == g.user["id"] or g.user["role"] == "manager"


@bp.route("/")
@login_required
def index(campaign_id: int):
    return export_page(campaign_or_404(campaign_id))


@bp.route("/responses.<any(csv, xlsx):kind>", methods=["GET", "POST"])
@login_required
def download(campaign_id: int, kind: str):
    campaign = campaign_or_404(campaign_id)
    count, minimum, enough = enough_responses(campaign)
    if not enough:
        return export_page(campaign)  # the notice why: respondents were not told, or too few answered
    if kind == "xlsx" or count > STREAM_LIMIT:  # built in the background: start it from the page
        return redirect(url_for("backoffice.exports.index", campaign_id=campaign_id), code=303)
    form = choices_form(campaign)
    if not form.validate():
        abort(400)
    audit.record(
        "export.download", "campaign", campaign_id, campaign["enterprise_id"], kind=kind, language=form.language.data
    )
    table = exports.streamed_rows(
        current_app.config["SETTINGS"]["database.path"],
        campaign_id,
        export_questions(campaign),
        form.language.data,
        form.labels.data,
        minimum,
        export_scorings(campaign),
    )
    return Response(
        stream_with_context(exports.csv_chunks(table)),
        mimetype=MIMETYPES[kind],
        headers={"Content-Disposition": f"attachment; filename=campaign-{campaign_id}-responses.{kind}"},
    )
