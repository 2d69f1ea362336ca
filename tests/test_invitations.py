"""E-mail invitations and reminders against a real SMTP server (aiosmtpd) on a loopback port."""

import email
import re
from datetime import timedelta
from email import policy

import pytest
from aiosmtpd.controller import Controller
from freezegun import freeze_time

from survey_app.mail.invitations import parse_addresses
from survey_app.mail.messages import send_due_reminders
from survey_app.storage.db import write_transaction
from tests.conftest import NOW, BackOfficeClient, free_port, sign_in


class Recorder:
    """Keeps every message; refuses recipients whose address starts with 'refuse'."""

    def __init__(self):
        self.messages = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("refuse"):
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted"

    def to(self, address):
        return [m for m in self.messages if m["To"] == address]


@pytest.fixture
def smtp():
    recorder = Recorder()
    controller = Controller(recorder, hostname="127.0.0.1", port=free_port())
    controller.start()
    recorder.port = controller.port
    yield recorder
    controller.stop()


@pytest.fixture
def mail_app(make_app, smtp):
    return make_app(
        smtp__host="127.0.0.1",
        smtp__port=smtp.port,
        smtp__sender="enquete@vises.example",
        invitations__reminder_days_before_close=3,
    )


@pytest.fixture
def office(mail_app, seed, db):
    from survey_app.accounts.users import create_user, set_memberships
    from tests.conftest import PASSWORD

    enterprise = seed.enterprise("Atelier <Solidaire> & Co")
    campaign = seed.campaign(enterprise, languages=("fr", "nl"))
    with write_transaction(db):
        user = create_user(db, "anna@example.org", PASSWORD, "manager", "en", NOW)
        set_memberships(db, user, [enterprise])
    client = mail_app.test_client()
    assert sign_in(client, "anna@example.org").status_code == 303
    office = BackOfficeClient(client)
    office.campaign = campaign
    office.url = f"/admin/campaigns/{campaign}/invitations"
    return office


def add(office, text, language="fr"):
    return office.post(office.url + "/add", {"addresses": text, "language": language}, follow_redirects=True)


def emails(db, campaign):
    return {
        r[0]: r[1:]
        for r in db.execute(
            "SELECT email, sent_at, reminded_at, last_error FROM invitation_email WHERE campaign_id = ?", [campaign]
        )
    }


def test_parse_reports_invalid_and_merges_duplicates():
    parsed = parse_addresses("a@example.org, A@Example.org; Bob <bob@example.be>\nnot-an-address\n\n  c@x.fr")
    assert parsed.valid == ["a@example.org", "bob@example.be", "c@x.fr"]
    assert parsed.invalid == ["not-an-address"] and parsed.duplicates == 1


def test_add_reports_invalid_addresses_and_merges_duplicates(office, db):
    page = add(office, "a@example.org\nA@EXAMPLE.ORG\nbroken@\nb@example.org").get_data(as_text=True)
    assert "broken@" in page and "Invalid addresses, not added (1)" in page
    assert "2 address(es) added, 0 already invited, 1 duplicate(s) merged." in page
    page = add(office, "b@example.org, c@example.org").get_data(as_text=True)
    assert "1 already invited" in page
    assert sorted(emails(db, office.campaign)) == ["a@example.org", "b@example.org", "c@example.org"]


def test_upload_a_file_of_addresses(office, db):
    import io

    data = {
        "addresses": "",
        "language": "nl",
        "upload": (io.BytesIO(b"email\nd@example.org\ne@example.org\n"), "list.csv"),
    }
    page = office.post(office.url + "/add", data, content_type="multipart/form-data", follow_redirects=True).get_data(
        as_text=True
    )
    assert "Invalid addresses, not added (1): email" in page  # the header line is reported, not hidden
    assert sorted(emails(db, office.campaign)) == ["d@example.org", "e@example.org"]


def test_invitations_in_the_chosen_language_with_a_working_link(office, smtp, mail_app, db):
    add(office, "fr@example.org", "fr")
    add(office, "nl@example.org", "nl")
    page = office.post(office.url + "/send", follow_redirects=True).get_data(as_text=True)
    assert "E-mails sent: 2." in page
    french, dutch = smtp.to("fr@example.org")[0], smtp.to("nl@example.org")[0]
    assert french["Subject"] == "Atelier <Solidaire> & Co aimerait avoir votre avis"
    assert dutch["Subject"] == "Atelier <Solidaire> & Co wil graag je mening"
    text = french.get_body(("plain",)).get_content()
    html = french.get_body(("html",)).get_content()
    assert "vos réponses sont anonymes" in text.lower() and "Atelier <Solidaire> & Co" in text
    assert "Atelier &lt;Solidaire&gt; &amp; Co" in html  # autoescaped in HTML
    assert "Je antwoorden zijn anoniem" in dutch.get_body(("plain",)).get_content()
    link = re.search(r"http://127\.0\.0\.1:5000(/s/[A-Za-z0-9_-]+)\?lang=fr", text).group(1)
    token = link.rsplit("/", 1)[1]
    assert (
        db.execute(
            "SELECT count(*) FROM invitation WHERE token = ? AND campaign_id = ?", [token, office.campaign]
        ).fetchone()[0]
        == 1
    )
    with freeze_time(NOW):  # the seeded campaign is open around NOW
        assert mail_app.test_client().get(link + "?lang=fr").status_code == 200
    office.post(office.url + "/send")
    assert len(smtp.messages) == 2  # a second click sends nothing again


def test_failures_are_reported_per_address_and_a_retry_never_sends_twice(office, smtp, db):
    add(office, "ok1@example.org\nrefuse@example.org\nok2@example.org")
    page = office.post(office.url + "/send", follow_redirects=True).get_data(as_text=True)
    assert "E-mails sent: 2." in page and "Not sent to refuse@example.org: 550 5.1.1 mailbox unavailable" in page
    stored = emails(db, office.campaign)
    assert stored["refuse@example.org"][0] is None and "550" in stored["refuse@example.org"][2]
    assert "mailbox unavailable" in office.get(office.url + "/").get_data(as_text=True)
    office.post(office.url + "/send")
    assert sorted(m["To"] for m in smtp.messages) == ["ok1@example.org", "ok2@example.org"]


def test_unreachable_server_keeps_everyone_unsent(make_app, seed, db):
    from survey_app.mail import invitations
    from survey_app.mail.messages import render_mail

    app = make_app(smtp__host="127.0.0.1", smtp__port=free_port())
    campaign = seed.campaign(seed.enterprise())
    invitations.add_addresses(db, campaign, ["a@example.org"], "en", NOW)
    row = next(db.query("SELECT c.*, 'X' AS enterprise_name FROM campaign c WHERE id = ?", [campaign]))
    with app.app_context():
        report = invitations.send(db, app.config["SETTINGS"], row, "invitation", render_mail, NOW)
    assert report.sent == 0 and report.failed[0][0] == "a@example.org"
    assert emails(db, campaign)["a@example.org"][0] is None


def test_reminders_skip_respondents_and_are_not_repeated_the_same_day(office, smtp, db):
    add(office, "done@example.org\nlate@example.org")
    office.post(office.url + "/send")
    with write_transaction(db):
        db.execute(
            "UPDATE invitation SET answered = 1 WHERE id = (SELECT invitation_id FROM "
            "invitation_email WHERE email = 'done@example.org')"
        )
    page = office.post(office.url + "/remind", follow_redirects=True).get_data(as_text=True)
    assert "E-mails sent: 1." in page
    reminders = [m for m in smtp.messages if m["Subject"].startswith("Rappel")]
    assert [m["To"] for m in reminders] == ["late@example.org"]
    office.post(office.url + "/remind")
    assert len([m for m in smtp.messages if m["Subject"].startswith("Rappel")]) == 1


def test_automatic_reminder_days_before_closing(mail_app, office, smtp, db):
    add(office, "late@example.org")
    office.post(office.url + "/send")
    closes = NOW + timedelta(days=21)
    assert send_due_reminders(mail_app, closes - timedelta(days=5)) == {}
    reports = send_due_reminders(mail_app, closes - timedelta(days=2))
    assert reports[office.campaign].sent == 1
    assert send_due_reminders(mail_app, closes - timedelta(days=1)) == {}  # once only
    assert [m["To"] for m in smtp.messages if m["Subject"].startswith("Rappel")] == ["late@example.org"]


def test_erase_addresses_also_after_closing(office, db):
    add(office, "a@example.org\nb@example.org")
    with freeze_time(NOW):
        office.post(f"/admin/campaigns/{office.campaign}/close")
    page = office.post(office.url + "/erase", follow_redirects=True).get_data(as_text=True)
    assert "E-mail addresses deleted: 2." in page
    assert emails(db, office.campaign) == {}
    assert db.execute("SELECT count(*) FROM invitation WHERE campaign_id = ?", [office.campaign]).fetchone()[0] == 2
