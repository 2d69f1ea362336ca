"""The outbox against a real SMTP server (aiosmtpd): queued by one fast request, delivered by the
scheduler's job with a per-minute rate, retries with backoff, a lease between deliverers, a
server down for a while losing nothing, unsubscribe links, and the addresses forgotten."""

import re
import smtplib
import time
from datetime import timedelta

import pytest
from freezegun import freeze_time

from survey_app.mail import invitations
from survey_app.mail.delivery import deliver
from survey_app.mail.jobs import deliver_job, housekeeping
from survey_app.storage import outbox
from survey_app.storage.db import write_transaction
from tests.app_support import NOW, PASSWORD, BackOfficeClient, sign_in


@pytest.fixture
def mail_app(make_app, mail_settings):
    return make_app(**mail_settings)


@pytest.fixture
def settings(mail_app):
    return mail_app.config["SETTINGS"]


@pytest.fixture
def campaign(mail_app, seed):
    return seed.campaign(seed.enterprise("Atelier Solidaire"), languages=("fr", "nl"))


def invite(db, campaign, addresses, now=NOW):
    invitations.add_addresses(db, campaign, addresses, "fr", now)
    return invitations.queue(db, campaign, "invitation", now)


def statuses(db):
    return dict(db.execute("SELECT status, count(*) FROM outbox GROUP BY status").fetchall())


def test_five_thousand_invitations_are_queued_by_one_request_in_under_a_second(
    mail_app, settings, campaign, db, seed, smtp_server
):
    from survey_app.accounts.users import create_user, set_memberships

    addresses = [f"person{i}@example.org" for i in range(5000)]
    invitations.add_addresses(db, campaign, addresses, "fr", NOW)
    with write_transaction(db):
        user = create_user(db, "anna@example.org", PASSWORD, "manager", "en", NOW)
        enterprise = db.execute("SELECT enterprise_id FROM campaign WHERE id = ?", [campaign]).fetchone()[0]
        set_memberships(db, user, [enterprise])
    client = mail_app.test_client()
    with freeze_time(NOW):
        assert sign_in(client, "anna@example.org").status_code == 303
        office = BackOfficeClient(client)
        office.refresh_token()
        started = time.perf_counter()
        response = office.post(f"/admin/campaigns/{campaign}/invitations/send")
        elapsed = time.perf_counter() - started
    assert response.status_code == 303 and elapsed < 1.0, elapsed
    assert statuses(db) == {"queued": 5000} and smtp_server.recipients() == []
    for _ in range(10):  # the scheduler's job, pass after pass, until the outbox is empty
        deliver_job(settings, clock=lambda: NOW)
        if not outbox.due(db, NOW, 1):
            break
    assert statuses(db) == {"sent": 5000}
    assert sorted(smtp_server.recipients()) == sorted(addresses)
    assert db.execute("SELECT count(*) FROM invitation_email WHERE sent_at IS NULL").fetchone()[0] == 0


def test_a_server_down_for_a_while_loses_nothing(settings, campaign, db, smtp_server):
    smtp_server.stop()
    invite(db, campaign, ["a@example.org", "b@example.org", "c@example.org"])
    report = deliver(db, settings, NOW)
    assert report.paused and report.sent == 0 and statuses(db) == {"queued": 3}
    assert {r[0] for r in db.execute("SELECT attempts FROM outbox")} == {0}  # no message pays for the server
    state = outbox.state(db)
    assert state["failures"] == 1 and "unreachable" in state["last_error"]
    assert deliver(db, settings, NOW + timedelta(seconds=10)).paused  # still paused: not even a connection
    minute = NOW + timedelta(minutes=1)
    assert deliver(db, settings, minute).paused  # still down after a minute: waits longer (60 s)
    assert outbox.state(db)["failures"] == 2
    smtp_server.start()
    assert deliver(db, settings, minute + timedelta(seconds=30)).paused  # the pause is not over yet
    report = deliver(db, settings, minute + timedelta(minutes=2))
    assert report.sent == 3 and statuses(db) == {"sent": 3}
    assert sorted(m["To"] for m in smtp_server.messages) == ["a@example.org", "b@example.org", "c@example.org"]
    assert outbox.state(db)["failures"] == 0 and outbox.state(db)["paused_until"] is None


def test_a_connection_lost_in_the_middle_keeps_the_rest_queued(settings, campaign, db):
    sent = []

    class Flaky:
        def sendmail(self, sender, recipients, data):
            if len(sent) == 1:
                raise smtplib.SMTPServerDisconnected("gone")
            sent.append(recipients)

        def quit(self):
            pass

    invite(db, campaign, ["a@example.org", "b@example.org", "c@example.org"])
    report = deliver(db, settings, NOW, connect=lambda s: Flaky())
    assert report.sent == 1 and report.paused
    assert statuses(db) == {"sent": 1, "queued": 2}
    assert {r[0] for r in db.execute("SELECT attempts FROM outbox WHERE status = 'queued'")} == {0}


def test_temporary_refusals_are_retried_with_backoff_then_recorded_as_failed(
    make_app, mail_settings, campaign, db, smtp_server
):
    settings = make_app(**mail_settings, smtp__max_attempts=3).config["SETTINGS"]
    invite(db, campaign, ["busy@example.org", "ok@example.org"])
    report = deliver(db, settings, NOW)
    assert (report.sent, report.retried) == (1, 1)
    row = next(db.query("SELECT * FROM outbox WHERE status = 'queued'"))
    assert row["attempts"] == 1 and row["next_attempt_at"] == "2026-03-04T10:01:00Z" and "450" in row["last_error"]
    assert deliver(db, settings, NOW + timedelta(seconds=30)).retried == 0  # not due yet
    assert deliver(db, settings, NOW + timedelta(minutes=1)).retried == 1  # second try; then waits 2 minutes
    assert next(db.query("SELECT next_attempt_at FROM outbox WHERE status = 'queued'"))["next_attempt_at"] == (
        "2026-03-04T10:03:00Z"
    )
    assert deliver(db, settings, NOW + timedelta(minutes=3)).failed == 1  # third attempt: failed for good
    failed = next(db.query("SELECT * FROM outbox WHERE status = 'failed'"))
    assert failed["attempts"] == 3
    address = next(db.query("SELECT last_error, sent_at FROM invitation_email WHERE email = 'busy@example.org'"))
    assert "450" in address["last_error"] and address["sent_at"] is None


def test_the_per_minute_rate_is_kept(make_app, mail_settings, campaign, db, smtp_server):
    settings = make_app(**{**mail_settings, "smtp.per_minute": 2}).config["SETTINGS"]
    invite(db, campaign, [f"p{i}@example.org" for i in range(5)])
    assert deliver(db, settings, NOW).sent == 2
    assert deliver(db, settings, NOW + timedelta(seconds=30)).sent == 0
    assert deliver(db, settings, NOW + timedelta(seconds=61)).sent == 2
    assert deliver(db, settings, NOW + timedelta(seconds=122)).sent == 1
    assert len(smtp_server.messages) == 5


def test_two_deliverers_never_send_the_same_message(settings, campaign, db, smtp_server):
    invite(db, campaign, ["a@example.org"])
    assert outbox.acquire(db, "other-scheduler", NOW, timedelta(minutes=5))
    report = deliver(db, settings, NOW)
    assert report.busy and report.sent == 0 and smtp_server.messages == []
    assert deliver(db, settings, NOW + timedelta(minutes=6)).sent == 1  # the other one's lease expired
    assert outbox.acquire(db, "other-scheduler", NOW + timedelta(minutes=6), timedelta(minutes=5))  # released


def test_the_outbox_holds_no_address_or_link_of_an_invitation_and_forgets_account_mails(settings, campaign, db):
    invite(db, campaign, ["a@example.org"])
    token = db.execute("SELECT token FROM invitation").fetchone()[0]
    queued = [str(v) for r in db.execute("SELECT * FROM outbox") for v in r]
    assert not any("@" in v or token in v for v in queued)
    with write_transaction(db):
        outbox.enqueue(db, "reset", "anna@example.org", "Subject", "text with /reset/secret", "<p>html</p>", NOW)
    sent_at = NOW + timedelta(seconds=1)

    class Accepting:
        def sendmail(self, sender, recipients, data):
            pass

        def quit(self):
            pass

    assert deliver(db, settings, sent_at, connect=lambda s: Accepting()).sent == 2
    rows = list(db.query("SELECT recipient, subject, text_body, html_body FROM outbox"))
    assert rows == [{"recipient": None, "subject": None, "text_body": None, "html_body": None}] * 2
    counts = housekeeping(db, settings, NOW + timedelta(days=settings.retention.outbox_days, seconds=2))
    assert counts["outbox"] == 2 and statuses(db) == {}


@pytest.fixture
def unsubscribe_link(settings, campaign, db, smtp_server):
    invite(db, campaign, ["leave@example.org", "stay@example.org"])
    deliver(db, settings, NOW)
    header = smtp_server.to("leave@example.org")[0]["List-Unsubscribe"]
    return re.fullmatch(r"<http://127\.0\.0\.1:5000(/u/[A-Za-z0-9_-]+)>", header).group(1)


def test_unsubscribe_asks_first_then_removes_the_address_and_what_was_queued(mail_app, campaign, db, unsubscribe_link):
    invitations.queue(db, campaign, "reminder", NOW + timedelta(days=2))
    client = mail_app.test_client()
    page = client.get(unsubscribe_link + "?lang=en")
    assert page.status_code == 200 and "Remove my address" in page.get_data(as_text=True)
    assert db.execute("SELECT count(*) FROM invitation_email").fetchone()[0] == 2  # a GET changes nothing
    done = client.post(unsubscribe_link)  # no CSRF token: mail clients post this by themselves (RFC 8058)
    assert done.status_code == 200 and 'id="unsubscribed"' in done.get_data(as_text=True)
    assert [r[0] for r in db.execute("SELECT email FROM invitation_email")] == ["stay@example.org"]
    assert dict(db.execute("SELECT status, count(*) FROM outbox WHERE kind = 'reminder' GROUP BY status")) == {
        "cancelled": 1,
        "queued": 1,
    }
    assert client.post(unsubscribe_link).status_code == 404
    assert invitations.add_addresses(db, campaign, ["Leave@Example.org"], "fr", NOW).unsubscribed == 1
    assert db.execute("SELECT count(*) FROM invitation_email").fetchone()[0] == 1


def test_one_click_unsubscribe_works_with_csrf_protection_on(mail_app, db, unsubscribe_link):
    assert mail_app.config.get("WTF_CSRF_ENABLED", True)
    response = mail_app.test_client().post(
        unsubscribe_link, data="List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200
    assert db.execute("SELECT count(*) FROM invitation_email WHERE email = 'leave@example.org'").fetchone()[0] == 0


def test_an_unknown_unsubscribe_link_is_a_404(mail_app):
    client = mail_app.test_client()
    assert client.get("/u/not-a-token").status_code == 404
    assert client.post("/u/not-a-token").status_code == 404
