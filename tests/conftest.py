"""Shared fixtures: a fresh temporary database per test, the app built by its factory, and seed
helpers with fixed timestamps (tests never read the wall clock)."""

from __future__ import annotations

import contextlib
import os
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from survey_app import create_app
from survey_app.domain.campaigns import CampaignSpec, create_campaign, generate_links
from survey_app.domain.enterprises import create_enterprise
from survey_app.storage.db import connect, write_transaction

# Fixtures that live in their own module, registered here rather than imported by each test file.
pytest_plugins = ["tests.dashboard_support", "tests.xlsform_support", "tests.reach_support"]

# A fixed "now" used by seed data: Wednesday 4 March 2026, 10:00 UTC (11:00 in Brussels).
NOW = datetime(2026, 3, 4, 10, 0, tzinfo=UTC)
CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"


@pytest.fixture
def make_app(tmp_path):
    """Build an app on a fresh database in tmp_path; keyword overrides use dotted setting names."""

    def _make(**overrides):
        settings = {
            "database.path": str(tmp_path / "vises.db"),
            "server.secret_key": "test-secret",
            "schedule.enabled": False,
        }
        settings.update({k.replace("__", "."): v for k, v in overrides.items()})
        app = create_app(settings)
        app.config.update(TESTING=True)
        return app

    return _make


@pytest.fixture
def app(make_app):
    return make_app()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def csrf_off_app(make_app):
    """An app without CSRF checks, for tests that post forms directly (CSRF has its own tests)."""
    app = make_app()
    app.config["WTF_CSRF_ENABLED"] = False
    return app


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def db(app):
    database = connect(app.config["SETTINGS"]["database.path"])
    yield database
    database.close()


@pytest.fixture
def seed(db):
    """Helpers that create enterprises, campaigns and links with fixed timestamps."""
    return Seeder(db)


class Seeder:
    def __init__(self, db):
        self.db = db

    def enterprise(
        self, name="Atelier Solidaire", sector_group="integration", country="BE", language="fr", consent=True, **kw
    ) -> int:
        with write_transaction(self.db):
            return create_enterprise(
                self.db, name, sector_group, country, language, NOW, benchmark_consent=consent, **kw
            )

    def campaign(
        self,
        enterprise_id: int,
        group="beneficiaries",
        opens_at=NOW - timedelta(days=7),
        closes_at=NOW + timedelta(days=21),
        timezone_name="Europe/Brussels",
        version=1,
        **kw,
    ) -> int:
        spec = CampaignSpec(
            enterprise_id=enterprise_id,
            stakeholder_group=group,
            questionnaire_id=group,
            questionnaire_version=version,
            title=kw.pop("title", f"{group} 2026"),
            opens_at=opens_at,
            closes_at=closes_at,
            timezone=timezone_name,
            **kw,
        )
        with write_transaction(self.db):
            return create_campaign(self.db, spec, NOW)

    def links(self, campaign_id: int, count=3) -> list[str]:
        with write_transaction(self.db):
            return [r["token"] for r in generate_links(self.db, campaign_id, count, NOW)]


def free_port() -> int:
    """A loopback port nobody listens on right now (for servers the tests start)."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def chromium_or_skip():
    """Browser tests need Debian's chromium; CI installs it and sets VISES_REQUIRE_BROWSER=1."""
    if CHROMIUM.exists() and shutil.which(str(CHROMIUM)):
        return str(CHROMIUM)
    if os.environ.get("VISES_REQUIRE_BROWSER"):
        pytest.fail("VISES_REQUIRE_BROWSER is set but /usr/bin/chromium is missing")
    pytest.skip("Chromium is not installed at /usr/bin/chromium (apt-get install chromium)")


CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def live_server(app):
    """Serve `app` with waitress on a free loopback port for browser tests; yields the base URL."""
    import threading

    from waitress.server import create_server

    server = create_server(app, host="127.0.0.1", port=0, threads=4)

    def run():
        with contextlib.suppress(OSError):  # the socket closed under select() at shutdown: the loop is over
            server.run()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.effective_port}"
    server.close()
    thread.join(timeout=5)


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium (Debian's, never a downloaded build) for the whole session."""
    executable = chromium_or_skip()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 360, "height": 740})
    yield context.new_page()
    context.close()


@pytest.fixture
def pipeline_db(tmp_path):
    """A migrated database with the bundled questionnaires registered, without building the web app
    (pipeline tests need only the schema, the questionnaires and the Seeder)."""
    from survey_app.questionnaire.registry import QUESTIONNAIRES_DIR, register
    from survey_app.storage.db import migrate

    path = tmp_path / "pipeline.db"
    migrate(path)
    database = connect(path)
    register(database, QUESTIONNAIRES_DIR, NOW)
    yield database
    database.close()


# --- Back office: accounts, two enterprises, signed-in clients (issue 4) ---
PASSWORD = "correct horse battery"


class BackOfficeClient:
    """A test client signed in to the back office that adds its session's CSRF token to posts."""

    def __init__(self, client):
        self.client = client
        self.token = None

    def refresh_token(self) -> str:
        import re

        page = self.client.get("/admin/").get_data(as_text=True)
        match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
        self.token = match.group(1) if match else None
        return self.token

    def get(self, *args, **kwargs):
        return self.client.get(*args, **kwargs)

    def post(self, url, data=None, csrf=True, **kwargs):
        data = dict(data or {})
        if csrf:
            data.setdefault("csrf_token", self.token or self.refresh_token())
        return self.client.post(url, data=data, **kwargs)


def sign_in(client, email, password=PASSWORD):
    """Post the login form (with its CSRF token) and return the response."""
    import re

    page = client.get("/login?lang=en").get_data(as_text=True)  # English pages, remembered in a cookie
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    return client.post("/login", data={"email": email, "password": password, "csrf_token": token})


@pytest.fixture
def world(app, db, seed):
    """An admin, enterprises A and B, a manager of each, one campaign each with 3 links."""
    from types import SimpleNamespace

    from survey_app.accounts.users import create_user, set_memberships

    ids = SimpleNamespace(
        enterprise_a=seed.enterprise("Atelier A"), enterprise_b=seed.enterprise("Bakkerij B", language="nl")
    )
    with write_transaction(db):
        ids.admin = create_user(db, "admin@example.org", PASSWORD, "admin", "en", NOW)
        ids.manager_a = create_user(db, "anna@example.org", PASSWORD, "manager", "en", NOW)
        ids.manager_b = create_user(db, "bert@example.org", PASSWORD, "manager", "en", NOW)
        set_memberships(db, ids.manager_a, [ids.enterprise_a])
        set_memberships(db, ids.manager_b, [ids.enterprise_b])
    ids.campaign_a = seed.campaign(ids.enterprise_a, title="Campaign A")
    ids.campaign_b = seed.campaign(ids.enterprise_b, title="Campaign B")
    ids.links_a = seed.links(ids.campaign_a)
    ids.links_b = seed.links(ids.campaign_b)
    return ids


@pytest.fixture
def signed_in(app, world):
    """signed_in("anna@example.org") -> a BackOfficeClient for that account (a new client each call)."""

    def _make(email):
        client = app.test_client()
        response = sign_in(client, email)
        assert response.status_code == 303, response.get_data(as_text=True)
        return BackOfficeClient(client)

    return _make
