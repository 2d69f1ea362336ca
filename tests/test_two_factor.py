"""Two-step sign-in (TOTP) on a frozen clock: enrolment at the first sign-in of an admin, the code
after the password, replayed codes refused within their window, codes rate limited, recovery codes
once each, the settings per role, and an admin removing a lost second factor."""

import re
from datetime import timedelta

import pyotp
import pytest
from freezegun import freeze_time

from survey_app.accounts import totp_secrets
from tests.app_support import NOW, PASSWORD

STEP = timedelta(seconds=30)


class Browser:
    """A test client whose requests all happen at `self.now` (freezegun at the edge)."""

    def __init__(self, app):
        self.client, self.now = app.test_client(), NOW

    def get(self, url):
        with freeze_time(self.now):
            return self.client.get(url)

    def post(self, url, data=None):
        with freeze_time(self.now):
            page = self.client.get(url if url != "/login" else "/login?lang=en").get_data(as_text=True)
            token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
            return self.client.post(url, data={**(data or {}), "csrf_token": token.group(1) if token else ""})

    def password(self, email, password=PASSWORD):
        return self.post("/login", {"email": email, "password": password})

    def code(self, code):
        return self.post("/login/code", {"code": code})


@pytest.fixture
def strict_app(make_app):
    """The production defaults: admins must use a second factor."""
    return make_app(security__two_factor_admins=True)


def secret_on(page):
    return re.search(r'id="totp-secret">([A-Z2-7]+)<', page).group(1)


def enrol(app, email):
    """Sign in and enrol as a person would; return (browser, secret, recovery codes)."""
    browser = Browser(app)
    assert browser.password(email).headers["Location"] == "/account/two-factor/setup"
    page = browser.get("/account/two-factor/setup?lang=en").get_data(as_text=True)
    secret = secret_on(page)
    done = browser.post("/account/two-factor/setup", {"code": pyotp.TOTP(secret).at(browser.now)})
    codes = re.findall(r"<li>([a-z2-9]{5}-[a-z2-9]{5})</li>", done.get_data(as_text=True))
    return browser, secret, codes


def test_an_admin_is_led_to_enrol_at_the_first_sign_in(strict_app, world, db, ops):
    browser = Browser(strict_app)
    assert browser.password("admin@example.org").headers["Location"] == "/account/two-factor/setup"
    assert browser.get("/admin/").headers["Location"] == "/account/two-factor/setup"  # nothing else opens
    page = browser.get("/account/two-factor/setup?lang=en").get_data(as_text=True)
    assert "<svg" in page and 'class="qr-code"' in page
    secret = secret_on(page)
    assert db.execute("SELECT count(*) FROM user_totp").fetchone()[0] == 0  # showing the page stored nothing
    wrong = browser.post("/account/two-factor/setup", {"code": "000000"})
    assert "This code is not valid" in wrong.get_data(as_text=True)
    done = browser.post("/account/two-factor/setup", {"code": pyotp.TOTP(secret).at(NOW)})
    codes = re.findall(r"<li>([a-z2-9]{5}-[a-z2-9]{5})</li>", done.get_data(as_text=True))
    assert len(codes) == 10 and len(set(codes)) == 10
    assert browser.get("/admin/").status_code == 200
    stored = [r[0] for r in db.execute("SELECT code_hash FROM recovery_code")]
    assert len(stored) == 10 and not set(codes) & set(stored)  # kept hashed
    assert [e["action"] for e in ops.audit()][-2:] == ["2fa.enrol", "signin.success"]


def test_an_enrolled_admin_gives_a_code_after_the_password(strict_app, world):
    _, secret, _ = enrol(strict_app, "admin@example.org")
    browser = Browser(strict_app)
    browser.now = NOW + timedelta(minutes=5)
    assert browser.password("admin@example.org").headers["Location"] == "/login/code"
    assert browser.get("/admin/").headers["Location"] == "/login/code"
    assert browser.code(pyotp.TOTP(secret).at(browser.now)).headers["Location"] == "/admin/"
    assert browser.get("/admin/").status_code == 200


def test_a_code_used_once_is_refused_within_its_window(strict_app, world):
    _, secret, _ = enrol(strict_app, "admin@example.org")
    moment = NOW + timedelta(minutes=5)
    first, second = Browser(strict_app), Browser(strict_app)
    first.now = second.now = moment
    first.password("admin@example.org"), second.password("admin@example.org")
    code = pyotp.TOTP(secret).at(moment)
    assert first.code(code).status_code == 303
    assert "This code is not valid" in second.code(code).get_data(as_text=True)  # replayed, same window
    second.now = moment + STEP
    assert second.code(pyotp.TOTP(secret).at(second.now)).status_code == 303  # the next one is fine


def test_codes_from_a_drifting_clock_are_accepted_one_step_either_side(strict_app, world):
    _, secret, _ = enrol(strict_app, "admin@example.org")
    browser = Browser(strict_app)
    browser.now = NOW + timedelta(minutes=5)
    browser.password("admin@example.org")
    assert "not valid" in browser.code(pyotp.TOTP(secret).at(browser.now - 3 * STEP)).get_data(as_text=True)
    assert browser.code(pyotp.TOTP(secret).at(browser.now + STEP)).status_code == 303


def test_codes_are_rate_limited_per_account(strict_app, world):
    _, secret, _ = enrol(strict_app, "admin@example.org")
    browser = Browser(strict_app)
    browser.now = NOW + timedelta(minutes=20)  # the next 15-minute window: the enrolment's try is not counted
    browser.password("admin@example.org")
    for _ in range(5):
        assert browser.code("123456").status_code == 200
    refused = browser.code(pyotp.TOTP(secret).at(browser.now))  # the sixth try, even with the right code
    assert refused.status_code == 429 and "Too many codes" in refused.get_data(as_text=True)
    browser.now += timedelta(minutes=15)
    browser.password("admin@example.org")
    assert browser.code(pyotp.TOTP(secret).at(browser.now)).status_code == 303


def test_a_recovery_code_works_once(strict_app, world, ops):
    _, _, codes = enrol(strict_app, "admin@example.org")
    browser = Browser(strict_app)
    browser.now = NOW + timedelta(minutes=5)
    browser.password("admin@example.org")
    assert browser.code(codes[0].upper()).headers["Location"] == "/admin/"
    assert "9 recovery codes left." in browser.get("/account/two-factor?lang=en").get_data(as_text=True)
    again = Browser(strict_app)
    again.now = browser.now
    again.password("admin@example.org")
    assert "not valid" in again.code(codes[0]).get_data(as_text=True)
    assert ops.audit("signin.recovery_code")[0]["actor_id"] == world.admin


def test_managers_choose_by_default_and_may_turn_it_off(strict_app, world, db):
    browser = Browser(strict_app)
    assert browser.password("anna@example.org").headers["Location"] == "/admin/"  # not required by default
    assert 'id="two-factor-state">Off' in browser.get("/account/two-factor?lang=en").get_data(as_text=True)
    page = browser.get("/account/two-factor/setup?lang=en").get_data(as_text=True)
    browser.post("/account/two-factor/setup", {"code": pyotp.TOTP(secret_on(page)).at(NOW)})
    assert 'id="two-factor-state">On' in browser.get("/account/two-factor?lang=en").get_data(as_text=True)
    refused = browser.post("/account/two-factor/disable", {"password": "wrong password"})
    assert refused.status_code == 303 and db.execute("SELECT count(*) FROM user_totp").fetchone()[0] == 1
    browser.post("/account/two-factor/disable", {"password": PASSWORD})
    assert db.execute("SELECT count(*) FROM user_totp").fetchone()[0] == 0


def test_required_means_it_cannot_be_turned_off(strict_app, world, db):
    browser, _, _ = enrol(strict_app, "admin@example.org")
    page = browser.get("/account/two-factor?lang=en").get_data(as_text=True)
    assert "cannot be turned off" in page and "/account/two-factor/disable" not in page
    assert browser.post("/account/two-factor/disable", {"password": PASSWORD}).status_code == 404
    assert db.execute("SELECT count(*) FROM user_totp").fetchone()[0] == 1


def test_the_setting_can_require_it_for_managers(make_app, world):
    app = make_app(security__two_factor_managers=True)
    assert Browser(app).password("anna@example.org").headers["Location"] == "/account/two-factor/setup"


def test_an_admin_removes_the_second_factor_a_manager_lost(strict_app, world, db, ops):
    enrol(strict_app, "admin@example.org")
    manager = Browser(strict_app)
    manager.password("anna@example.org")
    page = manager.get("/account/two-factor/setup?lang=en").get_data(as_text=True)
    manager.post("/account/two-factor/setup", {"code": pyotp.TOTP(secret_on(page)).at(NOW)})
    admin, admin_secret, _ = Browser(strict_app), None, None
    admin.now = NOW + STEP * 3
    admin.password("admin@example.org")
    stored = db.execute("SELECT secret FROM user_totp WHERE user_id = ?", [world.admin]).fetchone()[0]
    admin_secret = totp_secrets.unseal(strict_app.config["SETTINGS"], stored)
    admin.code(pyotp.TOTP(admin_secret).at(admin.now))
    assert 'id="account-two-factor">On.' in admin.get(f"/admin/accounts/{world.manager_a}?lang=en").get_data(
        as_text=True
    )
    assert admin.post(f"/admin/accounts/{world.manager_a}/two-factor/remove").status_code == 303
    assert db.execute("SELECT count(*) FROM user_totp WHERE user_id = ?", [world.manager_a]).fetchone()[0] == 0
    assert ops.audit("2fa.remove")[0]["object_id"] == str(world.manager_a)
    assert manager.get("/admin/").headers["Location"] == "/login"  # their sessions ended


def test_the_production_default_requires_it_for_admins_only():
    from survey_app.core.config import Settings

    assert Settings().security.two_factor_admins is True
    assert Settings().security.two_factor_managers is False


def test_secrets_are_stored_sealed_with_a_key_outside_the_database(strict_app, world, db):
    _browser, secret, _codes = enrol(strict_app, "admin@example.org")
    (stored,) = db.execute("SELECT secret FROM user_totp WHERE user_id = ?", [world.admin]).fetchone()
    assert stored.startswith("fernet:") and secret not in stored
    settings = strict_app.config["SETTINGS"]
    key = totp_secrets.key_path(settings)
    assert key.is_file() and key.stat().st_mode & 0o777 == 0o600
    assert key.read_bytes().strip() not in b"".join(
        str(row).encode() for table in db.table_names() for row in db.execute(f"SELECT * FROM [{table}]")
    )
    assert totp_secrets.unseal(settings, stored) == secret


def test_a_secret_stored_in_clear_still_works_and_is_sealed_at_its_next_use(strict_app, world, db):
    from survey_app.accounts import totp

    clear = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
    totp.confirm(db, strict_app.config["SETTINGS"], world.admin, clear, pyotp.TOTP(clear).at(NOW), NOW)
    db.execute("UPDATE user_totp SET secret = ? WHERE user_id = ?", [clear, world.admin])  # as before sealing
    browser = Browser(strict_app)
    browser.now = NOW + STEP * 2
    browser.password("admin@example.org")
    assert browser.code(pyotp.TOTP(clear).at(browser.now)).headers["Location"] == "/admin/"
    (stored,) = db.execute("SELECT secret FROM user_totp WHERE user_id = ?", [world.admin]).fetchone()
    assert stored.startswith("fernet:") and totp_secrets.unseal(strict_app.config["SETTINGS"], stored) == clear


def test_a_replaced_key_refuses_codes_but_recovery_codes_still_sign_in(strict_app, world, db, monkeypatch):
    _browser, secret, codes = enrol(strict_app, "admin@example.org")
    key = totp_secrets.key_path(strict_app.config["SETTINGS"])
    key.write_bytes(b"KyZAgsgWOvyx5E3V6TS7wJ0BG2Vf8jdgRuzOiUw2DM0=\n")  # another valid key
    monkeypatch.setattr(totp_secrets, "_keys", {})  # as a restarted server would read it
    browser = Browser(strict_app)
    browser.now = NOW + STEP * 2
    browser.password("admin@example.org")
    assert browser.code(pyotp.TOTP(secret).at(browser.now)).status_code == 200  # refused, page shown again
    assert browser.code(codes[0]).headers["Location"] == "/admin/"
