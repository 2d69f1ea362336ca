"""Indicator rules on hand-computed fixtures: item scores, reverse items, "don't know", the half
rule, the confidence interval, favourable share, NPS, dimensions, custom questions, free text,
response rates and small-group suppression (4 vs 5 respondents)."""

from __future__ import annotations

import statistics
from datetime import timedelta

import pytest

from pipeline.read import load_questionnaires
from pipeline.runner import run_pipeline
from pipeline.sample.responses import DONT_KNOW, add_responses
from pipeline.scoring import item_rows
from survey_app.core import config
from tests.app_support import NOW, Seeder, stored_with_benchmarks

SETTINGS = config.validate({}, "tests")


pytestmark = pytest.mark.usefixtures("no_charts")  # conftest: the chart hook is skipped


T_975_DF4 = 2.776445105  # Student t table, 97.5th percentile, 4 degrees of freedom


def values(db, campaign_id, kind="indicator"):
    return {r["key"]: r for r in stored_with_benchmarks(db, "campaign_id = ? AND kind = ?", (campaign_id, kind))}


def closed_campaign(seed: Seeder, enterprise_id: int, **kw) -> int:
    return seed.campaign(enterprise_id, opens_at=NOW - timedelta(days=40), closes_at=NOW - timedelta(days=10), **kw)


@pytest.fixture
def seed(pipeline_db):
    return Seeder(pipeline_db)


def test_item_scores_follow_the_model_including_reverse_items(pipeline_db):
    _, questionnaires = load_questionnaires(pipeline_db)
    for qid, version, question_id, indicator, slope, base, items in item_rows(questionnaires):
        question = questionnaires[(qid, version)].question(question_id)
        low, high = question.scale_range()
        for value in (low, (low + high) / 2, high):
            assert base + slope * value == pytest.approx(question.score(value))
        assert items == sum(1 for q in questionnaires[(qid, version)].questions if q.indicator == indicator)


def test_reverse_items_dont_know_and_the_half_rule(pipeline_db, seed):
    campaign = closed_campaign(seed, seed.enterprise())
    add_responses(
        pipeline_db,
        campaign,
        [
            {"people_to_count_on": 5, "often_alone": 5},  # (100 + 0) / 2 = 50
            {"people_to_count_on": 4, "often_alone": 1},  # (75 + 100) / 2 = 87.5
            {"people_to_count_on": DONT_KNOW, "often_alone": 2},  # half answered: 75 (not (0 + 75) / 2)
            {"often_alone": DONT_KNOW},  # nothing answered: left out
            {"people_to_count_on": 3, "often_alone": 3},  # 50
            {"people_to_count_on": 1, "often_alone": 4},  # (0 + 25) / 2 = 12.5
        ],
    )
    run_pipeline(pipeline_db, SETTINGS, NOW)
    ties = values(pipeline_db, campaign)["social_ties"]
    scores = [50, 87.5, 75, 50, 12.5]
    assert ties["n"] == 5
    assert ties["mean"] == pytest.approx(55.0)
    assert ties["favourable_share"] == pytest.approx(2 / 5)  # 87.5 and 75 are >= 75
    half = T_975_DF4 * statistics.stdev(scores) / 5**0.5  # reference implementation
    assert ties["ci_low"] == pytest.approx(55.0 - half, abs=1e-6)
    assert ties["ci_high"] == pytest.approx(55.0 + half, abs=1e-6)
    assert ties["sd"] == pytest.approx(statistics.stdev(scores))


def test_suppression_at_four_and_five_respondents(pipeline_db, seed):
    small = closed_campaign(seed, seed.enterprise("Petit"), custom_questions=({"id": "c_mood", "type": "agree5"},))
    large = closed_campaign(seed, seed.enterprise("Grand"), custom_questions=({"id": "c_mood", "type": "agree5"},))
    answers = {"treated_with_respect": 5, "recommend": 10, "what_changed": "Beaucoup de choses", "c_mood": 4}
    add_responses(pipeline_db, small, [answers] * 4)
    add_responses(pipeline_db, large, [answers] * 5)
    run_pipeline(pipeline_db, SETTINGS, NOW)
    for kind in ("indicator", "dimension", "nps"):
        for row in values(pipeline_db, small, kind).values():
            assert row["suppressed"] == 1 and row["suppression_reason"] == "min_group_size"
            assert all(
                row[c] is None
                for c in (
                    "n",
                    "mean",
                    "sd",
                    "ci_low",
                    "ci_high",
                    "favourable_share",
                    "delta",
                    "bench_median",
                    "bench_percentile",
                    "bench_peers",
                )
            )
    assert values(pipeline_db, large)["respect"]["n"] == 5
    assert values(pipeline_db, large)["respect"]["suppressed"] == 0
    custom = list(pipeline_db.query("SELECT * FROM custom_result WHERE campaign_id = ?", [small]))
    assert custom and all(r["suppressed"] == 1 and r["count"] is None and r["n"] is None for r in custom)
    testimonies = {r["campaign_id"] for r in pipeline_db.query("SELECT campaign_id FROM testimony")}
    assert testimonies == {large}


def test_nps_dimension_means_and_favourable_share(pipeline_db, seed):
    campaign = closed_campaign(seed, seed.enterprise())
    add_responses(
        pipeline_db,
        campaign,
        [
            {"recommend": 10, "feel_confident": 5, "manage_on_my_own": 1},
            {"recommend": 9, "feel_confident": 4, "manage_on_my_own": 2},
            {"recommend": 8, "feel_confident": 4, "manage_on_my_own": 3},
            {"recommend": 6, "feel_confident": 3, "manage_on_my_own": 4},
            {"recommend": 0, "feel_confident": 2, "manage_on_my_own": 5},
            {"recommend": DONT_KNOW, "feel_confident": DONT_KNOW},
        ],
    )
    run_pipeline(pipeline_db, SETTINGS, NOW)
    nps = values(pipeline_db, campaign, "nps")["recommend"]
    assert nps["n"] == 5 and nps["mean"] == pytest.approx((2 - 2) / 5 * 100)
    indicators = values(pipeline_db, campaign)
    assert indicators["recommendation"]["mean"] == pytest.approx((100 + 90 + 80 + 60 + 0) / 5)
    assert indicators["self_confidence"]["mean"] == pytest.approx((100 + 75 + 75 + 50 + 25) / 5)
    assert indicators["self_confidence"]["favourable_share"] == pytest.approx(3 / 5)
    assert indicators["autonomy"]["mean"] == pytest.approx(50.0)
    # skills and social_ties have no answers: suppressed, so left out of the dimension mean
    assert indicators["skills"]["suppressed"] == 1
    individual = values(pipeline_db, campaign, "dimension")["individual"]
    assert individual["mean"] == pytest.approx((65 + 50) / 2)
    assert individual["n"] == 5


def test_custom_questions_distributions_and_response_rates(pipeline_db, seed):
    custom = (
        {"id": "c_way", "type": "single", "options": [{"value": "bus"}, {"value": "car"}, {"value": "walk"}]},
        {"id": "c_calm", "type": "scale0_10"},
        {"id": "c_story", "type": "text"},
    )
    campaign = closed_campaign(seed, seed.enterprise(), custom_questions=custom)
    open_campaign = closed_campaign(seed, seed.enterprise("Ouvert"), expected_population=20)
    seed.links(campaign, 10)
    add_responses(
        pipeline_db,
        campaign,
        [
            {"c_way": "bus", "c_calm": 10, "c_story": "Je suis plus calme."},
            {"c_way": "bus", "c_calm": 5},
            {"c_way": "walk", "c_calm": 0, "c_story": "  "},
            {"c_way": DONT_KNOW, "c_calm": 5, "c_story": "Ik heb vrienden gemaakt."},
            {"c_calm": 10},
        ],
        languages=["fr", "fr", "fr", "nl", "fr"],
    )
    add_responses(pipeline_db, open_campaign, [{"treated_with_respect": 3}] * 5)
    run_pipeline(pipeline_db, SETTINGS, NOW)
    rows = {
        (r["question_id"], r["option"]): r
        for r in pipeline_db.query("SELECT * FROM custom_result WHERE campaign_id = ?", [campaign])
    }
    # only 3 answered c_way ("don't know" and no answer do not count): suppressed, options kept
    assert {o for q, o in rows if q == "c_way"} == {"bus", "car", "walk"}
    assert all(
        rows[("c_way", o)]["suppressed"] == 1 and rows[("c_way", o)]["count"] is None for o in ("bus", "car", "walk")
    )
    assert rows[("c_calm", "0")]["count"] == 1 and rows[("c_calm", "10")]["n"] == 5
    assert rows[("c_calm", "10")]["count"] == 2 and rows[("c_calm", "10")]["share"] == pytest.approx(0.4)
    assert rows[("c_calm", "10")]["mean"] == pytest.approx((100 + 50 + 0 + 50 + 100) / 5)
    texts = [
        r["text"]
        for r in pipeline_db.query("SELECT text FROM testimony WHERE campaign_id = ? ORDER BY response_id", [campaign])
    ]
    assert texts == ["Je suis plus calme.", "Ik heb vrienden gemaakt."]
    summaries = {r["campaign_id"]: r for r in pipeline_db.query("SELECT * FROM campaign_summary")}
    assert summaries[campaign]["response_rate"] == pytest.approx(5 / 10)
    assert summaries[open_campaign]["response_rate"] == pytest.approx(5 / 20)


def test_confidence_intervals_are_clipped_to_the_scale(pipeline_db, seed):
    campaign = closed_campaign(seed, seed.enterprise())
    add_responses(pipeline_db, campaign, [{"treated_with_respect": 5}] * 4 + [{"treated_with_respect": 4}])
    low = closed_campaign(seed, seed.enterprise("Bas"))
    add_responses(pipeline_db, low, [{"treated_with_respect": 1}] * 4 + [{"treated_with_respect": 2}])
    run_pipeline(pipeline_db, SETTINGS, NOW)
    high = values(pipeline_db, campaign)["respect"]
    half = T_975_DF4 * statistics.stdev([100, 100, 100, 100, 75]) / 5**0.5  # 13.9: 95 + 13.9 > 100
    assert high["mean"] == 95.0 and high["ci_high"] == 100.0
    assert high["ci_low"] == pytest.approx(95.0 - half, abs=1e-6)
    assert values(pipeline_db, low)["respect"]["ci_low"] == 0.0
