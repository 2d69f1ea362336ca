"""Live counts of a campaign for its page: links issued, opened, in progress, submitted (the response
rate itself has one definition, in survey_app.domain.response_rates).

Submissions are counted per ISO week, never per day: a response keeps only its week, and a daily
count with one submission pointed at whoever answered that day.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlite_utils import Database


@dataclass(frozen=True)
class CampaignCounts:
    issued: int
    revoked: int
    opened: int
    in_progress: int
    submitted_personal: int
    submitted_open: int
    expected: int | None
    per_week: list[tuple[date, int, int]] = field(default_factory=list)  # (Monday, count, % of busiest week)

    @property
    def submitted(self) -> int:
        return self.submitted_personal + self.submitted_open

    @property
    def active_links(self) -> int:
        return self.issued - self.revoked


def campaign_counts(db: Database, campaign: dict) -> CampaignCounts:
    issued, revoked, opened, in_progress = db.execute(
        "SELECT count(*), count(revoked_at), "
        "count(CASE WHEN opened AND revoked_at IS NULL THEN 1 END), "
        "count(CASE WHEN started AND NOT answered AND revoked_at IS NULL THEN 1 END) "
        "FROM invitation WHERE campaign_id = ?",
        [campaign["id"]],
    ).fetchone()
    by_link = dict(
        db.execute(
            "SELECT link, count(*) FROM response WHERE campaign_id = ? GROUP BY link", [campaign["id"]]
        ).fetchall()
    )
    weeks = db.execute(
        "SELECT submitted_week, count(*) FROM response WHERE campaign_id = ? GROUP BY submitted_week "
        "ORDER BY submitted_week",
        [campaign["id"]],
    ).fetchall()
    busiest = max((n for _w, n in weeks), default=1)
    return CampaignCounts(
        issued,
        revoked,
        opened,
        in_progress,
        by_link.get("personal", 0),
        by_link.get("open", 0),
        campaign["expected_population"],
        [(week_monday(w), n, round(100 * n / busiest)) for w, n in weeks if w],
    )


def week_monday(week: str) -> date:
    """The Monday of an ISO week written "2026-W10"."""
    year, _w, number = week.partition("-W")
    return date.fromisocalendar(int(year), int(number), 1)
