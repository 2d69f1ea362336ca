"""Sign in and out: wrong password, unknown user, rate limits, session rotation, timeouts, logout."""

from datetime import timedelta

import pytest
from freezegun import freeze_time

from survey_app.accounts import login_guard
from tests.app_support import NOW, PASSWORD, sign_in


def sessions_of(db, user_id):
    return db.execute("SELECT count(*) FROM user_session WHERE user_id = ?", [user_id]).fetchone()[0]


def test_wrong_password_and_unknown_user_get_the_same_answer(app, world, db):
    client = app.test_client()
    wrong = sign_in(client, "anna@example.org", "not the password")
    unknown = sign_in(client, "nobody@example.org", "not the password")
    for response in (wrong, unknown):
        assert response.status_code == 200
        assert "E-mail address or password is not correct." in response.get_data(as_text=True)
    assert sessions_of(db, world.manager_a) == 0
    assert client.get("/admin/").status_code == 303


def test_sign_in_creates_a_server_session_with_a_new_id(app, world, db):
    client = app.test_client()
    client.get("/login")
    with client.session_transaction() as before:
        csrf_before = before.get("csrf_token")
    response = sign_in(client, "anna@example.org")
    assert response.status_code == 303 and response.headers["Location"].endswith("/admin/")
    with client.session_transaction() as after:
        first_sid = after["sid"]
        assert after.get("csrf_token") != csrf_before  # the pre-login session content is gone
    assert sessions_of(db, world.manager_a) == 1
    assert sign_in(client, "anna@example.org").status_code == 303
    with client.session_transaction() as again:
        assert again["sid"] != first_sid
    assert sessions_of(db, world.manager_a) == 1  # the previous session was ended, not left behind
    assert "Atelier A" in client.get("/admin/").get_data(as_text=True)


def test_logout_really_ends_the_session(app, world, db, signed_in):
    office = signed_in("anna@example.org")
    cookie = office.client.get_cookie("vises_session").value
    response = office.post("/logout")
    assert response.status_code == 303
    assert sessions_of(db, world.manager_a) == 0
    replay = app.test_client()
    replay.set_cookie("vises_session", cookie)
    assert replay.get("/admin/").status_code == 303  # the old cookie no longer opens anything


def test_logout_without_csrf_token_is_refused(world, signed_in, db):
    office = signed_in("anna@example.org")
    assert office.post("/logout", csrf=False).status_code == 400
    assert sessions_of(db, world.manager_a) == 1


def test_idle_timeout_with_frozen_time(app, world, db):
    client = app.test_client()
    with freeze_time(NOW) as frozen:
        sign_in(client, "anna@example.org")
        frozen.tick(timedelta(minutes=59))
        assert client.get("/admin/").status_code == 200
        frozen.tick(timedelta(minutes=59))
        assert client.get("/admin/").status_code == 200  # activity keeps it alive
        frozen.tick(timedelta(minutes=61))
        assert client.get("/admin/").status_code == 303
    assert sessions_of(db, world.manager_a) == 0


def test_absolute_timeout_with_frozen_time(app, world):
    client = app.test_client()
    with freeze_time(NOW) as frozen:
        sign_in(client, "anna@example.org")
        for _ in range(23):
            frozen.tick(timedelta(minutes=30))
            assert client.get("/admin/").status_code == 200
        frozen.tick(timedelta(minutes=30))  # 12 hours after sign-in, however active
        assert client.get("/admin/").status_code == 303


@pytest.fixture
def strict_app(make_app, monkeypatch):
    app = make_app(security__login_attempts=3)
    slept = []
    monkeypatch.setattr(login_guard.time, "sleep", slept.append)
    app.slept = slept
    return app


def _attempt(app, email, password, address):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return sign_in(client, email, password)


def test_rate_limit_per_address_and_account_does_not_lock_the_real_user_out(strict_app, seed):
    from survey_app.accounts.users import create_user
    from survey_app.storage.db import connect, write_transaction

    db = connect(strict_app.config["SETTINGS"]["database.path"])
    with write_transaction(db):
        create_user(db, "anna@example.org", PASSWORD, "manager", "en", NOW)
    for _ in range(3):
        assert _attempt(strict_app, "anna@example.org", "guess", "203.0.113.9").status_code == 200
    blocked = _attempt(strict_app, "anna@example.org", PASSWORD, "203.0.113.9")
    assert blocked.status_code == 429
    assert "Too many sign-in attempts" in blocked.get_data(as_text=True)
    assert _attempt(strict_app, "anna@example.org", PASSWORD, "198.51.100.7").status_code == 303


def test_rate_limit_per_address_over_many_accounts(strict_app):
    for n in range(30):
        assert _attempt(strict_app, f"user{n}@example.org", "guess", "203.0.113.9").status_code == 200
    assert _attempt(strict_app, "other@example.org", "guess", "203.0.113.9").status_code == 429
    assert _attempt(strict_app, "other@example.org", "guess", "198.51.100.7").status_code == 200


def test_many_addresses_on_one_account_only_slow_down(strict_app):
    for n in range(31):
        response = _attempt(strict_app, "anna@example.org", "guess", f"10.0.{n // 250}.{n % 250 + 1}")
        assert response.status_code == 200
    assert strict_app.slept == [2.0]  # the 31st attempt was delayed, not refused
