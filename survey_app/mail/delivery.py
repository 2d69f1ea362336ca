"""Delivery of the outbox to the SMTP server: the only code that sends e-mail.

Run by the scheduler every 30 seconds (and by `vises mail deliver`). One pass holds the outbox
lease (two schedulers never send the same message), sends at most `smtp.per_minute` messages per
minute over one connection, and records each outcome:
- accepted: sent (its address and text are cleared from the outbox);
- refused for now (4xx): tried again later, the wait doubling from a minute up to an hour, and
  recorded as failed after `smtp.max_attempts`;
- refused for good (5xx, e.g. no such mailbox): failed at once, shown on the campaign page;
- no answer at all (server down, connection lost): the whole outbox pauses and retries, waiting
  longer each time up to 15 minutes; no message counts an attempt, so nothing is ever lost.
"""

from __future__ import annotations

import logging
import os
import smtplib
import socket
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlite_utils import Database

from survey_app.core.config import Settings
from survey_app.core.timeutil import parse_iso
from survey_app.mail import smtp as mailer
from survey_app.mail.messages import campaign_mail
from survey_app.mail.texts import campaign_text
from survey_app.storage import outbox

log = logging.getLogger("vises.mail")
LEASE_TTL = timedelta(minutes=5)
RETRY_BASE, RETRY_CAP = timedelta(minutes=1), timedelta(hours=1)
PAUSE_BASE, PAUSE_CAP = timedelta(seconds=30), timedelta(minutes=15)
RENEW_EVERY = 100  # messages between lease renewals


@dataclass
class Report:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    cancelled: int = 0
    paused: bool = False
    busy: bool = False  # another process held the lease
    errors: list[str] = field(default_factory=list)


def holder_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}:{uuid.uuid4().hex[:8]}"


def backoff(base: timedelta, cap: timedelta, attempt: int) -> timedelta:
    """base, 2 base, 4 base... for attempts 1, 2, 3..., never above cap."""
    return min(cap, base * (2 ** min(max(attempt - 1, 0), 20)))


class Composer:
    """Turns outbox rows into mails; campaign rows are read from invitation_email now, so an
    address erased or unsubscribed since it was queued, or a campaign closed meanwhile, gets
    nothing (None)."""

    def __init__(self, db: Database, settings: Settings, now: datetime):
        self.db, self.settings, self.now = db, settings, now
        self.campaigns: dict[int, dict[str, Any]] = {}

    def campaign(self, campaign_id: int) -> dict[str, Any]:
        if campaign_id not in self.campaigns:
            self.campaigns[campaign_id] = next(
                self.db.query(
                    "SELECT c.*, e.name AS enterprise_name FROM campaign c JOIN enterprise e ON e.id = c.enterprise_id "
                    "WHERE c.id = ?",
                    [campaign_id],
                )
            )
        return self.campaigns[campaign_id]

    def __call__(self, row: dict[str, Any]) -> mailer.Mail | None:
        if row["invitation_id"] is None:
            headers = (("Auto-Submitted", "auto-generated"),) if row["kind"] == "digest" else ()
            return mailer.Mail(row["recipient"], row["subject"], row["text_body"], row["html_body"], headers)
        targets = list(
            self.db.query(
                "SELECT ie.email, ie.language, ie.unsubscribe_token, i.token FROM invitation_email ie "
                "JOIN invitation i ON i.id = ie.invitation_id WHERE ie.invitation_id = ? AND i.revoked_at IS NULL "
                "AND (? = 'invitation' OR i.answered = 0)",
                [row["invitation_id"], row["kind"]],
            )
        )
        if not targets:
            return None
        target, campaign = targets[0], self.campaign(row["campaign_id"])
        if campaign["closed_at"] or parse_iso(campaign["closes_at"]) <= self.now:
            return None
        text = campaign_text(self.db, campaign["id"], row["kind"], target["language"])
        return campaign_mail(self.settings, campaign, target, row["kind"], text)


def _refused(exc: smtplib.SMTPException) -> tuple[int, str]:
    """The SMTP code and message of a refusal (the first refused recipient's, for RCPT)."""
    message: bytes | str
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        code, message = next(iter(exc.recipients.values()))
    elif isinstance(exc, smtplib.SMTPResponseException):
        code, message = exc.smtp_code, exc.smtp_error
    else:
        return 0, str(exc)
    text = message.decode(errors="replace") if isinstance(message, bytes) else str(message)
    return code, f"{code} {text}"


def deliver(
    db: Database,
    settings: Settings,
    now: datetime,
    connect: Callable[[Settings], smtplib.SMTP] = mailer.connect,
    holder: str | None = None,
) -> Report:
    """One delivery pass at `now`; see the module docstring."""
    report, holder = Report(), holder or holder_id()
    if not outbox.acquire(db, holder, now, LEASE_TTL):
        report.busy = True
        return report
    try:
        paused_until = outbox.state(db).get("paused_until")
        if paused_until and parse_iso(paused_until) > now:
            report.paused = True
            return report
        budget = settings.smtp.per_minute - outbox.sent_since(db, now - timedelta(minutes=1))
        rows = outbox.due(db, now, budget) if budget > 0 else []
        if rows:
            _send_batch(db, settings, now, rows, connect, holder, report)
    finally:
        outbox.release(db, holder)
    if report.sent or report.failed or report.paused:
        log.info(
            "outbox: %d sent, %d retried, %d failed%s",
            report.sent,
            report.retried,
            report.failed,
            " (mail server unreachable: paused)" if report.paused else "",
        )
    return report


def _send_batch(db, settings, now, rows, connect, holder, report: Report) -> None:
    try:
        smtp = connect(settings)
    except (OSError, smtplib.SMTPException) as exc:
        _pause(db, f"SMTP server unreachable: {exc}", now, report)
        return
    outbox.server_up(db)
    compose = Composer(db, settings, now)
    try:
        for index, row in enumerate(rows, start=1):
            mail = compose(row)
            if mail is None:
                outbox.cancel(db, row["id"], "address erased or unsubscribed, answered, or campaign closed")
                report.cancelled += 1
                continue
            try:
                mailer.send(smtp, settings, mail, now)
            except smtplib.SMTPServerDisconnected as exc:
                _pause(db, f"connection lost: {exc}", now, report)  # this one stays queued, untouched
                return
            except smtplib.SMTPException as exc:  # a refusal of this message (SMTPException is an OSError too)
                _refusal(db, settings, row, exc, now, report)
            except OSError as exc:
                _pause(db, f"connection lost: {exc}", now, report)
                return
            else:
                outbox.mark_sent(db, row, now)
                report.sent += 1
            if index % RENEW_EVERY == 0:
                outbox.renew(db, holder, now, LEASE_TTL)
    finally:
        mailer.close(smtp)


def _refusal(db: Database, settings: Settings, row: dict, exc: smtplib.SMTPException, now: datetime, report: Report):
    code, error = _refused(exc)
    report.errors.append(error)
    if 400 <= code < 500 and row["attempts"] + 1 < settings.smtp.max_attempts:
        outbox.mark_retry(db, row, error, now + backoff(RETRY_BASE, RETRY_CAP, row["attempts"] + 1))
        report.retried += 1
    else:
        outbox.mark_failed(db, row, error)
        report.failed += 1


def _pause(db: Database, error: str, now: datetime, report: Report) -> None:
    failures = int(outbox.state(db).get("failures") or 0) + 1
    outbox.server_down(db, error, now, now + backoff(PAUSE_BASE, PAUSE_CAP, failures))
    report.paused = True
    report.errors.append(error)
    log.warning("outbox paused: %s", error)
