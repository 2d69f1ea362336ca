"""Shared fixtures: a fresh temporary database per test (a copy of one migrated template), the app
built by its factory, seed helpers with fixed timestamps (tests never read the wall clock), and
cheap password hashing. Plain helpers live in tests/app_support.py; test files import that, never
this module."""

from __future__ import annotations

import shutil
import sqlite3
import threading
from pathlib import Path

import freezegun
import pytest
from argon2 import PasswordHasher, Type

from pipeline.sample.responses import add_responses
from survey_app import create_app
from survey_app.accounts import users
from survey_app.storage.db import connect, migrate
from tests.app_support import (
    CUSTOM_PICK,
    NOW,
    PASSWORD,
    BackOfficeClient,
    Seeder,
    build_world,
    sample_answers,
    sign_in,
    two_closed_waves,
)

# Fixtures that live in their own modules, registered here rather than imported by each test file.
pytest_plugins = [
    "tests.browser_fixtures",
    "tests.demo_fixtures",
    "tests.xlsform_fixtures",
    "tests.operations_fixtures",
    "tests.trust_fixtures",
    "tests.reach_fixtures",
]

# pytest times each phase with the clock freezegun fakes: a test that freezes time in a fixture
# would report a setup of 1.7e9 s in --durations. pytest's timing module keeps the real clock.
freezegun.configure(extend_ignore_list=["_pytest.timing"])

# Hashing at production cost (m=19 MiB, t=2) takes ~35 ms; the suite makes hundreds of hashes.
# Verification reads the parameters from the stored hash, so these hashes verify as usual.
CHEAP_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1, type=Type.ID)


@pytest.fixture(autouse=True, scope="session")
def cheap_password_hashing():
    """Make every hash of the session with CHEAP_HASHER (test_auth_accounts checks production's)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(users, "password_hasher", CHEAP_HASHER)
        yield


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory) -> Path:
    """One database file migrated once per session (per xdist worker): tests copy it."""
    path = tmp_path_factory.mktemp("template") / "vises.db"
    migrate(path)
    # Fold the write-ahead log into the file, so that copying the file alone copies everything.
    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()
    assert not Path(f"{path}-wal").exists() or Path(f"{path}-wal").stat().st_size == 0
    return path


@pytest.fixture
def migrated_copy(migrated_template):
    """migrated_copy(path) -> path: a migrated database at `path`, unless a file is already there."""

    def _copy(path) -> Path:
        path = Path(path)
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(migrated_template, path)
        return path

    return _copy


@pytest.fixture
def make_app(tmp_path, migrated_copy):
    """Build an app on a fresh database in tmp_path; keyword overrides use dotted setting names.

    The database starts as a copy of the migrated template; the factory still runs its migrations
    (none pending). Calling it again in the same test reopens the same database, like a restart.
    """

    def _make(**overrides):
        settings = {
            "database.path": str(tmp_path / "vises.db"),
            "server.secret_key": "test-secret",
            "schedule.enabled": False,
            # Two-factor sign-in is on for admins by default; tests that sign admins in by password
            # turn it off here, and tests/operations_fixtures.py and test_two_factor*.py turn it on.
            "security.two_factor_admins": False,
        }
        settings.update({k.replace("__", "."): v for k, v in overrides.items()})
        migrated_copy(settings["database.path"])
        app = create_app(settings)
        app.config.update(TESTING=True)
        return app

    yield _make
    # The refresh button runs the pipeline in a daemon thread: let it end with its test, not
    # compete with later tests for the CPU (or be cut off in C code when the session exits).
    for thread in threading.enumerate():
        if thread.name == "vises-refresh":
            thread.join(timeout=60)


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


@pytest.fixture
def pipeline_db(tmp_path, migrated_copy):
    """A migrated database with the bundled questionnaires registered, without building the web app
    (pipeline tests need only the schema, the questionnaires and the Seeder)."""
    from survey_app.questionnaire.registry import QUESTIONNAIRES_DIR, register

    database = connect(migrated_copy(tmp_path / "pipeline.db"))
    register(database, QUESTIONNAIRES_DIR, NOW)
    yield database
    database.close()


@pytest.fixture
def no_charts(monkeypatch):
    """Pipeline tests that skip the chart hook: charts are another module's concern (and spawn
    processes). Used as `pytestmark = pytest.mark.usefixtures("no_charts")`."""
    from pipeline import runner

    monkeypatch.setattr(runner, "render_charts", lambda *args: 0)


@pytest.fixture
def waves(pipeline_db):
    """Kept sums and batches: eight enterprises in one sector group and three in another, two closed
    waves each, and one open wave."""
    seed = Seeder(pipeline_db)
    out = []
    for e in range(11):
        firm = seed.enterprise(f"Entreprise {e}", sector_group="care" if e >= 8 else "integration", consent=e != 3)
        out += two_closed_waves(pipeline_db, seed, firm, e)
    still_open = seed.campaign(seed.enterprise("Ouverte"), custom_questions=CUSTOM_PICK)
    add_responses(pipeline_db, still_open, [sample_answers(i) for i in range(6)])
    return out + [still_open]


# --- Back office: accounts, two enterprises, signed-in clients (issue 4) ---
@pytest.fixture
def world(app, db, seed):
    """An admin, enterprises A and B, a manager of each, one campaign each with 3 links."""
    return build_world(db, seed)


@pytest.fixture
def signed_in(app, world):
    """signed_in("anna@example.org") -> a BackOfficeClient for that account (a new client each call)."""

    def _make(email):
        client = app.test_client()
        response = sign_in(client, email, PASSWORD)
        assert response.status_code == 303, response.get_data(as_text=True)
        return BackOfficeClient(client)

    return _make
