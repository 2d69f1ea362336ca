"""Where an enterprise stands among similar ones, drawn by the page (a dot on a band) and said in
words; and the changes since the previous wave, explained.

Only the stored benchmark figures are used (peers' median, quartiles, the enterprise's percentile
rank and how many peers there are), and only when the pool has at least `privacy.min_peers`
enterprises: no peer's own figure and no list of peers ever reaches a page. The band is SVG
markup written by the template from the numbers prepared here, so a peer's new wave changes the
page and no drawn chart. Shapes differ (dot, line, box), so the picture reads without colour.
"""

from __future__ import annotations

import math
from typing import Any

from flask import current_app
from flask_babel import format_decimal, ngettext
from flask_babel import gettext as _

from survey_app.results import words

# The band's drawing: a 0-100 scale mapped onto x = 8..292 of a 300-wide viewBox.
LEFT, WIDTH = 8.0, 284.0


def x(value: float) -> float:
    return round(LEFT + WIDTH * min(max(value, 0.0), 100.0) / 100.0, 1)


def better_than(percentile: float, peers: int) -> int:
    """How many peers score lower (ties count half in the stored rank, so they are not 'beaten')."""
    return min(peers, max(0, math.floor(percentile * peers / 100.0 + 1e-6)))


def rank_words(percentile: float, peers: int) -> str:
    better = better_than(percentile, peers)
    if better == peers:
        return ngettext(
            "better than the %(num)d similar enterprise", "better than all %(num)d similar enterprises", peers
        )
    if better == 0:
        return ngettext(
            "not better than the %(num)d similar enterprise",
            "not better than any of the %(num)d similar enterprises",
            peers,
        )
    return ngettext(
        "better than %(better)d of the %(num)d similar enterprise",
        "better than %(better)d of the %(num)d similar enterprises",
        peers,
        better=better,
    )


def band(row: dict[str, Any] | None) -> dict[str, Any] | None:
    """The dot-on-band drawing and its words, or None when there is no benchmark to show."""
    min_peers = current_app.config["SETTINGS"]["privacy.min_peers"]
    if row is None or row["suppressed"] or row.get("bench_median") is None or row.get("mean") is None:
        return None
    peers, percentile = row.get("bench_peers") or 0, row.get("bench_percentile")
    if peers < min_peers or percentile is None or row.get("bench_q1") is None or row.get("bench_q3") is None:
        return None
    rank = rank_words(percentile, peers)
    spread = _(
        "similar enterprises: median %(median)s, middle half from %(q1)s to %(q3)s",
        median=words.score(row["bench_median"]),
        q1=words.score(row["bench_q1"]),
        q3=words.score(row["bench_q3"]),
    )
    return {
        "sentence": _sentence(rank)
        + f" ({_('percentile rank %(rank)s', rank=format_decimal(percentile, '0'))}). "
        + _sentence(spread)
        + ".",
        "score": x(row["mean"]),
        "median": x(row["bench_median"]),
        "q1": x(row["bench_q1"]),
        "q3": x(row["bench_q3"]),
        "rank": rank,
        "percentile": _("percentile rank %(rank)s", rank=format_decimal(percentile, "0")),
        "spread": spread,
        "label": _("Score %(score)s: %(rank)s; %(spread)s.", score=words.score(row["mean"]), rank=rank, spread=spread),
    }


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def no_band_reason(row: dict[str, Any] | None, still_open: bool = False) -> str:
    """Why there is no comparison: the methodology page explains each case at length."""
    if row is None or row["suppressed"]:
        return ""
    if still_open:
        return _("compared with similar enterprises once this wave is closed")
    if row.get("bench_median") is None and row.get("bench_peers"):
        return _(
            "no comparison: fewer than %(n)d similar enterprises", n=current_app.config["SETTINGS"]["privacy.min_peers"]
        )
    return _("no comparison available")


def change(row: dict[str, Any], label: str, previous_title: str | None) -> dict[str, Any] | None:
    """A shown change since the previous wave, in words, with its significance explained."""
    if row["suppressed"] or row.get("delta") is None or row.get("mean") is None:
        return None
    before = row["mean"] - row["delta"]
    text = _(
        "%(label)s: %(delta)s points since %(wave)s (from %(before)s to %(after)s).",
        label=label,
        delta=words.signed(row["delta"]),
        wave=previous_title or _("the previous wave"),
        before=words.score(before),
        after=words.score(row["mean"]),
    )
    if row.get("delta_significant"):
        why = _(
            "A difference this large would appear by chance less than 5 times in 100 (p = %(p)s): "
            "it is very likely a real change.",
            p=format_decimal(row["delta_p"], "0.000"),
        )
    elif row.get("delta_p") is not None:
        why = _("This difference could be chance (p = %(p)s).", p=format_decimal(row["delta_p"], "0.000"))
    else:
        why = ""
    return {"text": text, "why": why, "significant": bool(row.get("delta_significant"))}
