"""Migrations: apply on an empty database, re-apply without change; the schema's constraints hold."""

import sqlite3

import pytest

from survey_app.storage.db import connect, migrate, write_transaction
from survey_app.storage.schema import migrations

EXPECTED_TABLES = {
    "enterprise",
    "user",
    "membership",
    "account_token",
    "user_session",
    "rate_limit",
    "questionnaire",
    "campaign",
    "invitation",
    "invitation_email",
    "draft",
    "response",
    "answer",
    "pipeline_run",
    "pipeline_lease",
    "indicator_value",
    "campaign_summary",
    "custom_result",
    "testimony",
    "testimony_hidden",
    "public_page",
    "public_page_quote",
    "refresh_request",  # the chart index table was dropped: charts are files named by content hash
}


def schema_sql(path):
    db = connect(path)
    try:
        return sorted(r[0] for r in db.execute("SELECT sql FROM sqlite_master WHERE sql IS NOT NULL"))
    finally:
        db.close()


@pytest.fixture
def db_path(tmp_path):
    return tmp_path / "schema.db"


def test_migrations_apply_then_rerun_without_change(db_path):
    applied = migrate(db_path)
    assert applied == [m.name for m in migrations._migrations]
    before = schema_sql(db_path)
    assert migrate(db_path) == []
    assert schema_sql(db_path) == before
    db = connect(db_path)
    assert set(db.table_names()) >= EXPECTED_TABLES
    db.close()


def test_the_suites_template_database_is_the_migrated_schema(db_path, migrated_copy, tmp_path):
    """Tests start from a copy of one migrated file (conftest.py): it must equal a fresh migration."""
    copy = migrated_copy(tmp_path / "copy.db")
    migrate(db_path)
    assert migrate(copy) == []
    assert schema_sql(copy) == schema_sql(db_path)
    db = connect(copy)
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    db.close()


@pytest.fixture
def db(db_path, tmp_path):
    migrate(db_path)
    database = connect(db_path)
    with write_transaction(database):
        database.execute("INSERT INTO questionnaire VALUES ('workers', 1, 'workers', 'h', 's', 't')")
        database.execute(
            "INSERT INTO enterprise (id, slug, name, sector_group, country, default_language, "
            "created_at) VALUES (1, 'e', 'E', 'care', 'BE', 'fr', 't')"
        )
        database.execute(
            "INSERT INTO campaign (id, enterprise_id, stakeholder_group, questionnaire_id, "
            "questionnaire_version, title, opens_at, closes_at, timezone, languages, open_token, "
            "created_at) VALUES (1, 1, 'workers', 'workers', 1, 'c', '2026-01-01T00:00:00Z', "
            "'2026-02-01T00:00:00Z', 'Europe/Brussels', '[\"fr\"]', 'open-token', 't')"
        )
    yield database
    database.close()


def insert(db, sql, params=()):
    with write_transaction(db):
        db.execute(sql, params)


def test_invitation_token_is_unique(db):
    sql = "INSERT INTO invitation (campaign_id, token, short_code, created_at) VALUES (1, 'tok', ?, 't')"
    insert(db, sql, ["A"])
    with pytest.raises(sqlite3.IntegrityError, match="UNIQUE"):
        insert(db, sql, ["B"])


def test_one_response_per_submission_id(db):
    sql = (
        "INSERT INTO response (campaign_id, submission_id, language, link, submitted_week) "
        "VALUES (1, 'sub-1', 'fr', 'open', '2026-W02')"
    )
    insert(db, sql)
    with pytest.raises(sqlite3.IntegrityError, match="UNIQUE"):
        insert(db, sql)


def test_marking_a_personal_link_answered_drops_its_draft_and_only_its_own(db):
    for token, code in (("t-one", "A"), ("t-two", "B")):
        sql = "INSERT INTO invitation (campaign_id, token, short_code, created_at) VALUES (1, ?, ?, 't')"
        insert(db, sql, [token, code])
    ids = [r[0] for r in db.execute("SELECT id FROM invitation ORDER BY id")]
    for invitation_id in ids:
        insert(db, "INSERT INTO draft (campaign_id, invitation_id, answers, language, updated_at) "
               "VALUES (1, ?, '{\"q\": \"3\"}', 'fr', 't')", [invitation_id])  # fmt: skip
    insert(db, "UPDATE invitation SET opened = 1, started = 1 WHERE id = ?", [ids[0]])  # not answered: kept
    assert db.execute("SELECT COUNT(*) FROM draft").fetchone()[0] == 2
    insert(db, "UPDATE invitation SET answered = 1 WHERE id = ?", [ids[0]])
    assert [r[0] for r in db.execute("SELECT invitation_id FROM draft")] == [ids[1]]


def test_foreign_keys_are_enforced(db):
    with pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY"):
        insert(db, "INSERT INTO invitation (campaign_id, token, short_code, created_at) VALUES (99, 't2', 'C', 't')")
    with pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY"):
        insert(
            db,
            "INSERT INTO campaign (enterprise_id, stakeholder_group, questionnaire_id, "
            "questionnaire_version, title, opens_at, closes_at, timezone, languages, open_token, "
            "created_at) VALUES (1, 'workers', 'workers', 7, 'c', 'a', 'b', 'tz', '[]', 'o2', 't')",
        )


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE enterprise SET sector_group = 'banking'",
        "UPDATE enterprise SET country = 'DE'",
        "UPDATE campaign SET closes_at = opens_at",
        "INSERT INTO draft (campaign_id, language, updated_at) VALUES (1, 'fr', 't')",
        "INSERT INTO response (campaign_id, submission_id, language, link, submitted_week) "
        "VALUES (1, 's', 'fr', 'email', 'd')",
        "INSERT INTO response (campaign_id, submission_id, language, link, channel, submitted_week) "
        "VALUES (1, 's', 'fr', 'open', 'phone', 'd')",
    ],
)
def test_check_constraints(db, sql):
    with pytest.raises(sqlite3.IntegrityError):
        insert(db, sql)


def test_suppressed_indicator_rows_cannot_hold_figures(db):
    insert(db, "INSERT INTO pipeline_run (id, trigger, started_at, status) VALUES (1, 'cli', 't', 'success')")
    base = (
        "INSERT INTO indicator_value (campaign_id, enterprise_id, stakeholder_group, kind, key, "
        "suppressed, n, mean, questionnaire_id, questionnaire_version, run_id) "
        "VALUES (1, 1, 'workers', 'indicator', ?, 1, ?, ?, 'workers', 1, 1)"
    )
    insert(db, base, ["voice", None, None])
    with pytest.raises(sqlite3.IntegrityError, match="CHECK"):
        insert(db, base, ["training", 4, 62.5])


def test_indexes_for_pipeline_and_dashboards(db):
    indexes = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert {
        "response_campaign",
        "invitation_campaign",
        "campaign_enterprise",
        "indicator_value_enterprise",
        "draft_updated",
    } <= indexes
    assert "indicator_value_benchmark" not in indexes  # benchmarks come from pools (m270, m272)
