"""Accounts by e-mail: welcome links and password resets go through the outbox; the reset form
never says whether an address has an account; links work once, for an hour; requests are limited."""

import re
from datetime import timedelta

import pytest
from freezegun import freeze_time

from survey_app.mail.delivery import deliver
from tests.app_support import NOW, sign_in

NEW_PASSWORD = "a brand new long password"


@pytest.fixture
def mail_app(make_app, mail_settings):
    return make_app(**mail_settings)


def forgot(client, address, at=NOW):
    with freeze_time(at):
        page = client.get("/forgot?lang=en").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        return client.post("/forgot", data={"email": address, "csrf_token": token})


def choose_password(app, path, at):
    client = app.test_client()
    with freeze_time(at):
        page = client.get(path + "?lang=en")
        if page.status_code != 200:
            return page.status_code
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.get_data(as_text=True)).group(1)
        return client.post(
            path, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD, "csrf_token": token}
        ).status_code


def test_the_same_answer_whether_or_not_the_address_has_an_account(mail_app, world, db, smtp_server, ops):
    client = mail_app.test_client()
    known, unknown = forgot(client, "anna@example.org"), forgot(client, "nobody@example.org")
    assert known.status_code == unknown.status_code == 200

    def strip(page):  # the page differs only by its CSRF token
        return re.sub(r'value="[^"]+"', "", page.get_data(as_text=True))

    assert strip(known) == strip(unknown) and 'id="reset-sent"' in strip(known)
    assert [r["recipient"] for r in ops.outbox("reset")] == ["anna@example.org"]
    assert db.execute("SELECT count(*) FROM outbox WHERE recipient = 'nobody@example.org'").fetchone()[0] == 0
    deliver(db, mail_app.config["SETTINGS"], NOW)
    assert [m["To"] for m in smtp_server.messages] == ["anna@example.org"]


def test_the_reset_link_works_once_and_for_an_hour(mail_app, world, db, smtp_server, ops):
    forgot(mail_app.test_client(), "anna@example.org")
    deliver(db, mail_app.config["SETTINGS"], NOW)
    message = smtp_server.to("anna@example.org")[0]
    assert message["Subject"] == "VISES: choose a new password"
    assert "until 04/03/2026 12:00" in message.get_body(("plain",)).get_content()  # 11:00 in Brussels + 1 hour
    path = ops.link_in(message, "/reset/")
    assert choose_password(mail_app, path, NOW + timedelta(minutes=61)) == 404  # expired
    forgot(mail_app.test_client(), "anna@example.org", NOW + timedelta(minutes=62))
    deliver(db, mail_app.config["SETTINGS"], NOW + timedelta(minutes=62))
    path = ops.link_in(smtp_server.to("anna@example.org")[1], "/reset/")
    assert choose_password(mail_app, path, NOW + timedelta(minutes=70)) == 303
    assert choose_password(mail_app, path, NOW + timedelta(minutes=71)) == 404  # used
    with freeze_time(NOW + timedelta(minutes=72)):
        assert sign_in(mail_app.test_client(), "anna@example.org", NEW_PASSWORD).status_code == 303


def test_requests_are_limited_per_account_with_the_same_answer(mail_app, world, ops):
    for _ in range(5):
        assert forgot(mail_app.test_client(), "anna@example.org").status_code == 200
    assert len(ops.outbox("reset")) == 3  # then nothing more is sent this hour, and nothing says so
    assert forgot(mail_app.test_client(), "anna@example.org", NOW + timedelta(hours=1)).status_code == 200
    assert len(ops.outbox("reset")) == 4


def test_an_admin_creates_a_manager_who_gets_the_welcome_link_by_mail(mail_app, world, db, smtp_server, ops):
    from tests.app_support import BackOfficeClient

    client = mail_app.test_client()
    with freeze_time(NOW):
        assert sign_in(client, "admin@example.org").status_code == 303
        admin = BackOfficeClient(client)
        page = admin.post(
            "/admin/accounts/new",
            {"email": "carla@example.org", "name": "Carla", "language": "nl", "enterprises": [str(world.enterprise_b)]},
            follow_redirects=True,
        ).get_data(as_text=True)
    assert "/welcome/" not in page  # the admin never sees the link
    deliver(db, mail_app.config["SETTINGS"], NOW)
    message = smtp_server.to("carla@example.org")[0]
    assert message["Subject"] == "Welkom bij VISES: kies je wachtwoord"
    assert ops.outbox("welcome")[0]["text_body"] is None  # the link left the outbox with the mail
    assert choose_password(mail_app, ops.link_in(message, "/welcome/"), NOW + timedelta(days=6)) == 303
    with freeze_time(NOW + timedelta(days=6)):
        assert sign_in(mail_app.test_client(), "carla@example.org", NEW_PASSWORD).status_code == 303


def test_the_welcome_link_expires_after_a_week(mail_app, world, db, smtp_server, ops):
    from survey_app.accounts.users import invite_manager
    from survey_app.mail.account_mail import queue
    from survey_app.storage.db import write_transaction

    with write_transaction(db):
        user_id, token = invite_manager(db, "dirk@example.org", "Dirk", "nl", [world.enterprise_b], NOW)
        queue(db, mail_app.config["SETTINGS"], "invite", {"email": "dirk@example.org", "language": "nl"}, token, NOW)
    deliver(db, mail_app.config["SETTINGS"], NOW)
    path = ops.link_in(smtp_server.to("dirk@example.org")[0], "/welcome/")
    assert choose_password(mail_app, path, NOW + timedelta(days=7, minutes=1)) == 404


def test_the_login_page_links_to_the_forgotten_password_page(client):
    assert 'href="/forgot"' in client.get("/login?lang=en").get_data(as_text=True)


def test_a_reset_never_skips_the_second_factor(make_app, mail_settings, world, db, smtp_server, ops):
    from survey_app.accounts import totp

    app = make_app(**mail_settings, security__two_factor_admins=True)
    totp.confirm(
        db,
        app.config["SETTINGS"],
        world.admin,
        "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP",
        ops.totp_code_for("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", NOW),
        NOW,
    )
    forgot(app.test_client(), "admin@example.org")
    deliver(db, app.config["SETTINGS"], NOW)
    path = ops.link_in(smtp_server.to("admin@example.org")[0], "/reset/")
    client = app.test_client()
    with freeze_time(NOW + timedelta(minutes=5)):
        page = client.get(path + "?lang=en").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        done = client.post(path, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD, "csrf_token": token})
        assert done.headers["Location"] == "/login/code"
        assert client.get("/admin/").headers["Location"] == "/login/code"
