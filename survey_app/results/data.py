"""Read the stored results of one enterprise and shape them for the dashboard and the report.

Only the pipeline's saved tables are read (indicator_value, indicator_band, campaign_summary, custom_result,
testimony, and the benchmark pools that domain.benchmarks reads): they are already suppressed,
so nothing here can reveal a small group. Response rates come live from
survey_app.domain.response_rates, the one definition. The shapes returned
are plain dicts of text, ready to print.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from flask import current_app, url_for
from flask_babel import format_datetime
from flask_babel import gettext as _
from sqlite_utils import Database

from pipeline.charts import REPORT_CHARTS
from pipeline.charts.specs import ChartSpec
from survey_app.core.groups import STAKEHOLDER_GROUPS, group_label
from survey_app.core.timeutil import iso_utc, now_utc, parse_iso
from survey_app.domain import response_rates
from survey_app.domain.benchmarks import with_benchmarks
from survey_app.questionnaire.model import translate
from survey_app.results import headline, published_scores, testimonies, words
from survey_app.results import labels as result_labels
from survey_app.results.chart_links import DRAW_LOCK, chart, chart_specs

__all__ = ["DRAW_LOCK", "campaigns_of", "chart", "chart_specs", "freshness", "group_sections", "wave_section"]


def campaigns_of(db: Database, enterprise_id: int) -> list[dict[str, Any]]:
    """Campaigns ordered by closing date, with whether results exist and their response rate."""
    campaigns = list(
        db.query(
            "SELECT c.*, s.submitted, "
            "EXISTS (SELECT 1 FROM indicator_value v WHERE v.campaign_id = c.id) AS has_results "
            "FROM campaign c LEFT JOIN campaign_summary s ON s.campaign_id = c.id "
            "WHERE c.enterprise_id = ? ORDER BY c.closes_at, c.id",
            [enterprise_id],
        )
    )
    rates = response_rates.for_campaigns(db, campaigns)
    for campaign in campaigns:
        campaign["rate"] = rates[campaign["id"]]
    return campaigns


def is_open(campaign: dict[str, Any], now_iso: str) -> bool:
    return campaign["closed_at"] is None and campaign["closes_at"] > now_iso


def values_of(db: Database, campaign_id: int) -> dict[str, dict[str, Any]]:
    """A wave's stored cells by "kind:key", with their benchmark fields."""
    rows = list(db.query("SELECT * FROM indicator_value WHERE campaign_id = ?", [campaign_id]))
    return {f"{r['kind']}:{r['key']}": r for r in with_benchmarks(db, rows)}


def freshness(db: Database, enterprise: dict[str, Any] | None = None) -> str | None:
    """'Indicators computed on Monday 3 March at 06:02': the last run that covered the enterprise."""
    own_scope = f"enterprise:{enterprise['slug']}" if enterprise else "all"
    row = db.execute(
        "SELECT finished_at FROM pipeline_run WHERE status = 'success' AND scope IN ('all', ?) "
        "ORDER BY id DESC LIMIT 1",
        [own_scope],
    ).fetchone()
    if row is None or row[0] is None:
        return None
    when = parse_iso(row[0])
    return _(
        "Indicators computed on %(date)s at %(time)s",
        date=format_datetime(when, "EEEE d MMMM y"),
        time=format_datetime(when, "HH:mm"),
    )


def indicator_table(values: dict[str, dict[str, Any]], language: str, still_open: bool = False) -> list[dict[str, Any]]:
    """Each dimension followed by its indicators (instruments' ones too, on 0-100), then the Net
    Promoter Score rows."""
    framework = published_scores.results_framework()
    min_group = current_app.config["SETTINGS"].privacy.min_group_size
    rows = []
    for dimension in framework.dimensions:
        indicators = [i for i in framework.indicators_of(dimension.id) if f"indicator:{i.id}" in values]
        if f"dimension:{dimension.id}" not in values and not indicators:
            continue
        label = translate(dimension.label, language)
        rows.append(_row(values.get(f"dimension:{dimension.id}"), label, "dimension", still_open))
        rows += [
            _row(values[f"indicator:{i.id}"], translate(i.label, language), "indicator", still_open) for i in indicators
        ]
    rows += [
        words.indicator_row(v, _("Net Promoter Score"), "nps", min_group)
        for k, v in sorted(values.items())
        if k.startswith("nps:")
    ]
    return rows


def _row(stored: dict[str, Any] | None, label: str, kind: str, still_open: bool) -> dict[str, Any]:
    row = words.indicator_row(stored, label, kind, current_app.config["SETTINGS"].privacy.min_group_size)
    row["band"] = headline.band(stored)
    if not row["suppressed"]:
        row["benchmark"] = row["band"]["rank"] if row["band"] else headline.no_band_reason(stored, still_open)
    row["stored"] = stored
    return row


def changes(rows: list[dict[str, Any]], previous_title: str | None) -> list[dict[str, Any]]:
    """Changes since the previous wave, significant ones first (then by size)."""
    found = [
        (change, abs(r["stored"]["delta"]))
        for r in rows
        if r.get("stored") and (change := headline.change(r["stored"], r["label"], previous_title))
    ]
    return [change for change, _size in sorted(found, key=lambda pair: (not pair[0]["significant"], -pair[1]))]


def wave_section(
    db: Database,
    enterprise: dict[str, Any],
    campaign: dict[str, Any],
    language: str,
    specs: dict[str, ChartSpec],
    fmt: str = "svg",
    hidden_quotes: bool = True,
    previous: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Everything shown about one wave of one group (the report leaves hidden quotes out)."""
    eid, cid = enterprise["id"], campaign["id"]
    labels = result_labels.for_campaign(campaign)
    charts = [chart(specs, eid, f"{kind}-c{cid}", language, fmt) for kind in REPORT_CHARTS]
    values = values_of(db, cid)
    rows = indicator_table(values, language, is_open(campaign, iso_utc(now_utc())))
    quotes = testimonies.for_campaign(db, cid, labels, language, hidden_quotes)
    rate = words.response_rate(campaign.get("rate"))
    label = group_label(campaign["stakeholder_group"], language)
    return {
        "campaign": campaign,
        "group": campaign["stakeholder_group"],
        "group_label": label,
        "title": campaign["title"],
        # "Workers: Workers – wave 2" says it twice: a title that names its group stands alone.
        "heading": campaign["title"]
        if campaign["title"].startswith(label)
        else _("%(group)s: %(wave)s", group=label, wave=campaign["title"]),
        "rows": rows,
        "headline": [r for r in rows if r["kind"] in ("dimension", "nps")],
        "changes": changes(rows, previous["title"] if previous else None),
        "charts": [c for c in charts if c],
        "custom": result_labels.custom_results(db, cid, labels, language),
        "published": published_scores.for_wave(db, campaign, values, language),
        "testimonies": quotes,
        "testimony_groups": testimonies.by_question(quotes),
        "response_rate": rate.combined,
        "rate": rate,
        "still_open": is_open(campaign, iso_utc(now_utc())),
    }


def group_sections(
    db: Database, enterprise: dict[str, Any], language: str, specs: dict[str, ChartSpec], chosen: int | None = None
) -> list[dict[str, Any]]:
    """Per stakeholder group, one wave with results (the chosen one, else the latest) and its trend."""
    by_group: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for campaign in campaigns_of(db, enterprise["id"]):
        if campaign["has_results"]:
            by_group[campaign["stakeholder_group"]].append(campaign)
    sections, now = [], iso_utc(now_utc())
    for group in (g for g in STAKEHOLDER_GROUPS if g in by_group):
        waves = by_group[group]
        # By default the latest closed wave (final figures, compared with peers), else the open one.
        closed = [i for i, c in enumerate(waves) if not is_open(c, now)]
        default = closed[-1] if closed else len(waves) - 1
        index = next((i for i, c in enumerate(waves) if c["id"] == chosen), default)
        previous = waves[index - 1] if index > 0 else None
        section = wave_section(db, enterprise, waves[index], language, specs, previous=previous)
        section["trend"] = chart(specs, enterprise["id"], f"trends-{group}", language) if len(waves) > 1 else None
        section["report_url"] = url_for("report.view", enterprise_id=enterprise["id"], campaign_id=waves[index]["id"])
        section["waves"] = [
            {
                "title": c["title"],
                "open": is_open(c, now),
                "current": i == index,
                "url": url_for("dashboard.view", enterprise_id=enterprise["id"], wave=c["id"]) + f"#group-{group}",
            }
            for i, c in reversed(list(enumerate(waves)))
        ]
        sections.append(section)
    return sections


def rate_rows(db: Database, enterprise_id: int, language: str) -> list[dict[str, str]]:
    """Response rate of every campaign: counts of responses are not answers, so always shown."""
    rows = []
    for c in campaigns_of(db, enterprise_id):
        rate = words.response_rate(c["rate"])
        rows.append(
            {
                "title": c["title"],
                "group": group_label(c["stakeholder_group"], language),
                "submitted": words.count(c["rate"].submitted),
                "rate": rate.combined,
                "details": rate.details,
            }
        )
    return rows
