"""The form builder: every question type (bundled and custom), "don't know", numbers, options."""

from __future__ import annotations

import pytest

from survey_app.respondent.forms import build_page_form
from tests.app_support import NOW
from tests.survey_support import BENEFICIARIES, Respondent, answers_of, checked, freeze, responses


def texts(en: str) -> dict[str, str]:
    return {"fr": f"{en} (fr)", "nl": f"{en} (nl)", "en": en}


CUSTOM = (
    {
        "id": "how_heard",
        "type": "single",
        "label": texts("How did you hear of us?"),
        "options": [{"value": "friends", "label": texts("Friends")}, {"value": "other", "label": texts("Other")}],
    },
    {
        "id": "services",
        "type": "multiple",
        "dont_know": True,
        "label": texts("Which services?"),
        "options": [{"value": "advice", "label": texts("Advice")}, {"value": "workshops", "label": texts("Workshops")}],
    },
    {
        "id": "months",
        "type": "number",
        "min": 0,
        "max": 120,
        "required": True,
        "dont_know": True,
        "label": texts("For how many months?"),
    },
    {
        "id": "see_friends",
        "type": "scale",
        "required": True,
        "label": texts("How often do you see friends?"),
        "options": [
            {"value": 0, "label": texts("Never")},
            {"value": 1, "label": texts("Sometimes")},
            {"value": 2, "label": texts("Often")},
        ],
    },
    {"id": "useful_0_10", "type": "scale0_10", "dont_know": True, "label": texts("How useful, 0 to 10?")},
)


@pytest.fixture
def respondent(app, seed, monkeypatch):
    freeze(monkeypatch, NOW)
    token = seed.links(seed.campaign(seed.enterprise(), custom_questions=CUSTOM), 1)[0]
    respondent = Respondent(app.test_client(), f"/s/{token}")
    respondent.get("?lang=en")
    for number, answers in enumerate(BENEFICIARIES[:2], start=1):
        respondent.post(number, answers)
    return respondent


@pytest.mark.parametrize("group", ["beneficiaries", "workers", "partners"])
@pytest.mark.parametrize("language", ["fr", "nl", "en"])
def test_every_bundled_page_builds_a_form(app, group, language):
    questionnaire = app.extensions["vises.registry"].latest(group)
    with app.test_request_context(f"/?lang={language}"):
        for section in questionnaire.sections:
            form = build_page_form(questionnaire, section, language, True, ["fr", "nl", "en"])()
            assert {f"q_{q.id}" for q in section.questions} <= set(form._fields)


def test_custom_questions_of_every_type_on_the_last_page(respondent, db):
    html = respondent.get("/3").get_data(as_text=True)
    for label in (
        "How did you hear of us?",
        "Which services?",
        "For how many months?",
        "Often",
        "0 = not at all likely",
    ):
        assert label in html
    assert 'type="checkbox"' in html and 'inputmode="decimal"' in html
    response = respondent.post(
        3,
        {
            **BENEFICIARIES[2],
            "q_how_heard": "friends",
            "q_services": ["advice", "workshops"],
            "q_months": "12,5",
            "q_see_friends": "2",
            "q_useful_0_10": "dont_know",
        },
        "submit",
    )
    assert response.status_code == 303, respondent.last_html
    stored = answers_of(db, responses(db)[0]["id"])
    assert stored["how_heard"] == (None, "friends", 0)
    assert stored["services"] == (None, "advice workshops", 0)
    assert stored["months"] == (12.5, None, 0)
    assert stored["see_friends"] == (2.0, None, 0)
    assert stored["useful_0_10"] == (None, None, 1)


@pytest.mark.parametrize(
    "answers, message",
    [
        ({"q_months": "abc"}, "Enter a number, for example 12."),
        ({"q_months": "121"}, "Enter a number between 0 and 120."),
        ({"q_months": "1e309"}, "Enter a number, for example 12."),
        ({"q_months": "nan"}, "Enter a number, for example 12."),
        ({"q_months": ""}, "Answer this question to continue."),
        ({"q_services": ["advice", "dont_know"]}, "alone, or untick it"),
        ({"q_services": ["cooking"]}, "Choose one of the answers shown."),
        ({"q_see_friends": "3"}, "Choose one of the answers shown."),
    ],
)
def test_invalid_custom_answers_rerender_with_their_message(respondent, db, answers, message):
    valid = {**BENEFICIARIES[2], "q_months": "3", "q_see_friends": "1"}
    response = respondent.post(3, {**valid, **answers}, "submit")
    html = response.get_data(as_text=True).replace("&#34;", '"').replace("&#39;", "'")
    assert response.status_code == 200 and message in html
    assert responses(db) == []


def test_dont_know_checkbox_of_a_number_is_kept_and_stored(respondent, db):
    response = respondent.post(3, {**BENEFICIARIES[2], "dk_months": "y", "q_see_friends": "0"}, "back")
    assert response.status_code == 303
    assert checked(respondent.get("/3").get_data(as_text=True), "dk_months")
    respondent.post(3, {**BENEFICIARIES[2], "dk_months": "y", "q_see_friends": "0"}, "submit")
    assert answers_of(db, responses(db)[0]["id"])["months"] == (None, None, 1)
