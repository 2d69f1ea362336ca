"""Printable paper questionnaires of a campaign (blueprint "paper"): per language, an open version
with an empty code box, and versions carrying the short codes of unused personal links (one form
per link, a sheet of links at a time). Their answers are typed in on the entry screen.
"""

from __future__ import annotations

from flask import Blueprint, abort, request, send_file
from flask_babel import force_locale

from survey_app.accounts.guards import login_required, require_sign_in
from survey_app.accounts.scoping import campaign_or_404
from survey_app.assisted import paper_pdf
from survey_app.assisted.paper_content import paper_questionnaire
from survey_app.domain.campaigns import languages_of
from survey_app.respondent.links import campaign_questionnaire
from survey_app.web.converters import SQLITE_MAX, bounded_arg
from survey_app.web.db import get_db

bp = Blueprint("paper", __name__, url_prefix="/admin/campaigns/<int:campaign_id>/paper")
bp.before_request(require_sign_in)
FORMS_PER_SHEET = 20  # personal forms per download: a print job of a sensible size


def _labels(campaign: dict, language: str):
    questionnaire = campaign_questionnaire(campaign)
    if questionnaire is None or language not in languages_of(campaign):
        abort(404)
    with force_locale(language):
        return paper_questionnaire(questionnaire, language, campaign["enterprise_name"])


def _send(document, name: str):
    return send_file(document, mimetype="application/pdf", as_attachment=True, download_name=name)


@bp.get("/<language>.pdf")
@login_required
def blank(campaign_id: int, language: str):
    campaign = campaign_or_404(campaign_id)
    document = paper_pdf.build(_labels(campaign, language))
    return _send(document, f"campaign-{campaign_id}-paper-{language}.pdf")


@bp.get("/<language>/cards.pdf")
@login_required
def personal(campaign_id: int, language: str):
    """Forms for the unrevoked personal links, FORMS_PER_SHEET per sheet (?sheet=2...).

    Answered links are printed too, like the printable cards: a list that left them out would tell
    the manager who has answered (docs/security.md, "no differencing"). A used code is refused when
    its paper answers are typed in."""
    campaign = campaign_or_404(campaign_id)
    labels = _labels(campaign, language)
    sheet = bounded_arg(request.args.get("sheet", type=int), 1, high=SQLITE_MAX // FORMS_PER_SHEET)
    codes = [
        row[0]
        for row in get_db().execute(
            "SELECT short_code FROM invitation WHERE campaign_id = ? AND revoked_at IS NULL "
            "ORDER BY id LIMIT ? OFFSET ?",
            [campaign_id, FORMS_PER_SHEET, (sheet - 1) * FORMS_PER_SHEET],
        )
    ]
    if not codes:
        abort(404)
    return _send(paper_pdf.build(labels, codes), f"campaign-{campaign_id}-paper-{language}-{sheet}.pdf")
