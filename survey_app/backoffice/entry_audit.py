"""The campaign's audit of answers entered in the back office: counts per account and channel.

Counts only (entry_count has no time and no response id), so the page says who entered how many
answers, never which ones.
"""

from __future__ import annotations

from typing import Any

from sqlite_utils import Database


def entry_audit(db: Database, campaign_id: int) -> list[dict[str, Any]]:
    return list(
        db.query(
            "SELECT u.email, u.name, u.role, e.channel, e.count FROM entry_count e JOIN user u ON u.id = e.user_id "
            "WHERE e.campaign_id = ? ORDER BY u.email, e.channel",
            [campaign_id],
        )
    )


def channel_counts(db: Database, campaign_id: int) -> dict[str, int]:
    """Responses per channel (self, interview, paper): counts of responses, as on the page above."""
    rows = db.execute("SELECT channel, count(*) FROM response WHERE campaign_id = ? GROUP BY channel", [campaign_id])
    return dict(rows.fetchall())
