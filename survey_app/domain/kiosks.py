"""Kiosks: an open link of its own for a shared tablet (at a reception desk), with a ceiling of
responses per hour so that one tablet cannot flood a campaign. The hourly count lives in the
shared rate-limit table under `kiosk_key`, counted when a response is sent from the tablet."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlite_utils import Database

from survey_app.core.timeutil import iso_utc
from survey_app.domain.campaigns import new_token
from survey_app.storage.db import inserted_id, write_transaction

HOUR = 3600
MAX_KIOSKS = 20


def kiosk_key(kiosk_id: int) -> str:
    return f"kiosk:{kiosk_id}"


def kiosk_link(base_url: str, token: str) -> str:
    return f"{base_url.rstrip('/')}/k/{token}"


def add_kiosk(db: Database, campaign_id: int, name: str, hourly_limit: int, now: datetime) -> int:
    with write_transaction(db):
        cursor = db.execute(
            "INSERT INTO kiosk (campaign_id, token, name, hourly_limit, created_at) VALUES (?, ?, ?, ?, ?)",
            [campaign_id, new_token(), name, hourly_limit, iso_utc(now)],
        )
        return inserted_id(cursor)


def remove_kiosk(db: Database, campaign_id: int, kiosk_id: int, now: datetime) -> bool:
    """Stop a kiosk's link (its drafts go with it); False when it is not one of the campaign's."""
    with write_transaction(db):
        done = db.execute(
            "UPDATE kiosk SET removed_at = ? WHERE id = ? AND campaign_id = ? AND removed_at IS NULL",
            [iso_utc(now), kiosk_id, campaign_id],
        ).rowcount
        db.execute("DELETE FROM draft WHERE kiosk_id = ?", [kiosk_id])
    return done == 1


def sent_this_hour(db: Database, kiosk_id: int, now: datetime) -> int:
    window = int(now.timestamp()) // HOUR * HOUR
    row = db.execute(
        "SELECT count FROM rate_limit WHERE key = ? AND window_start = ?", [kiosk_key(kiosk_id), window]
    ).fetchone()
    return int(row[0]) if row else 0


def kiosks_of(db: Database, campaign_id: int, now: datetime) -> list[dict[str, Any]]:
    """The campaign's active kiosks with this hour's count of responses sent from each."""
    rows = db.query("SELECT * FROM kiosk WHERE campaign_id = ? AND removed_at IS NULL ORDER BY id", [campaign_id])
    return [{**row, "this_hour": sent_this_hour(db, row["id"], now)} for row in rows]
