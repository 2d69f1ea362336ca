"""Distance travelled as the dashboard, the report and the API show it: per series and pair of
waves, per indicator, the paired results the pipeline saved (pipeline/distance.py), rounded by
core.published and worded here. A suppressed row says "fewer than N pairs" and nothing else; the
number of pairs is shown only from min_group_size; the hash, the pairs' response ids and the
follow-up count never leave the database.
"""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlite_utils import Database

from survey_app.core.published import api_figure, whole
from survey_app.questionnaire.model import translate


def caveat() -> str:
    """A sentence, in the request's language."""
    return _(
        "Only the people who chose to link their answers are compared; they may differ from the others. "
        "Grey bar: before; dark bar: after."
    )


def _signed(value: float | None) -> str:
    number = whole(value)
    return "–" if number is None else (f"+{number}" if number > 0 else str(number))


def _row(stored: dict[str, Any], label: str, min_group: int) -> dict[str, Any]:
    if stored["suppressed"]:
        return {"label": label, "suppressed": True, "note": _("Fewer than %(n)d pairs", n=min_group)}
    # None when hidden because another mean of the same wave is over almost the same people (overlap.py).
    before, after = whole(stored["mean_before"]), whole(stored["mean_after"])
    if stored["p_value"] is None:
        test = _("No test: every change is the same")
    elif stored["significant"]:
        test = _("Significant change (p < 0.05)")
    else:
        test = _("Not significant")
    interval = (
        _("%(low)s to %(high)s", low=_signed(stored["ci_low"]), high=_signed(stored["ci_high"]))
        if stored["ci_low"] is not None
        else "–"
    )
    shares = (
        _(
            "%(up)d%% improved, %(same)d%% unchanged, %(down)d%% worsened",
            up=stored["improved"],
            same=stored["unchanged"],
            down=stored["worsened"],
        )
        if stored["improved"] is not None
        else _("Shown from %(n)d pairs", n=2 * min_group)
    )
    return {
        "label": label,
        "suppressed": False,
        "pairs": stored["pairs"],
        "fuzzy": stored["fuzzy_pairs"],
        "before": before,
        "after": after,
        "change": _signed(stored["mean_change"]),
        "interval": interval,
        "test": test,
        "significant": bool(stored["significant"]),
        "shares": shares,
        "picture": (
            _("Before: %(before)d, after: %(after)d, out of 100", before=before, after=after)
            if before is not None and after is not None
            else None
        ),
    }


def _pairs_of_waves(db: Database, enterprise_id: int) -> list[dict[str, Any]]:
    return list(
        db.query(
            "SELECT DISTINCT p.series_id, s.name AS series_name, p.from_campaign_id, p.to_campaign_id, "
            "a.title AS from_title, b.title AS to_title, b.closes_at FROM paired_result p "
            "JOIN series s ON s.id = p.series_id JOIN campaign a ON a.id = p.from_campaign_id "
            "JOIN campaign b ON b.id = p.to_campaign_id WHERE s.enterprise_id = ? AND s.state != 'erased' "
            "ORDER BY s.name, p.series_id, b.closes_at, a.closes_at",
            [enterprise_id],
        )
    )


def _results(db: Database, pair: dict[str, Any]) -> dict[str, dict[str, Any]]:
    rows = db.query(
        "SELECT * FROM paired_result WHERE from_campaign_id = ? AND to_campaign_id = ?",
        [pair["from_campaign_id"], pair["to_campaign_id"]],
    )
    return {r["indicator"]: r for r in rows}


def sections(db: Database, enterprise_id: int, language: str) -> list[dict[str, Any]]:
    """One section per pair of waves of every series of the enterprise, indicators in framework order."""
    framework = current_app.extensions["vises.registry"].framework
    min_group = current_app.config["SETTINGS"].privacy.min_group_size
    out = []
    for pair in _pairs_of_waves(db, enterprise_id):
        stored = _results(db, pair)
        rows = [
            _row(stored[i.id], translate(i.label, language), min_group) for i in framework.indicators if i.id in stored
        ]
        shown = [r for r in rows if not r["suppressed"]]
        pairs, fuzzy = max((r["pairs"] for r in shown), default=None), max((r["fuzzy"] for r in shown), default=0)
        summary = ""
        if pairs:  # the match rate is the same on every row that is shown (pairs of the two waves)
            rate = whole(next(r["match_rate"] for r in stored.values() if not r["suppressed"]))
            summary = _(
                "%(pairs)d people linked their answers in both waves (%(rate)d%% of the answers of %(after)s).",
                pairs=pairs,
                rate=rate,
                after=pair["to_title"],
            )
            if fuzzy:
                summary += " " + _("%(n)d of them were matched with one differing code answer.", n=fuzzy)
        title = _(
            "%(series)s: from %(before)s to %(after)s",
            series=pair["series_name"],
            before=pair["from_title"],
            after=pair["to_title"],
        )
        out.append({**pair, "rows": rows, "title": title, "summary": summary, "caveat": caveat()})
    return out


def api_records(db: Database, enterprise_id: int, language: str) -> list[dict[str, Any]]:
    """The API's view: one record per (pair of waves, indicator); figures with one decimal at most."""
    framework = current_app.extensions["vises.registry"].framework
    labels = {i.id: translate(i.label, language) for i in framework.indicators}
    out = []
    for pair in _pairs_of_waves(db, enterprise_id):
        for indicator, r in sorted(_results(db, pair).items()):
            record = {
                "series": pair["series_name"],
                "from_campaign_id": pair["from_campaign_id"],
                "to_campaign_id": pair["to_campaign_id"],
                "indicator": indicator,
                "label": labels.get(indicator, indicator),
            }
            if r["suppressed"]:
                out.append({**record, "suppressed": "min_group_size"})
                continue
            figures = {k: api_figure(r[k]) for k in ("mean_before", "mean_after", "mean_change", "ci_low", "ci_high")}
            out.append(
                {
                    **record,
                    "suppressed": None,
                    "pairs": r["pairs"],
                    "fuzzy_pairs": r["fuzzy_pairs"],
                    **figures,
                    "significant": None if r["significant"] is None else bool(r["significant"]),
                    "improved_percent": r["improved"],
                    "unchanged_percent": r["unchanged"],
                    "worsened_percent": r["worsened"],
                    "match_rate_percent": whole(r["match_rate"]),
                }
            )
    return out
