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

from pipeline.paired import MIN_CHANGE
from survey_app.accounts.guards import refuse_interviewer
from survey_app.accounts.scoping import enterprise_or_404
from survey_app.core.published import api_figure, on_scale
from survey_app.domain import response_rates
from survey_app.domain.benchmarks import with_benchmarks
from survey_app.questionnaire.model import translate
from survey_app.questionnaire.scoring import Scoring
from survey_app.results import distance, published_scores
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
# A validated instrument's published score (docs/api.md): flat in CSV, one object in JSON.
SCORE_COLUMNS = ("score_name", "score_low", "score_high", "score_mean", "score_ci_low", "score_ci_high",
                 "score_bands", "score_net")  # fmt: skip
CSV_COLUMNS = (*KEYS, "suppressed", *FIGURES, *SCORE_COLUMNS)


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
    framework = published_scores.results_framework()
    scorings: dict[int, dict[str, Scoring]] = {}
    labels = {
        **{("dimension", d.id): d.label for d in framework.dimensions},
        **{("indicator", i.id): i.label for i in framework.indicators},
    }
    rows = db.query(
        "SELECT v.*, c.title AS campaign_title, c.closes_at, c.instruments FROM indicator_value v "
        "JOIN campaign c ON c.id = v.campaign_id WHERE v.enterprise_id = ? "
        "ORDER BY c.closes_at, v.campaign_id, v.kind, v.key",
        [enterprise_id],
    )
    for row in with_benchmarks(db, list(rows)):
        label = labels.get((row["kind"], row["key"]))
        record = {k: row[k] for k in KEYS if k != "label"}
        record["label"] = translate(label, language) if label else row["key"]
        if row["suppressed"]:
            record["suppressed"] = row["suppression_reason"] or "min_group_size"
        else:
            record.update(published(row))
            if row["kind"] == "indicator" and row["published_mean"] is not None:
                if row["campaign_id"] not in scorings:
                    scorings[row["campaign_id"]] = {s.indicator: s for s in published_scores.scorings_of(row)}
                scoring = scorings[row["campaign_id"]].get(row["key"])
                if scoring is not None:
                    record["published_score"] = published_score(db, row, scoring, language)
        yield record


def published_score(db: Database, row: dict[str, Any], scoring: Scoring, language: str) -> dict[str, Any]:
    """A validated instrument's published score: name, range, mean and interval (one decimal more
    than a hundredth of the range at most), band percentages and the net score where declared."""
    shares = published_scores.bands_of(db, row["campaign_id"]).get(row["key"], {})
    net = published_scores.net_score(scoring, shares)
    return {
        "name": published_scores.score_name(scoring, row["key"], language),
        "low": scoring.low,
        "high": scoring.high,
        "higher_is_better": scoring.higher_is_better,
        **{
            k: on_scale(row[f"published_{k}"], scoring.low, scoring.high, api=True)
            for k in ("mean", "ci_low", "ci_high")
        },
        "bands": [
            {"band": b.id, "label": translate(b.label, language), "percent": api_figure(100 * shares.get(b.id, 0.0))}
            for b in scoring.bands
        ],
        "net_score": api_figure(net),
    }


def csv_row(record: dict[str, Any]) -> dict[str, Any]:
    """A record as a CSV line: the published score flattened into its own columns."""
    flat = {k: v for k, v in record.items() if k != "published_score"}
    score = record.get("published_score")
    if score:
        flat.update({f"score_{k}": score[k] for k in ("name", "low", "high", "mean", "ci_low", "ci_high")})
        flat["score_bands"] = "; ".join(f"{b['band']} {b['percent']}%" for b in score["bands"])
        flat["score_net"] = score["net_score"]
    return flat


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
        writer.writerow({k: neutralise(v) for k, v in csv_row(record).items()})
    response = Response("\ufeff" + buffer.getvalue(), mimetype="text/csv")  # BOM: Excel reads UTF-8
    response.headers["Content-Disposition"] = f"attachment; filename=indicators-{enterprise['slug']}.csv"
    return response


@bp.get("/enterprises/<int:enterprise_id>/distance.json")
def distance_json(enterprise_id: int):
    """Distance travelled (paired results of follow-up series); see docs/api.md."""
    enterprise = enterprise_or_404(enterprise_id)
    return jsonify(
        {
            "enterprise": {"id": enterprise["id"], "name": enterprise["name"]},
            "min_group_size": current_app.config["SETTINGS"]["privacy.min_group_size"],
            "minimum_change": MIN_CHANGE,
            "paired": distance.api_records(get_db(), enterprise_id, current_language()),
        }
    )
