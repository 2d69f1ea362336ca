"""The outbox: every e-mail is a row, written in the transaction that decides to send it, and
delivered later by the scheduler (survey_app.mail.delivery). Nothing here talks to a mail server.

A row is queued, then sent, failed (permanently) or cancelled (its address was erased meanwhile).
Campaign mails keep no address and no link: both are read at delivery from invitation_email, the
one table of personal addresses. Account and digest mails keep their rendered text until they are
delivered; then it is cleared, and `purge` deletes finished rows after the retention period.
The `outbox_state` row is the delivery lease (one deliverer at a time, across processes) and the
mail server's health (a server that does not answer pauses delivery; nothing is counted as failed).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlite_utils import Database

from survey_app.core.timeutil import iso_utc
from survey_app.storage.db import inserted_id, write_transaction

STATE = "outbox"
CAMPAIGN_KINDS = ("invitation", "reminder")
ACCOUNT_KINDS = ("welcome", "reset", "digest")


def enqueue(db: Database, kind: str, recipient: str, subject: str, text: str, html: str, now: datetime) -> int:
    """Queue one rendered account or digest mail (inside the caller's transaction); return its id."""
    if kind not in ACCOUNT_KINDS:
        raise ValueError(f"{kind}: campaign mails are queued with enqueue_campaign")
    cursor = db.execute(
        "INSERT INTO outbox (kind, recipient, subject, text_body, html_body, next_attempt_at, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        [kind, recipient, subject, text, html, iso_utc(now), iso_utc(now)],
    )
    return inserted_id(cursor)


def enqueue_campaign(
    db: Database, kind: str, campaign_id: int, condition: str, params: list[Any], now: datetime, automatic: bool = False
) -> int:
    """Queue one campaign mail per invitation_email row `ie` (joined to invitation `i`) that meets
    `condition` and has no mail of this kind queued yet: one INSERT ... SELECT, so thousands take
    milliseconds. Return how many were queued."""
    if kind not in CAMPAIGN_KINDS:
        raise ValueError(kind)
    with write_transaction(db):
        return db.execute(
            "INSERT INTO outbox (kind, campaign_id, invitation_id, automatic, next_attempt_at, created_at) "
            "SELECT ?, ie.campaign_id, ie.invitation_id, ?, ?, ? FROM invitation_email ie "
            "JOIN invitation i ON i.id = ie.invitation_id "
            f"WHERE ie.campaign_id = ? AND i.revoked_at IS NULL AND ({condition}) AND NOT EXISTS "
            "(SELECT 1 FROM outbox o WHERE o.invitation_id = ie.invitation_id AND o.kind = ? AND o.status = 'queued') "
            "ORDER BY ie.invitation_id",
            [kind, int(automatic), iso_utc(now), iso_utc(now), campaign_id, *params, kind],
        ).rowcount


def due(db: Database, now: datetime, limit: int) -> list[dict[str, Any]]:
    """Queued rows whose time has come, oldest first."""
    return list(
        db.query(
            "SELECT * FROM outbox WHERE status = 'queued' AND next_attempt_at <= ? ORDER BY id LIMIT ?",
            [iso_utc(now), limit],
        )
    )


def sent_since(db: Database, since: datetime) -> int:
    return db.execute("SELECT count(*) FROM outbox WHERE sent_at >= ?", [iso_utc(since)]).fetchone()[0]


def mark_sent(db: Database, row: dict[str, Any], now: datetime) -> None:
    """Record a delivery and forget the text (and address) it carried."""
    with write_transaction(db):
        db.execute(
            "UPDATE outbox SET status = 'sent', sent_at = ?, attempts = attempts + 1, last_error = NULL, "
            "recipient = NULL, subject = NULL, text_body = NULL, html_body = NULL WHERE id = ?",
            [iso_utc(now), row["id"]],
        )
        if row["kind"] == "invitation":
            db.execute(
                "UPDATE invitation_email SET sent_at = ?, last_error = NULL WHERE invitation_id = ?",
                [iso_utc(now), row["invitation_id"]],
            )
        elif row["kind"] == "reminder":
            db.execute(
                "UPDATE invitation_email SET reminded_at = ?, reminders = reminders + 1, last_error = NULL "
                "WHERE invitation_id = ?",
                [iso_utc(now), row["invitation_id"]],
            )


def mark_retry(db: Database, row: dict[str, Any], error: str, next_attempt: datetime) -> None:
    with write_transaction(db):
        db.execute(
            "UPDATE outbox SET attempts = attempts + 1, last_error = ?, next_attempt_at = ? WHERE id = ?",
            [error[:500], iso_utc(next_attempt), row["id"]],
        )


def mark_failed(db: Database, row: dict[str, Any], error: str) -> None:
    """A permanent failure: kept (and shown on the campaign page) until the retention purge."""
    with write_transaction(db):
        db.execute(
            "UPDATE outbox SET status = 'failed', attempts = attempts + 1, last_error = ?, "
            "subject = NULL, text_body = NULL, html_body = NULL WHERE id = ?",
            [error[:500], row["id"]],
        )
        if row["invitation_id"] is not None:
            db.execute(
                "UPDATE invitation_email SET last_error = ? WHERE invitation_id = ?",
                [error[:500], row["invitation_id"]],
            )


def cancel(db: Database, row_id: int, reason: str) -> None:
    with write_transaction(db):
        db.execute("UPDATE outbox SET status = 'cancelled', last_error = ? WHERE id = ?", [reason, row_id])


def cancel_for_campaign(db: Database, campaign_id: int, invitation_id: int | None = None) -> int:
    """Cancel a campaign's queued mails (all, or one address's): their addresses are being erased."""
    with write_transaction(db):
        return db.execute(
            "UPDATE outbox SET status = 'cancelled', last_error = 'address erased' "
            "WHERE campaign_id = ? AND status = 'queued' AND (? IS NULL OR invitation_id = ?)",
            [campaign_id, invitation_id, invitation_id],
        ).rowcount


def campaign_progress(db: Database, campaign_id: int) -> dict[str, dict[str, int]]:
    """{kind: {status: count}} of a campaign's mails still in the outbox."""
    progress: dict[str, dict[str, int]] = {kind: {} for kind in CAMPAIGN_KINDS}
    for kind, status, count in db.execute(
        "SELECT kind, status, count(*) FROM outbox WHERE campaign_id = ? GROUP BY kind, status", [campaign_id]
    ):
        progress[kind][status] = count
    return progress


def purge(db: Database, now: datetime, days: int) -> int:
    """Delete finished rows (sent, failed, cancelled) older than `days` days."""
    cutoff = iso_utc(now - timedelta(days=days))
    with write_transaction(db):
        return db.execute(
            "DELETE FROM outbox WHERE status <> 'queued' AND COALESCE(sent_at, next_attempt_at) < ?", [cutoff]
        ).rowcount


# The delivery lease and the mail server's health: one row, read and taken under BEGIN IMMEDIATE.


def state(db: Database) -> dict[str, Any]:
    rows = list(db.query("SELECT * FROM outbox_state WHERE name = ?", [STATE]))
    return rows[0] if rows else {"name": STATE, "holder": None, "expires_at": None, "failures": 0, "paused_until": None}


def acquire(db: Database, holder: str, now: datetime, ttl: timedelta) -> bool:
    """Take the delivery lease if it is free, expired or already ours."""
    with write_transaction(db):
        row = db.execute("SELECT holder, expires_at FROM outbox_state WHERE name = ?", [STATE]).fetchone()
        if row is not None and row[0] not in (None, holder) and (row[1] or "") > iso_utc(now):
            return False
        db.execute(
            "INSERT INTO outbox_state (name, holder, expires_at) VALUES (?, ?, ?) "
            "ON CONFLICT(name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at",
            [STATE, holder, iso_utc(now + ttl)],
        )
        return True


def renew(db: Database, holder: str, now: datetime, ttl: timedelta) -> bool:
    with write_transaction(db):
        return (
            db.execute(
                "UPDATE outbox_state SET expires_at = ? WHERE name = ? AND holder = ?",
                [iso_utc(now + ttl), STATE, holder],
            ).rowcount
            == 1
        )


def release(db: Database, holder: str) -> None:
    with write_transaction(db):
        db.execute(
            "UPDATE outbox_state SET holder = NULL, expires_at = NULL WHERE name = ? AND holder = ?", [STATE, holder]
        )


def server_down(db: Database, error: str, now: datetime, retry_at: datetime) -> None:
    """The mail server did not answer: pause delivery until `retry_at` (messages keep their turn)."""
    with write_transaction(db):
        db.execute(
            "UPDATE outbox_state SET failures = failures + 1, paused_until = ?, last_error = ?, "
            "failing_since = COALESCE(failing_since, ?) WHERE name = ?",
            [iso_utc(retry_at), error[:500], iso_utc(now), STATE],
        )


def server_up(db: Database) -> None:
    with write_transaction(db):
        db.execute(
            "UPDATE outbox_state SET failures = 0, paused_until = NULL, last_error = NULL, failing_since = NULL "
            "WHERE name = ? AND failures > 0",
            [STATE],
        )
