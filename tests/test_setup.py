"""First start: a one-time setup link creates the first administrator, once."""

from datetime import timedelta

import pytest
from freezegun import freeze_time

from survey_app.accounts import users as accounts
from survey_app.storage.db import connect
from tests.app_support import NOW


@pytest.fixture(autouse=True)
def frozen_clock():
    """Setup links expire: freeze the clock at the seed time so issue and use agree."""
    with freeze_time(NOW):
        yield


def issue_setup_token(app):
    db = connect(app.config["SETTINGS"]["database.path"])
    try:
        return accounts.issue_token(db, "setup", NOW)
    finally:
        db.close()


def post_setup(client, token, email="admin@example.org", password="correct horse battery"):
    return client.post(f"/setup/{token}", data={"email": email, "password": password, "confirm": password})


def test_setup_link_creates_the_first_admin_once(csrf_off_app, db):
    client = csrf_off_app.test_client()
    token = issue_setup_token(csrf_off_app)
    assert client.get(f"/setup/{token}").status_code == 200
    response = post_setup(client, token)
    assert response.status_code == 303 and response.headers["Location"].endswith("/admin/")
    admins = list(db.query("SELECT email, role, password_hash FROM user"))
    assert [(a["email"], a["role"]) for a in admins] == [("admin@example.org", "admin")]
    assert admins[0]["password_hash"].startswith("$argon2id$")
    # The link is spent: it neither shows the form nor creates a second admin.
    other = csrf_off_app.test_client()
    assert other.get(f"/setup/{token}").status_code == 404
    assert post_setup(other, token, email="intruder@example.org").status_code == 404
    assert db["user"].count == 1


def test_setup_form_errors_keep_the_email(csrf_off_app, db):
    client = csrf_off_app.test_client()
    token = issue_setup_token(csrf_off_app)
    response = client.post(
        f"/setup/{token}", data={"email": "admin@example.org", "password": "short", "confirm": "short"}
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<title>Error:" in html or "<title>Erreur" in html
    assert 'value="admin@example.org"' in html
    assert db["user"].count == 0


def test_unknown_setup_token_is_404(client):
    assert client.get("/setup/not-a-token").status_code == 404


def test_a_new_setup_link_replaces_the_previous_one(app):
    first = issue_setup_token(app)
    second = issue_setup_token(app)
    client = app.test_client()
    assert client.get(f"/setup/{first}").status_code == 404
    assert client.get(f"/setup/{second}").status_code == 200


def test_setup_link_expires_after_seven_days(app):
    token = issue_setup_token(app)
    with freeze_time(NOW + timedelta(days=7, seconds=1)):
        assert app.test_client().get(f"/setup/{token}").status_code == 404
