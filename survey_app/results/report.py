"""Valorisation report: one printable page per enterprise and wave, in FR, NL or EN (?lang=),
and the same content as a PDF (report_pdf.py).

The page is its own HTML document (no back-office navigation) with a print stylesheet: A4,
charts and tables never cut across pages. Hidden testimonies are left out here, and only here.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, render_template, send_file, url_for
from flask_babel import format_date
from flask_babel import gettext as _

from survey_app.accounts.guards import login_required, require_sign_in
from survey_app.accounts.scoping import enterprise_or_404
from survey_app.core.groups import group_label
from survey_app.core.timeutil import to_local
from survey_app.results import data, methodology, words
from survey_app.web.db import get_db
from survey_app.web.i18n import current_language, offered_languages

bp = Blueprint("report", __name__, url_prefix="/admin/enterprises/<int:enterprise_id>/report")


bp.before_request(require_sign_in)


def campaign_of(enterprise_id: int, campaign_id: int) -> dict[str, Any]:
    """The campaign, only if it belongs to this (already scoped) enterprise and has results."""
    found = [c for c in data.campaigns_of(get_db(), enterprise_id) if c["id"] == campaign_id]
    if not found:
        abort(404)
    return found[0]


def method_summary(campaign: dict[str, Any]) -> str:
    opens = format_date(to_local(campaign["opens_at"], campaign["timezone"]).date(), "long")
    closes = format_date(to_local(campaign["closes_at"], campaign["timezone"]).date(), "long")
    return _(
        "%(group)s of the enterprise were invited to answer a short questionnaire between %(opens)s and "
        "%(closes)s. %(submitted)s people answered (response rate: %(rate)s). Each answer becomes a score "
        "from 0 (least favourable) to 100 (most favourable); figures based on fewer than %(min)d people "
        "are never shown, to protect anonymity.",
        group=group_label(campaign["stakeholder_group"], current_language()),
        opens=opens,
        closes=closes,
        submitted=campaign["submitted"] or 0,
        rate=words.response_rate(campaign),
        min=current_app.config["SETTINGS"]["privacy.min_group_size"],
    )


def report_context(enterprise: dict[str, Any], campaign: dict[str, Any], fmt: str) -> dict[str, Any]:
    """Everything the HTML page and the PDF show, in the current language."""
    db, language = get_db(), current_language()
    specs = data.chart_specs(db, enterprise["id"], language)
    section = data.wave_section(db, enterprise, campaign, language, specs, fmt, hidden_quotes=False)
    trend = data.chart(specs, enterprise["id"], f"trends-{campaign['stakeholder_group']}", language, fmt)
    settings = current_app.config["SETTINGS"]
    return {
        "enterprise": enterprise,
        "campaign": campaign,
        "section": section,
        "trend": trend,
        "summary": method_summary(campaign),
        "freshness": data.freshness(db),
        "language": language,
        "methodology": methodology.sections(settings["privacy.min_group_size"], settings["privacy.min_peers"]),
        "languages": [
            (code, url_for("report.view", enterprise_id=enterprise["id"], campaign_id=campaign["id"], lang=code))
            for code in offered_languages()
        ],
        "pdf_url": url_for("report.pdf", enterprise_id=enterprise["id"], campaign_id=campaign["id"], lang=language),
        "dashboard_url": url_for("dashboard.view", enterprise_id=enterprise["id"]),
    }


@bp.get("/<int:campaign_id>")
@login_required
def view(enterprise_id: int, campaign_id: int):
    enterprise = enterprise_or_404(enterprise_id)
    context = report_context(enterprise, campaign_of(enterprise_id, campaign_id), "svg")
    return render_template("report/report.html", **context)


@bp.get("/<int:campaign_id>.pdf")
@login_required
def pdf(enterprise_id: int, campaign_id: int):
    enterprise = enterprise_or_404(enterprise_id)
    context = report_context(enterprise, campaign_of(enterprise_id, campaign_id), "png")
    from survey_app.results import report_pdf  # fpdf and matplotlib's fonts: only for a PDF

    document = report_pdf.build(context, current_app.config["SETTINGS"], get_db())
    name = f"report-{enterprise['slug']}-{campaign_id}-{context['language']}.pdf"
    return send_file(document, mimetype="application/pdf", as_attachment=True, download_name=name)
