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
from flask_babel import force_locale
from flask_babel import gettext as _

from survey_app.accounts.guards import login_required
from survey_app.accounts.scoping import campaign_or_404
from survey_app.backoffice.forms import LinksForm, OpenLinkForm, RevokeForm
from survey_app.backoffice.kiosks import reach_context
from survey_app.backoffice.qr import qr_png, qr_svg
from survey_app.core.timeutil import now_utc
from survey_app.domain import campaigns as store
from survey_app.storage.db import connect, write_transaction
from survey_app.web.db import get_db
from survey_app.web.forms import required

bp = Blueprint("links", __name__, url_prefix="/campaigns/<int:campaign_id>/links")
CARDS_PER_SHEET = 48  # six A4 pages of eight cards: a print job of a sensible size


def _base_url() -> str:
    return current_app.config["SETTINGS"]["server.base_url"]


def _back(campaign_id: int):
    return redirect(url_for(".index", campaign_id=campaign_id), code=303)


def card_sentences(campaign: dict) -> list[tuple[str, str]]:
    """The invitation sentence in each of the campaign's languages (not the manager's language)."""
    sentences = []
    for lang in store.languages_of(campaign):
        with force_locale(lang):
            sentences.append(
                (
                    lang,
                    _(
                        "Scan the code with your phone to give your opinion. It takes "
                        "about five minutes and your answers are anonymous."
                    ),
                )
            )
    return sentences


@bp.route("/")
@login_required
def index(campaign_id: int):
    campaign, db = campaign_or_404(campaign_id), get_db()
    issued, revoked = db.execute(
        "SELECT count(*), count(revoked_at) FROM invitation WHERE campaign_id = ?", [campaign_id]
    ).fetchone()
    return render_template(
        "backoffice/links.html",
        campaign=campaign,
        issued=issued,
        revoked=revoked,
        links_form=LinksForm(),
        revoke_form=RevokeForm(),
        open_form=OpenLinkForm(enabled=not campaign["open_link_enabled"]),
        open_url=store.open_link(_base_url(), campaign["open_token"]),
        sheets=range(1, (issued - revoked + CARDS_PER_SHEET - 1) // CARDS_PER_SHEET + 1),
        **reach_context(db, campaign),
    )


@bp.route("/generate", methods=["POST"])
@login_required
def generate(campaign_id: int):
    campaign_or_404(campaign_id)
    form, db = LinksForm(), get_db()
    if form.validate_on_submit():
        with write_transaction(db):
            store.generate_links(db, campaign_id, required(form.count.data), now_utc())
        flash(_("Personal links created: %(num)d.", num=form.count.data))
    else:
        flash(_("Give a number of links between 1 and %(max)d.", max=store.MAX_LINKS_AT_ONCE), "error")
    return _back(campaign_id)


@bp.route("/revoke", methods=["POST"])
@login_required
def revoke(campaign_id: int):
    campaign_or_404(campaign_id)
    form = RevokeForm()
    if form.validate_on_submit():
        count, unknown = store.revoke_links(
            get_db(), campaign_id, required(form.codes.data).replace(",", " ").split(), now_utc()
        )
        flash(_("Links revoked: %(num)d.", num=count))
        if unknown:
            flash(_("Unknown codes for this campaign: %(codes)s", codes=", ".join(unknown)), "error")
    return _back(campaign_id)


@bp.route("/open-link", methods=["POST"])
@login_required
def open_link(campaign_id: int):
    campaign_or_404(campaign_id)
    form = OpenLinkForm()
    if form.validate_on_submit():
        store.set_open_link(get_db(), campaign_id, form.enabled.data == "1")
        flash(_("The open link is on.") if form.enabled.data == "1" else _("The open link is off."))
    return _back(campaign_id)


@bp.route("/links.csv")
@login_required
def download_csv(campaign_id: int):
    campaign_or_404(campaign_id)
    base_url = _base_url()

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
    campaign_or_404(campaign_id)
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
    sheet = max(request.args.get("sheet", 1, type=int) or 1, 1)
    rows = (
        get_db()
        .execute(
            "SELECT token, short_code FROM invitation WHERE campaign_id = ? AND revoked_at IS NULL "
            "AND submitted_on IS NULL ORDER BY id LIMIT ? OFFSET ?",
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
    return render_template("backoffice/cards.html", campaign=campaign, cards=cards, sentences=card_sentences(campaign))


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
    )
