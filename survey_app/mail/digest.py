"""Weekly digest: after a scheduled run, one e-mail per manager, in the manager's language, with
last week's new responses per campaign and the indicators that changed in this run. Responses keep
only their ISO week, so "last week" is the ISO week before the run's (Monday to Sunday): run
weekly, the digest counts each response exactly once.

Optional (setting `digest.enabled`, off by default). It runs in the scheduler, outside any web
request; mail/render.py renders it like every other e-mail, and the outbox delivers it. Counting responses is not an
answer-derived figure; every indicator shown is a stored, non-suppressed value, so the small-group
rule holds here as everywhere.
"""

from __future__ import annotations

import functools
import logging
from datetime import datetime, timedelta
from typing import Any

from babel.numbers import format_decimal
from sqlite_utils import Database

from survey_app.core.catalogs import translator
from survey_app.core.config import Settings
from survey_app.core.groups import group_label
from survey_app.core.published import whole
from survey_app.core.timeutil import local_week
from survey_app.domain import response_rates
from survey_app.mail import smtp as mailer
from survey_app.mail.render import render
from survey_app.questionnaire.loader import load_framework
from survey_app.questionnaire.model import translate
from survey_app.questionnaire.registry import FRAMEWORK_FILE, QUESTIONNAIRES_DIR
from survey_app.storage import outbox
from survey_app.storage.db import write_transaction

log = logging.getLogger("vises.digest")
MAX_CHANGES = 8  # per enterprise: the largest changes; the dashboard has the rest


def new_responses(db: Database, enterprise_id: int, week: str) -> list[dict[str, Any]]:
    """Responses of the ISO week `week` ("2026-W09") per campaign of the enterprise."""
    return list(
        db.query(
            "SELECT c.id, c.expected_population, c.title, c.stakeholder_group, COUNT(*) AS count FROM response r "
            "JOIN campaign c ON c.id = r.campaign_id WHERE c.enterprise_id = ? AND r.submitted_week = ? "
            "GROUP BY c.id ORDER BY c.closes_at, c.id",
            [enterprise_id, week],
        )
    )


def last_week(now: datetime, timezone: str) -> str:
    """The ISO week before the one of `now` in `timezone`, written like response.submitted_week."""
    return local_week(now - timedelta(days=7), timezone)


def changes(db: Database, enterprise_id: int, run_id: int) -> list[dict[str, Any]]:
    """Shown cells this run wrote that have a previous wave to compare with, largest change first."""
    return list(
        db.query(
            "SELECT v.kind, v.key, v.mean, v.delta, v.delta_significant, c.title FROM indicator_value v "
            "JOIN campaign c ON c.id = v.campaign_id WHERE v.enterprise_id = ? AND v.run_id = ? "
            "AND v.suppressed = 0 AND v.delta IS NOT NULL AND v.kind IN ('indicator', 'dimension') "
            "ORDER BY ABS(v.delta) DESC, v.kind, v.key LIMIT ?",
            [enterprise_id, run_id, MAX_CHANGES],
        )
    )


def enterprise_news(
    db: Database, enterprise: dict[str, Any], run_id: int, since: str, language: str, settings: Settings
) -> dict[str, Any] | None:
    """What one enterprise has to report this week, as text in `language`; None when nothing."""
    catalog = translator(language)
    labels = _labels(language)
    answered = new_responses(db, enterprise["id"], since)
    rates = response_rates.for_campaigns(db, answered)
    campaigns = [
        {
            "title": c["title"],
            "group": group_label(c["stakeholder_group"], language),
            "count": catalog.ngettext("%(num)d new response", "%(num)d new responses", c["count"])
            % {"num": c["count"]},
            "rate": catalog.gettext("response rate %(rate)s")
            % {"rate": response_rates.describe(rates[c["id"]], language).combined},
        }
        for c in answered
    ]
    changed = [
        {
            "label": labels.get((c["kind"], c["key"]), c["key"]),
            "wave": c["title"],
            "text": catalog.gettext("%(score)s (%(delta)s since the previous wave)")
            % {
                "score": format_decimal(whole(c["mean"]) or 0, "0", locale=language),
                "delta": format_decimal(whole(c["delta"]) or 0, "+0;−0", locale=language),
            },
            "significant": bool(c["delta_significant"]),
        }
        for c in changes(db, enterprise["id"], run_id)
    ]
    if not campaigns and not changed:
        return None
    return {
        "name": enterprise["name"],
        "campaigns": campaigns,
        "changes": changed,
        "url": f"{settings.server.base_url.rstrip('/')}/admin/enterprises/{enterprise['id']}/dashboard",
    }


@functools.cache
def _labels(language: str) -> dict[tuple[str, str], str]:
    framework = load_framework(QUESTIONNAIRES_DIR / FRAMEWORK_FILE)
    return {
        **{("dimension", d.id): translate(d.label, language) for d in framework.dimensions},
        **{("indicator", i.id): translate(i.label, language) for i in framework.indicators},
    }


def compose(
    db: Database, settings: Settings, manager: dict[str, Any], run_id: int, now: datetime
) -> mailer.Mail | None:
    """The digest of one manager, or None when none of their enterprises has news."""
    language, since = manager["language"], last_week(now, settings.i18n.timezone)
    enterprises = db.query(
        "SELECT e.* FROM enterprise e JOIN membership m ON m.enterprise_id = e.id WHERE m.user_id = ? ORDER BY e.name",
        [manager["id"]],
    )
    news = [n for e in enterprises if (n := enterprise_news(db, e, run_id, since, language, settings))]
    if not news:
        return None
    subject = translator(language).gettext("VISES: your weekly summary")
    return render("digest", manager["email"], subject, language, enterprises=news)


def send_digests(db: Database, settings: Settings, run_id: int, now: datetime) -> int:
    """Queue every manager's digest in the outbox (the scheduler delivers it); return how many."""
    if not settings.digest.enabled:
        return 0
    managers = list(db.query("SELECT id, email, language FROM user WHERE role = 'manager' AND active = 1 ORDER BY id"))
    mails = [m for manager in managers if (m := compose(db, settings, manager, run_id, now))]
    with write_transaction(db):
        for mail in mails:
            outbox.enqueue(db, "digest", mail.to, mail.subject, mail.text, mail.html, now)
    log.info("weekly digest queued for %d managers after run %d", len(mails), run_id)
    return len(mails)


def send_after_scheduled_run(db: Database, settings: Settings, run_id: int | None, now: datetime) -> None:
    """Called by the scheduler after a successful run: a failing digest never fails the run."""
    if run_id is None or not settings.digest.enabled:
        return
    try:
        send_digests(db, settings, run_id, now)
    except Exception:  # job boundary: the run succeeded; log the mail problem and go on
        log.exception("weekly digest after run %s failed", run_id)
