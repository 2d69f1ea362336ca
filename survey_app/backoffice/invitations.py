"""E-mail invitations of a campaign: add addresses, queue invitations and reminders, erase (all POST).

Sending only queues the mails in the outbox (one statement, however many addresses) and returns
at once; the page shows how the delivery progresses, and the failures.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from survey_app.accounts import audit
from survey_app.accounts.guards import login_required
from survey_app.accounts.scoping import campaign_or_404
from survey_app.backoffice.confirm import confirmation_page, is_confirmed
from survey_app.backoffice.forms import AddressesForm, ButtonForm, choices
from survey_app.core.catalogs import LANGUAGE_NAMES
from survey_app.core.timeutil import now_utc
from survey_app.domain.campaigns import languages_of
from survey_app.mail import invitations
from survey_app.storage import outbox
from survey_app.storage.db import write_transaction
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
    db = get_db()
    return render_template(
        "backoffice/invitations.html",
        campaign=campaign,
        form=form or _addresses_form(campaign),
        button=ButtonForm(),
        summary=invitations.address_summary(db, campaign["id"]),
        server=outbox.state(db),
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
    parsed, db = invitations.parse_addresses(form.text()), get_db()
    with write_transaction(db):
        added = invitations.add_addresses(db, campaign_id, parsed.valid, form.language.data, now_utc())
        audit.record("invitations.add", "campaign", campaign_id, campaign["enterprise_id"], count=added.added)
    flash(
        _(
            "%(added)d address(es) added, %(known)d already invited, %(merged)d duplicate(s) merged.",
            added=added.added,
            known=added.known,
            merged=parsed.duplicates,
        )
    )
    if added.unsubscribed:
        flash(_("Skipped because they unsubscribed from this campaign: %(num)d.", num=added.unsubscribed))
    if parsed.invalid:
        shown = ", ".join(parsed.invalid[:SHOWN_INVALID]) + (" …" if len(parsed.invalid) > SHOWN_INVALID else "")
        flash(_("Invalid addresses, not added (%(num)d): %(list)s", num=len(parsed.invalid), list=shown), "error")
    return _back(campaign_id)


def _queue(campaign_id: int, kind: str):
    campaign = campaign_or_404(campaign_id)
    if ButtonForm().validate_on_submit():
        db = get_db()
        with write_transaction(db):
            count = invitations.queue(db, campaign_id, kind, now_utc())
            audit.record(f"invitations.{kind}", "campaign", campaign_id, campaign["enterprise_id"], count=count)
        flash(_("E-mails queued: %(num)d. They go out in the next minutes; this page shows the progress.", num=count))
    return _back(campaign_id)


@bp.route("/send", methods=["POST"])
@login_required
def send(campaign_id: int):
    return _queue(campaign_id, "invitation")


@bp.route("/remind", methods=["POST"])
@login_required
def remind(campaign_id: int):
    return _queue(campaign_id, "reminder")


@bp.route("/erase", methods=["POST"])
@login_required
def erase(campaign_id: int):
    campaign, db = campaign_or_404(campaign_id), get_db()
    if not is_confirmed():
        total = invitations.address_summary(db, campaign_id)["total"]
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
    with write_transaction(db):
        count = invitations.erase_addresses(db, campaign_id)
        audit.record("invitations.erase", "campaign", campaign_id, campaign["enterprise_id"], count=count)
    flash(_("E-mail addresses deleted: %(num)d.", num=count))
    return _back(campaign_id)
