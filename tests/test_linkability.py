"""Nothing in the database links a response to its invitation by time: the invitation keeps only
flags (opened, started, answered), the response only its ISO week; deleted drafts and e-mail
addresses are overwritten in the file (secure_delete), not left in its free pages."""

from __future__ import annotations

import re

from survey_app.storage.db import connect, migrate, write_transaction
from survey_app.storage.schema import migrations
from tests.app_support import NOW
from tests.survey_support import BENEFICIARIES, Respondent, freeze

DAY = re.compile(r"\d{4}-\d\d-\d\d")


def columns(db, table: str) -> set[str]:
    return {row[1] for row in db.execute(f"PRAGMA table_info({table})")}


def test_an_answered_invitation_keeps_flags_and_the_response_only_its_week(app, seed, db, monkeypatch):
    freeze(monkeypatch, NOW)
    tokens = seed.links(seed.campaign(seed.enterprise()), 2)
    respondent = Respondent(app.test_client(), f"/s/{tokens[0]}")
    respondent.get("?lang=fr")  # the first page marks the link opened
    respondent.complete(BENEFICIARIES)
    assert columns(db, "invitation") == {
        "id",
        "campaign_id",
        "token",
        "short_code",
        "created_at",  # when the manager generated the link, the same for the whole batch
        "revoked_at",
        "opened",
        "started",
        "answered",
    }
    flags = db.execute("SELECT opened, started, answered FROM invitation WHERE token = ?", [tokens[0]]).fetchone()
    assert flags == (1, 1, 1)
    response = next(db.query("SELECT * FROM response"))
    assert response["submitted_week"] == "2026-W10"
    assert not any(DAY.search(str(value)) for value in response.values())
    assert "submitted_on" not in columns(db, "response")


def test_the_migration_replaces_dates_by_flags_and_weeks(tmp_path):
    path = tmp_path / "old.db"
    db = connect(path)
    migrations.apply(db, stop_before="m140_answered_flags_and_response_weeks")
    db.executescript("""
        INSERT INTO enterprise (slug, name, sector_group, country, default_language, created_at)
            VALUES ('a', 'A', 'care', 'BE', 'fr', 't');
        INSERT INTO questionnaire VALUES ('workers', 1, 'workers', 'h', '', 't');
        INSERT INTO campaign (enterprise_id, stakeholder_group, questionnaire_id, questionnaire_version, title,
            opens_at, closes_at, timezone, languages, open_token, created_at)
            VALUES (1, 'workers', 'workers', 1, 'c', 'a', 'b', 'Europe/Brussels', '["fr"]', 'o', 't');
        INSERT INTO invitation (campaign_id, token, short_code, created_at, opened_on, started_on, submitted_on)
            VALUES (1, 't1', 'A', 't', '2026-03-03', '2026-03-03', '2026-03-04'),
                   (1, 't2', 'B', 't', '2026-03-05', NULL, NULL),
                   (1, 't3', 'C', 't', NULL, NULL, NULL);
        INSERT INTO response (campaign_id, submission_id, language, channel, submitted_on)
            VALUES (1, 's1', 'fr', 'personal', '2026-03-04'), (1, 's2', 'fr', 'open', '2026-01-01');
    """)
    db.close()
    assert "m140_answered_flags_and_response_weeks" in migrate(path)
    db = connect(path)
    flags = db.execute("SELECT token, opened, started, answered FROM invitation ORDER BY token").fetchall()
    assert flags == [("t1", 1, 1, 1), ("t2", 1, 0, 0), ("t3", 0, 0, 0)]
    # 1 January 2026 is a Thursday: ISO week 1 of 2026.
    weeks = db.execute("SELECT submission_id, submitted_week FROM response ORDER BY id").fetchall()
    assert weeks == [("s1", "2026-W10"), ("s2", "2026-W01")]
    assert not {"opened_on", "started_on", "submitted_on"} & columns(db, "invitation")
    db.close()


def test_deleted_addresses_and_drafts_do_not_linger_in_the_database_file(app, seed, db, monkeypatch):
    freeze(monkeypatch, NOW)
    campaign = seed.campaign(seed.enterprise())
    tokens = seed.links(campaign, 2)
    marker = "linger.check.address@example.org"
    with write_transaction(db):
        db.execute(
            "INSERT INTO invitation_email (invitation_id, campaign_id, email, language) "
            "VALUES ((SELECT id FROM invitation WHERE token = ?), ?, ?, 'fr')",
            [tokens[1], campaign, marker],
        )
    respondent = Respondent(app.test_client(), f"/s/{tokens[0]}")
    respondent.post(1, BENEFICIARIES[0])
    respondent.post(2, BENEFICIARIES[1])
    secret_draft = "Ma voisine Jeanne Dupont me maltraite"
    respondent.post(3, {"q_recommend": "9", "q_what_changed": secret_draft}, "save")
    assert db.execute("SELECT count(*) FROM draft").fetchone()[0] == 1
    with write_transaction(db):
        db.execute("DELETE FROM invitation_email WHERE campaign_id = ?", [campaign])
        db.execute("DELETE FROM draft")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    content = open(app.config["SETTINGS"]["database.path"], "rb").read()
    assert marker.encode() not in content
    assert secret_draft.encode() not in content
    assert db.execute("PRAGMA secure_delete").fetchone()[0] == 1


def test_every_connection_turns_secure_delete_on_whatever_the_sqlite_build(tmp_path, monkeypatch):
    """Debian's SQLite is built with secure_delete on, others with it off: connect() must not rely on it."""
    import sqlite3

    from survey_app.storage import db as storage

    real_connect = sqlite3.connect

    def build_default_off(*args, **kwargs):
        conn = real_connect(*args, **kwargs)
        conn.execute("PRAGMA secure_delete = OFF")  # what a build without SQLITE_SECURE_DELETE starts with
        return conn

    monkeypatch.setattr(storage.sqlite3, "connect", build_default_off)
    database = connect(tmp_path / "x.db")
    try:
        assert database.execute("PRAGMA secure_delete").fetchone()[0] == 1
    finally:
        database.close()
