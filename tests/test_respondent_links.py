"""Survey links: one answer for every unusable token, used links, headers, rate limit, no token in logs."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest

from survey_app.storage.db import write_transaction
from tests.app_support import NOW
from tests.survey_support import BENEFICIARIES, Respondent, freeze


@pytest.fixture
def links(app, seed, db, monkeypatch):
    freeze(monkeypatch, NOW)
    enterprise = seed.enterprise()
    open_campaign = seed.campaign(enterprise)
    closed = seed.campaign(enterprise, opens_at=NOW - timedelta(days=30), closes_at=NOW - timedelta(days=1))
    future = seed.campaign(enterprise, opens_at=NOW + timedelta(days=1), closes_at=NOW + timedelta(days=9))
    hand_closed = seed.campaign(enterprise)
    with write_transaction(db):
        db.execute("UPDATE campaign SET closed_at = ? WHERE id = ?", ["2026-03-03T00:00:00Z", hand_closed])
    tokens = {
        name: seed.links(cid, 2)
        for name, cid in (("open", open_campaign), ("closed", closed), ("future", future), ("hand_closed", hand_closed))
    }
    with write_transaction(db):
        db.execute("UPDATE invitation SET revoked_at = ? WHERE token = ?", ["2026-03-01T00:00:00Z", tokens["open"][1]])
    opens = {
        cid: db.execute("SELECT open_token FROM campaign WHERE id = ?", [cid]).fetchone()[0]
        for cid in (open_campaign, closed, future)
    }
    disabled = seed.campaign(enterprise)
    with write_transaction(db):
        db.execute("UPDATE campaign SET open_link_enabled = 0 WHERE id = ?", [disabled])
    opens["disabled"] = db.execute("SELECT open_token FROM campaign WHERE id = ?", [disabled]).fetchone()[0]
    return {"tokens": tokens, "open_campaign": open_campaign, "opens": opens, "closed": closed, "future": future}


def test_token_is_long_enough(links):
    assert all(len(t) >= 22 for ts in links["tokens"].values() for t in ts)  # 16 bytes = 128 bits


def test_unusable_links_all_answer_the_same(client, links):
    paths = [
        "/s/unknown-token-aaaaaaaaaa",
        f"/s/{links['tokens']['closed'][0]}",
        f"/s/{links['tokens']['future'][0]}",
        f"/s/{links['tokens']['hand_closed'][0]}",
        f"/s/{links['tokens']['open'][1]}",
        f"/o/{links['opens'][links['closed']]}",
        f"/o/{links['opens'][links['future']]}",
        f"/o/{links['opens']['disabled']}",
        "/o/unknown",
        f"/o/{links['tokens']['open'][0]}",
        f"/s/{links['opens'][links['open_campaign']]}",
        "/s/" + "x" * 500,
    ]
    answers = [client.get(path + "?lang=en") for path in paths]
    assert {r.status_code for r in answers} == {404}
    bodies = {r.get_data(as_text=True).replace(path, "") for r, path in zip(answers, paths)}
    assert len(bodies) == 1 and "this link is not available" in bodies.pop()


def test_unusable_pages_also_404(client, links):
    token = links["tokens"]["closed"][0]
    for suffix in ("/1", "/saved", "/thanks"):
        assert client.get(f"/s/{token}{suffix}").status_code == 404
    assert client.post(f"/s/{token}/1", data={"action": "next"}).status_code == 404


def test_valid_links_open_and_send_no_referrer(client, links):
    for path in (f"/s/{links['tokens']['open'][0]}", f"/o/{links['opens'][links['open_campaign']]}"):
        response = client.get(path)
        assert response.status_code == 200
        assert response.headers["Referrer-Policy"] == "no-referrer"
        assert response.headers["Cache-Control"] == "no-store"


def test_used_personal_link_says_already_answered_and_keeps_nothing(client, links, db):
    token = links["tokens"]["open"][0]
    Respondent(client, f"/s/{token}").complete(BENEFICIARIES)
    page = client.get(f"/s/{token}?lang=en")
    assert page.status_code == 200 and "already been answered" in page.get_data(as_text=True)
    assert client.get(f"/s/{token}/1?lang=en").get_data(as_text=True).count("already been answered") >= 1
    again = client.post(f"/s/{token}/1", data={"action": "next", **BENEFICIARIES[0]})
    assert again.status_code == 303 and again.headers["Location"].endswith("/thanks")
    assert db.execute("SELECT COUNT(*) FROM draft").fetchone()[0] == 0
    assert db.execute("SELECT COUNT(*) FROM response").fetchone()[0] == 1


def test_misses_are_rate_limited_per_address_but_hits_are_not_counted(client, links):
    good = f"/s/{links['tokens']['open'][0]}"
    for _ in range(100):  # real respondents reloading never hit the limit
        assert client.get(good).status_code == 200
    statuses = [client.get(f"/s/guess-{i}").status_code for i in range(61)]
    assert statuses[:60] == [404] * 60 and statuses[60] == 429
    other = client.get("/s/guess-x", environ_base={"REMOTE_ADDR": "198.51.100.7"})
    assert other.status_code == 404  # per address: another address is not limited


def test_a_valid_link_always_works_from_an_address_that_made_many_misses(client, links):
    """A kiosk tablet or a shared Wi-Fi: someone mistyped 100 links, the next person's link works."""
    for i in range(100):
        client.get(f"/s/mistyped-{i}")
    assert client.get("/s/mistyped-again").status_code == 429  # misses are still refused
    for kind in ("s", "o"):
        token = links["tokens"]["open"][0] if kind == "s" else links["opens"][links["open_campaign"]]
        assert client.get(f"/{kind}/{token}").status_code == 200
        assert client.get(f"/{kind}/{token}/1").status_code == 200


def test_tokens_never_reach_the_logs(client, links, caplog, monkeypatch):
    token = links["tokens"]["open"][0]
    caplog.set_level(logging.DEBUG)
    client.get(f"/s/{token}")
    client.get("/s/no-such-token")

    def broken(*_args, **_kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("survey_app.respondent.views.drafts.resume_page", broken)
    assert client.get(f"/s/{token}/1").status_code == 500
    assert "boom" in caplog.text  # the error is logged...
    assert token not in caplog.text and "no-such-token" not in caplog.text  # ...without the path


def test_a_personal_link_reads_the_same_held_or_through_the_request_connection(app, links, seed, db, monkeypatch):
    """The held read (storage.held_reads, the GIL kept) gives what the request's connection gives:
    with and without a draft, in a follow-up series, revoked, unknown."""
    from survey_app.domain import series
    from survey_app.respondent import links as survey_links
    from survey_app.web.db import HELD_READER, get_db

    tokens, campaign = links["tokens"]["open"], links["open_campaign"]
    wave = seed.campaign(seed.enterprise("Coop en série"), opens_at=NOW - timedelta(days=1))
    in_series = seed.links(wave, 1)[0]
    enterprise = db.execute("SELECT enterprise_id FROM campaign WHERE id = ?", [wave]).fetchone()[0]
    series_id = series.create(db, enterprise, "beneficiaries", "Suivi", "card", [], NOW)
    assert series.add_wave(
        db, {"id": series_id, "enterprise_id": enterprise, "stakeholder_group": "beneficiaries"}, wave
    )
    with write_transaction(db):
        db.execute(
            "INSERT INTO draft (campaign_id, invitation_id, answers, page, language, updated_at) "
            "SELECT ?, id, '{\"recommend\": \"9\"}', 1, 'nl', '2026-03-02T10:00:00Z' FROM invitation WHERE token = ?",
            [campaign, tokens[0]],
        )
    other = seed.links(campaign, 1)[0]
    with app.test_request_context():
        if app.extensions[HELD_READER] is None:
            pytest.skip("this Python's sqlite3 module has SQLite built in: there is no held reader")
        answered, first = [], app.extensions[HELD_READER].first
        monkeypatch.setattr(app.extensions[HELD_READER], "first", lambda *a: answered.append(first(*a)) or answered[-1])
        request_db = get_db()
        for token in (tokens[0], other, in_series, tokens[1], "unknown-token"):
            held = survey_links._invitation_and_campaign(request_db, token)
            app.extensions[HELD_READER], reader = None, app.extensions[HELD_READER]
            plain = survey_links._invitation_and_campaign(request_db, token)
            app.extensions[HELD_READER] = reader
            assert held == plain, token
        assert held == (None, None, None)  # the unknown token; tokens[1] is revoked
        assert len(answered) == 5 and answered[-1] is None  # every held look-up answered, none fell back
        assert survey_links._invitation_and_campaign(request_db, tokens[0])[2] == ('{"recommend": "9"}', 1, "nl")
        assert survey_links._invitation_and_campaign(request_db, in_series)[1]["in_series"] == 1


def test_inside_a_transaction_the_link_is_read_by_the_transaction(app, links, db):
    """A held read sees what is committed: within a transaction, the transaction's own connection
    reads, so a view that writes and then looks the link up sees its write."""
    from survey_app.respondent import links as survey_links
    from survey_app.web.db import get_db

    token = links["tokens"]["open"][0]
    with app.test_request_context():
        request_db = get_db()
        with write_transaction(request_db):
            request_db.execute("UPDATE invitation SET opened = 1 WHERE token = ?", [token])
            assert survey_links._invitation_and_campaign(request_db, token)[0]["opened"] == 1
            assert db.execute("SELECT opened FROM invitation WHERE token = ?", [token]).fetchone()[0] == 0
