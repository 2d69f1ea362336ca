"""E-mail invitations of a campaign: add addresses, send, remind, erase (all POST)."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from survey_app.accounts.guards import login_required
from survey_app.accounts.scoping import campaign_or_404
from survey_app.backoffice.confirm import confirmation_page, is_confirmed
from survey_app.backoffice.forms import AddressesForm, ButtonForm, choices
from survey_app.core.catalogs import LANGUAGE_NAMES
from survey_app.core.timeutil import now_utc
from survey_app.domain.campaigns import languages_of
from survey_app.mail import invitations
from survey_app.mail.messages import render_mail
from survey_app.web.db import get_db

bp = Blueprint("invitations", __name__, url_prefix="/campaigns/<int:campaign_id>/invitations")
SHOWN_INVALID = 50


def _back(campaign_id: int):
    return redirect(url_for(".index", campaign_id=campaign_id), code=303)


def _addresses_form(campaign: dict) -> AddressesForm:
    form = AddressesForm()
    form.language.choices = choices((lang, LANGUAGE_NAMES[lang]) for lang in languages_of(campaign))
    return form


def _page(campaign: dict, form: AddressesForm | None = None):
    """The invitations page; an address form that failed validation comes back with its errors."""
    return render_template(
        "backoffice/invitations.html",
        campaign=campaign,
        form=form or _addresses_form(campaign),
        button=ButtonForm(),
        summary=invitations.address_summary(get_db(), campaign["id"]),
    )


@bp.route("/")
@login_required
def index(campaign_id: int):
    return _page(campaign_or_404(campaign_id))


@bp.route("/add", methods=["POST"])
@login_required
def add(campaign_id: int):
    campaign = campaign_or_404(campaign_id)
    form = _addresses_form(campaign)
    if not form.validate_on_submit():
        return _page(campaign, form)
    parsed = invitations.parse_addresses(form.text())
    added, known = invitations.add_addresses(get_db(), campaign_id, parsed.valid, form.language.data, now_utc())
    flash(
        _(
            "%(added)d address(es) added, %(known)d already invited, %(merged)d duplicate(s) merged.",
            added=added,
            known=known,
            merged=parsed.duplicates,
        )
    )
    if parsed.invalid:
        shown = ", ".join(parsed.invalid[:SHOWN_INVALID]) + (" …" if len(parsed.invalid) > SHOWN_INVALID else "")
        flash(_("Invalid addresses, not added (%(num)d): %(list)s", num=len(parsed.invalid), list=shown), "error")
    return _back(campaign_id)


def _send(campaign_id: int, kind: str):
    campaign = campaign_or_404(campaign_id)
    if ButtonForm().validate_on_submit():
        report = invitations.send(get_db(), current_app.config["SETTINGS"], campaign, kind, render_mail, now_utc())
        flash(_("E-mails sent: %(num)d.", num=report.sent))
        for email, error in report.failed:
            flash(_("Not sent to %(email)s: %(error)s", email=email, error=error), "error")
    return _back(campaign_id)


@bp.route("/send", methods=["POST"])
@login_required
def send(campaign_id: int):
    return _send(campaign_id, "invitation")


@bp.route("/remind", methods=["POST"])
@login_required
def remind(campaign_id: int):
    return _send(campaign_id, "reminder")


@bp.route("/erase", methods=["POST"])
@login_required
def erase(campaign_id: int):
    campaign_or_404(campaign_id)
    if not is_confirmed():
        total = invitations.address_summary(get_db(), campaign_id)["total"]
        return confirmation_page(
            _("Delete the e-mail addresses of this campaign?"),
            [
                ngettext(
                    "%(num)d address will be deleted, for good.", "%(num)d addresses will be deleted, for good.", total
                ),
                _(
                    "Links already sent keep working; answers stay anonymous. "
                    "No invitation or reminder can be sent after this."
                ),
            ],
            _("Yes, delete the addresses"),
            url_for(".index", campaign_id=campaign_id),
        )
    count = invitations.erase_addresses(get_db(), campaign_id)
    flash(_("E-mail addresses deleted: %(num)d.", num=count))
    return _back(campaign_id)
