"""Open data: an enterprise's indicators as JSON and CSV (documented in docs/api.md).

Session-authenticated and scoped like every back-office page: a signed-out caller gets 401, a
manager of another enterprise 404. A suppressed cell keeps its keys and a reason code
("suppressed": "min_group_size") but no figure at all. Figures have one decimal at most
(core/published.py); the favourable share is a percentage, and the trend's p-value is not served
(its decimals would carry the exact means; `delta_significant` says whether p < 0.05). CSV text
cells that a spreadsheet would run as a formula are neutralised.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

from flask import Blueprint, Response, current_app, g, jsonify
from sqlite_utils import Database

from survey_app.accounts.guards import refuse_interviewer
from survey_app.accounts.scoping import enterprise_or_404
from survey_app.core.published import api_figure
from survey_app.domain import response_rates
from survey_app.questionnaire.model import translate
from survey_app.results.exports import neutralise
from survey_app.web.db import get_db
from survey_app.web.i18n import current_language

bp = Blueprint("api", __name__, url_prefix="/api")
# The figures of a wave, then the comparisons the pipeline derives (trend, benchmark).
SCORES = ("mean", "ci_low", "ci_high", "delta", "bench_median", "bench_q1", "bench_q3", "bench_percentile")
COUNTS = ("n", "previous_campaign_id", "bench_peers")
FIGURES = (
    "n",
    "mean",
    "ci_low",
    "ci_high",
    "favourable_percent",
    "previous_campaign_id",
    "delta",
    "delta_significant",
    "bench_peers",
    "bench_median",
    "bench_q1",
    "bench_q3",
    "bench_percentile",
)
KEYS = ("campaign_id", "campaign_title", "stakeholder_group", "closes_at", "kind", "key", "label")
CSV_COLUMNS = (*KEYS, "suppressed", *FIGURES)


@bp.before_request
def require_session():
    # An API client wants a status code, not the sign-in page.
    if g.user is None:
        return jsonify({"error": "sign_in_required"}), 401
    refuse_interviewer()
    return None


@bp.errorhandler(404)
def not_found(_error):
    # Same answer for an enterprise that does not exist and one the user may not see.
    return jsonify({"error": "not_found"}), 404


def records(db: Database, enterprise_id: int, language: str) -> Iterator[dict[str, Any]]:
    """One record per stored cell; suppressed cells carry the reason code and no figures."""
    framework = current_app.extensions["vises.registry"].framework
    labels = {
        **{("dimension", d.id): d.label for d in framework.dimensions},
        **{("indicator", i.id): i.label for i in framework.indicators},
    }
    for row in db.query(
        "SELECT v.*, c.title AS campaign_title, c.closes_at FROM indicator_value v "
        "JOIN campaign c ON c.id = v.campaign_id WHERE v.enterprise_id = ? "
        "ORDER BY c.closes_at, v.campaign_id, v.kind, v.key",
        [enterprise_id],
    ):
        label = labels.get((row["kind"], row["key"]))
        record = {k: row[k] for k in KEYS if k != "label"}
        record["label"] = translate(label, language) if label else row["key"]
        if row["suppressed"]:
            record["suppressed"] = row["suppression_reason"] or "min_group_size"
        else:
            record.update(published(row))
        yield record


def campaign_records(db: Database, enterprise_id: int) -> list[dict[str, Any]]:
    """Each campaign with its response rate (survey_app.domain.response_rates: shares 0-1)."""
    campaigns = list(
        db.query(
            "SELECT id, title, stakeholder_group, closes_at, expected_population FROM campaign "
            "WHERE enterprise_id = ? ORDER BY closes_at, id",
            [enterprise_id],
        )
    )
    rates = response_rates.for_campaigns(db, campaigns)
    return [
        {
            "campaign_id": c["id"],
            "campaign_title": c["title"],
            "stakeholder_group": c["stakeholder_group"],
            "closes_at": c["closes_at"],
            "submitted": (rate := rates[c["id"]]).submitted,
            "personal_links_handed_out": rate.links_handed_out,
            "submitted_personal": rate.personal_submitted,
            "expected_population": rate.expected,
            "submitted_open": rate.open_submitted,
            "response_rate": _share(rate.combined),
            "response_rate_personal": _share(rate.personal),
            "response_rate_open": _share(rate.open),
        }
        for c in campaigns
    ]


def _share(value: float | None) -> float | None:
    return None if value is None else round(value, 3)  # 0.1 %, as printed on the pages


def published(row: dict[str, Any]) -> dict[str, Any]:
    """The figures of a shown cell as served: one decimal at most, counts as they are."""
    share = row["favourable_share"]
    figures = {
        **{k: row[k] for k in COUNTS},
        **{k: api_figure(row[k]) for k in SCORES},
        "favourable_percent": None if share is None else api_figure(100 * share),
        "delta_significant": None if row["delta_significant"] is None else bool(row["delta_significant"]),
    }
    return {k: figures[k] for k in FIGURES}


@bp.get("/enterprises/<int:enterprise_id>/indicators.json")
def indicators_json(enterprise_id: int):
    enterprise = enterprise_or_404(enterprise_id)
    db = get_db()
    rows = list(records(db, enterprise_id, current_language()))
    return jsonify(
        {
            "enterprise": {
                "id": enterprise["id"],
                "name": enterprise["name"],
                "sector_group": enterprise["sector_group"],
            },
            "min_group_size": current_app.config["SETTINGS"]["privacy.min_group_size"],
            "campaigns": campaign_records(db, enterprise_id),
            "indicators": rows,
        }
    )


@bp.get("/enterprises/<int:enterprise_id>/indicators.csv")
def indicators_csv(enterprise_id: int):
    enterprise = enterprise_or_404(enterprise_id)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, CSV_COLUMNS, extrasaction="ignore", lineterminator="\r\n")
    writer.writeheader()
    for record in records(get_db(), enterprise_id, current_language()):
        writer.writerow({k: neutralise(v) for k, v in record.items()})
    response = Response("\ufeff" + buffer.getvalue(), mimetype="text/csv")  # BOM: Excel reads UTF-8
    response.headers["Content-Disposition"] = f"attachment; filename=indicators-{enterprise['slug']}.csv"
    return response
