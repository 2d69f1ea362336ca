"""Anonymity: no column or join links a stored response to an invitation or an e-mail."""

from __future__ import annotations

from tests.app_support import NOW
from tests.survey_support import BENEFICIARIES, Respondent, freeze

PERSONAL_TABLES = {"invitation", "invitation_email", "draft"}


def columns(db, table: str) -> set[str]:
    return {row[1] for row in db.execute(f"PRAGMA table_info({table})")}


def test_response_and_answer_have_no_path_to_invitations(db):
    for table in ("response", "answer"):
        assert not {"invitation_id", "token", "email", "short_code", "browser_key"} & columns(db, table)
        targets = {row[2] for row in db.execute(f"PRAGMA foreign_key_list({table})")}
        assert not targets & PERSONAL_TABLES
    # Nothing else points at responses from the personal side either.
    for table in PERSONAL_TABLES:
        targets = {row[2] for row in db.execute(f"PRAGMA foreign_key_list({table})")}
        assert not targets & {"response", "answer"}
        assert "response_id" not in columns(db, table)


def test_stored_rows_carry_only_campaign_language_channel_and_week(app, seed, db, monkeypatch):
    freeze(monkeypatch, NOW)
    tokens = seed.links(seed.campaign(seed.enterprise()), 2)
    Respondent(app.test_client(), f"/s/{tokens[0]}").complete(BENEFICIARIES)
    row = dict(
        zip(
            ("campaign_id", "submission_id", "language", "link", "channel", "submitted_week"),
            db.execute(
                "SELECT campaign_id, submission_id, language, link, channel, submitted_week FROM response"
            ).fetchone(),
        )
    )
    assert row["submitted_week"] == "2026-W10"  # a week, not a day
    assert tokens[0] not in row["submission_id"] and row["submission_id"] not in tokens[0]
    invitation = db.execute("SELECT * FROM invitation WHERE token = ?", [tokens[0]]).fetchone()
    assert row["submission_id"] not in [str(v) for v in invitation]
    assert db.execute("SELECT COUNT(*) FROM draft").fetchone()[0] == 0
