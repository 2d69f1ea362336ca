"""Valorisation report: one printable page per enterprise and wave, in FR, NL or EN (?lang=),
and the same content as a PDF (report_pdf.py), on A4 or Letter paper (?paper=letter).

The page is its own HTML document (no back-office navigation) with a print stylesheet: A4,
charts and tables never cut across pages. Hidden testimonies are left out here, and only here.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from flask import Blueprint, abort, current_app, render_template, request, send_file, url_for
from flask_babel import gettext as _
from sqlite_utils import Database

from survey_app.accounts.guards import login_required, require_sign_in
from survey_app.accounts.scoping import enterprise_or_404
from survey_app.core.groups import group_label
from survey_app.core.timeutil import to_local
from survey_app.core.typography import long_date
from survey_app.results import data, distance, headlines, methodology, published_scores, words
from survey_app.results import labels as result_labels
from survey_app.results.channel_page import share_sentence
from survey_app.results.paper_sizes import PAPERS
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


def dates_of(campaign: dict[str, Any]) -> tuple[date, date]:
    """First and last day of the survey, in the campaign's timezone (closed early: that day)."""
    ends = [campaign["closes_at"], *([campaign["closed_at"]] if campaign["closed_at"] else [])]
    tz = campaign["timezone"]
    return to_local(campaign["opens_at"], tz).date(), to_local(min(ends), tz).date()


def period(campaign: dict[str, Any], language: str) -> str:
    opens, closes = dates_of(campaign)
    return _(
        "Survey conducted from %(start)s to %(end)s.", start=long_date(opens, language), end=long_date(closes, language)
    )


def computed_on(db: Database, language: str) -> str | None:
    """The day the figures shown were computed (the last successful run), in the configured timezone."""
    row = db.execute("SELECT max(finished_at) FROM pipeline_run WHERE status = 'success'").fetchone()
    if row is None or row[0] is None:
        return None
    day = to_local(row[0], current_app.config["SETTINGS"]["i18n.timezone"]).date()
    return _("Figures computed on %(date)s.", date=long_date(day, language))


def method_summary(campaign: dict[str, Any], language: str) -> str:
    opens, closes = dates_of(campaign)
    return _(
        "%(group)s of the enterprise were invited to answer a short questionnaire between %(opens)s and "
        "%(closes)s. %(submitted)s people answered (response rate: %(rate)s). Each answer becomes a score "
        "from 0 (least favourable) to 100 (most favourable); figures based on fewer than %(min)d people "
        "are never shown, to protect anonymity.",
        group=group_label(campaign["stakeholder_group"], language),
        opens=long_date(opens, language),
        closes=long_date(closes, language),
        submitted=words.count(campaign["rate"].submitted),
        rate=words.response_rate(campaign["rate"]).combined,
        min=current_app.config["SETTINGS"]["privacy.min_group_size"],
    )


def by_question(quotes: list[dict[str, Any]], campaign: dict[str, Any], language: str) -> list[dict[str, Any]]:
    """Quotes grouped under the question they answer, questions in the questionnaire's order."""
    questions = result_labels.for_campaign(campaign)
    order = {result_labels.question_label(questions, qid, language): index for index, qid in enumerate(questions)}
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for quote in quotes:
        groups[quote["question"]].append(quote)
    ordered = sorted(groups.items(), key=lambda item: order.get(item[0], len(order)))
    return [{"question": question, "quotes": found} for question, found in ordered]


def report_context(enterprise: dict[str, Any], campaign: dict[str, Any], fmt: str) -> dict[str, Any]:
    """Everything the HTML page and the PDF show, in the current language."""
    db, language = get_db(), current_language()
    specs = data.chart_specs(db, enterprise["id"], language)
    section = data.wave_section(db, enterprise, campaign, language, specs, fmt, hidden_quotes=False)
    trend = data.chart(specs, enterprise["id"], f"trends-{campaign['stakeholder_group']}", language, fmt)
    settings = current_app.config["SETTINGS"]
    link = {"enterprise_id": enterprise["id"], "campaign_id": campaign["id"]}
    return {
        "enterprise": enterprise,
        "campaign": campaign,
        "section": section,
        "trend": trend,
        "headlines": headlines.headlines(section),
        "distance": [
            d for d in distance.sections(db, enterprise["id"], language) if d["to_campaign_id"] == campaign["id"]
        ],
        "testimony_groups": by_question(section["testimonies"], campaign, language),
        "summary": method_summary(campaign, language),
        "period": period(campaign, language),
        "computed_on": computed_on(db, language),
        "freshness": data.freshness(db, enterprise),
        "fewer_than": words.fewer_than(settings["privacy.min_group_size"]),
        "channels": share_sentence(db, campaign["id"]),
        "language": language,
        "methodology": methodology.sections(
            settings["privacy.min_group_size"],
            settings["privacy.min_peers"],
            published_scores.instruments_for(campaign),
        ),
        "languages": [(code, url_for("report.view", **link, lang=code)) for code in offered_languages()],
        "pdf_urls": [(paper, url_for("report.pdf", **link, lang=language, paper=paper)) for paper in PAPERS],
        "pdf_url": url_for("report.pdf", **link, lang=language),
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
    settings = current_app.config["SETTINGS"]
    asked = request.args.get("paper", "")
    paper = asked if asked in PAPERS else settings.report.paper
    context = report_context(enterprise, campaign_of(enterprise_id, campaign_id), "png")
    from survey_app.results import report_pdf  # fpdf and matplotlib's fonts: only for a PDF

    document = report_pdf.build(context, settings, get_db(), paper)
    name = f"report-{enterprise['slug']}-{campaign_id}-{context['language']}.pdf"
    return send_file(document, mimetype="application/pdf", as_attachment=True, download_name=name)
