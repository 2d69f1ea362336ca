"""Published scores of a wave as pages and the report show them: each declared scoring (validated
instruments, or a questionnaire's own declaration) with its name and range, mean and interval
rounded on its own range (core/published.py), band shares, and the words that bands are screening
information, not a diagnosis. Only the pipeline's saved, already-suppressed rows are read: an
indicator behind fewer than min_group_size respondents has no published figure and no band.
"""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask_babel import format_decimal
from flask_babel import gettext as _
from sqlite_utils import Database

from survey_app.core.published import on_scale, scale_decimals
from survey_app.domain.campaigns import instruments_of
from survey_app.questionnaire.instruments import Instrument, with_instrument_indicators, with_instruments
from survey_app.questionnaire.model import Framework, translate
from survey_app.questionnaire.scoring import Scoring
from survey_app.results import words


def results_framework() -> Framework:
    """The framework plus every registered instrument's indicators (labels of result rows)."""
    registry = current_app.extensions["vises.registry"]
    return with_instrument_indicators(registry.framework, registry.all_instruments())


def instruments_for(campaign: dict[str, Any]) -> list[Instrument]:
    return current_app.extensions["vises.registry"].instruments_for(instruments_of(campaign))


def scorings_of(campaign: dict[str, Any]) -> list[Scoring]:
    """The declared scorings of what the campaign's respondents answered, in page order."""
    registry = current_app.extensions["vises.registry"]
    base = registry.get(campaign["questionnaire_id"], campaign["questionnaire_version"])
    if base is None:
        return []
    return [s for s in with_instruments(base, instruments_for(campaign)).scorings if s.declared]


def figure(value: float | None, scoring: Scoring) -> str:
    """A published score as a page prints it: rounded on its range, in the page's language."""
    rounded = on_scale(value, scoring.low, scoring.high)
    if rounded is None:
        return ""
    decimals = scale_decimals(scoring.low, scoring.high)
    return format_decimal(rounded, "0." + "0" * decimals if decimals else "0")


def score_name(scoring: Scoring, label: str, language: str) -> str:
    return translate(scoring.name, language) if scoring.name else label


def bands_of(db: Database, campaign_id: int) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = {}
    for row in db.query("SELECT indicator, band, share FROM indicator_band WHERE campaign_id = ?", [campaign_id]):
        out.setdefault(row["indicator"], {})[row["band"]] = row["share"]
    return out


def net_score(scoring: Scoring, shares: dict[str, float]) -> float | None:
    """Percentage of the positive band minus that of the negative one (NPS), from unrounded shares."""
    if not scoring.net or not shares:
        return None
    return 100 * (shares.get(scoring.net[0], 0.0) - shares.get(scoring.net[1], 0.0))


def for_wave(
    db: Database, campaign: dict[str, Any], values: dict[str, dict[str, Any]], language: str
) -> list[dict[str, Any]]:
    """One entry per declared scoring of the wave: text ready to print, or the suppression words."""
    min_group = current_app.config["SETTINGS"]["privacy.min_group_size"]
    labels = {i.id: translate(i.label, language) for i in results_framework().indicators}
    bands = bands_of(db, campaign["id"])
    out = []
    for scoring in scorings_of(campaign):
        label = labels.get(scoring.indicator, scoring.indicator)
        name = score_name(scoring, label, language)
        stored = values.get(f"indicator:{scoring.indicator}")
        entry: dict[str, Any] = {"indicator": scoring.indicator, "label": label, "name": name}
        if stored is None or stored["suppressed"] or stored.get("published_mean") is None:
            out.append({**entry, "suppressed": True, "note": words.fewer_than(min_group)})
            continue
        shares = bands.get(scoring.indicator, {})
        net = net_score(scoring, shares)
        out.append({**entry, "suppressed": False, **_shown(scoring, stored, name, shares, net, language)})
    return out


def _shown(
    scoring: Scoring, stored: dict[str, Any], name: str, shares: dict[str, float], net: float | None, language: str
) -> dict[str, Any]:
    low, high = format_decimal(scoring.low, "0.##"), format_decimal(scoring.high, "0.##")  # as published
    interval = _("%(low)s to %(high)s", low=figure(stored["published_ci_low"], scoring),
                 high=figure(stored["published_ci_high"], scoring))  # fmt: skip
    return {
        "headline": _("%(name)s: %(score)s", name=name, score=figure(stored["published_mean"], scoring)),
        "mean": figure(stored["published_mean"], scoring),
        "range": _("%(low)s to %(high)s", low=low, high=high),
        "details": _(
            "Mean of %(n)s answers; 95%% confidence interval %(interval)s; possible scores %(low)s to %(high)s.",
            n=stored["n"],
            interval=interval,
            low=low,
            high=high,
        ),
        "direction": "" if scoring.higher_is_better else _("A higher score is less favourable."),
        "net": "" if net is None else _("Net score: %(net)s", net=words.signed(net)),
        "bands": [
            {"label": translate(b.label, language), "share": words.share(shares.get(b.id, 0.0))} for b in scoring.bands
        ],
        "screening": _("Bands are screening information about a group, not a diagnosis of anyone.")
        if scoring.bands
        else "",
    }
