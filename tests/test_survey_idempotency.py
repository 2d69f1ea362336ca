"""Idempotent submission: double submit, replayed POST, back-and-resubmit and two sessions on one
token all give exactly one response and the thank-you page."""

from __future__ import annotations

import pytest

from tests.app_support import NOW
from tests.survey_support import BENEFICIARIES, Respondent, freeze, responses


@pytest.fixture
def survey(app, seed, db, monkeypatch):
    freeze(monkeypatch, NOW)
    campaign = seed.campaign(seed.enterprise())
    open_token = db.execute("SELECT open_token FROM campaign WHERE id = ?", [campaign]).fetchone()[0]
    return {"tokens": seed.links(campaign, 2), "open": open_token}


def answer_first_pages(respondent: Respondent) -> dict[str, str]:
    for number, answers in enumerate(BENEFICIARIES[:2], start=1):
        assert respondent.post(number, answers).status_code == 303
    return respondent.tokens(3)


@pytest.mark.parametrize("kind", ["s", "o"])
def test_double_submit_and_replay_store_one_response(client, survey, db, kind):
    token = survey["tokens"][0] if kind == "s" else survey["open"]
    respondent = Respondent(client, f"/{kind}/{token}")
    tokens = answer_first_pages(respondent)
    results = [respondent.post(3, BENEFICIARIES[2], action="submit", tokens=tokens) for _ in range(3)]
    assert [r.status_code for r in results] == [303, 303, 303]
    assert {r.headers["Location"] for r in results} == {f"/{kind}/{token}/thanks"}
    assert len(responses(db)) == 1
    assert db.execute("SELECT COUNT(*) FROM answer").fetchone()[0] == 12


@pytest.mark.parametrize("kind", ["s", "o"])
def test_refresh_after_post_is_a_get(client, survey, kind):
    token = survey["tokens"][0] if kind == "s" else survey["open"]
    respondent = Respondent(client, f"/{kind}/{token}")
    tokens = answer_first_pages(respondent)
    final = respondent.post(3, BENEFICIARIES[2], action="submit", tokens=tokens)
    assert final.status_code == 303  # a browser refresh re-GETs the thank-you page
    assert client.get(final.headers["Location"]).status_code == 200


def test_back_and_resubmit_on_open_link_stores_one(client, survey, db):
    respondent = Respondent(client, f"/o/{survey['open']}")
    tokens = answer_first_pages(respondent)
    respondent.post(3, BENEFICIARIES[2], action="submit", tokens=tokens)
    # Back button: the browser shows page 2 again and the person presses Next, then Submit.
    respondent.post(2, BENEFICIARIES[1])
    again = respondent.post(3, BENEFICIARIES[2], action="submit", tokens=tokens)
    assert again.headers["Location"].endswith("/thanks")
    assert len(responses(db)) == 1


def test_two_sessions_on_one_personal_link(app, survey, db):
    path = f"/s/{survey['tokens'][0]}"
    phone, laptop = Respondent(app.test_client(), path), Respondent(app.test_client(), path)
    phone_tokens, laptop_tokens = answer_first_pages(phone), answer_first_pages(laptop)
    first = phone.post(3, BENEFICIARIES[2], action="submit", tokens=phone_tokens)
    second = laptop.post(3, {"q_recommend": "2"}, action="submit", tokens=laptop_tokens)
    assert first.headers["Location"] == second.headers["Location"] == f"{path}/thanks"
    assert len(responses(db)) == 1
    assert db.execute("SELECT value_num FROM answer WHERE question_id = 'recommend'").fetchone()[0] == 9


def test_open_link_replay_in_a_new_browser_stores_nothing(app, survey, db):
    respondent = Respondent(app.test_client(), f"/o/{survey['open']}")
    tokens = answer_first_pages(respondent)
    respondent.post(3, BENEFICIARIES[2], action="submit", tokens=tokens)
    replay = app.test_client().post(f"/o/{survey['open']}/3", data={**tokens, **BENEFICIARIES[2], "action": "submit"})
    assert replay.status_code == 200  # the last page again, saying the survey expired in this browser
    assert len(responses(db)) == 1


def test_open_link_answers_again_from_the_same_browser_as_a_new_response(client, survey, db):
    """A shared tablet at a reception desk: each person gets a fresh survey after the thank-you."""
    respondent = Respondent(client, f"/o/{survey['open']}")
    respondent.complete(BENEFICIARIES)
    assert client.get(f"/o/{survey['open']}").status_code == 200
    respondent.complete(BENEFICIARIES)
    assert len(responses(db)) == 2
