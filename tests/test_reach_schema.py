"""Migrations of the reaching-everyone part: the response table rebuilt with its channel (self,
interview, paper) apart from its link (personal, open), keeping every row and every answer;
interviewers as a role; the new tables' constraints."""

from __future__ import annotations

import sqlite3

import pytest

from survey_app.storage.db import connect, migrate
from survey_app.storage.schema import migrations
from tests.app_support import migrated_before


@pytest.fixture
def before_rebuild(tmp_path):
    """A database migrated up to just before m240, with a personal and an open response."""
    path = tmp_path / "old.db"
    db = migrated_before(path, "m240_response_channel")
    db.executescript("""
    INSERT INTO enterprise (slug, name, sector_group, country, default_language, created_at)
        VALUES ('a', 'A', 'care', 'BE', 'fr', 't');
    INSERT INTO questionnaire VALUES ('workers', 1, 'workers', 'h', 's', 't');
    INSERT INTO campaign (enterprise_id, stakeholder_group, questionnaire_id, questionnaire_version, title,
        opens_at, closes_at, timezone, languages, open_token, created_at)
        VALUES (1, 'workers', 'workers', 1, 'c', 'a', 'b', 'Europe/Brussels', '["fr"]', 'o', 't');
    INSERT INTO response (campaign_id, submission_id, language, channel, submitted_week)
        VALUES (1, 's1', 'fr', 'personal', '2026-W02'), (1, 's2', 'nl', 'open', '2026-W02');
    INSERT INTO answer (response_id, question_id, value_num) VALUES (1, 'q1', 4), (2, 'q1', 2), (2, 'q2', 5);
    INSERT INTO pipeline_run (trigger, started_at, status) VALUES ('cli', 't', 'success');
    INSERT INTO testimony VALUES (2, 'q3', 1, 'nl', 'Goed', 1);
    INSERT INTO user (email, role, created_at) VALUES ('m@example.org', 'manager', 't');
    INSERT INTO membership VALUES (1, 1);
    INSERT INTO user_session (id_hash, user_id, created_at, last_seen_at) VALUES ('h', 1, 't', 't');
    """)
    db.close()
    return path


def test_rebuild_keeps_every_response_answer_and_reference(before_rebuild):
    names = [m.name for m in migrations._migrations]
    assert migrate(before_rebuild) == names[names.index("m240_response_channel") :]  # and every later one
    db = connect(before_rebuild)
    rows = db.execute("SELECT id, submission_id, link, channel FROM response ORDER BY id").fetchall()
    assert rows == [(1, "s1", "personal", "self"), (2, "s2", "open", "self")]
    assert db.execute("SELECT count(*) FROM answer").fetchone()[0] == 3  # nothing cascaded away
    assert db.execute("SELECT count(*) FROM testimony").fetchone()[0] == 1
    assert db.execute("SELECT count(*) FROM membership").fetchone()[0] == 1
    assert db.execute("SELECT count(*) FROM user_session").fetchone()[0] == 1
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    assert {r[1] for r in db.execute("PRAGMA index_list(response)")} >= {"response_campaign", "response_week"}
    # The pipeline's trigger on deletes (m100) is created again on the rebuilt table.
    triggers = {
        r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'response'")
    }
    assert "response_deleted_rescore" in triggers
    # Deleting a response still cascades to its answers: the references point at the new table.
    db.execute("DELETE FROM response WHERE id = 2")
    assert db.execute("SELECT count(*) FROM answer").fetchone()[0] == 1
    db.close()


@pytest.mark.parametrize(
    "sql",
    [
        "INSERT INTO response (campaign_id, submission_id, language, link, channel, submitted_week) "
        "VALUES (1, 'x', 'fr', 'open', 'telephone', 'd')",
        "INSERT INTO response (campaign_id, submission_id, language, link, submitted_week) "
        "VALUES (1, 'x', 'fr', 'kiosk', 'd')",
        "INSERT INTO user (email, role, created_at) VALUES ('x@example.org', 'superuser', 't')",
        "INSERT INTO entry_count VALUES (1, 1, 'self', 1)",
        "INSERT INTO entry_count VALUES (1, 1, 'paper', 0)",
        "INSERT INTO kiosk (campaign_id, token, name, hourly_limit, created_at) VALUES (1, 't', 'n', 0, 't')",
        "UPDATE campaign SET easy_mode = 2",
        "UPDATE draft SET mode = 'large'",
    ],
)
def test_new_constraints_hold(before_rebuild, sql):
    migrate(before_rebuild)
    db = connect(before_rebuild)
    db.execute("INSERT INTO draft (campaign_id, browser_key, language, updated_at) VALUES (1, 'k', 'fr', 't')")
    with pytest.raises(sqlite3.IntegrityError):
        db.execute(sql)
    db.close()


def test_interviewers_and_channels_are_accepted(before_rebuild):
    migrate(before_rebuild)
    db = connect(before_rebuild)
    db.execute("INSERT INTO user (email, role, created_at) VALUES ('i@example.org', 'interviewer', 't')")
    db.execute(
        "INSERT INTO response (campaign_id, submission_id, language, link, channel, submitted_week) "
        "VALUES (1, 'p', 'fr', 'personal', 'paper', 'd')"
    )
    assert db.execute("SELECT channel FROM response WHERE submission_id = 'p'").fetchone() == ("paper",)
    db.close()
