"""Survey pages rendered once and filled in per request (respondent/plans.py, rendering.py): holes
are escaped, and the cache is keyed so that nothing of one request, one link, one questionnaire
version, custom questions or language ever reaches another page."""

from __future__ import annotations

import json
import re

import pytest
from markupsafe import Markup

from survey_app.respondent.plans import Plan, compact, hole
from survey_app.storage.db import write_transaction
from tests.app_support import NOW
from tests.survey_support import BENEFICIARIES, CSRF, Respondent, checked, freeze


def test_holes_are_filled_escaped_and_empty_when_not_given():
    plan = Plan.cut(f"<p title='{hole('a')}'>{hole('b')}</p><i>{hole('a')}{hole('c')}</i>")
    assert plan.holes == ("a", "b", "a", "c")
    filled = plan.fill({"a": "<x> & 'y'", "b": Markup("<b>ok</b>"), "z": "unknown hole"})
    assert filled == "<p title='&lt;x&gt; &amp; &#39;y&#39;'><b>ok</b></p><i>&lt;x&gt; &amp; &#39;y&#39;</i>"


def test_indentation_is_cut_but_text_areas_keep_their_white_space():
    html = "<div>\n    <p>a  b</p>\n\n  <textarea>\n  typed\n\n  </textarea>\n  <pre> x\n   y</pre>\n</div>"
    assert compact(html) == "<div>\n<p>a  b</p>\n<textarea>\n  typed\n\n  </textarea>\n<pre> x\n   y</pre>\n</div>"


@pytest.fixture
def campaign(seed, monkeypatch):
    freeze(monkeypatch, NOW)
    return seed.campaign(seed.enterprise())


def test_answers_tokens_and_errors_of_one_link_never_reach_another(app, seed, campaign):
    first, second = (Respondent(app.test_client(), f"/s/{t}") for t in seed.links(campaign, 2))
    first.post(1, BENEFICIARIES[0])
    first.post(2, {}, "next")  # an error page, cached as a plan
    mine = first.get("/1").get_data(as_text=True)
    theirs = second.get("/1").get_data(as_text=True)
    assert checked(mine, "q_treated_with_respect-4") and not checked(theirs, "q_treated_with_respect-4")
    assert first.path in mine and first.path not in theirs and second.path in theirs
    assert CSRF.search(mine).group(1) != CSRF.search(theirs).group(1)
    assert 'id="error-summary"' not in second.get("/2").get_data(as_text=True)


def test_a_signed_in_users_sign_out_form_stays_theirs(app, world, signed_in, seed, campaign):
    token = seed.links(campaign, 1)[0]
    office = signed_in("anna@example.org")
    assert "Sign out" in office.get(f"/s/{token}/1").get_data(as_text=True)  # first render, signed in
    anonymous = app.test_client().get(f"/s/{token}/1?lang=en").get_data(as_text=True)
    assert "Sign out" not in anonymous and "logout" not in anonymous


def test_new_custom_questions_and_languages_are_never_served_from_a_stale_page(app, seed, db, campaign):
    respondent = Respondent(app.test_client(), f"/s/{seed.links(campaign, 1)[0]}")
    for number, answers in enumerate(BENEFICIARIES[:2], start=1):
        respondent.post(number, answers)
    assert "Bike or bus?" not in respondent.get("/3?lang=en").get_data(as_text=True)
    custom = {
        "id": "custom_1",
        "section": "to_finish",
        "type": "single",
        "required": False,
        "dont_know": False,
        "label": {"fr": "Vélo ou bus ?", "nl": "Fiets of bus?", "en": "Bike or bus?"},
        "options": [
            {"value": "bike", "label": {"fr": "Vélo", "nl": "Fiets", "en": "Bike"}},
            {"value": "bus", "label": {"fr": "Bus", "nl": "Bus", "en": "Bus"}},
        ],
    }
    with write_transaction(db):  # what the back office does before the first response
        db.execute("UPDATE campaign SET custom_questions = ? WHERE id = ?", [json.dumps([custom]), campaign])
    assert "Bike or bus?" in respondent.get("/3?lang=en").get_data(as_text=True)
    dutch = respondent.get("/3?lang=nl").get_data(as_text=True)
    assert "Fiets of bus?" in dutch and "Bike or bus?" not in dutch and '<html lang="nl">' in dutch


def test_what_was_typed_comes_back_escaped(app, seed, campaign):
    respondent = Respondent(app.test_client(), f"/s/{seed.links(campaign, 1)[0]}")
    for number, answers in enumerate(BENEFICIARIES[:2], start=1):
        respondent.post(number, answers)
    typed = '</textarea><script>alert("x")</script>'
    html = respondent.post(3, {"q_recommend": "11", "q_what_changed": typed}, "submit").get_data(as_text=True)
    assert 'id="error-summary"' in html and "<script>alert" not in html
    assert re.search(r"&lt;/textarea&gt;&lt;script&gt;alert\(&#34;x&#34;\)", html)


def test_kiosk_pages_are_kept_per_tablet_and_never_reach_an_open_link(app, db, campaign):
    from survey_app.domain.kiosks import add_kiosk

    with write_transaction(db):
        kiosks = [add_kiosk(db, campaign, name, 50, NOW) for name in ("Accueil", "Atelier")]
        db.execute("UPDATE campaign SET open_link_enabled = 1 WHERE id = ?", [campaign])
    tokens = [db.execute("SELECT token FROM kiosk WHERE id = ?", [k]).fetchone()[0] for k in kiosks]
    pages = []
    for token in tokens:
        client = app.test_client()
        intro = client.get(f"/k/{token}").get_data(as_text=True)
        client.post(f"/k/{token}/start", data={"csrf_token": CSRF.search(intro).group(1), "mode": "standard"})
        pages.append(client.get(f"/k/{token}/1").get_data(as_text=True))
    for page, token, other in ((pages[0], *tokens), (pages[1], *reversed(tokens))):
        assert f"/k/{token}/" in page and other not in page  # the idle timer leads to this tablet's pages
        assert 'value="save"' not in page  # no "save and continue later" on a shared tablet
    open_token = db.execute("SELECT open_token FROM campaign WHERE id = ?", [campaign]).fetchone()[0]
    open_page = app.test_client().get(f"/o/{open_token}/1").get_data(as_text=True)
    assert 'value="save"' in open_page and "kiosk-timer" not in open_page
    assert not any(token in open_page for token in tokens)


def test_easy_mode_still_checks_the_csrf_token_and_renders_it(app, seed, campaign, db):
    client, path = app.test_client(), f"/s/{seed.links(campaign, 1)[0]}"
    page = client.get(f"{path}/easy/1").get_data(as_text=True)
    assert CSRF.search(page)  # the page forms' token field, rendered for easy mode too
    # A forged token: the question again (its own form checks the token), nothing stored.
    refused = client.post(f"{path}/easy/1", data={"csrf_token": "forged", "action": "next"})
    assert refused.status_code == 200 and db.execute("SELECT COUNT(*) FROM draft").fetchone()[0] == 0
    token = CSRF.search(page).group(1)
    good = client.post(f"{path}/easy/1", data={"csrf_token": token, "action": "next", "q_treated_with_respect": "4"})
    assert good.status_code == 303
