"""What each chart shows, in one language: every number, label and table cell of one chart.

A spec is built from saved (already suppressed) results by `sources.py`; drawing is a pure
function of it, so its content hash names the drawn file and an unchanged chart is never drawn
again. Specs never carry a peer's figure: the peer band is drawn by the page itself, so a peer's
new wave changes no chart of any other enterprise. Alt text and the data table (for screen
readers and for anyone who prefers numbers) are written here from the same data as the drawing.
Every score is a whole number (core/published.py): a bar drawn at 58.333 in an SVG would publish
the decimals the labels hide.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import asdict, dataclass

from babel.numbers import format_decimal

from survey_app.core.catalogs import translator
from survey_app.core.groups import group_label
from survey_app.core.published import whole
from survey_app.domain.response_rates import ResponseRate, percent
from survey_app.questionnaire.model import Framework, translate

CHART_STYLE_VERSION = 3  # bump to have every chart drawn again after a change of style
Gettext = Callable[[str], str]


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None  # None: suppressed, written as a note, never drawn as a bar
    text: str = ""  # the value as printed next to the bar, in the chart's language
    low: float | None = None
    high: float | None = None


@dataclass(frozen=True)
class Series:
    label: str
    values: tuple[float | None, ...]
    significant: tuple[bool, ...] = ()  # per wave: a significant change since the wave before


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
    columns: tuple[str, ...] = ()  # the data table: header cells, then one row per bar or series
    rows: tuple[tuple[str, ...], ...] = ()

    def content_hash(self) -> str:
        payload = json.dumps([CHART_STYLE_VERSION, asdict(self)], sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def number(value: float | None, language: str, pattern: str = "0") -> str:
    return "–" if value is None else format_decimal(value, pattern, locale=language)


def _fewer(_: Gettext, min_group: int) -> str:
    return _("fewer than %(n)d answers") % {"n": min_group}


def wave_spec(
    kind: str,
    enterprise_id: int,
    campaign: dict,
    rows: dict[str, dict],
    framework: Framework,
    language: str,
    min_group: int,
) -> ChartSpec:
    """Bars 0-100 of one wave of one group, one per framework item that has a stored row, with the
    95% interval: dimension scores ("profile") or indicator scores ("indicators")."""
    _ = translator(language).gettext
    if kind == "profile":
        title_template = _("%(group)s: dimension profile (%(wave)s)")
        items = [(d.id, d.label) for d in framework.dimensions]
    else:
        title_template = _("%(group)s: indicators (%(wave)s)")
        items = [(i.id, i.label) for i in framework.indicators]
    note = _fewer(_, min_group)
    bars = tuple(_bar(translate(label, language), rows.get(key), language) for key, label in items if key in rows)
    title = title_template % {"group": group_label(campaign["stakeholder_group"], language), "wave": campaign["title"]}
    columns: tuple[str, ...] = ("", _("Score (0-100)"))
    table: tuple[tuple[str, ...], ...] = tuple((b.label, note if b.value is None else b.text) for b in bars)
    if any(b.low is not None for b in bars):  # dimensions have no interval: no empty column for them
        columns += (_("%(pct)d%% confidence interval") % {"pct": 95},)
        table = tuple((*row, _interval(b, language, _)) for row, b in zip(table, bars))
    alt = "; ".join(
        f"{row[0]}: {row[1]}" + (f" ({columns[2]} {row[2]})" if len(row) > 2 and row[2] else "") for row in table
    )
    return ChartSpec(
        enterprise_id,
        f"{kind}-c{campaign['id']}",
        kind,
        language,
        title,
        _("Score (0-100)"),
        note,
        f"{title}. {alt}",
        bars=bars,
        columns=columns,
        rows=table,
    )


def _bar(label: str, row: dict | None, language: str) -> Bar:
    if row is None or row["suppressed"]:
        return Bar(label, None)
    mean = _whole(row["mean"])
    return Bar(label, mean, number(mean, language), _whole(row["ci_low"]), _whole(row["ci_high"]))


def _whole(value: float | None) -> float | None:
    rounded = whole(value)
    return None if rounded is None else float(rounded)


def _interval(bar: Bar, language: str, _: Gettext) -> str:
    if bar.low is None or bar.high is None:
        return ""
    return _("%(low)s to %(high)s") % {"low": number(bar.low, language), "high": number(bar.high, language)}


def trends_spec(
    enterprise_id: int,
    group: str,
    campaigns: list[dict],
    rows: dict[int, dict[str, dict]],
    framework: Framework,
    language: str,
    min_group: int,
) -> ChartSpec:
    """Dimension scores across waves (ordered by closing date): a suppressed wave leaves a gap, a
    significant change since the previous wave is marked (and said in the alt text and table)."""
    _ = translator(language).gettext
    note = _fewer(_, min_group)
    series = []
    for dimension in framework.dimensions:
        cells = [rows.get(c["id"], {}).get(dimension.id) for c in campaigns]
        if not any(cells):
            continue
        values = tuple(None if r is None or r["suppressed"] else _whole(r["mean"]) for r in cells)
        marks = tuple(bool(r and not r["suppressed"] and r.get("delta_significant")) for r in cells)
        series.append(Series(translate(dimension.label, language), values, marks))
    labels = tuple(c["title"] for c in campaigns)
    title = _("%(group)s: trend across waves") % {"group": group_label(group, language)}
    star = _("significant change")

    def cell(value: float | None, marked: bool) -> str:
        return note if value is None else number(value, language) + (f" ({star})" if marked else "")

    table = tuple((s.label, *(cell(v, m) for v, m in zip(s.values, s.significant))) for s in series)
    alt = "; ".join(f"{row[0]}: " + ", ".join(f"{w} {c}" for w, c in zip(labels, row[1:])) for row in table)
    return ChartSpec(
        enterprise_id,
        f"trends-{group}",
        "trends",
        language,
        title,
        _("Score (0-100)"),
        note,
        f"{title}. {alt}",
        x_labels=labels,
        series=tuple(series),
        legend=(_("significant change since the previous wave"),),
        columns=("", *labels),
        rows=table,
    )


def rates_spec(enterprise_id: int, campaigns: list[dict], rates: dict[int, ResponseRate], language: str) -> ChartSpec:
    """The combined response rate of every campaign (survey_app.domain.response_rates)."""
    _ = translator(language).gettext
    note = _("not known")
    bars = []
    for c in campaigns:
        rate = rates[c["id"]].combined if c["id"] in rates else None
        bars.append(Bar(c["title"], None if rate is None else min(100 * rate, 100.0), percent(rate, language)))
    title = _("Response rate per campaign")
    table = tuple((b.label, note if b.value is None else b.text) for b in bars)
    alt = title + ". " + "; ".join(f"{label}: {text}" for label, text in table)
    return ChartSpec(
        enterprise_id,
        "response-rates",
        "rates",
        language,
        title,
        _("Response rate (%)"),
        note,
        alt,
        bars=tuple(bars),
        columns=(_("Campaign"), _("Response rate")),
        rows=table,
    )


def nps_spec(
    enterprise_id: int, campaign: dict, counts: dict[int, int] | None, nps: float | None, language: str, min_group: int
) -> ChartSpec:
    """How many respondents gave each score 0-10 to the recommendation question."""
    _ = translator(language).gettext
    note = _fewer(_, min_group)
    name = f"nps-c{campaign['id']}"
    title = _("%(group)s: likelihood to recommend (%(wave)s)") % {
        "group": group_label(campaign["stakeholder_group"], language),
        "wave": campaign["title"],
    }
    if counts is None:
        return ChartSpec(enterprise_id, name, "nps", language, title, _("Respondents"), note, f"{title}. {note}")
    bars = tuple(Bar(str(score), float(counts.get(score, 0)), str(counts.get(score, 0))) for score in range(11))
    summary = (
        _("Net Promoter Score %(nps)s") % {"nps": number(whole(nps), language, "+0;−0")} if nps is not None else ""
    )
    alt = f"{title}. {summary}. " + ", ".join(f"{b.label}: {b.text}" for b in bars)
    legend = (_("Detractors (0-6)"), _("Passives (7-8)"), _("Promoters (9-10)"), summary)
    return ChartSpec(
        enterprise_id,
        name,
        "nps",
        language,
        title,
        _("Respondents"),
        note,
        alt,
        bars=bars,
        legend=legend,
        columns=(_("Score given"), _("Respondents")),
        rows=tuple((b.label, b.text) for b in bars),
    )
