"""Federation view (admins only): every enterprise with its latest wave and response rate, and
indicator means per sector group; the run log and "refresh now" live at /admin/runs.

Means per sector group average each enterprise's latest shown (non-suppressed) value, so every
figure behind them already rests on at least min_group_size respondents.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from flask import Blueprint, render_template, url_for
from flask_babel import ngettext
from sqlite_utils import Database

from survey_app.accounts.guards import admin_required, require_sign_in
from survey_app.core.groups import SECTOR_GROUPS, STAKEHOLDER_GROUPS, group_label, sector_label
from survey_app.domain import response_rates
from survey_app.questionnaire.model import translate
from survey_app.results import published_scores, words
from survey_app.results.data import freshness
from survey_app.web.db import get_db
from survey_app.web.i18n import current_language

bp = Blueprint("federation", __name__, url_prefix="/admin/federation")


bp.before_request(require_sign_in)


def enterprise_rows(db: Database, language: str) -> list[dict[str, str]]:
    """One line per enterprise: latest wave (by closing date), its response rate, all responses."""
    rows = list(
        db.query(
            "SELECT e.id, e.name, e.sector_group, c.id AS campaign_id, c.expected_population, c.title, c.closes_at, "
            "(SELECT COUNT(*) FROM response r JOIN campaign c2 ON c2.id = r.campaign_id "
            " WHERE c2.enterprise_id = e.id) AS responses "
            "FROM enterprise e LEFT JOIN campaign c ON c.id = (SELECT id FROM campaign WHERE enterprise_id = e.id "
            " ORDER BY closes_at DESC, id DESC LIMIT 1) ORDER BY e.name"
        )
    )
    latest = [{"id": r["campaign_id"], "expected_population": r["expected_population"]} for r in rows if r["title"]]
    rates = response_rates.for_campaigns(db, latest)
    return [
        {
            "name": r["name"],
            "sector": sector_label(r["sector_group"], language),
            "url": url_for("dashboard.view", enterprise_id=r["id"]),
            "last_wave": r["title"] or "–",
            "rate": words.response_rate(rates[r["campaign_id"]]).combined if r["title"] else "–",
            "responses": words.count(r["responses"]),
        }
        for r in rows
    ]


def sector_means(db: Database, framework, language: str) -> list[dict[str, Any]]:
    """Per stakeholder group, a table: indicator x sector group -> mean over enterprises (and how many)."""
    values: dict[tuple[str, str, str], list[float]] = defaultdict(list)
    for row in db.query(
        "SELECT e.sector_group, v.stakeholder_group, v.key, v.mean FROM indicator_value v "
        "JOIN enterprise e ON e.id = v.enterprise_id JOIN campaign c ON c.id = v.campaign_id "
        "WHERE v.kind = 'indicator' AND v.suppressed = 0 AND c.closes_at = (SELECT MAX(c2.closes_at) "
        " FROM campaign c2 JOIN indicator_value v2 ON v2.campaign_id = c2.id AND v2.kind = 'indicator' "
        " AND v2.key = v.key AND v2.suppressed = 0 WHERE c2.enterprise_id = v.enterprise_id "
        " AND c2.stakeholder_group = v.stakeholder_group)"
    ):
        values[(row["stakeholder_group"], row["key"], row["sector_group"])].append(row["mean"])
    tables = []
    for group in STAKEHOLDER_GROUPS:
        lines = []
        for indicator in framework.indicators:
            cells = [values.get((group, indicator.id, sector), []) for sector in SECTOR_GROUPS]
            if any(cells):
                lines.append(
                    {
                        "label": translate(indicator.label, language),
                        "cells": [
                            ngettext(
                                "%(mean)s (%(num)d enterprise)",
                                "%(mean)s (%(num)d enterprises)",
                                len(c),
                                mean=words.score(sum(c) / len(c)),
                            )
                            if c
                            else "–"
                            for c in cells
                        ],
                    }
                )
        if lines:
            tables.append({"group": group, "label": group_label(group, language), "lines": lines})
    return tables


@bp.get("/")
@admin_required
def index():
    db, language = get_db(), current_language()
    framework = published_scores.results_framework()
    last = db.execute("SELECT status FROM pipeline_run ORDER BY id DESC LIMIT 1").fetchone()
    return render_template(
        "federation/index.html",
        enterprises=enterprise_rows(db, language),
        freshness=freshness(db),
        last_failed=bool(last and last[0] == "failed"),
        sectors=[sector_label(s, language) for s in SECTOR_GROUPS],
        tables=sector_means(db, framework, language),
        runs_url=url_for("runs.index"),
        refresh_url=url_for("runs.refresh"),
    )
