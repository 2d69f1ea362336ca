"""Numbers and words of the results pages, prepared in Python so templates only print.

Every figure comes from a stored, already-suppressed result row; a suppressed row turns into the
words "fewer than 5 answers" (with the configured number), never into a 0 or a blank number.
Scores are whole numbers (core/published.py: decimals of a mean let a reader work out a newcomer's
answers from two successive figures). Formatting follows the page's language (Flask-Babel locale).
"""

from __future__ import annotations

from typing import Any

from flask_babel import format_decimal, format_percent, ngettext
from flask_babel import gettext as _

from survey_app.core.published import whole
from survey_app.domain import response_rates
from survey_app.domain.response_rates import RateWords, ResponseRate
from survey_app.web.i18n import current_language

SCORE_PATTERN = "0"
SIGNED_PATTERN = "+0;−0"  # a real minus sign: a hyphen reads like a dash in tables


def fewer_than(min_group: int) -> str:
    return _("fewer than %(n)d answers", n=min_group)


def score(value: float | None) -> str:
    return "" if value is None else format_decimal(whole(value), SCORE_PATTERN)


def count(value: int | None) -> str:
    return "–" if value is None else format_decimal(value)


def share(value: float | None) -> str:
    return "" if value is None else format_percent(value)


def signed(value: float | None) -> str:
    return "" if value is None else format_decimal(whole(value), SIGNED_PATTERN)


def interval(low: float | None, high: float | None) -> str:
    if low is None or high is None:
        return ""
    return _("%(low)s to %(high)s", low=score(low), high=score(high))


def delta_words(row: dict[str, Any]) -> str:
    """Change since the previous wave, with its significance flag in words."""
    if row.get("delta") is None:
        return _("no previous wave to compare")
    if row.get("delta_significant"):
        return _("%(delta)s (significant change)", delta=signed(row["delta"]))
    if row.get("delta_p") is None:
        return signed(row["delta"])
    return _("%(delta)s (could be chance)", delta=signed(row["delta"]))


def benchmark_words(row: dict[str, Any]) -> str:
    """Where the enterprise stands among similar ones: above, at or below their median.

    No benchmark means too few peers (privacy.min_peers), no consent, or not the latest closed wave;
    the methodology page explains which, the table only says there is none.
    """
    peers, median = row.get("bench_peers"), row.get("bench_median")
    if not peers or median is None or row.get("mean") is None:
        return _("no comparison available")
    difference = (whole(row["mean"]) or 0) - (whole(median) or 0)  # as the reader sees both
    if difference == 0:
        return ngettext(
            "at the median of %(num)d similar enterprise", "at the median of %(num)d similar enterprises", peers
        )
    if difference > 0:
        return ngettext(
            "above the median of %(num)d similar enterprise", "above the median of %(num)d similar enterprises", peers
        )
    return ngettext(
        "below the median of %(num)d similar enterprise", "below the median of %(num)d similar enterprises", peers
    )


def indicator_row(row: dict[str, Any] | None, label: str, kind: str, min_group: int) -> dict[str, Any]:
    """One line of the indicator table: every cell as text, or the suppression words."""
    base = {"label": label, "kind": kind, "suppressed": True, "note": fewer_than(min_group)}
    if row is None or row["suppressed"]:
        return base
    is_nps = kind == "nps"
    return {
        **base,
        "suppressed": False,
        "note": "",
        "mean": signed(row["mean"]) if is_nps else score(row["mean"]),
        "interval": interval(row.get("ci_low"), row.get("ci_high")),
        "n": str(row["n"]),
        "favourable": share(row.get("favourable_share")),
        "delta": delta_words(row),
        "significant": bool(row.get("delta_significant")),
        "benchmark": "" if is_nps else benchmark_words(row),
    }


def response_rate(rate: ResponseRate | None) -> RateWords:
    """The rate as every surface writes it (survey_app.domain.response_rates holds the definition)."""
    if rate is None:
        return RateWords(_("not known"), "", "")
    return response_rates.describe(rate, current_language())
