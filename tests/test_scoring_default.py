"""The default scoring (mean_0_100, half the items answered) is today's rule exactly: the reference
module gives the pipeline's figures on the bundled questionnaires; and a conversion-table
instrument (SWEMWBS-style fixture, tests/data/instruments) is scored through its table."""

from __future__ import annotations

import random
from datetime import timedelta
from pathlib import Path

import pytest

from pipeline.read import load_questionnaires
from pipeline.runner import run_pipeline
from pipeline.sample.responses import DONT_KNOW, add_responses
from pipeline.stats import t_quantile
from survey_app.core import config
from survey_app.questionnaire.instruments import load_instrument
from survey_app.questionnaire.loader import load_framework, load_questionnaire
from survey_app.questionnaire.registry import FRAMEWORK_FILE, QUESTIONNAIRES_DIR
from survey_app.questionnaire.scoring import Scoring, score_answers, scoring_for, summarise
from tests.app_support import NOW, Seeder

SETTINGS = config.validate({}, "tests")
FIXTURE = Path(__file__).parent / "data" / "instruments" / "swemwbs_like.toml"


pytestmark = pytest.mark.usefixtures("no_charts")  # conftest: the chart hook is skipped


def random_answers(questionnaire, rng: random.Random) -> dict:
    answers = {}
    for q in questionnaire.questions:
        if q.scored and q.indicator:
            pick = rng.random()
            if pick < 0.15:
                answers[q.id] = DONT_KNOW
            elif pick > 0.25:
                answers[q.id] = q.numeric(rng.choice(q.choices()))
    return answers


def stored_value(value):
    return None if value in (None, DONT_KNOW) else float(value)


@pytest.mark.parametrize("group", ["beneficiaries", "workers", "partners"])
def test_default_scoring_gives_the_pipelines_figures(pipeline_db, group):
    seed = Seeder(pipeline_db)
    campaign = seed.campaign(seed.enterprise(), group, NOW - timedelta(days=40), NOW - timedelta(days=10))
    _, questionnaires = load_questionnaires(pipeline_db)
    questionnaire = questionnaires[(group, 1)]
    rng = random.Random(f"default-{group}")
    answer_sets = [random_answers(questionnaire, rng) for _ in range(40)]
    add_responses(pipeline_db, campaign, answer_sets)
    run_pipeline(pipeline_db, SETTINGS, NOW)
    stored = {
        r["key"]: r
        for r in pipeline_db.query(
            "SELECT * FROM indicator_value WHERE campaign_id = ? AND kind = 'indicator'", [campaign]
        )
    }
    checked = 0
    for indicator, row in stored.items():
        scoring = scoring_for(questionnaire, indicator)
        assert scoring == Scoring(indicator)  # no bundled questionnaire declares a scoring
        items = questionnaire.indicator_items(indicator)
        scores = [
            s
            for answers in answer_sets
            if (s := score_answers(scoring, items, {k: stored_value(v) for k, v in answers.items()}))
        ]
        summary = summarise(scoring, scores, t_quantile)
        assert summary.n == row["n"]
        assert summary.mean == pytest.approx(row["mean"], abs=1e-4)
        assert summary.sd == pytest.approx(row["sd"], abs=1e-4)
        assert summary.favourable_share == pytest.approx(row["favourable_share"], abs=1e-4)
        if row["ci_high"] <= 100 and row["ci_low"] >= 0:  # the reference also clips to the range
            assert (summary.ci_low, summary.ci_high) == pytest.approx((row["ci_low"], row["ci_high"]), abs=1e-4)
        checked += 1
    assert checked >= 5


@pytest.fixture(scope="module")
def table_instrument():
    return load_instrument(FIXTURE, load_framework(QUESTIONNAIRES_DIR / FRAMEWORK_FILE))


# SWEMWBS conversion table (Stewart-Brown et al. 2009, Warwick Medical School): raw 7 -> 7.00,
# 14 -> 15.32, 21 -> 19.25, 28 -> 25.03, 35 -> 35.00.
@pytest.mark.parametrize(
    "values, raw_metric", [((1,) * 7, 7.00), ((2,) * 7, 15.32), ((3,) * 7, 19.25), ((4,) * 7, 25.03), ((5,) * 7, 35.0)]
)
def test_a_conversion_table_turns_the_raw_sum_into_the_metric_score(table_instrument, values, raw_metric):
    scoring = table_instrument.scorings[0]
    result = score_answers(
        scoring, table_instrument.questions, dict(zip([q.id for q in table_instrument.questions], values))
    )
    assert result.published == raw_metric
    assert result.normalised == pytest.approx((raw_metric - 7) / 28 * 100)


def test_a_conversion_table_needs_complete_answers_and_bands_follow_the_metric(table_instrument):
    scoring, questions = table_instrument.scorings[0], table_instrument.questions
    ids = [q.id for q in questions]
    assert score_answers(scoring, questions, dict(zip(ids, (3, 3, 3, 3, 3, 3, None)))) is None
    low = score_answers(scoring, questions, dict(zip(ids, (3, 3, 3, 3, 3, 3, 2))))  # raw 20 -> 18.59
    high = score_answers(scoring, questions, dict(zip(ids, (3, 3, 3, 3, 3, 3, 5))))  # raw 23 -> 20.73
    assert (low.published, low.band, high.published, high.band) == (18.59, "lower", 20.73, "higher")
    summary = summarise(scoring, [low, high], t_quantile)
    assert summary.mean == pytest.approx((18.59 + 20.73) / 2)
    assert summary.band_shares == {"lower": 0.5, "higher": 0.5}


def test_a_questionnaire_file_may_declare_the_published_scoring_of_its_indicator(tmp_path):
    """tests/data/who5.toml encodes WHO-5 in a questionnaire; declaring its scoring gives the raw x 4."""
    text = (Path(__file__).parent / "data" / "who5.toml").read_text()
    path = tmp_path / "who5.toml"
    path.write_text(
        text + '\n[scoring.self_confidence]\nmethod = "sum_times"\nfactor = 4\nrange = [0, 100]\nmissing = "complete"\n'
    )
    questionnaire = load_questionnaire(path, load_framework(QUESTIONNAIRES_DIR / FRAMEWORK_FILE))
    scoring = scoring_for(questionnaire, "self_confidence")
    items = questionnaire.indicator_items("self_confidence")
    values = dict(zip([q.id for q in items], (3, 2, 4, 1, 3)))
    assert (scoring.method, score_answers(scoring, items, values).published) == ("sum_times", 52)
    assert score_answers(scoring, items, {**values, "calm": None}) is None  # complete answers only
    assert (
        score_answers(Scoring("self_confidence"), items, {**values, "calm": None}).published == 55
    )  # mean of 3, 4, 1, 3 x 20
