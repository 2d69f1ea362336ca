"""E-mail invitations: addresses (personal data, kept in invitation_email only), sending,
reminders and erasure.

Each address gets its own personal link. `sent_at` / `reminded_at` are written right after the
server accepts each message, one address at a time, so a retry after a failure (or a crash)
never sends twice to someone already reached.
"""

from __future__ import annotations

import re
import smtplib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlite_utils import Database

from survey_app.core.addresses import is_email
from survey_app.core.config import Settings
from survey_app.core.timeutil import iso_utc
from survey_app.domain.campaigns import generate_links
from survey_app.mail import smtp as mailer
from survey_app.storage.db import write_transaction

SEPARATORS = re.compile(r"[\s,;]+")
# Two manual reminder rounds are at least a day apart: a retry the same day never re-sends.
REMINDER_GAP = timedelta(days=1)
Renderer = Callable[[dict, dict, str], mailer.Mail]  # (campaign, address row, kind) -> Mail


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


def add_addresses(db: Database, campaign_id: int, emails: list[str], language: str, now: datetime) -> tuple[int, int]:
    """Give each new address a personal link; return (added, already invited)."""
    with write_transaction(db):
        known = {
            r[0].lower() for r in db.execute("SELECT email FROM invitation_email WHERE campaign_id = ?", [campaign_id])
        }
        new = [e for e in emails if e.lower() not in known]
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
                {"invitation_id": ids[link["token"]], "campaign_id": campaign_id, "email": email, "language": language}
                for email, link in zip(new, links)
            ],
            batch_size=1000,
        )
    return len(new), len(emails) - len(new)


@dataclass
class SendReport:
    sent: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)


def _targets(db: Database, campaign_id: int, kind: str, now: datetime) -> list[dict]:
    """invitation: never sent; reminder: sent, not submitted, not reminded today;
    auto-reminder (the scheduled one): sent, not submitted, never reminded."""
    not_submitted = "ie.sent_at IS NOT NULL AND i.answered = 0 AND "
    condition, params = {
        "invitation": ("ie.sent_at IS NULL", []),
        "reminder": (not_submitted + "(ie.reminded_at IS NULL OR ie.reminded_at <= ?)", [iso_utc(now - REMINDER_GAP)]),
        "auto-reminder": (not_submitted + "ie.reminded_at IS NULL", []),
    }[kind]
    return list(
        db.query(
            "SELECT ie.invitation_id, ie.email, ie.language, i.token FROM invitation_email ie "
            "JOIN invitation i ON i.id = ie.invitation_id "
            f"WHERE ie.campaign_id = ? AND i.revoked_at IS NULL AND {condition} "
            "ORDER BY ie.invitation_id",
            [campaign_id, *params],
        )
    )


def send(db: Database, settings: Settings, campaign: dict, kind: str, render: Renderer, now: datetime) -> SendReport:
    """Send invitations (to addresses never reached) or reminders (to those who have not submitted)."""
    report, targets = SendReport(), _targets(db, campaign["id"], kind, now)
    if not targets:
        return report
    column = "sent_at" if kind == "invitation" else "reminded_at"
    try:
        smtp = mailer.connect(settings)
    except (OSError, smtplib.SMTPException) as exc:
        _record_error(db, [t["invitation_id"] for t in targets], f"SMTP server unreachable: {exc}")
        report.failed = [(t["email"], str(exc)) for t in targets]
        return report
    try:
        for target in targets:
            try:
                mailer.send(smtp, settings, render(campaign, target, kind))
            except smtplib.SMTPRecipientsRefused as exc:
                error = "; ".join(f"{code} {msg.decode(errors='replace')}" for code, msg in exc.recipients.values())
                _record_error(db, [target["invitation_id"]], error)
                report.failed.append((target["email"], error))
                continue
            except (OSError, smtplib.SMTPException) as exc:
                # The connection is gone: stop; the rest stay unsent and a retry picks them up.
                _record_error(db, [target["invitation_id"]], str(exc))
                report.failed.append((target["email"], str(exc)))
                break
            with write_transaction(db):
                db.execute(
                    f"UPDATE invitation_email SET {column} = ?, last_error = NULL WHERE invitation_id = ?",
                    [iso_utc(now), target["invitation_id"]],
                )
            report.sent += 1
    finally:
        mailer.close(smtp)
    return report


def _record_error(db: Database, invitation_ids: list[int], error: str) -> None:
    with write_transaction(db):
        db.conn.executemany(
            "UPDATE invitation_email SET last_error = ? WHERE invitation_id = ?",
            [(error[:500], i) for i in invitation_ids],
        )


def erase_addresses(db: Database, campaign_id: int) -> int:
    """Delete every e-mail address of a campaign (links and responses stay, anonymous)."""
    with write_transaction(db):
        return db.execute("DELETE FROM invitation_email WHERE campaign_id = ?", [campaign_id]).rowcount


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
    return {"total": row[0], "sent": row[1], "reminded": row[2], "failed": row[3], "failures": failures}


def due_for_reminder(db: Database, days_before_close: int, now: datetime) -> list[dict]:
    """Open campaigns closing within `days_before_close` days that have someone left to remind once."""
    if days_before_close <= 0:
        return []
    return list(
        db.query(
            "SELECT c.*, e.name AS enterprise_name FROM campaign c JOIN enterprise e ON e.id = c.enterprise_id "
            "WHERE c.closed_at IS NULL AND c.opens_at <= :now AND c.closes_at > :now AND c.closes_at <= :limit "
            "AND EXISTS (SELECT 1 FROM invitation_email ie JOIN invitation i ON i.id = ie.invitation_id "
            "WHERE ie.campaign_id = c.id AND ie.sent_at IS NOT NULL AND ie.reminded_at IS NULL "
            "AND i.answered = 0 AND i.revoked_at IS NULL)",
            {"now": iso_utc(now), "limit": iso_utc(now + timedelta(days=days_before_close))},
        )
    )
