"""The final submit is durable: its transaction commits with synchronous=FULL (the WAL is synced
to disk before the thank-you page is sent); draft saves stay at NORMAL (docs/security.md)."""

from __future__ import annotations

import pytest

from survey_app.web import db as web_db
from tests.app_support import NOW
from tests.survey_support import BENEFICIARIES, Respondent, freeze


@pytest.fixture
def statements(monkeypatch):
    """Every SQL statement the app's request connections run, in order."""
    seen: list[str] = []
    real = web_db.connect

    def traced(path):
        database = real(path)
        database.conn.set_trace_callback(seen.append)
        return database

    monkeypatch.setattr(web_db, "connect", traced)
    return seen


def test_the_final_submit_commits_with_full_sync_and_drafts_do_not(app, seed, monkeypatch, statements):
    freeze(monkeypatch, NOW)
    respondent = Respondent(app.test_client(), f"/s/{seed.links(seed.campaign(seed.enterprise()), 1)[0]}")
    respondent.complete(BENEFICIARIES)
    sync = [s for s in statements if s.startswith(("PRAGMA synchronous", "BEGIN", "COMMIT", "INSERT INTO response"))]
    # The AFTER INSERT triggers on response (scoring watermark) show the INSERT again in the trace.
    sync = [s for i, s in enumerate(sync) if i == 0 or s != sync[i - 1]]
    insert = sync.index(next(s for s in sync if s.startswith("INSERT INTO response")))
    assert sync[insert - 2 : insert + 3] == [
        "PRAGMA synchronous = FULL",
        "BEGIN IMMEDIATE",
        sync[insert],
        "COMMIT",
        "PRAGMA synchronous = NORMAL",
    ]
    assert sync.count("PRAGMA synchronous = FULL") == 1  # the page saves before it were not durable
