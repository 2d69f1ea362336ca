"""quick_check.py against the WTForms form it stands in for: whatever it accepts, the form accepts,
with the same action and answers; it is sure of every plain post; open links' last pages stay with
WTForms."""

from __future__ import annotations

import random

import pytest
from werkzeug.datastructures import MultiDict

from survey_app.questionnaire.instruments import with_instruments
from survey_app.questionnaire.model import DONT_KNOW, format_value
from survey_app.respondent.csrf import FIELD
from survey_app.respondent.fields import MultiChoiceField
from survey_app.respondent.forms import build_page_form
from survey_app.respondent.links import with_custom_questions
from survey_app.respondent.quick_check import quick_check

LANGUAGES = ["fr", "nl", "en"]
CUSTOM = [
    {
        "id": "services",
        "type": "multiple",
        "dont_know": True,
        "label": {"fr": "Quels services ?", "nl": "Welke diensten?", "en": "Which services?"},
        "options": [
            {"value": "advice", "label": {"fr": "Conseil", "nl": "Advies", "en": "Advice"}},
            {"value": "workshops", "label": {"fr": "Ateliers", "nl": "Workshops", "en": "Workshops"}},
        ],
    },
    {
        "id": "in_your_words",
        "type": "text",
        "required": True,
        "dont_know": True,
        "label": {"fr": "En vos mots ?", "nl": "In uw woorden?", "en": "In your words?"},
    },
    {
        "id": "months",
        "type": "number",
        "min": 0,
        "max": 120,
        "dont_know": True,
        "label": {"fr": "Combien de mois ?", "nl": "Hoeveel maanden?", "en": "How many months?"},
    },
    {
        "id": "people",
        "type": "number",
        "min": 1,
        "max": 20,
        "integer": True,
        "required": True,
        "label": {"fr": "Combien de personnes ?", "nl": "Hoeveel personen?", "en": "How many people?"},
    },
    {
        "id": "hours",
        "type": "number",
        "min": 0,
        "max": 10,
        "step": 0.5,
        "label": {"fr": "Combien d'heures ?", "nl": "Hoeveel uur?", "en": "How many hours?"},
    },
]
NUMBERS = ["12", "12,5", " 7 ", "7,0", "00012", "12.50", "0", "120", "121", "-3", "2.5", "2.25", "1e1", "abc",
           "inf", "nan", "", " ", "9" * 40]  # fmt: skip
ACTIONS = [None, "next", "back", "save", "submit", " next ", "", "bogus"]
TEXTS = ["Plus de confiance.", "", "   ", "a\x00b", "ligne 1\r\nligne 2", "é" * 2000, "x" * 2001, "x" * 5000]


def form_classes(app):
    """Every page of the bundled questionnaires, with instruments and custom questions, in every language."""
    registry = app.extensions["vises.registry"]
    for group in ("beneficiaries", "workers", "partners"):
        base = registry.latest(group)
        for questionnaire in (
            base,
            with_instruments(with_custom_questions(base, CUSTOM, tuple(LANGUAGES)), registry.all_instruments()),
        ):
            for section in questionnaire.sections:
                for language in LANGUAGES:
                    yield questionnaire, build_page_form(questionnaire, section, language, False, LANGUAGES)


def some_values(rng: random.Random, question, accepted: list[str]) -> list[str]:
    """What a browser (or anything else) might post for one question's field."""
    if question.type == "text":
        return rng.choice([[], [rng.choice(TEXTS)], [rng.choice(TEXTS)], ["a", "b"]])
    if question.type == "multiple":
        picks = rng.sample(accepted, rng.randint(0, len(accepted)))
        return rng.choice([picks, picks, picks + picks[:1], [*picks, "zzz"], [""], [" "]])
    if question.type == "number":
        return rng.choice([[], [rng.choice(NUMBERS)], [rng.choice(NUMBERS)], ["3", "4"]])
    return rng.choice([[], [rng.choice(accepted)], [rng.choice(accepted)], [""], [" "], ["zzz"], accepted[:2]])


def a_post(rng: random.Random, questionnaire, form_class) -> list[tuple[str, str]]:
    fields = [(FIELD, "token")]
    for question in form_class.section.questions:
        if not question.answerable:
            continue
        field = form_class.__dict__.get(f"q_{question.id}")
        accepted = sorted(field.kwargs.get("accepted", ())) or ["x"]
        fields += [(f"q_{question.id}", v) for v in some_values(rng, question, accepted)]
        if f"dk_{question.id}" in form_class.__dict__:
            fields += [(f"dk_{question.id}", v) for v in rng.choice([[], [], ["y"], ["false"], [""], ["y", "y"]])]
    action = rng.choice(ACTIONS)
    if action is not None:
        fields.append(("action", action))
    if rng.random() < 0.05:
        fields.append(("lang", rng.choice(["", "nl"])))
    if rng.random() < 0.03:
        fields.append(("q_not_on_this_page", "1"))
    rng.shuffle(fields)
    return fields


def earlier_answers(rng: random.Random, questionnaire, form_class) -> dict:
    """Draft answers of the other pages (they decide whether this page's conditional questions show)."""
    out: dict = {}
    for question in questionnaire.questions:
        if question.section != form_class.section.id and question.answerable and rng.random() < 0.8:
            choices = [format_value(o.value) for o in question.options] or ["yes", "no", "1", "3", "5", "9"]
            out[question.id] = rng.choice([*choices, DONT_KNOW, None])
    return out


def by_form(form_class, posted: MultiDict, earlier: dict):
    """What fast_pages._checked_by_form concludes: (action, answers) of a valid post, else None."""
    form = form_class(formdata=posted)
    if set(posted.keys()) - set(form._fields) - {FIELD} or form.lang.data:
        return None
    form.earlier, form.strict = earlier, form.action.data in ("next", "submit")
    return (form.action.data, form.visible_answers()) if form.validate() else None


def posted_twice(form_class, posted: MultiDict) -> bool:
    """A field of one value sent twice: the form reads the first, quick_check leaves it to the form."""
    single = (name for name, values in posted.lists() if len(values) > 1)
    return any(getattr(form_class.__dict__.get(n), "field_class", None) is not MultiChoiceField for n in single)


def test_what_it_accepts_the_form_accepts_with_the_same_answers(app):
    rng = random.Random(20261201)
    sure = plain_valid = compared = 0
    with app.test_request_context("/"):
        for questionnaire, form_class in form_classes(app):
            for _ in range(40):
                posted = MultiDict(a_post(rng, questionnaire, form_class))
                earlier = earlier_answers(rng, questionnaire, form_class)
                checked = quick_check(form_class, posted, earlier, FIELD)
                expected = by_form(form_class, posted, earlier)
                compared += 1
                if expected is not None and form_class.quick_plan is not None:
                    plain_valid += not posted_twice(form_class, posted)
                if checked is not None:
                    sure += 1
                    assert expected == (checked.action, checked.answers), (form_class.section.id, posted, earlier)
    assert compared > 5000 and plain_valid > 500
    assert sure >= plain_valid  # sure of every valid post that sends each field once


@pytest.mark.parametrize("seed", range(3))
def test_plain_valid_posts_are_checked_quickly(app, seed):
    """Posts as a browser sends them, every answer one of the options: quick_check is sure of them all."""
    rng = random.Random(seed)
    registry = app.extensions["vises.registry"]
    with app.test_request_context("/"):
        for group in ("beneficiaries", "workers", "partners"):
            questionnaire = registry.latest(group)
            for section in questionnaire.sections:
                form_class = build_page_form(questionnaire, section, "fr", False, LANGUAGES)
                fields = [(FIELD, "t"), ("action", "next")]
                for question in section.questions:
                    field = form_class.__dict__.get(f"q_{question.id}")
                    if field is not None:
                        accepted = sorted(field.kwargs.get("accepted", ())) or ["Merci."]
                        fields.append((f"q_{question.id}", rng.choice([a for a in accepted if a != DONT_KNOW])))
                posted = MultiDict(fields)
                checked = quick_check(form_class, posted, {}, FIELD)
                assert checked is not None, section.id
                assert (checked.action, checked.answers) == by_form(form_class, posted, {})


def test_open_links_last_pages_stay_with_wtforms(app):
    """Their per-render submission id is checked by the form alone."""
    questionnaire = app.extensions["vises.registry"].latest("beneficiaries")
    first = questionnaire.sections[0]
    with app.test_request_context("/"):
        assert build_page_form(questionnaire, first, "en", False, LANGUAGES).quick_plan is not None
        assert build_page_form(questionnaire, first, "en", True, LANGUAGES).quick_plan is None


def test_numbers_are_stored_as_the_form_leaves_them(app):
    """A decimal comma, zeros and spaces give the canonical text; a number out of range, not whole or
    off its step is an error to show (not sure), even with "don't know" ticked beside it."""
    questionnaire = with_custom_questions(app.extensions["vises.registry"].latest("beneficiaries"), CUSTOM, ("en",))
    last = questionnaire.sections[-1]
    with app.test_request_context("/"):
        form_class = build_page_form(questionnaire, last, "en", False, LANGUAGES)

        def check(**numbers):
            fields = [(FIELD, "t"), ("action", "save")]
            fields += [(k if k.startswith("dk_") else f"q_{k}", v) for k, v in numbers.items()]
            posted = MultiDict(fields)
            checked = quick_check(form_class, posted, {}, FIELD)
            if checked is not None:
                assert (checked.action, checked.answers) == by_form(form_class, posted, {})
            return checked

        answers = check(months=" 12,50 ", people="00007", hours="2,5").answers
        assert (answers["months"], answers["people"], answers["hours"]) == ("12.5", "7", "2.5")
        for wrong in ({"months": "121"}, {"people": "2.5"}, {"hours": "2.25"}, {"months": "douze"}):
            assert check(**wrong) is None
        assert check(months="121", dk_months="y") is None
        assert check(months="", dk_months="y").answers["months"] == DONT_KNOW


def test_required_unanswered_on_next_is_left_to_the_form(app):
    """An error to show: not sure (the form words it); the same post with Save, or with "don't know"
    ticked, is accepted."""
    questionnaire = with_custom_questions(app.extensions["vises.registry"].latest("beneficiaries"), CUSTOM[:2], ("en",))
    last = questionnaire.sections[-1]
    with app.test_request_context("/"):
        form_class = build_page_form(questionnaire, last, "en", False, LANGUAGES)
        others = [(FIELD, "t")]
        for question in last.questions:
            field = form_class.__dict__.get(f"q_{question.id}")
            if field is not None and question.id != "in_your_words":
                others.append((f"q_{question.id}", sorted(field.kwargs.get("accepted", ["Merci."]))[0]))

        def post(*fields):
            posted = MultiDict([*others, *fields])
            checked = quick_check(form_class, posted, {}, FIELD)
            if checked is not None:
                assert (checked.action, checked.answers) == by_form(form_class, posted, {})
            return posted, checked

        posted, checked = post(("action", "submit"), ("q_in_your_words", "  "))
        assert checked is None and by_form(form_class, posted, {}) is None
        _, checked = post(("action", "save"), ("q_in_your_words", "  "))
        assert checked is not None and checked.answers["in_your_words"] is None
        _, checked = post(("action", "submit"), ("q_in_your_words", ""), ("dk_in_your_words", "y"))
        assert checked is not None and checked.answers["in_your_words"] == DONT_KNOW
