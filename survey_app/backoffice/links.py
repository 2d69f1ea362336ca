"""Personal and open links of a campaign: generate, download (CSV, printable QR cards), poster,
revoke. Every change is a POST; downloads and sheets only read."""

from __future__ import annotations

import csv
import io
import tempfile
import zipfile

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    stream_with_context,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext

from survey_app.accounts import audit
from survey_app.accounts.guards import login_required
from survey_app.accounts.scoping import campaign_or_404
from survey_app.backoffice.card_texts import card_sentences, code_sentences
from survey_app.backoffice.confirm import confirmation_page, is_confirmed
from survey_app.backoffice.forms import LinksForm, OpenLinkForm, RevokeForm
from survey_app.backoffice.kiosks import reach_context
from survey_app.backoffice.qr import qr_png, qr_svg
from survey_app.core.timeutil import now_utc
from survey_app.domain import campaigns as store
from survey_app.domain.campaigns import MAX_LINKS_AT_ONCE
from survey_app.storage.db import connect, write_transaction
from survey_app.web.converters import bounded_arg
from survey_app.web.db import get_db
from survey_app.web.forms import required

bp = Blueprint("links", __name__, url_prefix="/campaigns/<int:campaign_id>/links")
CARDS_PER_SHEET = 48  # six A4 pages of eight cards: a print job of a sensible size


def _base_url() -> str:
    return current_app.config["SETTINGS"]["server.base_url"]


def _back(campaign_id: int):
    return redirect(url_for(".index", campaign_id=campaign_id), code=303)


def _page(campaign: dict, links_form: LinksForm | None = None, revoke_form: RevokeForm | None = None):
    """The links page; a form that failed validation is shown again with its errors (and the summary)."""
    issued, revoked = (
        get_db()
        .execute("SELECT count(*), count(revoked_at) FROM invitation WHERE campaign_id = ?", [campaign["id"]])
        .fetchone()
    )
    return render_template(
        "backoffice/links.html",
        campaign=campaign,
        issued=issued,
        revoked=revoked,
        links_form=links_form or LinksForm(formdata=None),
        revoke_form=revoke_form or RevokeForm(formdata=None),
        open_form=OpenLinkForm(enabled=not campaign["open_link_enabled"]),
        open_url=store.open_link(_base_url(), campaign["open_token"]),
        sheets=range(1, (issued - revoked + CARDS_PER_SHEET - 1) // CARDS_PER_SHEET + 1),
        **reach_context(get_db(), campaign),
    )


@bp.route("/")
@login_required
def index(campaign_id: int):
    return _page(campaign_or_404(campaign_id))


@bp.route("/generate", methods=["POST"])
@login_required
def generate(campaign_id: int):
    campaign = campaign_or_404(campaign_id)
    form, db = LinksForm(), get_db()
    if not form.validate_on_submit():
        return _page(campaign, links_form=form)
    with write_transaction(db):
        store.generate_links(db, campaign_id, required(form.count.data), now_utc())
        audit.record("links.generate", "campaign", campaign_id, campaign["enterprise_id"], count=form.count.data)
    flash(_("Personal links created: %(num)d.", num=form.count.data))
    return _back(campaign_id)


@bp.route("/revoke", methods=["POST"])
@login_required
def revoke(campaign_id: int):
    campaign = campaign_or_404(campaign_id)
    form = RevokeForm()
    if not form.validate_on_submit():
        return _page(campaign, revoke_form=form)
    typed = required(form.codes.data).replace(",", " ").split()
    known, unknown = store.known_codes(get_db(), campaign_id, typed)
    if not known:
        form.codes.errors = [_("None of these codes is a link of this campaign: %(codes)s", codes=", ".join(unknown))]
        return _page(campaign, revoke_form=form)
    if not is_confirmed():
        lines = [
            ngettext(
                "%(num)d link will stop working at once: %(codes)s.",
                "%(num)d links will stop working at once: %(codes)s.",
                len(known),
                codes=", ".join(known),
            )
        ]
        if unknown:
            lines.append(_("Unknown codes for this campaign: %(codes)s", codes=", ".join(unknown)))
        back = url_for(".index", campaign_id=campaign_id)
        carry = {"codes": form.codes.data or ""}
        return confirmation_page(_("Revoke these links?"), lines, _("Yes, revoke the links"), back, carry)
    db = get_db()
    with write_transaction(db):
        count, unknown = store.revoke_links(db, campaign_id, typed, now_utc())
        audit.record("links.revoke", "campaign", campaign_id, campaign["enterprise_id"], count=count)
    flash(_("Links revoked: %(num)d.", num=count))
    if unknown:
        flash(_("Unknown codes for this campaign: %(codes)s", codes=", ".join(unknown)), "error")
    return _back(campaign_id)


@bp.route("/open-link", methods=["POST"])
@login_required
def open_link(campaign_id: int):
    campaign = campaign_or_404(campaign_id)
    form, db = OpenLinkForm(), get_db()
    if form.validate_on_submit():
        with write_transaction(db):
            store.set_open_link(db, campaign_id, form.enabled.data == "1")
            audit.record(
                "links.open_link", "campaign", campaign_id, campaign["enterprise_id"], enabled=form.enabled.data == "1"
            )
        flash(_("The open link is on.") if form.enabled.data == "1" else _("The open link is off."))
    return _back(campaign_id)


@bp.route("/links.csv")
@login_required
def download_csv(campaign_id: int):
    campaign = campaign_or_404(campaign_id)
    base_url = _base_url()
    audit.record("links.download_csv", "campaign", campaign_id, campaign["enterprise_id"])

    def generate():
        # Its own connection: the request's one is closed at teardown, before streaming ends.
        db = connect(current_app.config["SETTINGS"]["database.path"])
        rows = db.execute(
            "SELECT token, short_code FROM invitation WHERE campaign_id = ? AND revoked_at IS NULL ORDER BY id",
            [campaign_id],
        )
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(["link", "short_code", "qr_image"])
        for token, code in rows:
            writer.writerow([store.personal_link(base_url, token), code, f"qr-{code}.png"])
            if buffer.tell() > 65536:
                yield buffer.getvalue()
                buffer.seek(0), buffer.truncate()
        yield buffer.getvalue()
        db.close()

    return Response(
        stream_with_context(generate()),
        mimetype="text/csv",
        headers={"Content-Disposition": f"attachment; filename=campaign-{campaign_id}-links.csv"},
    )


@bp.route("/qr-codes.zip")
@login_required
def download_qr(campaign_id: int):
    """One PNG per active link, named as in the CSV's qr_image column."""
    campaign = campaign_or_404(campaign_id)
    audit.record("links.download_qr", "campaign", campaign_id, campaign["enterprise_id"])
    rows = (
        get_db()
        .execute(
            "SELECT token, short_code FROM invitation WHERE campaign_id = ? AND revoked_at IS NULL ORDER BY id",
            [campaign_id],
        )
        .fetchall()
    )
    # Spooled: small archives stay in memory, 10,000 codes (~5 MB) go to a temporary file.
    archive = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 (streamed, closed by Flask)
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_STORED) as bundle:  # PNGs are compressed already
        for token, code in rows:
            bundle.writestr(f"qr-{code}.png", qr_png(store.personal_link(_base_url(), token)))
    archive.seek(0)
    return send_file(
        archive, mimetype="application/zip", as_attachment=True, download_name=f"campaign-{campaign_id}-qr-codes.zip"
    )


@bp.route("/cards")
@login_required
def cards(campaign_id: int):
    campaign = campaign_or_404(campaign_id)
    sheet = bounded_arg(request.args.get("sheet", type=int), 1, high=MAX_LINKS_AT_ONCE)  # an OFFSET SQLite can take
    rows = (
        get_db()
        .execute(
            # Every valid link, answered or not: a sheet listing only unanswered links would tell
            # the manager who handed out a card whether that person answered.
            "SELECT token, short_code FROM invitation WHERE campaign_id = ? AND revoked_at IS NULL "
            "ORDER BY id LIMIT ? OFFSET ?",
            [campaign_id, CARDS_PER_SHEET, (sheet - 1) * CARDS_PER_SHEET],
        )
        .fetchall()
    )
    cards = [
        {
            "code": code,
            "url": store.personal_link(_base_url(), token),
            "qr": qr_svg(store.personal_link(_base_url(), token), title=code),
        }
        for token, code in rows
    ]
    return render_template(
        "backoffice/cards.html",
        campaign=campaign,
        cards=cards,
        sentences=card_sentences(campaign),
        code_sentences=code_sentences(campaign),
    )


@bp.route("/poster")
@login_required
def poster(campaign_id: int):
    campaign = campaign_or_404(campaign_id)
    url = store.open_link(_base_url(), campaign["open_token"])
    return render_template(
        "backoffice/poster.html",
        campaign=campaign,
        url=url,
        qr=qr_svg(url, scale=10),
        sentences=card_sentences(campaign),
        code_sentences=code_sentences(campaign),
    )
