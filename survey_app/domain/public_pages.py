"""Public valorisation pages: a manager publishes (opt-in) a page of a campaign or of the whole
enterprise, at an unguessable address, and may revoke it at any time.

The token (128 bits from `secrets`) is the only way to the page. Revoking stamps revoked_at and
every look-up asks for `revoked_at IS NULL`, so a revoked address answers 404 from the next
request on; publishing again makes a new address. Callers scope the enterprise and campaign first.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlite_utils import Database

from survey_app.core.timeutil import iso_utc
from survey_app.domain.campaigns import new_token
from survey_app.storage.db import inserted_id, write_transaction

MAX_OWN_WORDS = 4000


def _one(db: Database, sql: str, params: list[Any]) -> dict[str, Any] | None:
    rows = list(db.query(sql, params))
    return rows[0] if rows else None


def live(db: Database, enterprise_id: int, campaign_id: int | None) -> dict[str, Any] | None:
    """The scope's page that is not revoked, if any."""
    return _one(
        db,
        "SELECT * FROM public_page WHERE enterprise_id = ? AND campaign_id IS ? AND revoked_at IS NULL",
        [enterprise_id, campaign_id],
    )


def by_token(db: Database, token: str) -> dict[str, Any] | None:
    """The live page behind a token; None for unknown and revoked tokens alike."""
    return _one(db, "SELECT * FROM public_page WHERE token = ? AND revoked_at IS NULL", [token])


def publish(db: Database, enterprise_id: int, campaign_id: int | None, user_id: int, now: datetime) -> dict[str, Any]:
    """The scope's live page, created when there is none (publishing twice keeps one address)."""
    with write_transaction(db):
        page = live(db, enterprise_id, campaign_id)
        if page is None:
            when = iso_utc(now)
            cursor = db.execute(
                "INSERT INTO public_page (enterprise_id, campaign_id, token, published_by, published_at, updated_at) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                [enterprise_id, campaign_id, new_token(), user_id, when, when],
            )
            page = _one(db, "SELECT * FROM public_page WHERE id = ?", [inserted_id(cursor)])
    assert page is not None
    return page


def update(
    db: Database,
    page_id: int,
    own_words: str,
    allow_indexing: bool,
    quotes: list[tuple[int, str]],
    now: datetime,
) -> None:
    """The enterprise's words, the indexing choice and the chosen testimonies (replacing the old choice)."""
    with write_transaction(db):
        db.execute(
            "UPDATE public_page SET own_words = ?, allow_indexing = ?, updated_at = ? WHERE id = ?",
            [own_words.replace("\r\n", "\n")[:MAX_OWN_WORDS], int(allow_indexing), iso_utc(now), page_id],
        )
        db.execute("DELETE FROM public_page_quote WHERE page_id = ?", [page_id])
        db.conn.executemany(
            "INSERT OR IGNORE INTO public_page_quote (page_id, response_id, question_id) VALUES (?, ?, ?)",
            [(page_id, response_id, question_id) for response_id, question_id in quotes],
        )


def revoke(db: Database, page_id: int, now: datetime) -> bool:
    """Take the page down; False when it was already revoked."""
    with write_transaction(db):
        cursor = db.execute(
            "UPDATE public_page SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL", [iso_utc(now), page_id]
        )
        return cursor.rowcount == 1


def chosen_quotes(db: Database, page_id: int) -> set[tuple[int, str]]:
    return {
        (row[0], row[1])
        for row in db.execute("SELECT response_id, question_id FROM public_page_quote WHERE page_id = ?", [page_id])
    }
