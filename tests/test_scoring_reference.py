"""The bundled instruments give their published scores: worked examples from each instrument's own
manual or paper, missing-data rules exactly at and one past their limit, sample means and band shares.

Scores go through the loaded files (item coding, reverse items and [scoring] tables together) and
the pure reference module (survey_app.questionnaire.scoring) that the pipeline's SQL mirrors.
"""

from __future__ import annotations

import pytest

from pipeline.stats import t_quantile
from survey_app.questionnaire.registry import QUESTIONNAIRES_DIR, load_all
from survey_app.questionnaire.scoring import score_answers, summarise


@pytest.fixture(scope="module")
def instruments():
    _, _, loaded = load_all(QUESTIONNAIRES_DIR)
    return {i.id: i for i in loaded}


def score(instrument, indicator, values):
    scoring = next(s for s in instrument.scorings if s.indicator == indicator)
    questions = [q for q in instrument.questions if q.indicator == indicator]
    return score_answers(scoring, questions, dict(zip([q.id for q in questions], values)))


def sample(instrument, indicator, answer_sets):
    scoring = next(s for s in instrument.scorings if s.indicator == indicator)
    scores = [s for values in answer_sets if (s := score(instrument, indicator, values)) is not None]
    return summarise(scoring, scores, t_quantile)


def test_every_instrument_states_its_source_terms_and_languages(instruments):
    assert set(instruments) == {"who5", "rses", "ees10", "gse", "ucla3", "ons4", "oecd_life_satisfaction", "nps"}
    for instrument in instruments.values():
        assert instrument.citation and instrument.terms_of_use and instrument.source_url.startswith("https://")
        assert set(instrument.provenance) == set(instrument.languages)
    # Only official or corroborated translations: no Dutch item text anywhere.
    assert instruments["who5"].languages == ("en", "fr")
    assert instruments["ees10"].languages == ("fr",)
    assert all("nl" not in i.languages for i in instruments.values())


# WHO-5 (Topp et al. 2015; WHO-5 website): raw = sum of five 0-5 items, percentage = raw x 4;
# "a score below 13 [raw] indicates poor well-being" (percentage <= 50), <= 28 likely depression.
@pytest.mark.parametrize(
    "values, published, band",
    [
        ((5, 5, 5, 5, 5), 100, "not_poor"),
        ((0, 0, 0, 0, 0), 0, "very_low"),
        ((3, 3, 3, 2, 2), 52, "not_poor"),  # raw 13: the first score above the cut-off
        ((3, 3, 2, 2, 2), 48, "poor"),  # raw 12
        ((2, 2, 1, 1, 1), 28, "very_low"),  # raw 7 = 28%
        ((2, 2, 2, 1, 1), 32, "poor"),
    ],
)
def test_who5_percentage_score_and_bands(instruments, values, published, band):
    result = score(instruments["who5"], "who5", values)
    assert (result.published, result.band) == (published, band)
    assert result.normalised == pytest.approx(published)  # already on 0-100


def test_who5_counts_complete_answers_only(instruments):
    who5 = instruments["who5"]
    assert score(who5, "who5", (4, 4, 4, 4, 4)).published == 80  # no item missing: at the limit
    assert score(who5, "who5", (4, 4, 4, 4, None)) is None  # one missing: left out


def test_who5_sample_mean_and_band_shares(instruments):
    answer_sets = [(5, 5, 5, 5, 5), (3, 3, 3, 2, 2), (3, 3, 2, 2, 2), (2, 2, 1, 1, 1), (4, 4, 4, 4, None)]
    summary = sample(instruments["who5"], "who5", answer_sets)
    assert summary.n == 4  # the incomplete respondent is not in the sample
    assert summary.mean == pytest.approx((100 + 52 + 48 + 28) / 4)
    assert summary.band_shares == {"very_low": 0.25, "poor": 0.25, "not_poor": 0.5}
    assert summary.favourable_share == 0.25  # only 100 is 75 or more
    assert summary.ci_high == 100  # mean 57 +- 3.18 x 30.1 / 2 is clipped to the published range


# Rosenberg (University of Maryland, "Using the Rosenberg Self-Esteem Scale"): SA=3, A=2, D=1, SD=0;
# items 2, 5, 6, 8, 9 reversed (SA=0 ... SD=3); sum 0-30.
def test_rosenberg_coding_and_sum(instruments):
    rses = instruments["rses"]
    assert score(rses, "rses", (3,) * 10).published == 15  # all "strongly agree": 5 x 3 + 5 x 0
    assert score(rses, "rses", (3, 0, 3, 3, 0, 0, 3, 0, 0, 3)).published == 30
    assert score(rses, "rses", (0, 3, 0, 0, 3, 3, 0, 3, 3, 0)).published == 0
    assert score(rses, "rses", (2, 1, 2, 2, 1, 1, 2, 1, 1, 2)).published == 20


def test_rosenberg_prorates_up_to_two_missing_items(instruments):
    rses = instruments["rses"]
    two_missing = score(rses, "rses", (3, 0, 3, 3, 0, 0, 3, 0, None, None))  # 8 answered, all 3 after coding
    assert (two_missing.published, two_missing.answered) == (30, 8)
    uneven = score(rses, "rses", (2, 1, 2, 2, 1, 1, 2, 0, None, None))  # coded sum 17 over 8 items
    assert uneven.published == pytest.approx(17 * 10 / 8)
    assert score(rses, "rses", (3, 0, 3, 3, 0, 0, 3, None, None, None)) is None  # three missing


# ÉES-10 (Vallières & Vallerand, 1990): 1 = tout à fait en désaccord ... 4 = tout à fait en accord;
# items 3, 5, 8, 9, 10 reversed (1 -> 4); sum 10-40.
def test_ees10_french_coding_and_sum(instruments):
    ees10 = instruments["ees10"]
    assert score(ees10, "ees10", (4,) * 10).published == 25  # 5 x 4 + 5 x 1
    assert score(ees10, "ees10", (4, 4, 1, 4, 1, 4, 4, 1, 1, 1)).published == 40
    assert score(ees10, "ees10", (1, 1, 4, 1, 4, 1, 1, 4, 4, 4)).published == 10
    assert score(ees10, "ees10", (4, 4, 1, 4, 1, 4, 4, 1, None, None)).published == 40  # two missing, prorated
    assert score(ees10, "ees10", (4, 4, 1, 4, 1, 4, 4, None, None, None)) is None


# GSE (Schwarzer, FAQ on the GSE): sum 10-40; "calculate a score as long as no more than three items
# on the ten-item scale are missing" (MEAN.7); no cut-off.
def test_gse_sum_and_its_three_missing_rule(instruments):
    gse = instruments["gse"]
    assert score(gse, "gse", (4,) * 10).published == 40
    assert score(gse, "gse", (1,) * 10).published == 10
    at_limit = score(gse, "gse", (3, 3, 3, 3, 3, 3, 2, None, None, None))  # mean 20/7 over 7 answered
    assert at_limit.published == pytest.approx(20 / 7 * 10)
    assert score(gse, "gse", (3, 3, 3, 3, 3, 3, None, None, None, None)) is None  # four missing
    assert at_limit.band is None and instruments["gse"].scorings[0].bands == ()


def test_gse_sample_mean_matches_the_manuals_mean_item_score(instruments):
    # The FAQ reports mean item scores ("around 2.9"); the sum score is that mean x 10.
    answer_sets = [(3,) * 10, (3, 3, 3, 3, 3, 2, 3, 3, 3, 3), (3, 3, 3, 3, 3, 3, 3, 3, 3, 2)]
    summary = sample(instruments["gse"], "gse", answer_sets)
    assert summary.mean == pytest.approx((30 + 29 + 29) / 3)  # mean item score 2.93


# UCLA 3-item (Hughes et al. 2004): hardly ever = 1, some of the time = 2, often = 3; sum 3-9,
# higher = lonelier; complete answers only; 6-9 "often lonely" (convention of later studies).
def test_ucla3_sum_band_and_direction(instruments):
    ucla3 = instruments["ucla3"]
    assert (score(ucla3, "ucla3", (1, 1, 1)).published, score(ucla3, "ucla3", (1, 1, 1)).band) == (3, "less_lonely")
    assert score(ucla3, "ucla3", (2, 2, 1)).band == "less_lonely"  # 5
    assert score(ucla3, "ucla3", (2, 2, 2)).band == "lonely"  # 6
    assert score(ucla3, "ucla3", (3, 3, 3)).normalised == 0  # the loneliest is the least favourable
    assert score(ucla3, "ucla3", (1, 1, 1)).normalised == 100
    assert score(ucla3, "ucla3", (2, 2, None)) is None


def test_ucla3_favourable_share_counts_the_low_end(instruments):
    summary = sample(instruments["ucla3"], "ucla3", [(1, 1, 1), (1, 1, 2), (2, 2, 2), (3, 3, 3)])
    assert summary.band_shares == {"less_lonely": 0.5, "lonely": 0.5}
    # Normalised >= 75 means a score of 4.5 or less: the two least lonely respondents, not the two loneliest.
    assert summary.favourable_share == 0.5
    assert summary.mean == pytest.approx(5.5) and summary.normalised_mean == pytest.approx(100 - 2.5 / 6 * 100)


# ONS4 (ONS thresholds): 0-4 low, 5-6 medium, 7-8 high, 9-10 very high; anxiety 0-1 very low,
# 2-3 low, 4-5 medium, 6-10 high.
@pytest.mark.parametrize(
    "indicator, answer, band",
    [
        ("ons_life_satisfaction", 4, "low"),
        ("ons_life_satisfaction", 5, "medium"),
        ("ons_worthwhile", 8, "high"),
        ("ons_happiness", 9, "very_high"),
        ("ons_anxiety", 1, "very_low"),
        ("ons_anxiety", 2, "low"),
        ("ons_anxiety", 5, "medium"),
        ("ons_anxiety", 6, "high"),
    ],
)
def test_ons4_thresholds(instruments, indicator, answer, band):
    result = score(instruments["ons4"], indicator, (answer,))
    assert (result.published, result.band) == (answer, band)


def test_ons4_anxiety_counts_the_other_way(instruments):
    ons4 = instruments["ons4"]
    assert score(ons4, "ons_anxiety", (2,)).normalised == 80
    assert score(ons4, "ons_happiness", (2,)).normalised == 20
    assert score(ons4, "ons_anxiety", (None,)) is None


def test_oecd_low_life_satisfaction_band(instruments):
    oecd = instruments["oecd_life_satisfaction"]
    summary = sample(oecd, "oecd_life_satisfaction", [(3,), (4,), (5,), (8,), (10,)])
    assert summary.band_shares == {"low": 0.4, "not_low": 0.6}
    assert summary.mean == 6


# NPS (Reichheld 2003): promoters 9-10, passives 7-8, detractors 0-6; NPS = % promoters - % detractors.
def test_nps_categories_and_net_score(instruments):
    answers = [(10,), (9,), (9,), (10,), (9,), (8,), (7,), (7,), (6,), (0,)]  # 5 promoters, 2 detractors
    summary = sample(instruments["nps"], "nps", answers)
    assert summary.band_shares == {"detractor": 0.2, "passive": 0.3, "promoter": 0.5}
    assert summary.net_score == pytest.approx(30)
    assert score(instruments["nps"], "nps", (6,)).band == "detractor"
    assert score(instruments["nps"], "nps", (7,)).band == "passive"
