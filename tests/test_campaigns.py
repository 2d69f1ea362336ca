"""Campaign lifecycle (frozen time), the campaign form with custom questions, freeze, duplication."""

import json
from datetime import timedelta

from freezegun import freeze_time

from survey_app.domain.campaigns import campaign_state
from survey_app.storage.db import write_transaction
from tests.app_support import NOW


def campaign_form(**overrides):
    data = {
        "title": "Bénéficiaires 2026",
        "stakeholder_group": "beneficiaries",
        "questionnaire": "latest",
        "evaluative_question": "Do our workshops build confidence?",
        "timezone": "Europe/Brussels",
        "opens_at": "2026-03-10T09:00",
        "closes_at": "2026-04-10T18:00",
        "languages": ["fr", "nl"],
        "expected_population": "40",
    }
    data.update(overrides)
    return data


def custom(index, **fields):
    return {f"custom-{index}-{key}": value for key, value in fields.items()}


def row(db, campaign_id):
    return next(db.query("SELECT * FROM campaign WHERE id = ?", [campaign_id]))


def add_response(db, campaign_id):
    with write_transaction(db):
        db.execute(
            "INSERT INTO response (campaign_id, submission_id, language, link, submitted_week) "
            "VALUES (?, ?, 'fr', 'open', '2026-W10')",
            [campaign_id, f"s{campaign_id}-{NOW.timestamp()}"],
        )


def test_create_campaign_with_custom_question_stores_utc_instants(world, signed_in, db):
    anna = signed_in("anna@example.org")
    data = campaign_form(
        **custom(
            0,
            type="single",
            text_fr="Par où êtes-vous venu ?",
            text_nl="Hoe kwam je?",
            options_fr="Bus\nVélo",
            options_nl="Bus\nFiets",
        )
    )
    response = anna.post(f"/admin/enterprises/{world.enterprise_a}/campaigns/new", data)
    assert response.status_code == 303
    campaign_id = int(response.headers["Location"].rstrip("/").split("/")[-1])
    stored = row(db, campaign_id)
    assert stored["opens_at"] == "2026-03-10T08:00:00Z"  # 09:00 in Brussels (CET)
    assert stored["closes_at"] == "2026-04-10T16:00:00Z"  # 18:00 in Brussels (CEST)
    assert json.loads(stored["languages"]) == ["fr", "nl"] and stored["expected_population"] == 40
    assert (stored["questionnaire_id"], stored["questionnaire_version"]) == ("beneficiaries", 1)
    question = json.loads(stored["custom_questions"])[0]
    assert question["id"] == "custom_1" and question["type"] == "single"
    assert [o["label"]["nl"] for o in question["options"]] == ["Bus", "Fiets"]


def test_custom_question_errors_are_shown_per_field_and_answers_kept(world, signed_in, db):
    anna = signed_in("anna@example.org")
    before = db.execute("SELECT count(*) FROM campaign").fetchone()[0]
    data = campaign_form(
        **custom(0, type="agree5", text_fr="Je me sens écouté."),
        **custom(1, type="single", text_fr="Choix", text_nl="Keuze", options_fr="Un", options_nl="Een"),
    )
    page = anna.post(f"/admin/enterprises/{world.enterprise_a}/campaigns/new", data).get_data(as_text=True)
    assert "Write the question in this language too." in page
    assert 'href="#custom-0-text_nl"' in page
    assert "Give at least two options" in page and 'href="#custom-1-options_fr"' in page
    assert "Je me sens écouté." in page  # what was typed is kept
    assert db.execute("SELECT count(*) FROM campaign").fetchone()[0] == before


def test_closing_before_opening_and_wrong_questionnaire_are_refused(world, signed_in):
    anna = signed_in("anna@example.org")
    page = anna.post(
        f"/admin/enterprises/{world.enterprise_a}/campaigns/new",
        campaign_form(closes_at="2026-03-01T09:00", questionnaire="workers:1"),
    ).get_data(as_text=True)
    assert "The closing date must come after the opening date." in page
    assert "Choose a questionnaire of the chosen stakeholder group." in page


def test_lifecycle_draft_open_closed_with_frozen_time(world, signed_in, db, seed):
    campaign_id = seed.campaign(world.enterprise_a, opens_at=NOW + timedelta(days=1), closes_at=NOW + timedelta(days=8))

    def shown_state():
        page = signed_in("anna@example.org").get(f"/admin/campaigns/{campaign_id}").get_data(as_text=True)
        return page.split('<dd id="campaign-state">')[1].split("</dd>")[0]

    with freeze_time(NOW) as frozen:
        assert shown_state() == "Draft (not open yet)"
        frozen.tick(timedelta(days=1))
        assert shown_state() == "Open"
        frozen.tick(timedelta(days=7) - timedelta(seconds=1))
        assert shown_state() == "Open"
        frozen.tick(timedelta(seconds=1))
        assert shown_state() == "Closed"
    assert campaign_state(row(db, campaign_id), NOW + timedelta(days=8)) == "closed"


def test_close_early_is_a_post(world, signed_in, db):
    url = f"/admin/campaigns/{world.campaign_a}/close"
    with freeze_time(NOW):
        anna = signed_in("anna@example.org")
        assert anna.get(url).status_code == 405
        asked = anna.post(url)  # a confirmation step first: nothing changes yet
        assert asked.status_code == 200 and "Yes, close the campaign" in asked.get_data(as_text=True)
        assert row(db, world.campaign_a)["closed_at"] is None
        assert anna.post(url, {"confirmed": "yes"}).status_code == 303
    stored = row(db, world.campaign_a)
    assert stored["closed_at"] == "2026-03-04T10:00:00Z"
    assert campaign_state(stored, NOW) == "closed"


def test_duplicate_for_the_next_wave(world, signed_in, db):
    with freeze_time(NOW):
        response = signed_in("anna@example.org").post(f"/admin/campaigns/{world.campaign_a}/duplicate")
    assert response.status_code == 303 and response.headers["Location"].endswith("/edit")
    new_id = int(response.headers["Location"].split("/")[-2])
    original, copy = row(db, world.campaign_a), row(db, new_id)
    for key in ("enterprise_id", "stakeholder_group", "questionnaire_id", "languages", "custom_questions", "timezone"):
        assert copy[key] == original[key]
    assert copy["open_token"] != original["open_token"]
    assert campaign_state(copy, NOW) == "draft"
    assert db.execute("SELECT count(*) FROM invitation WHERE campaign_id = ?", [new_id]).fetchone()[0] == 0


def test_questionnaire_and_custom_questions_freeze_once_a_response_exists(world, signed_in, db):
    anna = signed_in("anna@example.org")
    add_response(db, world.campaign_a)
    before = row(db, world.campaign_a)
    edit = f"/admin/campaigns/{world.campaign_a}/edit"
    assert "already has responses" in anna.get(edit).get_data(as_text=True)
    changed = campaign_form(stakeholder_group="workers", questionnaire="workers:1", languages=["fr", "nl", "en"])
    page = anna.post(edit, changed).get_data(as_text=True)
    assert "its questionnaire and custom questions can no longer change" in page
    added = campaign_form(
        questionnaire="beneficiaries:1",
        languages=["fr", "nl", "en"],
        **custom(0, type="text", text_fr="Autre chose ?", text_nl="Nog iets?", text_en="Anything else?"),
    )
    assert "can no longer change" in anna.post(edit, added).get_data(as_text=True)
    assert row(db, world.campaign_a) == before
    dates_only = campaign_form(questionnaire="beneficiaries:1", languages=["fr", "nl", "en"], title="Renamed")
    assert anna.post(edit, dates_only).status_code == 303  # other settings may still change
    assert row(db, world.campaign_a)["title"] == "Renamed"


def test_campaign_page_shows_live_counts(world, signed_in, db):
    with write_transaction(db):
        db.execute("UPDATE invitation SET opened = 1, started = 1 WHERE campaign_id = ?", [world.campaign_a])
        db.execute(
            "UPDATE invitation SET answered = 1 WHERE id = (SELECT min(id) FROM invitation WHERE campaign_id = ?)",
            [world.campaign_a],
        )
        db.execute(
            "INSERT INTO response (campaign_id, submission_id, language, link, submitted_week) "
            "VALUES (?, 'x1', 'fr', 'personal', '2026-W10')",
            [world.campaign_a],
        )
    page = signed_in("anna@example.org").get(f"/admin/campaigns/{world.campaign_a}").get_data(as_text=True)
    assert '<td id="count-issued">3</td>' in page and '<td id="count-opened">3</td>' in page
    assert '<td id="count-in-progress">2</td>' in page and '<td id="count-submitted">1</td>' in page
    assert "<td>33.3%</td>" in page and "Week of March 2, 2026" in page and "2026-03-04" not in page


def test_custom_questions_reach_respondents_when_fewer_languages_are_offered(app, world, signed_in, db):
    from survey_app.respondent.links import campaign_questionnaire

    anna = signed_in("anna@example.org")
    data = campaign_form(languages=["fr"], **custom(0, type="text", text_fr="Autre chose ?"))
    response = anna.post(f"/admin/enterprises/{world.enterprise_a}/campaigns/new", data)
    campaign_id = int(response.headers["Location"].rstrip("/").split("/")[-1])
    with app.test_request_context():
        questionnaire = campaign_questionnaire(row(db, campaign_id))
    assert questionnaire.questions[-1].id == "custom_1"
