"""Bad input on survey pages: a 400 or a re-rendered page with a clear message, never a 500,
nothing stored; free text stored as typed and escaped on output."""

from __future__ import annotations

import pytest

from tests.app_support import NOW
from tests.survey_support import BENEFICIARIES, Respondent, answers_of, freeze, responses


@pytest.fixture
def respondent(app, seed, monkeypatch):
    freeze(monkeypatch, NOW)
    token = seed.links(seed.campaign(seed.enterprise()), 1)[0]
    return Respondent(app.test_client(), f"/s/{token}")


def at_last_page(respondent: Respondent) -> dict[str, str]:
    for number, answers in enumerate(BENEFICIARIES[:2], start=1):
        respondent.post(number, answers)
    return respondent.tokens(3)


@pytest.mark.parametrize(
    "answers, message",
    [
        ({"q_treated_with_respect": "6"}, "Choose one of the answers shown."),
        ({"q_treated_with_respect": "<script>"}, "Choose one of the answers shown."),
        ({"q_easy_to_access": ""}, "Answer this question to continue."),
    ],
)
def test_answers_outside_the_options_rerender_with_a_message(respondent, db, answers, message):
    respondent.get("?lang=en")
    response = respondent.post(1, {**BENEFICIARIES[0], **answers})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and message in html and "<title>Error:" in html
    assert "<script>" not in html
    assert db.execute("SELECT COUNT(*) FROM draft").fetchone()[0] == 0


def test_unknown_field_is_a_400(respondent, db):
    assert respondent.post(1, {**BENEFICIARIES[0], "is_admin": "1"}).status_code == 400
    assert respondent.post(1, {**BENEFICIARIES[0], "q_recommend": "9"}).status_code == 400  # other page
    assert db.execute("SELECT COUNT(*) FROM draft").fetchone()[0] == 0


@pytest.mark.parametrize(
    "content_type, body",
    [
        ("application/json", '{"action": "next"}'),
        ("text/plain", "action=next"),
        (
            "multipart/form-data; boundary=x",
            '--x\r\nContent-Disposition: form-data; name="action"\r\n\r\nnext\r\n--x--\r\n',
        ),
    ],
)
def test_wrong_content_type_is_a_400(respondent, content_type, body):
    assert respondent.client.post(respondent.path + "/1", data=body, content_type=content_type).status_code == 400


def test_oversize_body_is_a_413(respondent):
    response = respondent.post(3, {"q_what_changed": "x" * 300_000})
    assert response.status_code == 413


def test_over_long_text_is_refused_with_a_message(respondent, db):
    tokens = at_last_page(respondent)
    response = respondent.post(3, {"q_recommend": "8", "q_what_changed": "é" * 1001}, "submit", tokens)
    assert response.status_code == 200 and "1000" in response.get_data(as_text=True)
    assert responses(db) == []


def test_nul_byte_is_refused_and_never_stored(respondent, db):
    tokens = at_last_page(respondent)
    response = respondent.post(3, {"q_recommend": "8", "q_what_changed": "abc\x00def"}, "submit", tokens)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "\x00" not in html and "caractère de contrôle" in html
    assert responses(db) == []


def test_free_text_is_stored_as_typed_and_escaped_on_output(respondent, db):
    typed = "  <img src=x onerror=alert(1)> \u202eRTL \U0001f600\r\nligne 2 "
    tokens = at_last_page(respondent)
    rerender = respondent.post(3, {"q_recommend": "", "q_what_changed": typed}, "submit", tokens)
    html = rerender.get_data(as_text=True)
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    respondent.post(3, {"q_recommend": "7", "q_what_changed": typed}, "submit", tokens)
    [response] = responses(db)
    assert answers_of(db, response["id"])["what_changed"] == (None, typed, 0)


def test_malformed_number_and_dont_know_combinations(respondent):
    """Inputs a browser never sends (duplicates, lists on a radio) are handled, never a 500."""
    data = {
        **respondent.tokens(1),
        "action": "next",
        "q_treated_with_respect": ["1", "2"],
        "q_fits_my_needs": "dont_know",
        "q_easy_to_access": "3",
    }
    response = respondent.client.post(respondent.path + "/1", data=data)
    assert response.status_code == 303  # the first of the duplicated values is taken: on to page 2


def test_a_language_of_spaces_counts_as_none(respondent, db):
    tokens = at_last_page(respondent)
    response = respondent.post(3, BENEFICIARIES[2], "submit", tokens={**tokens, "lang": "  "})
    assert response.status_code == 303 and response.location.endswith("/thanks")  # was a 500
    assert len(responses(db)) == 1


def test_an_action_of_spaces_counts_as_none(respondent, db):
    tokens = at_last_page(respondent)
    response = respondent.post(3, BENEFICIARIES[2], "", tokens={**tokens, "action": "  "})
    assert response.status_code == 303 and response.location.endswith("/3")  # saved, no submit
    assert responses(db) == [] and db.execute("SELECT language FROM draft").fetchall() == [("fr",)]
