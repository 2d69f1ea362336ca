"""E-mail invitations and reminders: the page queues them, the outbox delivers them to a real SMTP
server (aiosmtpd) on a loopback port."""

import re

import pytest
from freezegun import freeze_time

from survey_app.mail.invitations import parse_addresses
from survey_app.storage.db import write_transaction
from tests.app_support import NOW, BackOfficeClient, sign_in


@pytest.fixture
def mail_app(make_app, mail_settings):
    return make_app(**mail_settings)


class FrozenOffice(BackOfficeClient):
    """A back-office client whose every request happens at NOW, the time deliveries are run at
    (a session signed at one time is refused at an earlier one)."""

    def get(self, *args, **kwargs):
        with freeze_time(NOW):
            return super().get(*args, **kwargs)

    def post(self, *args, **kwargs):
        with freeze_time(NOW):
            return super().post(*args, **kwargs)

    def refresh_token(self):
        with freeze_time(NOW):
            return super().refresh_token()


@pytest.fixture
def office(mail_app, seed, db):
    from survey_app.accounts.users import create_user, set_memberships
    from tests.app_support import PASSWORD

    enterprise = seed.enterprise("Atelier <Solidaire> & Co")
    campaign = seed.campaign(enterprise, languages=("fr", "nl"))
    with write_transaction(db):
        user = create_user(db, "anna@example.org", PASSWORD, "manager", "en", NOW)
        set_memberships(db, user, [enterprise])
    client = mail_app.test_client()
    with freeze_time(NOW):
        assert sign_in(client, "anna@example.org").status_code == 303
    office = FrozenOffice(client)
    office.campaign = campaign
    office.url = f"/admin/campaigns/{campaign}/invitations"
    return office


def post(office, path, **kwargs):
    return office.post(office.url + path, **kwargs)


def add(office, text, language="fr"):
    return post(office, "/add", data={"addresses": text, "language": language}, follow_redirects=True)


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


def test_sending_queues_and_the_outbox_delivers_in_each_language(office, smtp_server, mail_app, db, deliver):
    add(office, "fr@example.org", "fr")
    add(office, "nl@example.org", "nl")
    page = post(office, "/send", follow_redirects=True).get_data(as_text=True)
    assert "E-mails queued: 2." in page and smtp_server.messages == []  # the page only queued them
    assert re.search(r'id="queued-invitation">2<', page)
    assert deliver(mail_app, NOW).sent == 2
    french, dutch = smtp_server.to("fr@example.org")[0], smtp_server.to("nl@example.org")[0]
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
    post(office, "/send")
    deliver(mail_app, NOW)
    assert len(smtp_server.messages) == 2  # a second click sends nothing again


def test_headers_date_message_id_unsubscribe_and_auto_submitted(office, smtp_server, mail_app, db, deliver):
    from email.utils import parsedate_to_datetime

    add(office, "late@example.org")
    post(office, "/send")
    deliver(mail_app, NOW)
    invitation = smtp_server.messages[0]
    assert parsedate_to_datetime(invitation["Date"]) == NOW
    assert invitation["Message-ID"].endswith("@vises.example>")
    assert re.fullmatch(r"<http://127\.0\.0\.1:5000/u/[A-Za-z0-9_-]{22}>", invitation["List-Unsubscribe"])
    assert invitation["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert invitation["Auto-Submitted"] is None  # a person decided to send it
    post(office, "/remind")
    deliver(mail_app, NOW)
    reminder = smtp_server.messages[1]
    assert reminder["Auto-Submitted"] == "auto-generated" and reminder["Subject"].startswith("Rappel")
    assert reminder["List-Unsubscribe"] == invitation["List-Unsubscribe"]


def test_permanent_failures_are_shown_and_a_retry_never_sends_twice(office, smtp_server, mail_app, db, deliver):
    add(office, "ok1@example.org\nrefuse@example.org\nok2@example.org")
    post(office, "/send")
    report = deliver(mail_app, NOW)
    assert (report.sent, report.failed) == (2, 1)
    stored = emails(db, office.campaign)
    assert stored["refuse@example.org"][0] is None and "550" in stored["refuse@example.org"][2]
    page = office.get(office.url + "/").get_data(as_text=True)
    assert "mailbox unavailable" in page and re.search(r'id="failed-invitation">1<', page)
    campaign_page = office.get(f"/admin/campaigns/{office.campaign}").get_data(as_text=True)
    assert re.search(r'id="campaign-failed-mails"><a href="[^"]+">1</a>', campaign_page)
    post(office, "/send")  # the failed address is queued again, the others are not
    deliver(mail_app, NOW)
    assert sorted(m["To"] for m in smtp_server.messages) == ["ok1@example.org", "ok2@example.org"]


def test_reminders_skip_respondents_and_are_not_repeated_the_same_day(office, smtp_server, mail_app, db, deliver):
    add(office, "done@example.org\nlate@example.org")
    post(office, "/send")
    deliver(mail_app, NOW)
    with write_transaction(db):
        db.execute(
            "UPDATE invitation SET answered = 1 WHERE id = (SELECT invitation_id FROM "
            "invitation_email WHERE email = 'done@example.org')"
        )
    page = post(office, "/remind", follow_redirects=True).get_data(as_text=True)
    assert "E-mails queued: 1." in page
    deliver(mail_app, NOW)
    reminders = [m for m in smtp_server.messages if m["Subject"].startswith("Rappel")]
    assert [m["To"] for m in reminders] == ["late@example.org"]
    post(office, "/remind")
    deliver(mail_app, NOW)
    assert len([m for m in smtp_server.messages if m["Subject"].startswith("Rappel")]) == 1


def test_erase_addresses_also_after_closing_and_cancels_what_was_queued(office, db, mail_app, deliver, smtp_server):
    add(office, "a@example.org\nb@example.org")
    post(office, "/send")
    with freeze_time(NOW):
        office.post(f"/admin/campaigns/{office.campaign}/close", {"confirmed": "yes"})
    asked = post(office, "/erase").get_data(as_text=True)  # a confirmation step first
    assert "2 addresses will be deleted, for good." in asked and len(emails(db, office.campaign)) == 2
    page = post(office, "/erase", data={"confirmed": "yes"}, follow_redirects=True).get_data(as_text=True)
    assert "E-mail addresses deleted: 2." in page
    assert emails(db, office.campaign) == {}
    assert db.execute("SELECT count(*) FROM invitation WHERE campaign_id = ?", [office.campaign]).fetchone()[0] == 2
    assert deliver(mail_app, NOW).sent == 0 and smtp_server.messages == []
    statuses = {r[0] for r in db.execute("SELECT status FROM outbox")}
    assert statuses == {"cancelled"}


def test_a_stored_name_with_a_line_break_never_stops_sending(office, smtp_server, mail_app, db, deliver):
    with write_transaction(db):  # stored before names were checked for control characters
        db.execute("UPDATE enterprise SET name = 'Atelier\nSolidaire\r\n'")
    add(office, "late@example.org")
    assert post(office, "/send").status_code == 303
    deliver(mail_app, NOW)
    assert post(office, "/remind").status_code == 303
    deliver(mail_app, NOW)
    assert [m["Subject"] for m in smtp_server.messages] == [
        "Atelier Solidaire aimerait avoir votre avis",
        "Rappel : Atelier Solidaire aimerait avoir votre avis",
    ]
