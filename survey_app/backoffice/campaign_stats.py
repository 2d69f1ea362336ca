"""Live counts of a campaign for its page: links issued, opened, in progress, submitted, rates."""

from __future__ import annotations

from dataclasses import dataclass, field

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
    per_day: list[tuple[str, int, int]] = field(default_factory=list)  # (day, count, % of busiest day)

    @property
    def submitted(self) -> int:
        return self.submitted_personal + self.submitted_open

    @property
    def active_links(self) -> int:
        return self.issued - self.revoked

    @property
    def personal_rate(self) -> float | None:
        """Submitted through personal links / links still valid (product.md: response rate)."""
        return round(100 * self.submitted_personal / self.active_links, 1) if self.active_links else None

    @property
    def open_rate(self) -> float | None:
        """Open-link responses against the expected population."""
        return round(100 * self.submitted_open / self.expected, 1) if self.expected else None


def campaign_counts(db: Database, campaign: dict) -> CampaignCounts:
    issued, revoked, opened, in_progress = db.execute(
        "SELECT count(*), count(revoked_at), "
        "count(CASE WHEN opened_on IS NOT NULL AND revoked_at IS NULL THEN 1 END), "
        "count(CASE WHEN started_on IS NOT NULL AND submitted_on IS NULL AND revoked_at IS NULL THEN 1 END) "
        "FROM invitation WHERE campaign_id = ?",
        [campaign["id"]],
    ).fetchone()
    by_link = dict(
        db.execute(
            "SELECT link, count(*) FROM response WHERE campaign_id = ? GROUP BY link", [campaign["id"]]
        ).fetchall()
    )
    days = db.execute(
        "SELECT submitted_on, count(*) FROM response WHERE campaign_id = ? GROUP BY submitted_on ORDER BY submitted_on",
        [campaign["id"]],
    ).fetchall()
    busiest = max((n for _d, n in days), default=1)
    return CampaignCounts(
        issued,
        revoked,
        opened,
        in_progress,
        by_link.get("personal", 0),
        by_link.get("open", 0),
        campaign["expected_population"],
        [(d, n, round(100 * n / busiest)) for d, n in days],
    )
