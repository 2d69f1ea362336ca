"""Automatic reminders planned per campaign, run by the scheduler's jobs on a frozen clock: exactly
the planned reminders, to the people who have not answered, none in the last days; the campaign
page shows what went out and what is planned; the form sets the plan."""

import re
from datetime import timedelta

import pytest
from freezegun import freeze_time

from survey_app.mail import invitations, reminders
from survey_app.mail.jobs import deliver_job, reminders_job
from survey_app.storage.db import write_transaction
from tests.app_support import NOW

CLOSES = NOW + timedelta(days=21)


@pytest.fixture
def mail_app(make_app, mail_settings):
    return make_app(**mail_settings)


@pytest.fixture
def settings(mail_app):
    return mail_app.config["SETTINGS"]


@pytest.fixture
def campaign(mail_app, seed, db):
    campaign = seed.campaign(seed.enterprise("Atelier Solidaire"), closes_at=CLOSES)
    reminders.save_plan(db, campaign, reminders.Plan(count=2, interval_days=7, days_before_close=2))
    return campaign


def run_scheduler(settings, start, end, step=timedelta(hours=6)):
    """The scheduler's two mail jobs, every `step` from `start` to `end`, on a frozen clock."""
    moment = start
    while moment <= end:
        reminders_job(settings, clock=lambda m=moment: m)
        deliver_job(settings, clock=lambda m=moment: m)
        moment += step


def answered(db, address, day):
    with write_transaction(db):
        db.execute(
            "UPDATE invitation SET answered = 1 WHERE id = "
            "(SELECT invitation_id FROM invitation_email WHERE email = ?)",
            [address],
        )


def reminders_received(smtp_server):
    return sorted((m["To"], m["Date"]) for m in smtp_server.messages if m["Subject"].startswith("Rappel"))


def test_the_planned_reminders_go_to_the_right_people_only(settings, campaign, db, smtp_server):
    people = ["early@example.org", "late@example.org", "never@example.org", "gone@example.org"]
    invitations.add_addresses(db, campaign, people, "fr", NOW)
    invitations.queue(db, campaign, "invitation", NOW)
    run_scheduler(settings, NOW, NOW + timedelta(days=2))
    answered(db, "early@example.org", NOW + timedelta(days=2))  # before any reminder
    token = db.execute("SELECT unsubscribe_token FROM invitation_email WHERE email = 'gone@example.org'").fetchone()
    invitations.unsubscribe(db, token[0], NOW + timedelta(days=3))
    run_scheduler(settings, NOW + timedelta(days=2, hours=6), NOW + timedelta(days=9))
    answered(db, "late@example.org", NOW + timedelta(days=9))  # after the first reminder
    run_scheduler(settings, NOW + timedelta(days=9, hours=6), CLOSES + timedelta(days=1))
    assert reminders_received(smtp_server) == [
        ("late@example.org", "Wed, 11 Mar 2026 10:00:00 +0000"),  # 7 days after the invitation
        ("never@example.org", "Wed, 11 Mar 2026 10:00:00 +0000"),
        ("never@example.org", "Wed, 18 Mar 2026 10:00:00 +0000"),  # 7 days after the first reminder
    ]
    assert len(smtp_server.messages) == 4 + 3  # the invitations, then exactly the planned reminders


def test_no_reminder_in_the_last_days_before_closing(settings, seed, db, smtp_server):
    campaign = seed.campaign(seed.enterprise(), closes_at=NOW + timedelta(days=16))
    reminders.save_plan(db, campaign, reminders.Plan(count=3, interval_days=7, days_before_close=3))
    invitations.add_addresses(db, campaign, ["slow@example.org"], "fr", NOW)
    invitations.queue(db, campaign, "invitation", NOW)
    run_scheduler(settings, NOW, NOW + timedelta(days=17), step=timedelta(hours=12))
    # Day 7 yes; day 14 falls after closing minus 3 days (day 13): no second nor third reminder.
    assert reminders_received(smtp_server) == [("slow@example.org", "Wed, 11 Mar 2026 10:00:00 +0000")]


def test_a_campaign_without_a_plan_gets_no_automatic_reminder(settings, seed, db, smtp_server):
    campaign = seed.campaign(seed.enterprise())
    invitations.add_addresses(db, campaign, ["a@example.org"], "fr", NOW)
    invitations.queue(db, campaign, "invitation", NOW)
    run_scheduler(settings, NOW, NOW + timedelta(days=20), step=timedelta(days=1))
    assert reminders_received(smtp_server) == [] and len(smtp_server.messages) == 1


def test_a_reminder_by_hand_counts_towards_the_plan_and_restarts_the_interval(settings, campaign, db, smtp_server):
    invitations.add_addresses(db, campaign, ["a@example.org"], "fr", NOW)
    invitations.queue(db, campaign, "invitation", NOW)
    run_scheduler(settings, NOW, NOW + timedelta(days=3))
    invitations.queue(db, campaign, "reminder", NOW + timedelta(days=3, hours=1))
    run_scheduler(settings, NOW + timedelta(days=3, hours=1), CLOSES)
    assert [d for _, d in reminders_received(smtp_server)] == [
        "Sat, 07 Mar 2026 11:00:00 +0000",  # by hand
        "Sat, 14 Mar 2026 11:00:00 +0000",  # 7 days later, the second and last of the plan
    ]


@pytest.fixture
def manager(mail_app, world, db):
    from tests.app_support import BackOfficeClient, sign_in

    client = mail_app.test_client()
    with freeze_time(NOW):
        assert sign_in(client, "anna@example.org").status_code == 303
    return BackOfficeClient(client)


def page_at(app, url, moment):
    """The page as the manager sees it at `moment` (signed in then: sessions end after an hour idle)."""
    from tests.app_support import sign_in

    client = app.test_client()
    with freeze_time(moment):
        assert sign_in(client, "anna@example.org").status_code == 303
        return client.get(url).get_data(as_text=True)


def test_the_campaign_page_shows_what_went_out_and_what_is_planned(mail_app, settings, world, db):
    campaign = world.campaign_a
    reminders.save_plan(db, campaign, reminders.Plan(count=2, interval_days=7, days_before_close=2))
    invitations.add_addresses(db, campaign, ["a@example.org", "b@example.org"], "fr", NOW)
    invitations.queue(db, campaign, "invitation", NOW)
    run_scheduler(settings, NOW, NOW)
    page = page_at(mail_app, f"/admin/campaigns/{campaign}", NOW + timedelta(days=1))
    assert "Up to 2 automatic reminders, 7 days apart, none after 2026-03-23 11:00." in page
    planned = re.search(r'<table class="per-day" id="planned-reminders">.*?</table>', page, re.S).group(0)
    assert re.findall(r"<td>([\d-]+)</td><td>(\d+)</td>", planned) == [("2026-03-11", "2"), ("2026-03-18", "2")]
    run_scheduler(settings, NOW + timedelta(days=7), NOW + timedelta(days=7))
    page = page_at(mail_app, f"/admin/campaigns/{campaign}", NOW + timedelta(days=8))
    assert re.search(r"Reminder 1 sent to</th><td>2</td>", page)
    planned = re.search(r'id="planned-reminders">.*?</table>', page, re.S).group(0)
    assert re.findall(r"<td>([\d-]+)</td><td>(\d+)</td>", planned) == [("2026-03-18", "2")]


def test_the_campaign_form_sets_the_plan_with_the_installation_defaults(mail_app, world, db, manager):
    with freeze_time(NOW):
        form = manager.get(f"/admin/enterprises/{world.enterprise_a}/campaigns/new").get_data(as_text=True)
        assert re.search(r'name="reminder_count"[^>]*value="2"', form)
        response = manager.post(
            f"/admin/enterprises/{world.enterprise_a}/campaigns/new",
            {
                "title": "Wave 2",
                "stakeholder_group": "beneficiaries",
                "questionnaire": "latest",
                "timezone": "Europe/Brussels",
                "opens_at": "2026-03-10T09:00",
                "closes_at": "2026-04-10T18:00",
                "languages": "fr",
                "reminder_count": "3",
                "reminder_interval_days": "5",
                "reminder_days_before_close": "4",
            },
        )
    assert response.status_code == 303
    created = int(response.headers["Location"].rsplit("/", 1)[1])
    assert reminders.plan_of(db, created) == reminders.Plan(3, 5, 4)
    with freeze_time(NOW):
        refused = manager.post(
            f"/admin/campaigns/{created}/edit",
            {
                "title": "Wave 2",
                "stakeholder_group": "beneficiaries",
                "questionnaire": "latest",
                "timezone": "Europe/Brussels",
                "opens_at": "2026-03-10T09:00",
                "closes_at": "2026-04-10T18:00",
                "languages": "fr",
                "reminder_count": "9",
            },
        )
    assert refused.status_code == 200 and reminders.plan_of(db, created) == reminders.Plan(3, 5, 4)


def test_an_older_campaign_keeps_no_reminders_when_edited(mail_app, world, db, manager):
    with freeze_time(NOW):
        form = manager.get(f"/admin/campaigns/{world.campaign_a}/edit").get_data(as_text=True)
    assert re.search(r'name="reminder_count"[^>]*value="0"', form)


def test_remind_due_queues_what_is_due(mail_app, settings, campaign, db, monkeypatch, tmp_path):
    from click.testing import CliRunner

    from survey_app.cli import main

    invitations.add_addresses(db, campaign, ["a@example.org"], "fr", NOW)
    with write_transaction(db):
        db.execute("UPDATE invitation_email SET sent_at = ?", ["2026-03-04T10:00:00Z"])
    config = tmp_path / "config.toml"
    config.write_text(f'[database]\npath = "{settings.database.path}"\n[server]\nsecret_key = "t"\n')
    monkeypatch.setenv("VISES_CONFIG", str(config))
    with freeze_time(NOW + timedelta(days=7)):
        result = CliRunner().invoke(main, ["invitations", "remind-due"], catch_exceptions=False)
    assert result.output == f"Campaign {campaign}: 1 reminder(s) queued.\n"
    assert db.execute("SELECT kind, automatic FROM outbox").fetchall() == [("reminder", 1)]
