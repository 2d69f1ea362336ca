"""Read the stored results of one enterprise and shape them for the dashboard and the report.

Only the pipeline's saved tables are read (indicator_value, campaign_summary, custom_result,
testimony): they are already suppressed, so nothing here can reveal a small group. The shapes
returned are plain dicts of text, ready to print.
"""

from __future__ import annotations

import tempfile
import threading
from collections import defaultdict
from pathlib import Path
from typing import Any

from flask import current_app, url_for
from flask_babel import format_datetime
from flask_babel import gettext as _
from sqlite_utils import Database

from pipeline.charts.specs import ChartSpec, load_specs
from survey_app.core.config import Settings
from survey_app.core.groups import STAKEHOLDER_GROUPS, group_label
from survey_app.core.timeutil import iso_utc, now_utc, parse_iso
from survey_app.questionnaire.model import translate
from survey_app.results import labels as result_labels
from survey_app.results import testimonies, words

# matplotlib is not thread-safe (saving goes through the global rcParams) and waitress serves
# with threads: charts drawn on request (pages and PDFs) are drawn one at a time per process.
DRAW_LOCK = threading.Lock()


def settings() -> Settings:
    return current_app.config["SETTINGS"]


def campaigns_of(db: Database, enterprise_id: int) -> list[dict[str, Any]]:
    """Campaigns ordered by closing date, with their summary and whether results exist."""
    return list(
        db.query(
            "SELECT c.*, s.submitted, s.invited, s.expected, s.response_rate, "
            "EXISTS (SELECT 1 FROM indicator_value v WHERE v.campaign_id = c.id) AS has_results "
            "FROM campaign c LEFT JOIN campaign_summary s ON s.campaign_id = c.id "
            "WHERE c.enterprise_id = ? ORDER BY c.closes_at, c.id",
            [enterprise_id],
        )
    )


def values_of(db: Database, campaign_id: int) -> dict[str, dict[str, Any]]:
    return {
        f"{r['kind']}:{r['key']}": r
        for r in db.query("SELECT * FROM indicator_value WHERE campaign_id = ?", [campaign_id])
    }


def freshness(db: Database) -> str | None:
    """'Indicators computed on Monday 3 March at 06:02', in the configured timezone."""
    row = db.execute(
        "SELECT finished_at FROM pipeline_run WHERE status = 'success' ORDER BY id DESC LIMIT 1"
    ).fetchone()
    if row is None or row[0] is None:
        return None
    when = parse_iso(row[0])
    return _(
        "Indicators computed on %(date)s at %(time)s",
        date=format_datetime(when, "EEEE d MMMM y"),
        time=format_datetime(when, "HH:mm"),
    )


def chart_specs(db: Database, enterprise_id: int, language: str) -> dict[str, ChartSpec]:
    """Specs (titles and alt texts) without drawing: images are drawn when their URL is fetched."""
    framework = current_app.extensions["vises.registry"].framework
    specs = load_specs(db, framework, [enterprise_id], {enterprise_id: [language]}, settings().privacy.min_group_size)
    return {s.name: s for s in specs}


def draw_uncached(db: Database, enterprise_id: int, name: str, language: str, fmt: str) -> bytes | None:
    """A chart drawn in memory, for the time before the first successful run (nothing to cache
    it against yet): the response-rate chart already exists for a new enterprise."""
    spec = chart_specs(db, enterprise_id, language).get(name)
    if spec is None:
        return None
    from pipeline.charts.draw import build_figure, save_figure  # matplotlib: only where charts are drawn

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"chart.{fmt}"
        save_figure(build_figure(spec), path, fmt)
        return path.read_bytes()


def chart(
    specs: dict[str, ChartSpec], enterprise_id: int, name: str, language: str, fmt: str = "png"
) -> dict[str, str] | None:
    spec = specs.get(name)
    if spec is None:
        return None
    return {
        "name": name,
        "title": spec.title,
        "alt": spec.alt_text,
        "src": url_for("dashboard.chart", enterprise_id=enterprise_id, language=language, name=name, fmt=fmt),
    }


def indicator_table(values: dict[str, dict[str, Any]], language: str) -> list[dict[str, Any]]:
    """Each dimension followed by its indicators, then the Net Promoter Score rows."""
    framework = current_app.extensions["vises.registry"].framework
    min_group = settings().privacy.min_group_size
    rows = []
    for dimension in framework.dimensions:
        indicators = [i for i in framework.indicators_of(dimension.id) if f"indicator:{i.id}" in values]
        if f"dimension:{dimension.id}" not in values and not indicators:
            continue
        rows.append(
            words.indicator_row(
                values.get(f"dimension:{dimension.id}"), translate(dimension.label, language), "dimension", min_group
            )
        )
        rows += [
            words.indicator_row(values[f"indicator:{i.id}"], translate(i.label, language), "indicator", min_group)
            for i in indicators
        ]
    rows += [
        words.indicator_row(v, _("Net Promoter Score"), "nps", min_group)
        for k, v in sorted(values.items())
        if k.startswith("nps:")
    ]
    return rows


def wave_section(
    db: Database,
    enterprise: dict[str, Any],
    campaign: dict[str, Any],
    language: str,
    specs: dict[str, ChartSpec],
    fmt: str = "png",
    hidden_quotes: bool = True,
) -> dict[str, Any]:
    """Everything shown about one wave of one stakeholder group (the report leaves hidden quotes out)."""
    eid, cid = enterprise["id"], campaign["id"]
    labels = result_labels.for_campaign(campaign)
    charts = [chart(specs, eid, f"{kind}-c{cid}", language, fmt) for kind in ("profile", "indicators", "nps")]
    return {
        "campaign": campaign,
        "group": campaign["stakeholder_group"],
        "group_label": group_label(campaign["stakeholder_group"], language),
        "title": campaign["title"],
        "rows": indicator_table(values_of(db, cid), language),
        "charts": [c for c in charts if c],
        "custom": result_labels.custom_results(db, cid, labels, language),
        "testimonies": testimonies.for_campaign(db, cid, labels, language, hidden_quotes),
        "response_rate": words.response_rate(campaign),
        "still_open": campaign["closed_at"] is None and campaign["closes_at"] > iso_utc(now_utc()),
    }


def group_sections(
    db: Database, enterprise: dict[str, Any], language: str, specs: dict[str, ChartSpec]
) -> list[dict[str, Any]]:
    """Per stakeholder group, its latest wave with results, and its trend chart."""
    by_group: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for campaign in campaigns_of(db, enterprise["id"]):
        if campaign["has_results"]:
            by_group[campaign["stakeholder_group"]].append(campaign)
    sections = []
    for group in (g for g in STAKEHOLDER_GROUPS if g in by_group):
        section = wave_section(db, enterprise, by_group[group][-1], language, specs)
        section["trend"] = chart(specs, enterprise["id"], f"trends-{group}", language)
        section["waves"] = [
            {"title": c["title"], "url": url_for("report.view", enterprise_id=enterprise["id"], campaign_id=c["id"])}
            for c in reversed(by_group[group])
        ]
        sections.append(section)
    return sections


def rate_rows(db: Database, enterprise_id: int, language: str) -> list[dict[str, str]]:
    """Response rate of every campaign: counts of responses are not answers, so always shown."""
    return [
        {
            "title": c["title"],
            "group": group_label(c["stakeholder_group"], language),
            "submitted": str(c["submitted"] if c["submitted"] is not None else "–"),
            "rate": words.response_rate(c),
        }
        for c in campaigns_of(db, enterprise_id)
    ]
