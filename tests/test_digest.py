"""Weekly digest: after a scheduled run, one e-mail per manager, queued in the outbox and delivered
to a local SMTP server (aiosmtpd), in the manager's language, with the week's new responses per
campaign and what changed."""

import email
import socket
from datetime import timedelta
from email import policy

import pytest
from aiosmtpd.controller import Controller

from pipeline import scheduler
from pipeline.sample.responses import insert_responses
from survey_app.core.config import load
from survey_app.mail.delivery import deliver
from survey_app.mail.digest import send_after_scheduled_run, send_digests
from survey_app.storage.db import write_transaction
from tests.app_support import NOW
from tests.dashboard_support import ENTERPRISE


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted"

    def to(self, address):
        return [m for m in self.messages if m["To"] == address]


@pytest.fixture
def inbox():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    recorder = Inbox()
    controller = Controller(recorder, hostname="127.0.0.1", port=port)
    controller.start()
    recorder.port = port
    yield recorder
    controller.stop()


@pytest.fixture
def settings(demo_app, inbox):
    return load(
        None,
        {
            "database.path": demo_app.config["SETTINGS"]["database.path"],
            "server.secret_key": "x",
            "smtp.host": "127.0.0.1",
            "smtp.port": inbox.port,
            "digest.enabled": True,
            "server.base_url": "https://vises.example",
            "schedule.enabled": False,
        },
    )


def body(message, kind="plain"):
    return message.get_body(preferencelist=(kind,)).get_content()


def test_digest_in_each_managers_language_with_last_weeks_counts(demo_db, settings, inbox):
    week = demo_db.execute(
        "SELECT c.title, COUNT(*) FROM response r JOIN campaign c ON c.id = r.campaign_id "
        "WHERE c.enterprise_id = ? AND r.submitted_week = '2026-W09' GROUP BY c.id",  # NOW is in week 10
        [ENTERPRISE],
    ).fetchall()
    run_id = demo_db.execute("SELECT MAX(id) FROM pipeline_run").fetchone()[0]
    assert send_digests(demo_db, settings, run_id, NOW) == 2
    assert inbox.messages == []  # queued: the outbox delivers
    assert deliver(demo_db, settings, NOW).sent == 2
    anna, bert = inbox.to("anna@example.org"), inbox.to("bert@example.org")
    assert len(anna) == 1 and len(bert) == 1 and not inbox.to("admin@example.org")
    assert anna[0]["Subject"] == "VISES : votre résumé de la semaine"
    assert bert[0]["Subject"] == "VISES: je wekelijkse samenvatting"
    text = body(anna[0])
    assert "Atelier Jeunes Pousses" in text and "Terre d'Emploi" not in text
    assert "Indicateurs qui ont changé" in text
    for title, count in week:
        assert f"- {title} (" in text and (f"{count} nouvelles réponses" in text or f"{count} nouvelle réponse" in text)
    assert "https://vises.example/admin/enterprises/1/dashboard" in text
    assert "Nieuwe antwoorden" in body(bert[0]) or "Indicatoren die veranderd zijn" in body(bert[0])
    assert "<h2" in body(anna[0], "html")
    assert anna[0]["Auto-Submitted"] == "auto-generated"


def test_new_responses_are_counted_per_campaign_once_in_the_week_after(demo_db, settings, inbox):
    campaign, title = demo_db.execute(
        "SELECT id, title FROM campaign WHERE enterprise_id = ? AND closes_at > ?", [ENTERPRISE, "2026-03-04"]
    ).fetchone()
    before = demo_db.execute(
        "SELECT COUNT(*) FROM response WHERE campaign_id = ? AND submitted_week = '2026-W09'", [campaign]
    ).fetchone()[0]
    with write_transaction(demo_db):
        insert_responses(demo_db, campaign, [{}, {}, {}], "2026-03-01", ["fr"] * 3)  # Sunday of week 9
        insert_responses(demo_db, campaign, [{}, {}], NOW.date().isoformat(), ["fr"] * 2)  # this week: next digest
    run_id = demo_db.execute("SELECT MAX(id) FROM pipeline_run").fetchone()[0]
    send_digests(demo_db, settings, run_id, NOW)
    deliver(demo_db, settings, NOW)
    assert f"- {title} (Bénéficiaires): {before + 3} nouvelles réponses" in body(inbox.to("anna@example.org")[0])


def test_digest_is_off_by_default_and_a_mail_failure_never_fails_the_scheduled_run(
    demo_db, settings, inbox, monkeypatch
):
    monkeypatch.setattr("pipeline.runner.render_charts", lambda *args: 0)  # charts have their own tests
    run_id = demo_db.execute("SELECT MAX(id) FROM pipeline_run").fetchone()[0]
    assert send_digests(demo_db, settings.override({"digest.enabled": False}), run_id, NOW) == 0
    broken = settings.override({"smtp.port": 1})  # nothing listens there
    later = NOW + timedelta(days=5)
    # News for the digest: the run recomputes only what changed, so answers arrive first.
    campaign = demo_db.execute(
        "SELECT id FROM campaign WHERE enterprise_id = ? AND closes_at > ?", [ENTERPRISE, "2026-03-04"]
    ).fetchone()[0]
    with write_transaction(demo_db):
        insert_responses(demo_db, campaign, [{}] * 5, later.date().isoformat(), ["fr"] * 5)
    new_run = scheduler.run_job(broken, "schedule", clock=lambda: later, after_run=[send_after_scheduled_run])
    assert new_run is not None
    status = demo_db.execute("SELECT status FROM pipeline_run WHERE id = ?", [new_run]).fetchone()[0]
    assert status == "success" and inbox.messages == []
    assert deliver(demo_db, broken, later).paused  # the digests wait in the outbox for the server
