"""Fixtures of the "reaching everyone" tests (easy mode, kiosks, answer entry, paper): an
interviewer of enterprise A and a frozen clock at NOW (the world's campaigns are open then)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from PIL import Image

from tests.app_support import NOW, PASSWORD
from tests.survey_support import freeze


@pytest.fixture
def at_now(monkeypatch):
    """The app's clock at NOW (Wednesday 4 March 2026, 10:00 UTC): seeded campaigns are open."""
    freeze(monkeypatch, NOW)
    return NOW


@pytest.fixture
def interviewer(world, db):
    """Ines, interviewer of enterprise A (membership), signed in with the usual password."""
    from survey_app.accounts.users import create_user, set_memberships
    from survey_app.storage.db import write_transaction

    with write_transaction(db):
        user_id = create_user(db, "ines@example.org", PASSWORD, "interviewer", "en", NOW)
        set_memberships(db, user_id, [world.enterprise_a])
    world.interviewer_a = user_id
    return user_id


EASY = Path(__file__).parent / "data" / "easy.toml"


@pytest.fixture
def easy_survey(make_app, tmp_path, monkeypatch):
    """A campaign on tests/data/easy.toml (in the instance folder) with its media files: recordings
    for `confident` (declared) and `trained` (found by name, in Dutch only), pictures for the note and
    an option. Yields (app, db, personal token, open token, campaign id)."""
    from datetime import timedelta

    from survey_app.domain.campaigns import CampaignSpec, create_campaign, generate_links
    from survey_app.domain.enterprises import create_enterprise
    from survey_app.storage.db import connect, write_transaction

    (tmp_path / "questionnaires").mkdir()
    shutil.copy(EASY, tmp_path / "questionnaires" / "easy.toml")
    media = tmp_path / "media" / "easy"
    media.mkdir(parents=True)
    for name in ("welcome.png", "home.png"):
        Image.new("RGB", (8, 8), "#12355b").save(media / name)
    for name in ("confident-fr.mp3", "home-fr.mp3", "trained.nl.mp3"):
        (media / name).write_bytes(b"ID3" + bytes(64))  # not played by the tests: only the controls matter
    app = make_app()
    freeze(monkeypatch, NOW)
    db = connect(app.config["SETTINGS"]["database.path"])
    with write_transaction(db):
        enterprise = create_enterprise(db, "Atelier Facile", "integration", "BE", "fr", NOW)
        spec = CampaignSpec(
            enterprise, "beneficiaries", "easy", 1, "Facile", NOW - timedelta(days=1), NOW + timedelta(days=9),
            "Europe/Brussels", ("fr", "nl", "en"),
        )  # fmt: skip
        campaign = create_campaign(db, spec, NOW)
        token = generate_links(db, campaign, 2, NOW)[0]["token"]
        open_token = db.execute("SELECT open_token FROM campaign WHERE id = ?", [campaign]).fetchone()[0]
    yield app, db, token, open_token, campaign
    db.close()


@pytest.fixture
def serve():
    """serve(app) -> base URL of `app` served by waitress on a free loopback port (browser tests of
    an app other than the `app` fixture's); every server is closed after the test."""
    import contextlib
    import threading

    from waitress.server import create_server

    servers = []

    def _serve(app) -> str:
        server = create_server(app, host="127.0.0.1", port=0, threads=4)

        def run():
            with contextlib.suppress(OSError):
                server.run()

        thread = threading.Thread(target=run, daemon=True)
        thread.start()
        servers.append((server, thread))
        return f"http://127.0.0.1:{server.effective_port}"

    yield _serve
    for server, thread in servers:
        server.close()
        thread.join(timeout=5)
