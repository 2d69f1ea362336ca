"""Survey pages check their CSRF token themselves (respondent/csrf.py): the signature handed out is
reused within a session, another session's token or a forged one re-renders the page with the
answers kept, and nothing is saved."""

from __future__ import annotations

import pytest

from tests.app_support import NOW
from tests.survey_support import BENEFICIARIES, CSRF, Respondent, checked, freeze


@pytest.fixture
def respondents(app, seed, monkeypatch):
    freeze(monkeypatch, NOW)
    tokens = seed.links(seed.campaign(seed.enterprise()), 2)
    return [Respondent(app.test_client(), f"/s/{t}") for t in tokens]


def drafts(db) -> int:
    return db.execute("SELECT COUNT(*) FROM draft").fetchone()[0]


def test_one_signature_per_session_is_handed_out_and_accepted(respondents, db):
    mine, _ = respondents
    first, again = mine.tokens(1)["csrf_token"], mine.tokens(1)["csrf_token"]
    assert first == again
    assert mine.post(1, BENEFICIARIES[0], tokens={"csrf_token": first}).status_code == 303
    assert drafts(db) == 1


@pytest.mark.parametrize("forged", ["another session's", "not-a-token", "\x80é", ""])
def test_a_token_that_is_not_this_sessions_rerenders_and_saves_nothing(respondents, db, forged):
    mine, theirs = respondents
    token = theirs.tokens(1)["csrf_token"] if forged == "another session's" else forged
    response = mine.post(1, BENEFICIARIES[0], tokens={"csrf_token": token})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and 'id="expired"' in html
    assert checked(html, "q_treated_with_respect-4")  # the answers are still there
    assert CSRF.search(html).group(1) == mine.tokens(1)["csrf_token"]  # and a token that works
    assert drafts(db) == 0
