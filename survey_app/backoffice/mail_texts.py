"""The invitation and reminder texts of a campaign: preview and edit them per language before sending.

Stored per campaign (survey_app.mail.texts); the preview is the mail exactly as rendered for an
invited person, with an example link. "Preview" never saves; "Save" saves; "reset" removes the edit.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, ValidationError

from survey_app.accounts import audit
from survey_app.accounts.guards import login_required
from survey_app.accounts.scoping import campaign_or_404
from survey_app.backoffice.forms import ButtonForm
from survey_app.core.catalogs import LANGUAGE_NAMES
from survey_app.core.timeutil import now_utc
from survey_app.domain.campaigns import languages_of
from survey_app.mail import texts
from survey_app.mail.messages import preview
from survey_app.storage.db import write_transaction
from survey_app.web.db import get_db

bp = Blueprint("mail_texts", __name__, url_prefix="/campaigns/<int:campaign_id>/texts")
KIND_LABELS = {"invitation": _l("Invitation"), "reminder": _l("Reminder")}


class MailTextForm(FlaskForm):
    subject = StringField(_l("Subject"), validators=[DataRequired(), Length(max=texts.MAX_SUBJECT)])
    body = TextAreaField(
        _l("Text"),
        validators=[DataRequired(), Length(max=texts.MAX_BODY)],
        render_kw={"rows": 14},
        description=_l(
            "Leave a blank line between paragraphs. {link} is the personal link (alone on its line, it "
            "becomes the answer button), {closes} the closing date, {enterprise} the enterprise's name."
        ),
    )
    show = SubmitField(_l("Preview"))
    save = SubmitField(_l("Save the text"))

    def validate_subject(self, field) -> None:
        self._placeholders(field.data)

    def validate_body(self, field) -> None:
        self._placeholders(field.data)
        if texts.LINK not in (field.data or ""):
            raise ValidationError(_l("The text needs the {link} placeholder: without it, nobody can answer."))

    @staticmethod
    def _placeholders(value: str | None) -> None:
        unknown = texts.unknown_placeholders(value or "")
        if unknown:
            raise ValidationError(
                _l("Unknown placeholder: %(names)s. Use {link}, {closes} or {enterprise}.", names=", ".join(unknown))
            )


def _campaign_and_language(campaign_id: int, language: str) -> dict:
    campaign = campaign_or_404(campaign_id)
    if language not in languages_of(campaign):
        abort(404)
    return campaign


@bp.route("/")
@login_required
def index(campaign_id: int):
    campaign, db = campaign_or_404(campaign_id), get_db()
    rows = [
        (kind, language, texts.campaign_text(db, campaign_id, kind, language).edited)
        for kind in texts.KINDS
        for language in languages_of(campaign)
    ]
    return render_template(
        "backoffice/mail_texts.html", campaign=campaign, rows=rows, kinds=KIND_LABELS, languages=LANGUAGE_NAMES
    )


@bp.route("/<any(invitation, reminder):kind>/<language>", methods=["GET", "POST"])
@login_required
def edit(campaign_id: int, kind: str, language: str):
    campaign, db = _campaign_and_language(campaign_id, language), get_db()
    stored = texts.campaign_text(db, campaign_id, kind, language)
    form = MailTextForm(data={"subject": stored.subject, "body": stored.body})
    shown = stored
    if form.validate_on_submit():
        shown = texts.Text((form.subject.data or "").strip(), texts.normalise(form.body.data or ""))
        if form.save.data:
            return _save(campaign, kind, language, shown, "campaign.texts_edit")
    mail = preview(current_app.config["SETTINGS"], campaign, kind, language, shown)
    return render_template(
        "backoffice/mail_text_form.html",
        campaign=campaign,
        form=form,
        mail=mail,
        kind_label=KIND_LABELS[kind],
        language_name=LANGUAGE_NAMES[language],
        edited=stored.edited,
        button=ButtonForm(),
    )


@bp.route("/<any(invitation, reminder):kind>/<language>/reset", methods=["POST"])
@login_required
def reset(campaign_id: int, kind: str, language: str):
    campaign = _campaign_and_language(campaign_id, language)
    if ButtonForm().validate_on_submit():
        return _save(campaign, kind, language, texts.default_text(kind, language), "campaign.texts_reset")
    return redirect(url_for(".edit", campaign_id=campaign_id, kind=kind, language=language), code=303)


def _save(campaign: dict, kind: str, language: str, text: texts.Text, action: str):
    db = get_db()
    with write_transaction(db):
        texts.save_text(db, campaign["id"], kind, language, text, now_utc())
        audit.record(action, "campaign", campaign["id"], campaign["enterprise_id"], kind=kind, language=language)
    flash(_("Saved."))
    return redirect(url_for(".index", campaign_id=campaign["id"]), code=303)
