"""Campaigns: creation, state and personal links (shared by back office, CLI, demo and tests)."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlite_utils import Database

from survey_app.core import short_codes
from survey_app.core.errors import VisesError
from survey_app.core.short_codes import normalise
from survey_app.core.timeutil import iso_utc, parse_iso
from survey_app.storage.db import inserted_id, write_transaction

# Personal links carry 128 bits from `secrets` (22 URL-safe characters); open links too.
TOKEN_BYTES = 16
MAX_CUSTOM_QUESTIONS = 5
MAX_INSTRUMENTS = 3
MAX_LINKS_AT_ONCE = 10_000
TIMEZONES = ("Europe/Brussels", "Europe/Paris")


class FrozenCampaign(Exception):
    """The campaign has responses: its questionnaire and custom questions can no longer change."""


class UnknownCampaign(VisesError, LookupError):
    """No campaign has this id."""


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
    instruments: tuple[tuple[str, int], ...] = ()  # pinned (instrument id, version), one page each
    # Respondents are told, before answering, that their answers may be exported one row per person.
    responses_exportable: bool = False
    easy_mode: bool = False  # one question per screen with pictures, for everyone (respondents may choose it anyway)


def _settings_row(spec: CampaignSpec) -> dict[str, Any]:
    """The campaign columns a spec sets, as stored (the same for a new and an edited campaign)."""
    return {
        "stakeholder_group": spec.stakeholder_group,
        "questionnaire_id": spec.questionnaire_id,
        "questionnaire_version": spec.questionnaire_version,
        "title": spec.title,
        "evaluative_question": spec.evaluative_question,
        "opens_at": iso_utc(spec.opens_at),
        "closes_at": iso_utc(spec.closes_at),
        "timezone": spec.timezone,
        "languages": json.dumps(list(spec.languages)),
        "expected_population": spec.expected_population,
        "custom_questions": json.dumps(list(spec.custom_questions), ensure_ascii=False),
        "instruments": json.dumps([list(pair) for pair in spec.instruments]),
        "responses_exportable": int(spec.responses_exportable),
        "easy_mode": int(spec.easy_mode),
    }


def create_campaign(db: Database, spec: CampaignSpec, now: datetime) -> int:
    """Insert a campaign (inside the caller's transaction); return its id."""
    row = {
        "enterprise_id": spec.enterprise_id,
        **_settings_row(spec),
        "open_token": new_token(),
        "open_code": _short_codes(db, 1)[0],
        "created_at": iso_utc(now),
    }
    cursor = db.execute(
        f"INSERT INTO campaign ({', '.join(row)}) VALUES ({', '.join('?' for _ in row)})", list(row.values())
    )
    return inserted_id(cursor)


def check_campaign(db: Database, campaign_id: int) -> None:
    """UnknownCampaign unless a campaign has this id."""
    if db.execute("SELECT 1 FROM campaign WHERE id = ?", [campaign_id]).fetchone() is None:
        raise UnknownCampaign(f"No campaign {campaign_id}.")


def campaign_state(campaign: dict[str, Any], now: datetime) -> str:
    """draft (before opening), open (between its dates) or closed (after its end, or closed by hand).

    Instants are stored in UTC, so the comparison is exact whatever the campaign's timezone.
    """
    if campaign["closed_at"] or now >= parse_iso(campaign["closes_at"]):
        return "closed"
    if now < parse_iso(campaign["opens_at"]):
        return "draft"
    return "open"


def _short_codes(db: Database, count: int) -> list[str]:
    """`count` new codes that no campaign uses (typed at /code, so unique across campaigns)."""
    codes: set[str] = set()
    while len(codes) < count:
        fresh = {short_codes.new_code() for _ in range(count - len(codes))} - codes
        for start in range(0, len(fresh), 500):
            chunk = sorted(fresh)[start : start + 500]
            taken = db.execute(
                f"SELECT short_code FROM invitation WHERE short_code IN ({', '.join('?' * len(chunk))}) "
                f"UNION SELECT open_code FROM campaign WHERE open_code IN ({', '.join('?' * len(chunk))})",
                [*chunk, *chunk],
            )
            fresh -= {row[0] for row in taken}
        codes |= fresh
    return list(codes)


def generate_links(db: Database, campaign_id: int, count: int, now: datetime) -> list[dict[str, Any]]:
    """Create `count` personal links in one transaction-friendly bulk insert; return their rows."""
    created = iso_utc(now)
    rows = [
        {"campaign_id": campaign_id, "token": new_token(), "short_code": code, "created_at": created}
        for code in _short_codes(db, count)
    ]
    db.table("invitation").insert_all(rows, batch_size=1000)
    return rows


def languages_of(campaign: dict[str, Any]) -> list[str]:
    return json.loads(campaign["languages"])


def custom_questions_of(campaign: dict[str, Any]) -> list[dict[str, Any]]:
    return json.loads(campaign["custom_questions"])


def instruments_of(campaign: dict[str, Any]) -> list[tuple[str, int]]:
    """The campaign's pinned instruments as (id, version) pairs, in page order."""
    return [(str(iid), int(version)) for iid, version in json.loads(campaign.get("instruments") or "[]")]


def has_responses(db: Database, campaign_id: int) -> bool:
    return db.execute("SELECT 1 FROM response WHERE campaign_id = ? LIMIT 1", [campaign_id]).fetchone() is not None


def update_campaign(db: Database, campaign_id: int, spec: CampaignSpec) -> None:
    """Save edited settings; raise FrozenCampaign if responses exist and the questions would change,
    or exports would be turned on (those who already answered were told there would be none)."""
    with write_transaction(db):
        old = dict(
            zip(
                ("questionnaire_id", "questionnaire_version", "custom_questions", "group", "instruments", "exportable"),
                db.execute(
                    "SELECT questionnaire_id, questionnaire_version, custom_questions, stakeholder_group, "
                    "instruments, responses_exportable FROM campaign WHERE id = ?",
                    [campaign_id],
                ).fetchone(),
            )
        )
        changes_questions = (
            old["questionnaire_id"],
            old["questionnaire_version"],
            old["group"],
            json.loads(old["custom_questions"]),
            instruments_of(old),
        ) != (
            spec.questionnaire_id,
            spec.questionnaire_version,
            spec.stakeholder_group,
            list(spec.custom_questions),
            list(spec.instruments),
        )
        turns_exports_on = spec.responses_exportable and not old["exportable"]
        if (changes_questions or turns_exports_on) and has_responses(db, campaign_id):
            raise FrozenCampaign(campaign_id)
        row = _settings_row(spec)
        db.execute(
            f"UPDATE campaign SET {', '.join(f'{column} = ?' for column in row)} WHERE id = ?",
            [*row.values(), campaign_id],
        )


def close_campaign(db: Database, campaign_id: int, now: datetime) -> bool:
    """Close early (by hand); False if it was already closed by hand."""
    with write_transaction(db):
        return (
            db.execute(
                "UPDATE campaign SET closed_at = ? WHERE id = ? AND closed_at IS NULL", [iso_utc(now), campaign_id]
            ).rowcount
            == 1
        )


def duplicate_campaign(db: Database, campaign: dict[str, Any], version: int, now: datetime) -> int:
    """A draft copy for the next wave: same settings and custom questions, new links, new dates
    (opening in a week, for as long as the original), questionnaire at `version`."""
    opens = now.replace(second=0, microsecond=0) + timedelta(days=7)
    duration = parse_iso(campaign["closes_at"]) - parse_iso(campaign["opens_at"])
    spec = CampaignSpec(
        enterprise_id=campaign["enterprise_id"],
        stakeholder_group=campaign["stakeholder_group"],
        questionnaire_id=campaign["questionnaire_id"],
        questionnaire_version=version,
        title=campaign["title"],
        opens_at=opens,
        closes_at=opens + duration,
        timezone=campaign["timezone"],
        languages=tuple(languages_of(campaign)),
        evaluative_question=campaign["evaluative_question"],
        expected_population=campaign["expected_population"],
        custom_questions=tuple(custom_questions_of(campaign)),
        instruments=tuple(instruments_of(campaign)),
        responses_exportable=bool(campaign["responses_exportable"]),
        easy_mode=bool(campaign.get("easy_mode")),
    )
    with write_transaction(db):
        return create_campaign(db, spec, now)


def personal_link(base_url: str, token: str) -> str:
    return f"{base_url.rstrip('/')}/s/{token}"


def open_link(base_url: str, open_token: str) -> str:
    return f"{base_url.rstrip('/')}/o/{open_token}"


def known_codes(db: Database, campaign_id: int, codes_typed: list[str]) -> tuple[list[str], list[str]]:
    """The typed codes (normalised) that are links of this campaign, and those that are not."""
    codes = sorted({normalise(c) for c in codes_typed if normalise(c)})
    known = (
        {
            r[0]
            for r in db.execute(
                f"SELECT short_code FROM invitation WHERE campaign_id = ? AND short_code IN "
                f"({', '.join('?' * len(codes))})",
                [campaign_id, *codes],
            )
        }
        if codes
        else set()
    )
    return [c for c in codes if c in known], [c for c in codes if c not in known]


def revoke_links(db: Database, campaign_id: int, codes_typed: list[str], now: datetime) -> tuple[int, list[str]]:
    """Revoke the campaign's links with these short codes; return (count revoked, unknown codes)."""
    with write_transaction(db):
        known, unknown = known_codes(db, campaign_id, codes_typed)
        revoked = (
            db.execute(
                f"UPDATE invitation SET revoked_at = ? WHERE campaign_id = ? AND revoked_at IS NULL AND "
                f"short_code IN ({', '.join('?' * len(known))})",
                [iso_utc(now), campaign_id, *known],
            ).rowcount
            if known
            else 0
        )
    return revoked, unknown


def set_open_link(db: Database, campaign_id: int, enabled: bool) -> None:
    with write_transaction(db):
        db.execute("UPDATE campaign SET open_link_enabled = ? WHERE id = ?", [int(enabled), campaign_id])
