"""Admin pages for XLSForm workbooks (KoboToolbox, ODK): upload one, preview every page in each
language with every problem, map questions to indicators, register it; download any registered
questionnaire as XLSForm.

A registered import is written to `<instance>/questionnaires/` (beside the database, not in the
installed code, which an upgrade replaces) and stored in the database like every version.
"""

from __future__ import annotations

import io

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from werkzeug.utils import secure_filename

from survey_app.accounts import audit
from survey_app.accounts.guards import admin_required
from survey_app.backoffice import xlsform_uploads as uploads
from survey_app.backoffice.xlsform_forms import (
    XLSFormForm,
    indicator_choices,
    language_name,
    mappable,
    preview_sections,
)
from survey_app.core.timeutil import now_utc
from survey_app.questionnaire.registry import add, instance_questionnaires
from survey_app.questionnaire.rules import QuestionnaireError
from survey_app.questionnaire.xlsform import ImportOptions, ImportResult, export_workbook, import_workbook
from survey_app.web.db import get_db
from survey_app.web.forms import required
from survey_app.web.labels import GROUP_LABELS

bp = Blueprint("xlsforms", __name__, url_prefix="/questionnaires")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _registry():
    return current_app.extensions["vises.registry"]


@bp.url_value_preprocessor
def allow_workbooks(endpoint, values) -> None:
    """Runs before the CSRF check parses the body: a workbook may exceed the app's 256 KB limit.
    Only a multipart body can carry a file; text fields keep the app's limit (MAX_FORM_MEMORY_SIZE)."""
    if endpoint in ("backoffice.xlsforms.preview", "backoffice.xlsforms.register") and request.mimetype == (
        "multipart/form-data"
    ):
        request.max_content_length = uploads.MAX_WORKBOOK_BYTES + 64 * 1024


@bp.route("/")
@admin_required
def index():
    return _index_page(XLSFormForm())


def _index_page(form: XLSFormForm, status: int = 200):
    page = render_template(
        "backoffice/xlsforms.html", form=form, questionnaires=_registry().all(), group_labels=GROUP_LABELS
    )
    return page, status


@bp.route("/preview", methods=["POST"])
@admin_required
def preview():
    form = XLSFormForm()
    result = _run(form)
    if result is None:
        return _index_page(form, 422)
    return _preview_page(form, result)


@bp.route("/register", methods=["POST"])
@admin_required
def register():
    form = XLSFormForm()
    result = _run(form)
    if result is None:
        return _index_page(form, 422)
    if result.questionnaire is None:
        return _preview_page(form, result, 422)
    questionnaire = result.questionnaire
    if _registry().get(questionnaire.id, questionnaire.version) is not None:
        # The errors are a list once validated; the WTForms stubs say Sequence.
        form.version.errors.append(  # type: ignore[attr-defined]
            _("This version is already registered: choose another version number or id.")
        )
        return _preview_page(form, result, 422)
    try:
        add(get_db(), _registry(), questionnaire, instance_questionnaires(current_app.config["SETTINGS"]), now_utc())
    except QuestionnaireError:
        # The errors are a list once validated; the WTForms stubs say Sequence.
        form.version.errors.append(  # type: ignore[attr-defined]
            _("This version is already registered: choose another version number or id.")
        )
        return _preview_page(form, result, 422)
    audit.record("questionnaire.register", "questionnaire", f"{questionnaire.id}:{questionnaire.version}")
    uploads.discard(required(form.upload.data))
    flash(
        _("Questionnaire %(id)s version %(version)s is registered.", id=questionnaire.id, version=questionnaire.version)
    )
    return redirect(url_for("backoffice.xlsforms.index"), code=303)


@bp.route("/<questionnaire_id>/<int:version>.xlsx")
@admin_required
def download(questionnaire_id: str, version: int):
    questionnaire = _registry().get(questionnaire_id, version)
    if questionnaire is None:
        abort(404)
    data = io.BytesIO(export_workbook(questionnaire))
    return send_file(data, mimetype=XLSX, as_attachment=True, download_name=f"{questionnaire.id}-v{version}.xlsx")


def _run(form: XLSFormForm) -> ImportResult | None:
    """The import of the uploaded (or already kept) workbook with the form's options."""
    if not form.validate_on_submit():
        return None
    upload = request.files.get(form.workbook.name)
    if upload and upload.filename:
        data = upload.read(uploads.MAX_WORKBOOK_BYTES + 1)
        if len(data) > uploads.MAX_WORKBOOK_BYTES:
            form.workbook.errors.append(_("The workbook is larger than 2 MB."))
            return None
        form.upload.data, form.filename.data = uploads.save(data), secure_filename(upload.filename) or "form.xlsx"
    data = uploads.load(form.upload.data or "")
    if data is None:
        form.workbook.errors.append(_("Choose an XLSForm workbook (.xlsx)."))
        return None
    framework = _registry().framework
    options = ImportOptions(
        questionnaire_id=form.questionnaire_id.data or None,
        group=form.stakeholder_group.data or None,
        version=form.version.data or None,
        language_map=form.language_map.data or None,
        indicators=_posted_indicators({i.id for i in framework.indicators}),
        skip_unsupported=form.skip_unsupported.data,
    )
    return import_workbook(data, form.filename.data or "form.xlsx", framework, options)


def _posted_indicators(known: set[str]) -> dict[str, str]:
    """The preview's selects, named indicator-<XLSForm name>; unknown indicators are ignored."""
    return {
        key.removeprefix("indicator-"): value
        for key, value in request.form.items()
        if key.startswith("indicator-") and value in known
    }


def _preview_page(form: XLSFormForm, result: ImportResult, status: int = 200):
    return (
        render_template(
            "backoffice/xlsform_preview.html",
            form=form,
            result=result,
            gettext=_,
            sections=preview_sections(result),
            mappable=mappable(result),
            indicators=indicator_choices(_registry().framework),
            language_name=language_name,
        ),
        status,
    )
