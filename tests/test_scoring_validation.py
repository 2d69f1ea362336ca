"""Each scoring and instrument error class comes from a broken fixture (tests/data/broken) and
names the file, the indicator (or place) and the fix, at load and in `vises questionnaires check`."""

from pathlib import Path

import pytest
from click.testing import CliRunner

from survey_app.cli import main
from survey_app.questionnaire.loader import QuestionnaireError, load_framework
from survey_app.questionnaire.registry import FRAMEWORK_FILE, QUESTIONNAIRES_DIR, load_file

BROKEN = Path(__file__).parent / "data" / "broken"

SCORING_ERRORS = [
    ("scoring_unknown_method", "scoring 'voice'", "unknown method 'total'", "use one of mean_0_100, sum, mean"),
    ("scoring_factor_missing", "scoring 'voice'", "'sum_times' needs a positive 'factor'", "add factor = 4"),
    ("scoring_table_gap", "scoring 'voice'", "table has no score for raw sum(s) 5", "add 5 = ..."),
    (
        "scoring_range_mismatch",
        "scoring 'voice'",
        "'range' 0-12 does not match",
        "check the item coding and the method, or write range = [0, 9]",
    ),
    ("scoring_range_missing", "scoring 'voice'", "'range' is missing", "add range = [lowest, highest]"),
    (
        "scoring_impossible_rule",
        "scoring 'voice'",
        "max_missing = 3 is impossible for 3 item(s)",
        "use max_missing between 0 and 2",
    ),
    ("scoring_bad_missing_rule", "scoring 'voice'", "bad missing-data rule 'half'", 'write missing = "complete"'),
    ("scoring_sum_without_prorate", "scoring 'voice'", "needs prorate = true", "write prorate = true"),
    ("scoring_table_with_missing", "scoring 'voice'", "table needs every item answered", 'write missing = "complete"'),
    (
        "scoring_non_integer_coding",
        "scoring 'voice'",
        "'item_3' is coded 0.5",
        "code its options with the whole numbers",
    ),
    (
        "scoring_bands_overlap",
        "scoring 'voice'",
        "bands 'low' (0-5) and 'high' (5-9) overlap",
        "make 'high' start above 5",
    ),
    ("scoring_bands_gap", "scoring 'voice'", "a score of 4.5 can be reached but falls in no band", "extend a band"),
    ("scoring_net_unknown_band", "scoring 'voice'", "bad net score", "write net = { positive"),
    ("scoring_unknown_key", "scoring 'voice'", "unknown key 'cutoff'", "remove it or use one of bands"),
    ("scoring_without_items", "scoring 'training'", "no question of this file feeds", 'add indicator = "training"'),
]
INSTRUMENT_ERRORS = [
    ("missing_citation", "file", "'citation' is missing", 'add citation = "..."'),
    ("translation_source_missing", "file", "'translations' must say where", "add translations.en"),
    ("unprefixed_question", "question 'second'", "question ids start with 'tiny_'", 'write id = "tiny_second"'),
    ("indicator_without_scoring", "indicator 'tiny'", "needs its published scoring", "add a [scoring.tiny] table"),
    ("framework_indicator_reused", "indicator 'voice'", "already used", "give the instrument's indicator its own id"),
    ("band_label_missing_language", "scoring 'tiny' band 1", "missing translation 'label.nl'", 'add nl = "..."'),
]
CASES = SCORING_ERRORS + [(f"instruments/{name}", *rest) for name, *rest in INSTRUMENT_ERRORS]


@pytest.fixture(scope="module")
def framework():
    return load_framework(QUESTIONNAIRES_DIR / FRAMEWORK_FILE)


@pytest.mark.parametrize("name, where, message, fix", CASES)
def test_a_broken_scoring_names_file_indicator_and_fix(framework, name, where, message, fix):
    path = BROKEN / f"{name}.toml"
    with pytest.raises(QuestionnaireError) as excinfo:
        load_file(path, framework)
    problems = excinfo.value.problems
    assert len(problems) == 1, [str(p) for p in problems]
    text = str(problems[0])
    assert text.startswith(f"{path}: {where}: ")
    assert message in text
    assert f"Fix: {fix}" in text


def test_questionnaires_check_reports_every_scoring_error_class():
    paths = [str(BROKEN / f"{name}.toml") for name, *_ in CASES]
    result = CliRunner().invoke(main, ["questionnaires", "check", *paths])
    assert result.exit_code == 1
    for (_name, where, message, fix), path in zip(CASES, paths):
        assert f"FAIL {path}" in result.output
        assert f"{path}: {where}: " in result.output and message in result.output and f"Fix: {fix}" in result.output


def test_questionnaires_check_summarises_the_bundled_instruments():
    result = CliRunner().invoke(main, ["questionnaires", "check"])
    assert result.exit_code == 0, result.output
    assert "instrument who5 v1, 5 questions, languages en/fr, published scoring: who5 sum_times 0-100" in result.output
    assert "instrument ucla3 v1, 3 questions, languages en, published scoring: ucla3 sum 3-9" in result.output
    assert "FAIL" not in result.output
