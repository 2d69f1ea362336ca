"""Respondent flow over HTTP: intro, pages, progress, back/next, save and resume, language switch,
show_if on the server, errors, expired CSRF and the thank-you page."""

from __future__ import annotations

import re

import pytest

from tests.app_support import NOW
from tests.survey_support import BENEFICIARIES, WORKERS, Respondent, answers_of, checked, freeze, responses


@pytest.fixture
def survey(app, seed, monkeypatch):
    freeze(monkeypatch, NOW)
    enterprise = seed.enterprise(name="Les Ateliers du Nord")
    campaign = seed.campaign(enterprise)
    return {"campaign": campaign, "tokens": seed.links(campaign, 3)}


def test_intro_shows_enterprise_purpose_time_and_privacy(client, survey):
    html = client.get(f"/s/{survey['tokens'][0]}?lang=en").get_data(as_text=True)
    assert "Les Ateliers du Nord" in html
    assert "Your experience with the enterprise" in html
    assert "About 5 minutes." in html
    assert "Your answers are anonymous" in html and "at least 5 people" in html
    assert "25 March 2026, 11:00" in html  # closing time shown in Brussels time (UTC+1)


def test_complete_flow_stores_one_response_with_the_right_values(client, survey, db):
    respondent = Respondent(client, f"/s/{survey['tokens'][0]}")
    respondent.get("?lang=fr")
    final = respondent.complete(BENEFICIARIES)
    assert final.headers["Location"].endswith("/thanks")
    assert "Merci pour vos réponses" in client.get(final.headers["Location"]).get_data(as_text=True)
    [response] = responses(db)
    assert response["link"] == "personal" and response["channel"] == "self" and response["language"] == "fr"
    assert response["submitted_week"] == "2026-W10"  # Wednesday 4 March 2026: the week only
    stored = answers_of(db, response["id"])
    assert stored["treated_with_respect"] == (5.0, None, 0)
    assert stored["easy_to_access"] == (None, None, 1)
    assert stored["followed_training"] == (1.0, None, 0)
    assert stored["what_changed"] == (None, BENEFICIARIES[2]["q_what_changed"], 0)
    assert len(stored) == 12
    assert db.execute("SELECT COUNT(*) FROM draft").fetchone()[0] == 0
    assert db.execute("SELECT answered FROM invitation WHERE token = ?", [survey["tokens"][0]]).fetchone()[0] == 1


def test_progress_and_back_keep_answers(client, survey):
    respondent = Respondent(client, f"/s/{survey['tokens'][0]}")
    respondent.get("?lang=en")
    respondent.post(1, BENEFICIARIES[0])
    page2 = respondent.get("/2").get_data(as_text=True)
    assert "Page 2 of 3" in page2
    back = respondent.post(2, {"q_feel_confident": "2"}, action="back")
    assert back.status_code == 303 and back.headers["Location"].endswith("/1")
    page1 = respondent.get("/1").get_data(as_text=True)
    assert checked(page1, "q_treated_with_respect-4")
    page2 = respondent.get("/2").get_data(as_text=True)
    assert checked(page2, "q_feel_confident-1")


def test_missing_answer_rerenders_with_summary_inline_message_and_title(client, survey):
    respondent = Respondent(client, f"/s/{survey['tokens'][0]}")
    respondent.get("?lang=en")
    response = respondent.post(1, {"q_treated_with_respect": "4", "q_easy_to_access": "2"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<title>Error:" in html
    assert 'href="#q_fits_my_needs-0"' in html and 'id="q_fits_my_needs-0"' in html
    assert 'id="q_fits_my_needs-error"' in html
    assert checked(html, "q_treated_with_respect-3")


def test_save_and_resume_on_another_device_at_first_unanswered_page(app, client, survey, db):
    respondent = Respondent(client, f"/s/{survey['tokens'][0]}")
    respondent.post(1, BENEFICIARIES[0])
    saved = respondent.post(2, {"q_feel_confident": "4"}, action="save")
    assert saved.headers["Location"].endswith("/saved")
    other_device = app.test_client()
    resumed = other_device.get(f"/s/{survey['tokens'][0]}")
    assert resumed.status_code == 303 and resumed.headers["Location"].endswith("/2")
    html = other_device.get(resumed.headers["Location"]).get_data(as_text=True)
    assert checked(html, "q_feel_confident-3")


def test_open_link_resumes_in_the_same_browser_only(app, client, survey, db):
    token = db.execute("SELECT open_token FROM campaign").fetchone()[0]
    respondent = Respondent(client, f"/o/{token}")
    first = respondent.post(1, BENEFICIARIES[0])
    cookie = first.headers["Set-Cookie"]
    assert "vises_browser=" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert client.get(f"/o/{token}").headers["Location"].endswith("/2")
    assert app.test_client().get(f"/o/{token}").status_code == 200  # a new browser starts afresh
    stored_key = db.execute("SELECT browser_key FROM draft").fetchone()[0]
    assert stored_key not in cookie  # only a hash is kept


def test_language_switch_on_a_question_page_keeps_answers(client, survey, db):
    respondent = Respondent(client, f"/s/{survey['tokens'][0]}")
    respondent.get("?lang=fr")
    switched = respondent.post(1, {"q_treated_with_respect": "3"}, action="", lang="nl")
    assert switched.status_code == 303 and switched.headers["Location"].endswith("/1?lang=nl")
    html = client.get(switched.headers["Location"]).get_data(as_text=True)
    assert 'lang="nl"' in html and "In de organisatie word ik met respect behandeld." in html
    assert "Helemaal akkoord" in html
    assert checked(html, "q_treated_with_respect-2")


def test_show_if_hidden_question_is_neither_validated_nor_stored(client, survey, db):
    respondent = Respondent(client, f"/s/{survey['tokens'][1]}")
    pages = [dict(p) for p in BENEFICIARIES]
    pages[1].update(q_followed_training="no", q_training_useful="")
    respondent.complete(pages)
    [response] = responses(db)
    stored = answers_of(db, response["id"])
    assert "training_useful" not in stored and stored["followed_training"] == (0.0, None, 0)


def test_hidden_question_answer_is_dropped_even_if_posted(client, survey, db):
    respondent = Respondent(client, f"/s/{survey['tokens'][1]}")
    pages = [dict(p) for p in BENEFICIARIES]
    pages[1].update(q_followed_training="dont_know", q_training_useful="5")
    respondent.complete(pages)
    assert "training_useful" not in answers_of(db, responses(db)[0]["id"])


def test_expired_csrf_keeps_answers_and_stores_nothing(client, survey, db):
    respondent = Respondent(client, f"/s/{survey['tokens'][0]}")
    response = respondent.post(1, BENEFICIARIES[0], tokens={"csrf_token": "expired-or-forged"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "Vos réponses sont toujours là" in html
    assert checked(html, "q_fits_my_needs-3")
    assert db.execute("SELECT COUNT(*) FROM draft").fetchone()[0] == 0
    fresh = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
    again = respondent.post(1, BENEFICIARIES[0], tokens={"csrf_token": fresh})
    assert again.status_code == 303


def test_missing_csrf_on_submit_stores_nothing(client, survey, db):
    respondent = Respondent(client, f"/s/{survey['tokens'][0]}")
    for number, answers in enumerate(BENEFICIARIES[:2], start=1):
        respondent.post(number, answers)
    response = respondent.post(3, BENEFICIARIES[2], action="submit", tokens={})
    assert response.status_code == 200
    assert responses(db) == []


def test_workers_in_dutch(client, survey, seed, db):
    campaign = seed.campaign(seed.enterprise(name="Maatwerk Gent", language="nl"), group="workers")
    respondent = Respondent(client, f"/s/{seed.links(campaign, 1)[0]}")
    assert "Jouw werk in de organisatie" in respondent.get("?lang=nl").get_data(as_text=True)
    respondent.complete(WORKERS)
    [response] = responses(db)
    stored = answers_of(db, response["id"])
    assert response["language"] == "nl" and "training_useful" not in stored and "what_changed" not in stored
    assert stored["had_training"] == (0.0, None, 0) and stored["recommend"] == (10.0, None, 0)
