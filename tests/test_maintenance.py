"""Backups while the server writes, restores, and retention purges of drafts and e-mail addresses."""

import sqlite3
import threading
from datetime import timedelta

import pytest
from click.testing import CliRunner

from survey_app.cli import main
from survey_app.storage.db import connect, write_transaction
from survey_app.storage.maintenance import MaintenanceError, backup, integrity_ok, purge, restore
from tests.app_support import NOW


@pytest.fixture
def database(tmp_path, migrated_copy):
    return migrated_copy(tmp_path / "live.db")


def count_rows(path, table):
    conn = sqlite3.connect(path)
    try:
        return conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
    finally:
        conn.close()


def test_backup_is_consistent_while_a_writer_keeps_writing(database, tmp_path):
    stop = threading.Event()
    written = []

    def writer():
        db = connect(database)
        i = 0
        while not stop.is_set():
            with write_transaction(db):
                # Two rows per transaction: a consistent copy never holds an odd count.
                db.execute("INSERT INTO rate_limit VALUES (?, 0, 1)", [f"a{i}"])
                db.execute("INSERT INTO rate_limit VALUES (?, 0, 1)", [f"b{i}"])
            written.append(i)
            i += 1
        db.close()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        copies = []
        for n in range(5):
            while len(written) < (n + 1) * 20:
                pass
            copy = tmp_path / f"copy{n}.db"
            backup(database, copy)
            copies.append(copy)
    finally:
        stop.set()
        thread.join()
    for copy in copies:
        assert integrity_ok(copy)
        assert count_rows(copy, "rate_limit") % 2 == 0
        assert not (tmp_path / f"{copy.name}-wal").exists()
    assert count_rows(copies[-1], "rate_limit") >= 200


def test_restore_replaces_the_database_and_drops_the_old_wal(database, tmp_path):
    db = connect(database)
    with write_transaction(db):
        db.execute("INSERT INTO rate_limit VALUES ('before', 0, 1)")
    saved = tmp_path / "saved.db"
    backup(database, saved)
    with write_transaction(db):
        db.execute("INSERT INTO rate_limit VALUES ('after', 0, 1)")
    db.close()
    restore(saved, database)
    assert [r[0] for r in sqlite3.connect(database).execute("SELECT key FROM rate_limit")] == ["before"]
    assert integrity_ok(database)


def test_restore_refuses_a_damaged_backup(database, tmp_path):
    damaged = tmp_path / "damaged.db"
    damaged.write_bytes(b"SQLite format 3\x00" + b"\x00" * 200)
    before = database.read_bytes()
    with pytest.raises(MaintenanceError, match="failed its integrity check; nothing was changed"):
        restore(damaged, database)
    assert database.read_bytes() == before


def test_backup_refuses_to_overwrite_the_database(database):
    with pytest.raises(MaintenanceError, match="must not overwrite"):
        backup(database, database)


@pytest.fixture
def campaigns(db, seed):
    enterprise = seed.enterprise()
    closed_long_ago = seed.campaign(enterprise, opens_at=NOW - timedelta(days=200), closes_at=NOW - timedelta(days=100))
    closed_recently = seed.campaign(enterprise, opens_at=NOW - timedelta(days=60), closes_at=NOW - timedelta(days=10))
    still_open = seed.campaign(enterprise)
    with write_transaction(db):
        for campaign in (closed_long_ago, closed_recently, still_open):
            invitation = db.execute(
                "INSERT INTO invitation (campaign_id, token, short_code, created_at) VALUES (?, ?, 'AAA', 't')",
                [campaign, f"tok{campaign}"],
            ).lastrowid
            db.execute(
                "INSERT INTO invitation_email (invitation_id, campaign_id, email, language) VALUES (?, ?, ?, 'fr')",
                [invitation, campaign, f"p{campaign}@example.org"],
            )
        db.execute(
            "INSERT INTO draft (campaign_id, browser_key, language, updated_at) VALUES (?, 'old', 'fr', ?)",
            [still_open, "2025-12-01T10:00:00Z"],
        )
        db.execute(
            "INSERT INTO draft (campaign_id, browser_key, language, updated_at) VALUES (?, 'new', 'fr', ?)",
            [still_open, "2026-03-01T10:00:00Z"],
        )
    return closed_long_ago, closed_recently, still_open


def test_purge_deletes_old_drafts_and_expired_emails_only(db, campaigns):
    closed_long_ago, closed_recently, still_open = campaigns
    counts = purge(db, NOW, draft_days=60, email_days_after_close=90)
    assert (counts.drafts, counts.emails) == (1, 1)
    assert [r["browser_key"] for r in db.query("SELECT browser_key FROM draft")] == ["new"]
    kept = {r["campaign_id"] for r in db.query("SELECT campaign_id FROM invitation_email")}
    assert kept == {closed_recently, still_open}
    # Invitations themselves stay: response counts and rates still add up.
    assert db["invitation"].count == 3


def test_purge_counts_a_campaign_closed_early_from_its_real_end(db, campaigns):
    _, _, still_open = campaigns
    with write_transaction(db):
        db.execute("UPDATE campaign SET closed_at = ? WHERE id = ?", ["2025-11-01T00:00:00Z", still_open])
    counts = purge(db, NOW, draft_days=60, email_days_after_close=90)
    assert counts.emails == 2


def test_cli_backup_restore_purge(tmp_path, monkeypatch, migrated_copy):
    config = tmp_path / "config.toml"
    config.write_text('[database]\npath = "data/vises.db"\n')
    monkeypatch.setenv("VISES_CONFIG", str(config))
    migrated_copy(tmp_path / "data" / "vises.db")
    runner = CliRunner()
    result = runner.invoke(main, ["backup", str(tmp_path / "b" / "copy.db")])
    assert result.exit_code == 0 and "integrity ok" in result.output
    result = runner.invoke(main, ["restore", str(tmp_path / "b" / "copy.db"), "--yes"])
    assert result.exit_code == 0 and "Restored" in result.output
    result = runner.invoke(main, ["purge"])
    assert (
        result.exit_code == 0
        and "Deleted 0 draft(s), 0 e-mail address(es), 0 outbox e-mail(s) and 0 audit entries." in result.output
    )
