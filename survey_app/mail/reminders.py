"""Automatic reminders, planned per campaign: up to `count` reminders to each invited person who
has not answered, `interval_days` after their invitation (then after their previous reminder),
and none later than `days_before_close` days before the campaign closes.

The built-in scheduler calls `queue_due` every few minutes (and `vises invitations remind-due`
does once); it only queues reminders in the outbox, which the scheduler delivers. A reminder sent
by hand counts towards the same limit and restarts the interval. A campaign without a plan row
(older ones) gets no automatic reminder.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlite_utils import Database

from survey_app.core.config import Settings
from survey_app.core.timeutil import iso_utc, parse_iso, to_local
from survey_app.storage import outbox
from survey_app.storage.db import write_transaction

MAX_REMINDERS = 5


@dataclass(frozen=True)
class Plan:
    count: int
    interval_days: int
    days_before_close: int

    @property
    def interval(self) -> timedelta:
        return timedelta(days=self.interval_days)


def default_plan(settings: Settings) -> Plan:
    i = settings.invitations
    return Plan(i.reminder_count, i.reminder_interval_days, i.reminder_days_before_close)


def plan_of(db: Database, campaign_id: int) -> Plan | None:
    row = db.execute(
        "SELECT count, interval_days, days_before_close FROM campaign_reminder_plan WHERE campaign_id = ?",
        [campaign_id],
    ).fetchone()
    return Plan(*row) if row else None


def save_plan(db: Database, campaign_id: int, plan: Plan) -> None:
    with write_transaction(db):
        db.execute(
            "INSERT OR REPLACE INTO campaign_reminder_plan (campaign_id, count, interval_days, days_before_close) "
            "VALUES (?, ?, ?, ?)",
            [campaign_id, plan.count, plan.interval_days, plan.days_before_close],
        )


def last_moment(campaign: dict[str, Any], plan: Plan) -> datetime:
    """No automatic reminder is queued after this instant."""
    return parse_iso(campaign["closes_at"]) - timedelta(days=plan.days_before_close)


def queue_due(db: Database, now: datetime) -> dict[int, int]:
    """Queue the reminders due at `now` in every open campaign; return {campaign id: queued}."""
    queued = {}
    campaigns = db.query(
        "SELECT c.*, p.count, p.interval_days, p.days_before_close FROM campaign c "
        "JOIN campaign_reminder_plan p ON p.campaign_id = c.id "
        "WHERE p.count > 0 AND c.closed_at IS NULL AND c.opens_at <= ? AND c.closes_at > ?",
        [iso_utc(now), iso_utc(now)],
    )
    for campaign in list(campaigns):
        plan = Plan(campaign["count"], campaign["interval_days"], campaign["days_before_close"])
        if now > last_moment(campaign, plan):
            continue
        condition = (
            "ie.sent_at IS NOT NULL AND i.answered = 0 AND ie.reminders < ? "
            "AND COALESCE(ie.reminded_at, ie.sent_at) <= ?"
        )
        count = outbox.enqueue_campaign(
            db, "reminder", campaign["id"], condition, [plan.count, iso_utc(now - plan.interval)], now, automatic=True
        )
        if count:
            queued[campaign["id"]] = count
    return queued


def schedule(db: Database, campaign: dict[str, Any], plan: Plan | None, now: datetime) -> dict[str, Any]:
    """What went out and what is planned, for the campaign page: reminders sent by their number,
    and the planned ones per local day (a reminder already due shows today's date)."""
    sent = dict(
        db.execute(
            "SELECT reminders, count(*) FROM invitation_email WHERE campaign_id = ? AND reminders > 0 "
            "GROUP BY reminders",
            [campaign["id"]],
        ).fetchall()
    )
    planned: Counter[date] = Counter()
    if plan and plan.count and campaign["closed_at"] is None:
        limit, tz = last_moment(campaign, plan), campaign["timezone"]
        rows = db.execute(
            "SELECT COALESCE(ie.reminded_at, ie.sent_at), ie.reminders FROM invitation_email ie "
            "JOIN invitation i ON i.id = ie.invitation_id WHERE ie.campaign_id = ? AND ie.sent_at IS NOT NULL "
            "AND i.answered = 0 AND i.revoked_at IS NULL AND ie.reminders < ?",
            [campaign["id"], plan.count],
        )
        for last, done in rows:
            moment = parse_iso(last)
            for _ in range(plan.count - done):
                moment = max(moment + plan.interval, now)
                if moment > limit:
                    break
                planned[to_local(iso_utc(moment), tz).date()] += 1
    return {
        "plan": plan,
        "sent": [(number, sent.get(number, 0)) for number in range(1, max([*sent, 0]) + 1)],
        "planned": sorted(planned.items()),
        "last_moment": to_local(iso_utc(last_moment(campaign, plan)), campaign["timezone"]) if plan else None,
    }
