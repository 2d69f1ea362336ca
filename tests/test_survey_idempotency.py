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


def test_submits_stored_together_keep_exactly_once(app, survey, db, seed):
    """submissions.store_many, the group commit's way to store several personal submits in three
    statements: the first submit of a link is stored, a second one (same batch) or one of a link
    already answered is not, each response gets its own answers, and the links' drafts go."""
    from survey_app.respondent.submissions import Personal, store_many
    from survey_app.storage.db import write_transaction

    campaign = db.execute("SELECT campaign_id FROM invitation WHERE token = ?", [survey["tokens"][0]]).fetchone()[0]
    a, b, c = (*survey["tokens"], seed.links(campaign, 1)[0])
    ids = {t: db.execute("SELECT id FROM invitation WHERE token = ?", [t]).fetchone()[0] for t in (a, b, c)}
    with write_transaction(db):
        db.execute("UPDATE invitation SET answered = 1 WHERE id = ?", [ids[c]])
        db.execute(
            "INSERT INTO draft (campaign_id, invitation_id, answers, page, language, updated_at) "
            "VALUES (?, ?, '{}', 1, 'fr', '2026-03-01T00:00:00Z')",
            [campaign, ids[a]],
        )

    def piece(token: str, submission: str, value: float) -> Personal:
        response = (campaign, submission, "fr", "personal", "self", "2026-W10")
        return Personal(ids[token], response, [("recommend", value, None, 0), ("what_changed", None, token, 0)])

    with write_transaction(db):
        stored = store_many(db, [piece(a, "s1", 9.0), piece(b, "s2", 7.0), piece(a, "s3", 1.0), piece(c, "s4", 2.0)])
    assert stored == [True, True, False, False]
    rows = db.execute(
        "SELECT r.submission_id, a.question_id, a.value_num, a.value_text FROM response r "
        "JOIN answer a ON a.response_id = r.id ORDER BY r.submission_id, a.question_id"
    ).fetchall()
    assert rows == [
        ("s1", "recommend", 9.0, None),
        ("s1", "what_changed", None, a),
        ("s2", "recommend", 7.0, None),
        ("s2", "what_changed", None, b),
    ]
    assert db.execute("SELECT COUNT(*) FROM invitation WHERE answered = 1").fetchone()[0] == 3
    assert db.execute("SELECT COUNT(*) FROM draft").fetchone()[0] == 0  # dropped when its link was marked


def test_personal_submits_arriving_together_are_stored_in_one_call(app, seed, db, monkeypatch):
    """Through submissions.submit and the app's committer: submits queued while a batch runs go in
    one store_many call, and each caller learns that its own response was stored."""
    import threading
    import time

    from survey_app.respondent import pages, submissions
    from survey_app.respondent.links import personal_link
    from survey_app.storage.db import connect

    freeze(monkeypatch, NOW)
    tokens = seed.links(seed.campaign(seed.enterprise()), 6)
    calls: list = []
    real = submissions.store_many
    monkeypatch.setattr(submissions, "store_many", lambda db, items: calls.append(len(items)) or real(db, items))
    path, answers = app.config["SETTINGS"]["database.path"], {"recommend": "9", "what_changed": "Tout."}
    results: list = []
    with app.app_context():
        committer = pages.group_commit()
        links = [personal_link(db, token, NOW) for token in tokens]

        def slow(database):  # holds the lead while the submits queue behind it
            time.sleep(0.3)
            return "slow"

        def submit(link) -> None:
            own = connect(path)
            results.append(submissions.submit(own, link, answers, "fr", None, None, NOW, committer=committer))
            own.close()

        leader = threading.Thread(target=lambda: committer.run(connect(path), slow))
        leader.start()
        time.sleep(0.05)
        threads = [threading.Thread(target=submit, args=(link,)) for link in links]
        for thread in threads:
            thread.start()
        for thread in [leader, *threads]:
            thread.join()
    assert results == [True] * 6 and calls == [6]
    assert len(responses(db)) == 6
    assert db.execute("SELECT COUNT(DISTINCT response_id), COUNT(*) FROM answer").fetchone() == (6, 12)
