"""Answers entered in the back office: the channel is stored on the response, the account only
as a count (entry_count), a card's code uses up its personal link, a replay stores nothing, a
closed campaign takes no answers, required questions are not enforced (paper as filled in)."""

from __future__ import annotations

from tests.survey_support import CSRF, SUBMISSION, answers_of, responses


def entry_url(campaign_id: int, **query: str) -> str:
    return f"/admin/campaigns/{campaign_id}/entry/answers?" + "&".join(f"{k}={v}" for k, v in query.items())


def enter(office, campaign_id, answers, **query):
    page = office.get(entry_url(campaign_id, **query)).get_data(as_text=True)
    data = {"csrf_token": CSRF.search(page).group(1), "submission_id": SUBMISSION.search(page).group(1), **answers}
    return office.client.post(entry_url(campaign_id, **query), data=data), data


def test_an_interview_is_stored_with_its_channel_and_counted_for_the_account(world, interviewer, db, signed_in, at_now):
    office = signed_in("ines@example.org")
    response, _data = enter(
        office,
        world.campaign_a,
        {"q_treated_with_respect": "5", "q_recommend": "8"},
        channel="interview",
        language="nl",
    )
    assert response.status_code == 303 and "channel=interview" in response.headers["Location"]
    (stored,) = responses(db)
    assert stored["channel"] == "interview" and stored["link"] == "open" and stored["language"] == "nl"
    assert stored["submitted_week"] == "2026-W10"  # Wednesday 4 March 2026: the week only
    assert answers_of(db, stored["id"]) == {"treated_with_respect": (5.0, None, 0), "recommend": (8.0, None, 0)}
    columns = {row[1] for row in db.execute("PRAGMA table_info(response)")}
    assert not columns & {"user_id", "account", "entered_by", "created_at"}  # never the account, never a time
    assert db.execute("SELECT user_id, channel, count FROM entry_count").fetchall() == [
        (world.interviewer_a, "interview", 1)
    ]
    assert {row[1] for row in db.execute("PRAGMA table_info(entry_count)")} == {
        "campaign_id",
        "user_id",
        "channel",
        "count",
    }


def test_a_paper_form_with_a_card_code_uses_up_its_link(world, db, signed_in, at_now):
    office = signed_in("anna@example.org")
    code = db.execute("SELECT short_code FROM invitation WHERE token = ?", [world.links_a[0]]).fetchone()[0]
    response, data = enter(
        office, world.campaign_a, {"q_feel_confident": "3"}, channel="paper", language="fr", code=code.lower()
    )
    assert response.status_code == 303
    (stored,) = responses(db)
    assert (stored["link"], stored["channel"]) == ("personal", "paper")
    assert db.execute("SELECT answered FROM invitation WHERE short_code = ?", [code]).fetchone()[0] == 1
    # The card's own link now says it was answered, and the code cannot be used twice.
    assert "already been answered" in office.client.get(f"/s/{world.links_a[0]}").get_data(as_text=True)
    again = office.get(entry_url(world.campaign_a, channel="paper", language="fr", code=code)).get_data(as_text=True)
    assert "This card was already used" in again
    replay = office.client.post(entry_url(world.campaign_a, channel="paper", language="fr", code=code), data=data)
    assert replay.status_code == 400 and len(responses(db)) == 1


def test_a_replayed_entry_stores_once_and_counts_once(world, db, signed_in, at_now):
    office = signed_in("anna@example.org")
    _first, data = enter(office, world.campaign_a, {"q_recommend": "10"}, channel="interview", language="fr")
    again = office.client.post(entry_url(world.campaign_a, channel="interview", language="fr"), data=data)
    assert again.status_code == 303
    assert len(responses(db)) == 1
    assert db.execute("SELECT count FROM entry_count").fetchone()[0] == 1
    page = office.get(again.headers["Location"]).get_data(as_text=True)
    assert "already saved" in page


def test_entry_refuses_nothing_entered_bad_values_and_unknown_cards(world, db, signed_in, at_now):
    office = signed_in("anna@example.org")
    empty, _data = enter(office, world.campaign_a, {}, channel="interview", language="fr")
    assert empty.status_code == 400 and "Enter at least one answer" in empty.get_data(as_text=True)
    bad, _data = enter(office, world.campaign_a, {"q_recommend": "11"}, channel="interview", language="fr")
    assert bad.status_code == 400
    unknown = office.get(entry_url(world.campaign_a, channel="paper", language="fr", code="ZZZZZZ"))
    assert "No card of this campaign has this code" in unknown.get_data(as_text=True)
    other = db.execute("SELECT short_code FROM invitation WHERE campaign_id = ?", [world.campaign_b]).fetchone()[0]
    assert "No card of this campaign" in office.get(
        entry_url(world.campaign_a, channel="paper", language="fr", code=other)
    ).get_data(as_text=True)
    wrong_channel = office.get(entry_url(world.campaign_a, channel="self", language="fr"))
    assert "Choose how the answers were given" in wrong_channel.get_data(as_text=True)
    assert responses(db) == [] and db.execute("SELECT count(*) FROM entry_count").fetchone()[0] == 0


def test_required_questions_are_not_enforced_and_hidden_ones_not_stored(world, db, signed_in, at_now):
    office = signed_in("anna@example.org")
    response, _data = enter(
        office,
        world.campaign_a,
        {"q_followed_training": "no", "q_training_useful": "5", "q_what_changed": "Plus confiant"},
        channel="paper",
        language="fr",
    )
    assert response.status_code == 303
    (stored,) = responses(db)
    assert answers_of(db, stored["id"]) == {
        "followed_training": (0.0, None, 0),
        "what_changed": (None, "Plus confiant", 0),
    }  # training_useful is asked only after "yes"


def test_a_closed_campaign_takes_no_entered_answers(world, db, signed_in):
    office = signed_in("anna@example.org")  # the real clock: the seeded campaigns closed long ago
    page = office.get(f"/admin/campaigns/{world.campaign_a}/entry/")
    assert page.status_code == 200 and "This campaign is not open" in page.get_data(as_text=True)
    token = CSRF.search(office.get("/admin/").get_data(as_text=True)).group(1)
    posted = office.client.post(
        entry_url(world.campaign_a, channel="interview", language="fr"), data={"csrf_token": token, "q_recommend": "5"}
    )
    assert posted.status_code == 409 and responses(db) == []


def test_the_campaign_page_shows_counts_per_channel_and_account(world, interviewer, db, signed_in, at_now):
    enter(signed_in("ines@example.org"), world.campaign_a, {"q_recommend": "7"}, channel="interview", language="fr")
    enter(signed_in("anna@example.org"), world.campaign_a, {"q_recommend": "6"}, channel="paper", language="fr")
    page = signed_in("anna@example.org").get(f"/admin/campaigns/{world.campaign_a}").get_data(as_text=True)
    assert '<td id="count-interview">1</td>' in page and '<td id="count-paper">1</td>' in page
    assert "ines@example.org" in page and "anna@example.org" in page
    assert f"/admin/campaigns/{world.campaign_a}/entry/" in page
