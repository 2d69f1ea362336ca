"""Open data: an enterprise's indicators as JSON and CSV (documented in docs/api.md).

Session-authenticated and scoped like every back-office page: a signed-out caller gets 401, a
manager of another enterprise 404. A suppressed cell keeps its keys and a reason code
("suppressed": "min_group_size") but no figure at all. CSV text cells that a spreadsheet would
run as a formula are neutralised.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

from flask import Blueprint, Response, current_app, g, jsonify
from sqlite_utils import Database

from pipeline.save import DERIVED_COLUMNS
from survey_app.accounts.guards import refuse_interviewer
from survey_app.accounts.scoping import enterprise_or_404
from survey_app.questionnaire.model import translate
from survey_app.results.exports import neutralise
from survey_app.web.db import get_db
from survey_app.web.i18n import current_language

bp = Blueprint("api", __name__, url_prefix="/api")
# The figures of a wave, then the comparisons the pipeline derives (trend, benchmark).
FIGURES = ("n", "mean", "ci_low", "ci_high", "favourable_share", *DERIVED_COLUMNS)
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
            record.update({k: row[k] for k in FIGURES})
            if record["delta_significant"] is not None:
                record["delta_significant"] = bool(record["delta_significant"])
        yield record


@bp.get("/enterprises/<int:enterprise_id>/indicators.json")
def indicators_json(enterprise_id: int):
    enterprise = enterprise_or_404(enterprise_id)
    rows = list(records(get_db(), enterprise_id, current_language()))
    return jsonify(
        {
            "enterprise": {
                "id": enterprise["id"],
                "name": enterprise["name"],
                "sector_group": enterprise["sector_group"],
            },
            "min_group_size": current_app.config["SETTINGS"]["privacy.min_group_size"],
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
