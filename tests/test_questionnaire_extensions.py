"""The questionnaire keys added for forms from XLSForm: validated at load time with the fix named,
evaluated on the server, rendered on respondent pages (notes, defaults, messages)."""

import shutil
from datetime import timedelta
from pathlib import Path

import pytest

from survey_app.domain.campaigns import CampaignSpec, create_campaign, generate_links
from survey_app.questionnaire.loader import QuestionnaireError, load_questionnaire, parse_questionnaire
from survey_app.storage.db import write_transaction
from tests.app_support import NOW
from tests.survey_support import Respondent, answers_of, freeze, responses

EXTENDED = Path(__file__).parent / "data" / "extended.toml"
TEXT = EXTENDED.read_text(encoding="utf-8")


def problems(framework, text: str) -> str:
    with pytest.raises(QuestionnaireError) as excinfo:
        parse_questionnaire(text, "extended.toml", framework)
    return str(excinfo.value)


def test_the_extended_fixture_loads(framework):
    q = load_questionnaire(EXTENDED, framework)
    assert q.languages == ("fr", "en", "de") and len(q.sections) == 4
    assert q.question("welcome").type == "note" and not q.question("welcome").answerable
    assert q.question("hours").step == 5 and q.question("hours").default == 10
    assert q.question("size").options[0].media == {"image": {"fr": "small.png"}}


@pytest.mark.parametrize(
    "old, new, message",
    [
        (
            'id = "welcome"\nsection = "first"\ntype = "note"',
            'id = "welcome"\nsection = "first"\ntype = "note"\nrequired = true',
            "question 'welcome': a note takes no answer, so 'required' does not apply. Fix: remove required",
        ),
        ("max_length = 200", "max_length = 200\ninteger = true", "'integer' and 'step' are only for type 'number'"),
        ("step = 5", "step = 0", "'step' must be a number above 0 (got 0)"),
        ('default = "2"', 'default = "7"', "question 'size': 'default' '7' is not an answer of this question"),
        ("default = 10", "default = 50", "'default' 50 is not an answer"),
        ('media.image.fr = "welcome.png"', 'media.picture.fr = "welcome.png"', "unknown media kind 'media.picture'"),
        ('media.image.fr = "welcome.png"', 'media.image.fr = "../welcome.png"', "must be a file name without folders"),
        ('media.image.en = "welcome.png"', 'media.image.es = "welcome.png"', "unknown language 'media.image.es'"),
        (
            '{ question = "age", at_least = 18 }',
            '{ question = "name", at_least = 18 }',
            "question 'name' of type 'text' cannot be compared with 'at_least'",
        ),
        (
            '{ question = "name", answered = true }',
            '{ question = "name", answered = false }',
            "'answered' can only be true",
        ),
        (
            '{ question = "name", answered = true }',
            '{ question = "welcome", answered = true }',
            "'welcome' is a note and takes no answer",
        ),
        ("show_if = { not = {", "show_if = { all = [], not = {", "'all' and 'any' take a non-empty list of tests"),
        (
            '{ question = "size", equals = "1" }',
            '{ question = "size", equals = "4" }',
            "bad show_if: ['4'] is not an answer of 'size'. Fix: use values among 1, 2, 3",
        ),
        (
            'languages = ["fr", "en", "de"]',
            'languages = ["fr", "en", "Deutsch"]',
            "'languages' must be a non-empty list of distinct language codes",
        ),
        (
            'label.de = "Eine Bemerkung?"',
            'label.de = "Eine Bemerkung?"\nlabel.es = "¿Algo?"',
            "unknown language 'label.es'",
        ),
    ],
)
def test_extension_problems_name_question_and_fix(framework, old, new, message):
    assert old in TEXT
    assert message in problems(framework, TEXT.replace(old, new, 1))


def test_more_than_twenty_pages_are_refused(framework):
    sections = "".join(f'\n[[sections]]\nid = "p{i}"\ntitle = {{ fr = "P", en = "P", de = "P" }}\n' for i in range(17))
    text = TEXT.replace("[[questions]]", sections + "\n[[questions]]", 1)
    assert "21 sections declared; a survey has one to 20 pages" in problems(framework, text)


@pytest.mark.parametrize(
    "answers, visible",
    [
        ({"age": "30", "feel": "5"}, {"adult_confident", "not_young"}),
        ({"age": "17", "feel": "5"}, set()),
        ({"age": "30", "feel": "dont_know"}, {"not_young"}),
        ({"age": "20", "feel": "4", "name": "Ana"}, {"adult_confident", "named_or_small"}),
        ({"size": "1"}, {"named_or_small", "not_young"}),
        ({}, {"not_young"}),
    ],
)
def test_combined_conditions_on_the_server(framework, answers, visible):
    q = load_questionnaire(EXTENDED, framework)
    conditional = {"adult_confident", "named_or_small", "not_young"}
    assert {x.id for x in q.questions if x.id in conditional and q.is_visible(x, answers)} == visible


@pytest.fixture
def extended_link(make_app, tmp_path, monkeypatch):
    """A campaign (French and English) on the extended questionnaire, kept in the instance folder."""
    (tmp_path / "questionnaires").mkdir()
    shutil.copy(EXTENDED, tmp_path / "questionnaires" / "extended.toml")
    app = make_app()
    freeze(monkeypatch, NOW)
    from survey_app.domain.enterprises import create_enterprise
    from survey_app.storage.db import connect

    db = connect(app.config["SETTINGS"]["database.path"])
    with write_transaction(db):
        enterprise = create_enterprise(db, "Atelier", "integration", "BE", "fr", NOW)
        spec = CampaignSpec(
            enterprise, "beneficiaries", "extended", 1, "Étendu", NOW - timedelta(days=1), NOW + timedelta(days=9),
            "Europe/Brussels", ("fr", "en"),
        )  # fmt: skip
        campaign = create_campaign(db, spec, NOW)
        token = generate_links(db, campaign, 1, NOW)[0]["token"]
    yield app, db, token
    db.close()


def test_respondent_pages_show_notes_defaults_and_the_form_messages(extended_link):
    app, db, token = extended_link
    respondent = Respondent(app.test_client(), f"/s/{token}")
    respondent.get("?lang=en")
    page1 = respondent.get("/1").get_data(as_text=True)
    assert "Thank you for coming." in page1 and 'class="question note"' in page1
    assert 'name="q_hours"' in page1 and 'value="10"' in page1  # the default
    assert 'inputmode="numeric"' in page1
    missing = respondent.post(1, {"q_hours": "10"})
    assert missing.status_code == 200 and "Tell us your age." in respondent.last_html
    bad = respondent.post(1, {"q_age": "20.5", "q_hours": "10"})
    assert bad.status_code == 200 and "A whole age from 16 to 99." in respondent.last_html
    off_step = respondent.post(1, {"q_age": "30", "q_hours": "12"})
    assert off_step.status_code == 200 and "Enter a number in steps of 5, for example 5." in respondent.last_html
    assert respondent.post(1, {"q_age": "30", "q_hours": "15", "q_size": "2"}).status_code == 303
    assert respondent.post(2, {"q_feel": "dont_know", "q_name": ""}).status_code == 303
    page3 = respondent.get("/3").get_data(as_text=True)
    assert "What makes you confident?" not in page3  # feel was "don't know"
    assert "May we contact you again?" not in page3  # no name, size 2
    assert respondent.post(3, {}).status_code == 303
    page4 = respondent.get("/4").get_data(as_text=True)
    assert "Last page." in page4 and "Rien" in page4
    assert respondent.post(4, {"q_remarks": "Rien"}, action="submit").status_code == 303
    [response] = responses(db)
    stored = answers_of(db, response["id"])
    assert stored == {
        "age": (30.0, None, 0),
        "hours": (15.0, None, 0),
        "size": (None, "2", 0),
        "feel": (None, None, 1),
        "remarks": (None, "Rien", 0),
    }


def test_a_page_with_a_dependent_question_says_so_without_javascript(extended_link):
    app, db, token = extended_link
    from survey_app.respondent.forms import build_page_form

    q = app.extensions["vises.registry"].get("extended", 1)
    merged = q.sections[2]
    merged_section = type(merged)("third", merged.title, (q.question("name"), *merged.questions))
    form = build_page_form(q, merged_section, "en", False, ["fr", "en"])
    assert form.views["named_or_small"].condition == (
        "Answer this question only if it applies to you, given your answers above."
    )
    assert form.views["named_or_small"].live_parent == ""  # the optional script handles equals / in only
