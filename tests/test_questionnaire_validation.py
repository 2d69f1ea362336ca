"""Each validator error comes from a broken fixture file and names file, question and fix."""

from pathlib import Path

import pytest

from survey_app.questionnaire.loader import QuestionnaireError, load_framework, load_questionnaire
from survey_app.questionnaire.registry import FRAMEWORK_FILE, QUESTIONNAIRES_DIR

BROKEN = Path(__file__).parent / "data" / "broken"


@pytest.fixture(scope="module")
def framework():
    return load_framework(QUESTIONNAIRES_DIR / FRAMEWORK_FILE)


@pytest.mark.parametrize(
    "name, where, message, fix",
    [
        ("unknown_type", "question 'feel_ok'", "unknown type 'agre5'", "use one of agree5"),
        ("missing_translation", "question 'feel_ok'", "missing translation 'label.nl'", 'add nl = "..." to label'),
        (
            "unknown_indicator",
            "question 'feel_ok'",
            "unknown indicator 'happiness'",
            "use one declared in framework.toml",
        ),
        ("duplicate_id", "question 'good_question'", "duplicate question id", "give each question a distinct id"),
        (
            "bad_show_if",
            "question 'feel_ok'",
            "bad show_if: 'later_question' is not an earlier question",
            "refer to a question declared above",
        ),
        (
            "bad_show_if_value",
            "question 'training_useful'",
            "bad show_if: ['maybe'] is not an answer of 'had_training'",
            "use values among yes, no",
        ),
        ("scale_without_options", "question 'cheerful'", "type 'scale' needs at least two options", "add options = "),
        ("unknown_section", "question 'feel_ok'", "unknown section 'page_two'", "use one of page_one"),
        ("indicator_on_text", "question 'what_changed'", "type 'text' cannot feed an indicator", "remove indicator"),
        ("unknown_key", "question 'feel_ok'", "unknown key 'lable'", "remove it or use one of"),
        ("bad_toml", "file", "not valid TOML", "correct the syntax"),
    ],
)
def test_broken_file_reports_file_question_and_fix(framework, name, where, message, fix):
    path = BROKEN / f"{name}.toml"
    with pytest.raises(QuestionnaireError) as excinfo:
        load_questionnaire(path, framework)
    problems = excinfo.value.problems
    assert len(problems) == 1, [str(p) for p in problems]
    text = str(problems[0])
    assert text.startswith(f"{path}: {where}: ")
    assert message in text
    assert f"Fix: {fix}" in text


def test_all_problems_of_a_file_are_reported_at_once(framework, tmp_path):
    text = (BROKEN / "unknown_type.toml").read_text().replace('indicator = "voice"', 'indicator = "nope"')
    path = tmp_path / "two_problems.toml"
    path.write_text(text)
    with pytest.raises(QuestionnaireError) as excinfo:
        load_questionnaire(path, framework)
    assert len(excinfo.value.problems) == 2


def test_framework_errors_name_the_fix(tmp_path):
    path = tmp_path / "framework.toml"
    path.write_text(
        '[[dimensions]]\nid = "work"\nlabel = { fr = "Travail", nl = "Werk", en = "Work" }\n'
        'description = { fr = "d", nl = "d", en = "d" }\n\n[[indicators]]\nid = "voice"\n'
        'dimension = "wrok"\nlabel = { fr = "Voix", nl = "Inspraak" }\n'
        'description = { fr = "d", nl = "d", en = "d" }\n'
    )
    with pytest.raises(QuestionnaireError) as excinfo:
        load_framework(path)
    text = str(excinfo.value)
    assert "indicator 'voice': unknown dimension 'wrok'. Fix: use one of work" in text
    assert "missing translation 'label.en'" in text
