"""The final submit is durable: its transaction commits with synchronous=FULL (the WAL is synced
to disk before the thank-you page is sent); draft saves stay at NORMAL (docs/security.md)."""

from __future__ import annotations

import pytest

from survey_app.respondent import pages
from survey_app.web import db as web_db
from tests.app_support import NOW
from tests.survey_support import BENEFICIARIES, Respondent, freeze


@pytest.fixture
def statements(monkeypatch):
    """Every SQL statement the app runs, in order, by connection: the request connections (web.db)
    and the final submits' committer (respondent.pages.group_commit)."""
    seen: dict[str, list[str]] = {"requests": [], "committer": []}

    def traced(module, name):
        real = module.connect

        def connect(path):
            database = real(path)
            database.conn.set_trace_callback(seen[name].append)
            return database

        monkeypatch.setattr(module, "connect", connect)

    traced(web_db, "requests")
    traced(pages, "committer")
    return seen


def test_the_final_submit_commits_with_full_sync_and_drafts_do_not(app, seed, monkeypatch, statements):
    freeze(monkeypatch, NOW)
    respondent = Respondent(app.test_client(), f"/s/{seed.links(seed.campaign(seed.enterprise()), 1)[0]}")
    respondent.complete(BENEFICIARIES)
    kept = ("PRAGMA synchronous", "BEGIN", "COMMIT", "INSERT")
    committer = [s for s in statements["committer"] if s.startswith(kept)]
    # The AFTER INSERT triggers on response (scoring watermark) show the INSERT again in the trace.
    committer = [s for i, s in enumerate(committer) if i == 0 or s != committer[i - 1]]
    assert committer[0] == "PRAGMA synchronous = FULL"  # once, when the committer opens its connection
    assert committer[1:3] == ["BEGIN IMMEDIATE", committer[2]] and committer[2].startswith("INSERT INTO response")
    assert committer[-1] == "COMMIT" and "PRAGMA synchronous = NORMAL" not in committer
    # The page saves before it ran on the request connections, at NORMAL (storage.db.connect):
    assert not any(s.startswith("PRAGMA synchronous = FULL") for s in statements["requests"])
    assert any(s.startswith(("UPDATE draft", "INSERT INTO draft")) for s in statements["requests"])
    assert not any(s.startswith("INSERT INTO response") for s in statements["requests"])
