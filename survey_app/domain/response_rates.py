"""The response rate: one definition, computed here and nowhere else (campaign page, dashboard,
report, API, digest, federation view and charts all call `for_campaigns`).

- personal links: responses through a personal link / links handed out (not revoked, or used);
- open link: every other response (open link, QR poster) / the expected population;
- combined: all responses / (links handed out + expected population), known only when every
  kind of link that has responses has its denominator (open responses without an expected population
  leave the combined rate unknown rather than inflating it).

Counts are read live from the source tables, so every surface shows the same figure at the same
moment. A count of responses is not an answer-derived figure: it is shown for small groups too.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from babel.numbers import format_decimal, format_percent
from sqlite_utils import Database

from survey_app.core.catalogs import translator

PERSONAL = "personal"
MAX_PARAMETERS = 500


@dataclass(frozen=True)
class ResponseRate:
    campaign_id: int
    personal_submitted: int
    links_handed_out: int
    open_submitted: int
    expected: int | None

    @property
    def submitted(self) -> int:
        return self.personal_submitted + self.open_submitted

    @property
    def personal(self) -> float | None:
        """Share (0-1) of handed-out personal links that led to a response; None without links."""
        return self.personal_submitted / self.links_handed_out if self.links_handed_out else None

    @property
    def open(self) -> float | None:
        """Share (0-1) of the expected population that answered through the open link."""
        return self.open_submitted / self.expected if self.expected else None

    @property
    def combined(self) -> float | None:
        """Both kinds of link together, or None when one with responses has no denominator."""
        if self.open_submitted and not self.expected:
            return None
        denominator = self.links_handed_out + (self.expected or 0)
        return self.submitted / denominator if denominator else None


def for_campaigns(db: Database, campaigns: Iterable[dict]) -> dict[int, ResponseRate]:
    """The rate of each campaign (dicts with `id` and `expected_population`), in two queries."""
    expected = {c["id"]: c["expected_population"] for c in campaigns}
    if not expected:
        return {}
    ids = sorted(expected)
    # Many campaigns (the federation view): one pass over the indexes beats thousands of parameters.
    where, params = ("", []) if len(ids) > MAX_PARAMETERS else (f"campaign_id IN ({', '.join('?' * len(ids))})", ids)
    links = dict(
        db.execute(
            "SELECT campaign_id, COUNT(*) FROM invitation WHERE (revoked_at IS NULL OR answered = 1)"
            + (f" AND {where}" if where else "")
            + " GROUP BY campaign_id",
            params,
        ).fetchall()
    )
    personal: dict[int, int] = {}
    other: dict[int, int] = {}
    for campaign_id, link, count in db.execute(
        "SELECT campaign_id, link, COUNT(*) FROM response"
        + (f" WHERE {where}" if where else "")
        + " GROUP BY campaign_id, link",
        params,
    ):
        if campaign_id not in expected:
            continue
        target = personal if link == PERSONAL else other
        target[campaign_id] = target.get(campaign_id, 0) + count
    return {
        cid: ResponseRate(cid, personal.get(cid, 0), links.get(cid, 0), other.get(cid, 0), expected[cid]) for cid in ids
    }


def for_campaign(db: Database, campaign: dict) -> ResponseRate:
    return for_campaigns(db, [campaign])[campaign["id"]]


def percent(value: float | None, language: str) -> str:
    """29,2 % in French, 29.2% in English: at most one decimal, the language's own sign and spaces."""
    return "" if value is None else format_percent(round(value, 3), locale=language, decimal_quantization=False)


@dataclass(frozen=True)
class RateWords:
    """How every surface writes one campaign's rate: the combined figure, then each channel."""

    combined: str
    personal: str  # "personal links: 12 of 41 (29,2 %)", empty without personal links
    open: str
    personal_share: str = ""  # "29,2 %" alone, empty when not known
    open_share: str = ""

    @property
    def details(self) -> str:
        return "; ".join(part for part in (self.personal, self.open) if part)


def describe(rate: ResponseRate, language: str) -> RateWords:
    _ = translator(language).gettext

    def number(value: int) -> str:
        return format_decimal(value, locale=language)

    personal = ""
    if rate.links_handed_out:
        personal = _("personal links: %(submitted)s of %(links)s (%(rate)s)") % {
            "submitted": number(rate.personal_submitted),
            "links": number(rate.links_handed_out),
            "rate": percent(rate.personal, language),
        }
    opened = ""
    if rate.expected:
        opened = _("open link: %(submitted)s for an expected population of %(expected)s (%(rate)s)") % {
            "submitted": number(rate.open_submitted),
            "expected": number(rate.expected),
            "rate": percent(rate.open, language),
        }
    elif rate.open_submitted:
        opened = _("open link: %(submitted)s (no expected population given)") % {
            "submitted": number(rate.open_submitted)
        }
    combined = percent(rate.combined, language) if rate.combined is not None else _("not known")
    return RateWords(combined, personal, opened, percent(rate.personal, language), percent(rate.open, language))
