"""What each chart shows, built from saved (already suppressed) results: read -> specs.

A spec holds every number and every label of one chart in one language, so that rendering is a
pure function of the spec and its content hash tells whether the chart must be drawn again.
Alt text is written here from the same data as the drawing. Every value is a whole number
(core/published.py): a bar drawn at 58.333 in an SVG would publish the decimals the labels hide.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections import defaultdict
from dataclasses import asdict, dataclass

from sqlite_utils import Database

from survey_app.core.catalogs import translator
from survey_app.core.groups import group_label
from survey_app.core.published import whole
from survey_app.questionnaire.loader import parse_questionnaire
from survey_app.questionnaire.model import Framework, translate
from survey_app.questionnaire.model import Translations as Texts

CHART_STYLE_VERSION = 1  # bump to force every chart to be drawn again after a change of style


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None  # None: suppressed, drawn as a note, never as a bar
    low: float | None = None
    high: float | None = None
    bench: tuple[float, float, float] | None = None  # q1, median, q3 of peers


@dataclass(frozen=True)
class Series:
    label: str
    values: tuple[float | None, ...]


@dataclass(frozen=True)
class ChartSpec:
    enterprise_id: int
    name: str
    kind: str  # profile | indicators | trends | rates | nps
    language: str
    title: str
    axis_label: str
    suppressed_note: str
    alt_text: str
    bars: tuple[Bar, ...] = ()
    x_labels: tuple[str, ...] = ()
    series: tuple[Series, ...] = ()
    legend: tuple[str, ...] = ()

    def content_hash(self) -> str:
        payload = json.dumps([CHART_STYLE_VERSION, asdict(self)], sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _fmt(value: float | None) -> str:
    return "–" if value is None else f"{value:.0f}"


def _bar_alt(bars: tuple[Bar, ...], note: str, _) -> str:
    parts = []
    for bar in bars:
        if bar.value is None:
            parts.append(f"{bar.label}: {note}")
            continue
        text = f"{bar.label}: {_fmt(bar.value)}"
        if bar.low is not None and bar.high is not None:
            text += " " + _("(95%% interval %(low)s to %(high)s)") % {"low": _fmt(bar.low), "high": _fmt(bar.high)}
        if bar.bench:
            text += ", " + _("peer median %(median)s") % {"median": _fmt(bar.bench[1])}
        parts.append(text)
    return "; ".join(parts)


def wave_spec(
    kind: str,
    enterprise_id: int,
    campaign: dict,
    rows: dict[str, dict],
    framework: Framework,
    language: str,
    min_group: int,
) -> ChartSpec:
    """Bars 0-100 of one wave of one group, one per framework item that has a stored row: dimension
    scores with their confidence intervals ("profile"), or indicator scores with the peer median
    and quartile band where a benchmark exists ("indicators")."""
    _ = translator(language).gettext
    items: list[tuple[str, Texts]]
    legend: tuple[str, ...]
    if kind == "profile":
        title_template, legend = _("%(group)s: dimension profile (%(wave)s)"), ()
        items = [(d.id, d.label) for d in framework.dimensions]
    else:
        title_template = _("%(group)s: indicators (%(wave)s)")
        legend = (_("This enterprise"), _("Median of similar enterprises"), _("Middle half of similar enterprises"))
        items = [(i.id, i.label) for i in framework.indicators]
    note = _("fewer than %(n)d answers") % {"n": min_group}
    bars = tuple(_bar(translate(label, language), rows.get(key)) for key, label in items if key in rows)
    title = title_template % {"group": group_label(campaign["stakeholder_group"], language), "wave": campaign["title"]}
    return ChartSpec(
        enterprise_id,
        f"{kind}-c{campaign['id']}",
        kind,
        language,
        title,
        _("Score (0-100)"),
        note,
        title + ". " + _bar_alt(bars, note, _),
        bars=bars,
        legend=legend,
    )


def _bar(label: str, row: dict | None) -> Bar:
    if row is None or row["suppressed"]:
        return Bar(label, None)
    bench = None
    if row.get("bench_median") is not None:
        bench = (_whole(row["bench_q1"]), _whole(row["bench_median"]), _whole(row["bench_q3"]))
    return Bar(label, _whole(row["mean"]), _number(row["ci_low"]), _number(row["ci_high"]), bench)


def _number(value: float | None) -> float | None:
    rounded = whole(value)
    return None if rounded is None else float(rounded)


def _whole(value: float | None) -> float:
    return float(whole(value) or 0)


def trends_spec(
    enterprise_id: int,
    group: str,
    campaigns: list[dict],
    rows: dict[int, dict[str, dict]],
    framework: Framework,
    language: str,
    min_group: int,
) -> ChartSpec:
    """Dimension scores across waves (ordered by closing date); suppressed waves leave a gap."""
    _ = translator(language).gettext
    note = _("fewer than %(n)d answers") % {"n": min_group}
    series = []
    for dimension in framework.dimensions:
        values = tuple(
            None if (r := rows.get(c["id"], {}).get(dimension.id)) is None or r["suppressed"] else _number(r["mean"])
            for c in campaigns
        )
        if any(rows.get(c["id"], {}).get(dimension.id) for c in campaigns):
            series.append(Series(translate(dimension.label, language), values))
    labels = tuple(c["title"] for c in campaigns)
    title = _("%(group)s: trend across waves") % {"group": group_label(group, language)}
    alt = (
        title
        + ". "
        + "; ".join(
            f"{s.label}: " + ", ".join(f"{w} {note if v is None else _fmt(v)}" for w, v in zip(labels, s.values))
            for s in series
        )
    )
    return ChartSpec(
        enterprise_id,
        f"trends-{group}",
        "trends",
        language,
        title,
        _("Score (0-100)"),
        note,
        alt,
        x_labels=labels,
        series=tuple(series),
    )


def rates_spec(enterprise_id: int, campaigns: list[dict], language: str) -> ChartSpec:
    """Response rate of every campaign (submitted / invited, or / expected population)."""
    _ = translator(language).gettext
    note = _("no invitations or expected population")
    bars = tuple(
        Bar(c["title"], None if c["response_rate"] is None else _number(100 * c["response_rate"])) for c in campaigns
    )
    title = _("Response rate per campaign")
    alt = title + ". " + "; ".join(f"{b.label}: {note if b.value is None else _fmt(b.value) + ' %'}" for b in bars)
    return ChartSpec(
        enterprise_id, "response-rates", "rates", language, title, _("Response rate (%)"), note, alt, bars=bars
    )


def nps_spec(
    enterprise_id: int, campaign: dict, counts: dict[int, int] | None, nps: float | None, language: str, min_group: int
) -> ChartSpec:
    """How many respondents gave each score 0-10 to the recommendation question."""
    _ = translator(language).gettext
    note = _("fewer than %(n)d answers") % {"n": min_group}
    title = _("%(group)s: likelihood to recommend (%(wave)s)") % {
        "group": group_label(campaign["stakeholder_group"], language),
        "wave": campaign["title"],
    }
    if counts is None:
        return ChartSpec(
            enterprise_id, f"nps-c{campaign['id']}", "nps", language, title, _("Respondents"), note, f"{title}. {note}"
        )
    bars = tuple(Bar(str(score), float(counts.get(score, 0))) for score in range(11))
    summary = _("Net Promoter Score %(nps)s") % {"nps": _fmt(whole(nps))} if nps is not None else ""
    alt = f"{title}. {summary}. " + ", ".join(f"{b.label}: {int(b.value or 0)}" for b in bars)
    legend = (_("Detractors (0-6)"), _("Passives (7-8)"), _("Promoters (9-10)"), summary)
    return ChartSpec(
        enterprise_id,
        f"nps-c{campaign['id']}",
        "nps",
        language,
        title,
        _("Respondents"),
        note,
        alt,
        bars=bars,
        legend=legend,
    )


def load_specs(
    db: Database, framework: Framework, enterprise_ids: list[int], languages: dict[int, list[str]], min_group: int
) -> list[ChartSpec]:
    """Every chart of the given enterprises in the requested languages."""
    specs: list[ChartSpec] = []
    for enterprise_id in enterprise_ids:
        campaigns = list(
            db.query(
                "SELECT c.id, c.title, c.stakeholder_group, c.questionnaire_id, c.questionnaire_version, "
                "c.closes_at, s.response_rate FROM campaign c LEFT JOIN campaign_summary s ON s.campaign_id = c.id "
                "WHERE c.enterprise_id = ? ORDER BY c.closes_at, c.id",
                [enterprise_id],
            )
        )
        values: dict[int, dict[str, dict]] = defaultdict(dict)
        for row in db.query("SELECT * FROM indicator_value WHERE enterprise_id = ?", [enterprise_id]):
            values[row["campaign_id"]][f"{row['kind']}:{row['key']}"] = row
        with_results = [c for c in campaigns if c["id"] in values]
        for language in languages[enterprise_id]:
            specs.append(rates_spec(enterprise_id, campaigns, language))
            for group in sorted({c["stakeholder_group"] for c in with_results}):
                waves = [c for c in with_results if c["stakeholder_group"] == group]
                dims = {
                    cid: {k.split(":", 1)[1]: v for k, v in values[cid].items() if k.startswith("dimension:")}
                    for cid in (c["id"] for c in waves)
                }
                specs.append(trends_spec(enterprise_id, group, waves, dims, framework, language, min_group))
            for campaign in with_results:
                cell = values[campaign["id"]]
                dims = {k.split(":", 1)[1]: v for k, v in cell.items() if k.startswith("dimension:")}
                inds = {k.split(":", 1)[1]: v for k, v in cell.items() if k.startswith("indicator:")}
                specs.append(wave_spec("profile", enterprise_id, campaign, dims, framework, language, min_group))
                specs.append(wave_spec("indicators", enterprise_id, campaign, inds, framework, language, min_group))
                nps_row = next((v for k, v in cell.items() if k.startswith("nps:")), None)
                counts = nps_counts(db, campaign, framework, min_group)
                specs.append(
                    nps_spec(
                        enterprise_id,
                        campaign,
                        counts,
                        None if nps_row is None or nps_row["suppressed"] else nps_row["mean"],
                        language,
                        min_group,
                    )
                )
    return specs


def nps_counts(db: Database, campaign: dict, framework: Framework, min_group: int) -> dict[int, int] | None:
    """Score distribution of the campaign's nps question; None when too few answered it."""
    source = db.execute(
        "SELECT source FROM questionnaire WHERE id = ? AND version = ?",
        [campaign["questionnaire_id"], campaign["questionnaire_version"]],
    ).fetchone()
    if source is None:
        return None
    questionnaire = _parsed(source[0], campaign["questionnaire_id"])
    question = next((q for q in questionnaire.questions if q.type == "nps"), None)
    if question is None:
        return None
    counts = {
        int(v): n
        for v, n in db.execute(
            "SELECT a.value_num, COUNT(*) FROM answer a JOIN response r ON r.id = a.response_id "
            "WHERE r.campaign_id = ? AND a.question_id = ? AND a.value_num IS NOT NULL GROUP BY a.value_num",
            [campaign["id"], question.id],
        )
    }
    return counts if sum(counts.values()) >= min_group else None


@functools.lru_cache(maxsize=64)
def _parsed(source: str, name: str):
    # Stored versions were validated against the framework when registered.
    return parse_questionnaire(source, f"stored questionnaire {name}", None)
