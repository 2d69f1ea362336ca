"""Follow-up series records: create, add waves, end, erase; the series of a campaign; storing a link.

A series belongs to one enterprise and one stakeholder group; its waves are campaigns of both, in
the order they were added (position 0 is the baseline), each opening after the previous one. A
campaign is in one series at most. Erasing deletes the key file and every stored hash, pair and
paired result of the series, for good.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from survey_app.core.timeutil import iso_utc
from survey_app.domain import series_keys
from survey_app.domain.series_codes import LinkHashes
from survey_app.storage.db import write_transaction

LINK_TABLES = ("paired_result", "series_pair", "series_link", "series_signature")


@dataclass(frozen=True)
class SeriesWave:
    """What the respondent side needs to know about a campaign's series."""

    series_id: int
    method: str
    questions: tuple[str, ...]
    position: int

    @property
    def baseline(self) -> bool:
        return self.position == 0


def create(
    db: Database, enterprise_id: int, group: str, name: str, method: str, questions: list[str], now: datetime
) -> int:
    with write_transaction(db):
        return int(
            db.execute(  # type: ignore[arg-type]  # an INSERT always has a lastrowid
                "INSERT INTO series (enterprise_id, stakeholder_group, name, method, questions, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                [
                    enterprise_id,
                    group,
                    name,
                    method,
                    " ".join(questions) if method == "questions" else "",
                    iso_utc(now),
                ],
            ).lastrowid
        )


def waves(db: Database, series_id: int) -> list[dict[str, Any]]:
    return list(
        db.query(
            "SELECT c.*, s.position FROM series_campaign s JOIN campaign c ON c.id = s.campaign_id "
            "WHERE s.series_id = ? ORDER BY s.position",
            [series_id],
        )
    )


def candidates(db: Database, series: dict[str, Any]) -> list[dict[str, Any]]:
    """Campaigns that may be added next: same enterprise and group, in no series, opening after the last wave."""
    last = waves(db, series["id"])[-1:]
    return list(
        db.query(
            "SELECT * FROM campaign WHERE enterprise_id = ? AND stakeholder_group = ? "
            "AND id NOT IN (SELECT campaign_id FROM series_campaign) AND opens_at > ? ORDER BY opens_at",
            [series["enterprise_id"], series["stakeholder_group"], last[0]["opens_at"] if last else ""],
        )
    )


def add_wave(db: Database, series: dict[str, Any], campaign_id: int) -> bool:
    """Append a campaign as the next wave; False when it is not a candidate (checked in the transaction)."""
    with write_transaction(db):
        if campaign_id not in {c["id"] for c in candidates(db, series)}:
            return False
        position = db.execute(
            "SELECT COALESCE(MAX(position) + 1, 0) FROM series_campaign WHERE series_id = ?", [series["id"]]
        ).fetchone()[0]
        db.execute(
            "INSERT INTO series_campaign (campaign_id, series_id, position) VALUES (?, ?, ?)",
            [campaign_id, series["id"], position],
        )
    return True


def wave_of(db: Database, campaign_id: int) -> SeriesWave | None:
    """The active series wave of a campaign (None outside a series, or once the series ended)."""
    row = db.execute(
        "SELECT s.id, s.method, s.questions, sc.position FROM series_campaign sc JOIN series s ON s.id = sc.series_id "
        "WHERE sc.campaign_id = ? AND s.state = 'active'",
        [campaign_id],
    ).fetchone()
    return SeriesWave(row[0], row[1], tuple(row[2].split()), row[3]) if row else None


def store_link(db: Database, series_id: int, response_id: int, hashes: LinkHashes) -> None:
    """Keep a response's hashes (called inside the submission's transaction)."""
    db.execute(
        "INSERT INTO series_link (response_id, series_id, code_hash) VALUES (?, ?, ?)",
        [response_id, series_id, hashes.code_hash],
    )
    db.conn.executemany(
        "INSERT INTO series_link_mask (response_id, element, mask_hash) VALUES (?, ?, ?)",
        [(response_id, i, mask) for i, mask in enumerate(hashes.masks)],
    )


def linked_count(db: Database, series_id: int) -> int:
    return int(db.execute("SELECT COUNT(*) FROM series_link WHERE series_id = ?", [series_id]).fetchone()[0])


def end(db: Database, series_id: int) -> None:
    """No more linking offered; links and results stay until erased."""
    with write_transaction(db):
        db.execute("UPDATE series SET state = 'ended' WHERE id = ? AND state = 'active'", [series_id])


def erase(db: Database, instance: Path, series_id: int) -> None:
    """Destroy every link of the series: hashes, pairs and paired results, then the key file.

    Rows first: the pipeline matches stored hashes without the key, so a key gone with its hashes
    left would not unlink anything; a key left after its rows went links nothing (no hash remains,
    and an erased series offers no linking)."""
    with write_transaction(db):
        for table in LINK_TABLES:
            db.execute(f"DELETE FROM {table} WHERE series_id = ?", [series_id])
        db.execute("UPDATE series SET state = 'erased' WHERE id = ?", [series_id])
    series_keys.destroy(instance, series_id)
