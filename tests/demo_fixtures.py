"""Fixtures of the dashboard, report, API, federation and digest tests (a plugin registered in
conftest.py): the demo data computed once per session (without charts: they are drawn on request),
copied for each test, with an admin and two managers (enterprise 1 "Atelier Jeunes Pousses" and
enterprise 2)."""

from __future__ import annotations

import shutil

import pytest

from pipeline.runner import RunRequest, run_pipeline
from pipeline.sample.demo import load_demo
from survey_app.accounts.users import create_user, set_memberships
from survey_app.core.config import load
from survey_app.questionnaire.registry import QUESTIONNAIRES_DIR, register
from survey_app.storage.db import connect, write_transaction
from tests.app_support import NOW, PASSWORD, BackOfficeClient, sign_in
from tests.dashboard_support import USERS


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory, migrated_template):
    """A database file with the demo loaded, indicators computed and three accounts."""
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    shutil.copyfile(migrated_template, path)
    db = connect(path)
    try:
        register(db, QUESTIONNAIRES_DIR, NOW)
        load_demo(db, NOW)
        settings = load(None, {"database.path": str(path), "server.secret_key": "test-secret"})
        run_pipeline(db, settings, NOW, RunRequest(trigger="schedule", charts=False))
        with write_transaction(db):
            for email, role, language, enterprises in USERS.values():
                user = create_user(db, email, PASSWORD, role, language, NOW)
                set_memberships(db, user, enterprises)
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        db.close()
    return path


@pytest.fixture
def demo_app(make_app, tmp_path, demo_template):
    shutil.copy(demo_template, tmp_path / "vises.db")
    return make_app()


@pytest.fixture
def demo_db(demo_app):
    database = connect(demo_app.config["SETTINGS"]["database.path"])
    yield database
    database.close()


@pytest.fixture
def as_user(demo_app):
    """as_user("anna") -> a signed-in client that adds CSRF tokens to its posts."""

    def _make(name: str) -> BackOfficeClient:
        client = demo_app.test_client()
        response = sign_in(client, USERS[name][0])
        assert response.status_code == 303
        return BackOfficeClient(client)

    return _make
