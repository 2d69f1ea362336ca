"""Password change, admin-issued reset links (e-mailed), manager invitations (e-mailed) and roles."""

import re
import subprocess
import sys

from argon2 import Type, extract_parameters

from survey_app.accounts.users import verify_password
from tests.app_support import PASSWORD, sign_in

NEW_PASSWORD = "a much longer new secret"


def _mailed_link(db, address: str, path: str) -> str:
    """The one-time link of the last account e-mail queued for `address` (the outbox holds it until sent)."""
    text = db.execute(
        "SELECT text_body FROM outbox WHERE recipient = ? ORDER BY id DESC LIMIT 1", [address]
    ).fetchone()[0]
    return re.search(rf"https?://[^\s]+?({path}/[A-Za-z0-9_-]+)", text).group(1)


def test_password_change_needs_the_current_password_and_ends_other_sessions(app, world, db, signed_in):
    office, other = signed_in("anna@example.org"), signed_in("anna@example.org")
    refused = office.post("/account/password", {"current": "wrong", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert "The current password is not correct." in refused.get_data(as_text=True)
    done = office.post("/account/password", {"current": PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert done.status_code == 303
    assert other.get("/admin/").status_code == 303  # the other session was ended
    assert office.get("/admin/").status_code == 200  # this one continues under a new id
    assert sign_in(app.test_client(), "anna@example.org", NEW_PASSWORD).status_code == 303


def test_admin_reset_link_works_once(app, world, db, signed_in):
    admin = signed_in("admin@example.org")
    response = admin.post(f"/admin/accounts/{world.manager_a}/reset", follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "is on its way to anna@example.org" in page and "/reset/" not in page  # the admin never sees it
    path = _mailed_link(db, "anna@example.org", "/reset")
    visitor = app.test_client()
    page = visitor.get(path + "?lang=en").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    done = visitor.post(path, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD, "csrf_token": token})
    assert done.status_code == 303
    assert visitor.get("/admin/").status_code == 200
    assert app.test_client().get(path).status_code == 404  # used
    assert sign_in(app.test_client(), "anna@example.org", NEW_PASSWORD).status_code == 303


def test_admin_invites_a_manager_who_sees_only_their_enterprise(app, world, db, signed_in):
    admin = signed_in("admin@example.org")
    response = admin.post(
        "/admin/accounts/new",
        {"email": "carla@example.org", "name": "Carla", "language": "fr", "enterprises": [str(world.enterprise_b)]},
        follow_redirects=True,
    )
    assert "A welcome e-mail with a one-time link is on its way to carla@example.org." in response.get_data(
        as_text=True
    )
    path = _mailed_link(db, "carla@example.org", "/welcome")
    visitor = app.test_client()
    page = visitor.get(path + "?lang=en").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    assert (
        visitor.post(path, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD, "csrf_token": token}).status_code
        == 303
    )
    home = visitor.get("/admin/").get_data(as_text=True)
    assert "Bakkerij B" in home and "Atelier A" not in home


def test_invite_rejects_bad_and_known_addresses(world, signed_in):
    admin = signed_in("admin@example.org")
    bad = admin.post("/admin/accounts/new", {"email": "not-an-address", "language": "fr"}).get_data(as_text=True)
    assert "Enter an e-mail address such as name@example.org." in bad
    known = admin.post("/admin/accounts/new", {"email": "ANNA@example.org", "language": "fr"}).get_data(as_text=True)
    assert "An account with this e-mail address already exists." in known


def test_deactivating_a_manager_ends_their_sessions(world, signed_in, db):
    admin, anna = signed_in("admin@example.org"), signed_in("anna@example.org")
    admin.post(f"/admin/accounts/{world.manager_a}", {"enterprises": [str(world.enterprise_a)]})
    assert anna.get("/admin/").status_code == 303


def test_managers_cannot_reach_admin_pages(world, signed_in):
    anna = signed_in("anna@example.org")
    for url in (
        "/admin/accounts/",
        "/admin/accounts/new",
        "/admin/enterprises/new",
        f"/admin/enterprises/{world.enterprise_a}/edit",
    ):
        assert anna.get(url).status_code == 404, url


def test_admin_creates_and_edits_an_enterprise(world, signed_in, db):
    admin = signed_in("admin@example.org")
    created = admin.post(
        "/admin/enterprises/new",
        {
            "name": "Coopérative C",
            "sector_group": "care",
            "country": "FR",
            "region": "Hauts-de-France",
            "default_language": "fr",
            "benchmark_consent": "y",
        },
    )
    assert created.status_code == 303
    row = db.execute("SELECT id, slug, benchmark_consent FROM enterprise WHERE name = 'Coopérative C'").fetchone()
    assert row[1] == "cooperative-c" and row[2] == 1
    admin.post(
        f"/admin/enterprises/{row[0]}/edit",
        {"name": "Coopérative C", "sector_group": "other", "country": "FR", "default_language": "fr"},
    )
    assert db.execute("SELECT sector_group, benchmark_consent FROM enterprise WHERE id = ?", [row[0]]).fetchone() == (
        "other",
        0,
    )


def test_manager_can_revoke_benchmark_consent_of_their_enterprise(world, signed_in, db):
    anna = signed_in("anna@example.org")
    assert anna.post(f"/admin/enterprises/{world.enterprise_a}/consent", {}).status_code == 303
    assert db.execute("SELECT benchmark_consent FROM enterprise WHERE id = ?", [world.enterprise_a]).fetchone()[0] == 0


def test_production_hashes_with_argon2id_at_19_mib_2_passes_1_lane():
    """The suite hashes at a cheap cost (conftest.py); a fresh interpreter hashes as production does."""
    code = f"from survey_app.accounts.users import hash_password; print(hash_password({PASSWORD!r}))"
    stored = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    cost = extract_parameters(stored)
    assert (cost.type, cost.memory_cost, cost.time_cost, cost.parallelism) == (Type.ID, 19 * 1024, 2, 1)
    assert verify_password(stored, PASSWORD) and not verify_password(stored, "not the password")
