"""E-mail invitations: addresses (personal data, kept in invitation_email only), queueing,
unsubscribing and erasure.

Each address gets its own personal link and its own unsubscribe token. Sending a batch only
queues it in the outbox (one INSERT ... SELECT); the scheduler delivers, and `sent_at` /
`reminded_at` are written when the server accepted each message, so a retry after a failure (or a
crash) never sends twice to someone already reached.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlite_utils import Database

from survey_app.core.addresses import is_email
from survey_app.core.timeutil import iso_utc
from survey_app.domain.campaigns import generate_links
from survey_app.storage import outbox
from survey_app.storage.db import write_transaction

SEPARATORS = re.compile(r"[\s,;]+")
# Two manual reminder rounds are at least a day apart: a retry the same day never re-sends.
REMINDER_GAP = timedelta(days=1)


@dataclass
class ParsedAddresses:
    valid: list[str] = field(default_factory=list)
    invalid: list[str] = field(default_factory=list)
    duplicates: int = 0


def parse_addresses(text: str) -> ParsedAddresses:
    """Addresses from pasted text or a file (one per line, or separated by commas or semicolons;
    "Name <address>" accepted). Duplicates are merged, ignoring case; invalid ones are reported."""
    parsed, seen = ParsedAddresses(), set()
    for item in SEPARATORS.split(re.sub(r"[^<>\n,;]*<([^<>]*)>", r" \1 ", text)):
        item = item.strip().strip("\"'")
        if not item:
            continue
        if not is_email(item):
            parsed.invalid.append(item)
        elif item.lower() in seen:
            parsed.duplicates += 1
        else:
            seen.add(item.lower())
            parsed.valid.append(item)
    return parsed


def email_hash(campaign_id: int, email: str) -> str:
    """How an unsubscribed address is remembered: salted with its campaign, never the address."""
    return hashlib.sha256(f"{campaign_id}:{email.strip().lower()}".encode()).hexdigest()


@dataclass
class Added:
    added: int = 0
    known: int = 0
    unsubscribed: int = 0


def add_addresses(db: Database, campaign_id: int, emails: list[str], language: str, now: datetime) -> Added:
    """Give each new address a personal link; addresses already there or unsubscribed are skipped."""
    with write_transaction(db):
        known = {
            r[0].lower() for r in db.execute("SELECT email FROM invitation_email WHERE campaign_id = ?", [campaign_id])
        }
        gone = {r[0] for r in db.execute("SELECT email_hash FROM unsubscribed WHERE campaign_id = ?", [campaign_id])}
        left = [e for e in emails if e.lower() not in known]
        new = [e for e in left if email_hash(campaign_id, e) not in gone]
        links = generate_links(db, campaign_id, len(new), now) if new else []
        ids = (
            dict(
                db.execute(
                    "SELECT token, id FROM invitation WHERE campaign_id = ? AND created_at = ?",
                    [campaign_id, iso_utc(now)],
                ).fetchall()
            )
            if new
            else {}
        )
        db.table("invitation_email").insert_all(
            [
                {
                    "invitation_id": ids[link["token"]],
                    "campaign_id": campaign_id,
                    "email": email,
                    "language": language,
                    "unsubscribe_token": secrets.token_urlsafe(16),
                }
                for email, link in zip(new, links)
            ],
            batch_size=1000,
        )
    return Added(len(new), len(emails) - len(left), len(left) - len(new))


def _condition(kind: str, now: datetime) -> tuple[str, list]:
    """invitation: never sent; reminder (by hand): sent, not submitted, not reminded in the last day."""
    if kind == "invitation":
        return "ie.sent_at IS NULL", []
    return (
        "ie.sent_at IS NOT NULL AND i.answered = 0 AND (ie.reminded_at IS NULL OR ie.reminded_at <= ?)",
        [iso_utc(now - REMINDER_GAP)],
    )


def queue(db: Database, campaign_id: int, kind: str, now: datetime) -> int:
    """Queue invitations (to addresses never reached) or reminders (to those who have not answered)
    in the outbox, in one statement; return how many. The scheduler delivers them."""
    condition, params = _condition(kind, now)
    return outbox.enqueue_campaign(db, kind, campaign_id, condition, params, now)


def erase_addresses(db: Database, campaign_id: int) -> int:
    """Delete every e-mail address of a campaign (links and responses stay, anonymous); what was
    still queued for them is cancelled."""
    with write_transaction(db):
        outbox.cancel_for_campaign(db, campaign_id)
        return db.execute("DELETE FROM invitation_email WHERE campaign_id = ?", [campaign_id]).rowcount


def unsubscribe_target(db: Database, token: str) -> dict | None:
    """The address row of an unsubscribe link (with its campaign's title), or None."""
    rows = list(
        db.query(
            "SELECT ie.invitation_id, ie.campaign_id, ie.email, c.title, e.name AS enterprise_name "
            "FROM invitation_email ie JOIN campaign c ON c.id = ie.campaign_id "
            "JOIN enterprise e ON e.id = c.enterprise_id WHERE ie.unsubscribe_token = ?",
            [token],
        )
    )
    return rows[0] if rows else None


def unsubscribe(db: Database, token: str, now: datetime) -> bool:
    """Remove the address of this unsubscribe link from its campaign (the personal link keeps
    working); remember its salted hash so that pasting the list again skips it."""
    with write_transaction(db):
        target = unsubscribe_target(db, token)
        if target is None:
            return False
        outbox.cancel_for_campaign(db, target["campaign_id"], target["invitation_id"])
        db.execute(
            "INSERT OR IGNORE INTO unsubscribed (campaign_id, email_hash, unsubscribed_on) VALUES (?, ?, ?)",
            [target["campaign_id"], email_hash(target["campaign_id"], target["email"]), now.date().isoformat()],
        )
        db.execute("DELETE FROM invitation_email WHERE invitation_id = ?", [target["invitation_id"]])
    return True


def address_summary(db: Database, campaign_id: int) -> dict:
    row = db.execute(
        "SELECT count(*), count(sent_at), count(reminded_at), count(last_error) "
        "FROM invitation_email WHERE campaign_id = ?",
        [campaign_id],
    ).fetchone()
    failures = db.execute(
        "SELECT email, last_error FROM invitation_email WHERE campaign_id = ? AND "
        "last_error IS NOT NULL ORDER BY email LIMIT 500",
        [campaign_id],
    ).fetchall()
    return {
        "total": row[0],
        "sent": row[1],
        "reminded": row[2],
        "failed": row[3],
        "failures": failures,
        "outbox": outbox.campaign_progress(db, campaign_id),
    }
