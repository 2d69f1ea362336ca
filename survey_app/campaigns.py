"""Campaigns: creation, state and personal links (shared by back office, CLI, demo and tests)."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlite_utils import Database

from survey_app.timeutil import iso_utc, parse_iso

# Personal links carry 128 bits from `secrets` (22 URL-safe characters); open links too.
TOKEN_BYTES = 16
SHORT_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: easy to read aloud


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


@dataclass(frozen=True)
class CampaignSpec:
    enterprise_id: int
    stakeholder_group: str
    questionnaire_id: str
    questionnaire_version: int
    title: str
    opens_at: datetime
    closes_at: datetime
    timezone: str
    languages: tuple[str, ...] = ("fr", "nl", "en")
    evaluative_question: str = ""
    expected_population: int | None = None
    custom_questions: tuple[dict[str, Any], ...] = ()


def create_campaign(db: Database, spec: CampaignSpec, now: datetime) -> int:
    """Insert a campaign (inside the caller's transaction); return its id."""
    cursor = db.execute(
        "INSERT INTO campaign (enterprise_id, stakeholder_group, questionnaire_id, questionnaire_version, "
        "title, evaluative_question, opens_at, closes_at, timezone, languages, expected_population, "
        "custom_questions, open_token, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [spec.enterprise_id, spec.stakeholder_group, spec.questionnaire_id, spec.questionnaire_version,
         spec.title, spec.evaluative_question, iso_utc(spec.opens_at), iso_utc(spec.closes_at),
         spec.timezone, json.dumps(list(spec.languages)), spec.expected_population,
         json.dumps(list(spec.custom_questions), ensure_ascii=False), new_token(), iso_utc(now)])
    return int(cursor.lastrowid)


def campaign_state(campaign: dict[str, Any], now: datetime) -> str:
    """draft (before opening), open (between its dates) or closed (after its end, or closed by hand).

    Instants are stored in UTC, so the comparison is exact whatever the campaign's timezone.
    """
    if campaign["closed_at"] or now >= parse_iso(campaign["closes_at"]):
        return "closed"
    if now < parse_iso(campaign["opens_at"]):
        return "draft"
    return "open"


def _short_codes(db: Database, campaign_id: int, count: int) -> list[str]:
    taken = {r[0] for r in db.execute("SELECT short_code FROM invitation WHERE campaign_id = ?", [campaign_id])}
    codes: list[str] = []
    while len(codes) < count:
        code = "".join(secrets.choice(SHORT_CODE_ALPHABET) for _ in range(6))
        if code not in taken:
            taken.add(code)
            codes.append(code)
    return codes


def generate_links(db: Database, campaign_id: int, count: int, now: datetime) -> list[dict[str, Any]]:
    """Create `count` personal links in one transaction-friendly bulk insert; return their rows."""
    created = iso_utc(now)
    rows = [{"campaign_id": campaign_id, "token": new_token(), "short_code": code, "created_at": created}
            for code in _short_codes(db, campaign_id, count)]
    db["invitation"].insert_all(rows, batch_size=1000)
    return rows


def languages_of(campaign: dict[str, Any]) -> list[str]:
    return json.loads(campaign["languages"])


def custom_questions_of(campaign: dict[str, Any]) -> list[dict[str, Any]]:
    return json.loads(campaign["custom_questions"])

