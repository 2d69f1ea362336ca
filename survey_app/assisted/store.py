"""Storing answers entered in the back office: the response keeps its channel (interview, paper)
and never the account; the account only gets a count in `entry_count` (per campaign and channel,
with no time and no response id), so nobody can tell which account entered which response.

A paper form with the short code of a personal card uses up that card's link, exactly as if its
holder had answered online: the invitation is marked submitted and its draft deleted.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlite_utils import Database

from survey_app.questionnaire.model import RawAnswer
from survey_app.respondent import submissions
from survey_app.respondent.links import OPEN, PERSONAL, SurveyLink
from survey_app.storage.db import write_transaction

CHANNELS = ("interview", "paper")
SHORT_CODE_LENGTH = 6


@dataclass(frozen=True)
class Card:
    """A personal link found by its short code, still unused."""

    invitation: dict[str, Any]

    @property
    def code(self) -> str:
        return str(self.invitation["short_code"])


def normalised_code(text: str | None) -> str:
    """What a person types from a card: spaces and case do not matter."""
    return "".join((text or "").split()).upper()[:16]


def find_card(db: Database, campaign_id: int, code: str) -> tuple[Card | None, str | None]:
    """The unused card with this code, or (None, reason): 'unknown', 'revoked' or 'used'."""
    cursor = db.execute(
        "SELECT * FROM invitation WHERE campaign_id = ? AND short_code = ?", [campaign_id, normalised_code(code)]
    )
    row = cursor.fetchone()
    if row is None:
        return None, "unknown"
    invitation = dict(zip([c[0] for c in cursor.description], row))
    if invitation["revoked_at"]:
        return None, "revoked"
    if invitation["answered"]:
        return None, "used"
    return Card(invitation), None


def entry_link(campaign: dict[str, Any], questionnaire: Any, channel: str, card: Card | None) -> SurveyLink:
    """The survey link an entry stands for: the card's personal link, or none (counted as open)."""
    return SurveyLink(
        PERSONAL if card else OPEN,
        "",
        campaign,
        questionnaire,
        campaign.get("enterprise_name", ""),
        card.invitation if card else None,
        channel=channel,
    )


def record(
    db: Database,
    link: SurveyLink,
    user_id: int,
    answers: Mapping[str, RawAnswer],
    language: str,
    submission_id: str | None,
    now: datetime,
) -> bool:
    """Store the response and count it for the account, atomically; False for a replay or a used card."""
    with write_transaction(db):
        if not submissions.submit(db, link, answers, language, submission_id, None, now):
            return False
        db.execute(
            "INSERT INTO entry_count (campaign_id, user_id, channel, count) VALUES (?, ?, ?, 1) "
            "ON CONFLICT (campaign_id, user_id, channel) DO UPDATE SET count = count + 1",
            [link.campaign["id"], user_id, link.channel],
        )
    return True
