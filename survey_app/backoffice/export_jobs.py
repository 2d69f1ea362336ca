"""Exports prepared in the background (results/export_worker.py): XLSX files, and CSV files of more
than STREAM_LIMIT responses. Starting one is a POST (CSRF token); the export page then shows its
progress and, when ready, the download link. A file is for the user who asked for it and the
campaign's managers; anyone else (or a file expired) gets the export page with a notice."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, g, redirect, send_file, url_for
from flask_babel import gettext as _
from wtforms import RadioField

from survey_app.accounts import audit
from survey_app.accounts.guards import login_required
from survey_app.accounts.scoping import campaign_or_404
from survey_app.backoffice.exports import (
    MIMETYPES,
    ExportForm,
    enough_responses,
    export_page,
    export_questions,
    export_scorings,
    may_download,
)
from survey_app.backoffice.forms import choices
from survey_app.core.timeutil import now_utc
from survey_app.results.export_worker import ExportWorker, Job, export_folder
from survey_app.storage import export_jobs
from survey_app.storage.export_jobs import JobSpec
from survey_app.web.db import get_db

bp = Blueprint("export_jobs", __name__, url_prefix="/campaigns/<int:campaign_id>/export/jobs")


class StartForm(ExportForm):
    class Meta:
        csrf = True  # a POST that starts work

    kind = RadioField(choices=choices([("xlsx", "XLSX"), ("csv", "CSV")]), default="xlsx")


def worker() -> ExportWorker:
    if "vises.export_worker" not in current_app.extensions:
        current_app.extensions["vises.export_worker"] = ExportWorker(current_app._get_current_object())  # type: ignore[attr-defined]
    return current_app.extensions["vises.export_worker"]


@bp.route("/", methods=["POST"])
@login_required
def start(campaign_id: int):
    campaign = campaign_or_404(campaign_id)
    count, _minimum, enough = enough_responses(campaign)
    form = StartForm(data={"language": campaign["enterprise_language"]})
    if not enough:  # the page's notice says why: respondents were not told, or too few answered
        return export_page(campaign)
    if not form.validate():
        return export_page(campaign, status=400)
    db, spec = get_db(), JobSpec(campaign_id, g.user["id"], form.kind.data, form.language.data, form.labels.data)
    audit.record(
        "export.download", "campaign", campaign_id, campaign["enterprise_id"], kind=spec.kind, language=spec.language
    )
    job_id = export_jobs.create(db, spec, count, now_utc())
    job = export_jobs.get(db, campaign_id, job_id, now_utc())
    assert job is not None
    if not worker().submit(
        Job(job_id, job["file_name"], spec, tuple(export_questions(campaign)), tuple(export_scorings(campaign)))
    ):
        export_jobs.fail(db, job_id, now_utc(), keep=export_jobs.STALE_AFTER)
        flash(_("Several exports are being prepared already. Try again in a few minutes."), "error")
    return redirect(url_for("backoffice.exports.index", campaign_id=campaign_id), code=303)


@bp.route("/<int:job_id>")
@login_required
def download(campaign_id: int, job_id: int):
    campaign = campaign_or_404(campaign_id)
    job = export_jobs.get(get_db(), campaign_id, job_id, now_utc())
    if job is None or not may_download(job):
        return export_page(campaign, _("This file is not available: it expired, or it was prepared for someone else."))
    if job["state"] != "ready":
        return export_page(campaign)  # its progress is on the page
    return send_file(
        export_folder(current_app.config["SETTINGS"]) / job["file_name"],
        mimetype=MIMETYPES[job["kind"]],
        as_attachment=True,
        download_name=f"campaign-{campaign_id}-responses.{job['kind']}",
    )
