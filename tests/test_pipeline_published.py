"""The pipeline scores validated instruments as their authors publish them: over the worked examples
of tests/test_scoring_reference.py (each cites its manual or paper) it stores, per respondent, the
published score and band the reference scoring (survey_app.questionnaire.scoring) gives, and per
indicator the published n, mean, 95% CI, band shares and favourable share; the same figures after an
incremental run as after `--full`; a conversion-table instrument (SWEMWBS-style fixture) through
its table; and a questionnaire without declared scoring keeps its figures and has no published score.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from pipeline.runner import RunRequest, run_pipeline
from pipeline.sample.responses import add_responses
from pipeline.stats import t_quantile
from survey_app.core import config
from survey_app.core.timeutil import iso_utc
from survey_app.domain.campaigns import CampaignSpec, create_campaign
from survey_app.questionnaire.instruments import load_instrument
from survey_app.questionnaire.loader import load_framework, load_questionnaire
from survey_app.questionnaire.registry import FRAMEWORK_FILE, QUESTIONNAIRES_DIR, load_all
from survey_app.questionnaire.scoring import score_answers, summarise
from survey_app.storage.db import write_transaction
from tests.app_support import NOW, Seeder

SETTINGS = config.validate({}, "tests")
WINDOW = {"opens_at": NOW - timedelta(days=40), "closes_at": NOW - timedelta(days=10)}
TABLE_FIXTURE = Path(__file__).parent / "data" / "instruments" / "swemwbs_like.toml"

# Answer sets over each instrument's questions, in file order (None = not answered): the worked
# examples and missing-data edge cases of tests/test_scoring_reference.py.
WORKED = {
    "who5": [(5, 5, 5, 5, 5), (3, 3, 3, 2, 2), (3, 3, 2, 2, 2), (2, 2, 1, 1, 1), (4, 4, 4, 4, None), (0, 0, 0, 0, 0)],
    "rses": [
        (3,) * 10,
        (3, 0, 3, 3, 0, 0, 3, 0, 0, 3),
        (0, 3, 0, 0, 3, 3, 0, 3, 3, 0),
        (2, 1, 2, 2, 1, 1, 2, 1, 1, 2),
        (3, 0, 3, 3, 0, 0, 3, 0, None, None),  # two missing: prorated
        (2, 1, 2, 2, 1, 1, 2, 0, None, None),
        (3, 0, 3, 3, 0, 0, 3, None, None, None),  # three missing: left out
    ],
    "ees10": [
        (4,) * 10,
        (4, 4, 1, 4, 1, 4, 4, 1, 1, 1),
        (1, 1, 4, 1, 4, 1, 1, 4, 4, 4),
        (4, 4, 1, 4, 1, 4, 4, 1, None, None),
        (4, 4, 1, 4, 1, 4, 4, None, None, None),
    ],
    "gse": [
        (4,) * 10,
        (1,) * 10,
        (3, 3, 3, 3, 3, 3, 2, None, None, None),  # three missing: mean x 10
        (3, 3, 3, 3, 3, 3, None, None, None, None),  # four missing: left out
        (3, 3, 3, 3, 3, 2, 3, 3, 3, 3),
    ],
    "ucla3": [(1, 1, 1), (1, 1, 2), (2, 2, 2), (3, 3, 3), (2, 2, 1), (2, 2, None)],
    "ons4": [(4, 8, 9, 1), (5, 9, 6, 2), (7, 6, 10, 5), (9, 10, 3, 6), (0, 5, 7, None), (10, 7, 8, 0)],
    "oecd_life_satisfaction": [(3,), (4,), (5,), (8,), (10,)],
    "nps": [(10,), (9,), (9,), (10,), (9,), (8,), (7,), (7,), (6,), (0,)],
}


pytestmark = pytest.mark.usefixtures("no_charts")  # conftest: the chart hook is skipped


@pytest.fixture(scope="module")
def instruments():
    _, _, loaded = load_all(QUESTIONNAIRES_DIR)
    return {i.id: i for i in loaded}


def answers_of(instrument, values) -> dict:
    return {q.id: v for q, v in zip(instrument.questions, values) if v is not None}


def instrument_campaign(db, instrument, answer_sets, enterprise=None) -> int:
    """A closed beneficiaries wave with the instrument pinned; every answer set given twice, so each
    sample has at least min_group_size respondents."""
    seed = Seeder(db)
    campaign = seed.campaign(
        enterprise or seed.enterprise(f"Enterprise {instrument.id}"),
        languages=instrument.languages[:1],
        instruments=((instrument.id, instrument.version),),
        title=f"With {instrument.id}",
        **WINDOW,
    )
    add_responses(db, campaign, [answers_of(instrument, values) for values in answer_sets] * 2)
    return campaign


def rows(db, sql, params=()) -> list[dict]:
    return [dict(r) for r in db.query(sql, params)]


def assert_published_figures(db, campaign, instrument, answer_sets):
    """Per respondent and per indicator, what the reference scoring gives."""
    for scoring in instrument.scorings:
        questions = [q for q in instrument.questions if q.indicator == scoring.indicator]
        expected = [score_answers(scoring, questions, answers_of(instrument, v)) for v in answer_sets * 2]
        stored = rows(
            db,
            "SELECT s.published_score, s.band, s.score FROM response r LEFT JOIN response_score s "
            "ON s.response_id = r.id AND s.indicator = ? WHERE r.campaign_id = ? ORDER BY r.id",
            [scoring.indicator, campaign],
        )
        for want, got in zip(expected, stored, strict=True):
            if want is None:
                assert got["published_score"] is None and got["score"] is None  # left out by the missing rule
            else:
                assert got["published_score"] == pytest.approx(want.published, abs=1e-6)
                assert got["band"] == want.band
                assert got["score"] == pytest.approx(want.normalised, abs=1e-6)
        summary = summarise(scoring, [s for s in expected if s is not None], t_quantile)
        value = rows(
            db,
            "SELECT * FROM indicator_value WHERE campaign_id = ? AND kind = 'indicator' AND key = ?",
            [campaign, scoring.indicator],
        )[0]
        assert not value["suppressed"] and value["n"] == summary.n
        assert value["published_mean"] == pytest.approx(summary.mean, abs=1e-6)
        assert value["published_sd"] == pytest.approx(summary.sd, abs=1e-6)
        assert value["published_ci_low"] == pytest.approx(summary.ci_low, abs=1e-6)
        assert value["published_ci_high"] == pytest.approx(summary.ci_high, abs=1e-6)
        assert scoring.low <= value["published_ci_low"] <= value["published_ci_high"] <= scoring.high
        assert value["mean"] == pytest.approx(summary.normalised_mean, abs=1e-6)  # the 0-100 form
        assert value["favourable_share"] == pytest.approx(summary.favourable_share, abs=1e-9)
        bands = rows(
            db, "SELECT band, share FROM indicator_band WHERE campaign_id = ? AND indicator = ?",
            [campaign, scoring.indicator],
        )  # fmt: skip
        assert {b["band"]: b["share"] for b in bands} == pytest.approx(summary.band_shares)


@pytest.mark.parametrize("instrument_id", sorted(WORKED))
def test_the_pipeline_gives_the_reference_scoring_of_each_instrument(pipeline_db, instruments, instrument_id):
    instrument = instruments[instrument_id]
    campaign = instrument_campaign(pipeline_db, instrument, WORKED[instrument_id])
    run_pipeline(pipeline_db, SETTINGS, NOW)
    assert_published_figures(pipeline_db, campaign, instrument, WORKED[instrument_id])


def test_who5_figures_as_published(pipeline_db, instruments):
    """The WHO-5 worked example in numbers: raw x 4, complete answers, bands <= 28, 29-50, > 50."""
    campaign = instrument_campaign(pipeline_db, instruments["who5"], WORKED["who5"])
    run_pipeline(pipeline_db, SETTINGS, NOW)
    value = rows(pipeline_db, "SELECT * FROM indicator_value WHERE campaign_id = ? AND key = 'who5'", [campaign])[0]
    assert (value["n"], value["published_mean"]) == (10, pytest.approx((100 + 52 + 48 + 28 + 0) / 5))
    bands = dict(pipeline_db.execute("SELECT band, count FROM indicator_band WHERE campaign_id = ?", [campaign]))
    assert bands == {"very_low": 4, "poor": 2, "not_poor": 4}


def test_ucla3_favourable_share_counts_the_low_end(pipeline_db, instruments):
    campaign = instrument_campaign(pipeline_db, instruments["ucla3"], WORKED["ucla3"])
    run_pipeline(pipeline_db, SETTINGS, NOW)
    value = rows(pipeline_db, "SELECT * FROM indicator_value WHERE campaign_id = ? AND key = 'ucla3'", [campaign])[0]
    # Published 3, 4, 6, 9, 5: normalised 100, 83, 50, 0, 67; only the two least lonely are favourable.
    assert value["favourable_share"] == pytest.approx(2 / 5)


def test_a_conversion_table_instrument_is_scored_through_its_table(pipeline_db):
    instrument = load_instrument(TABLE_FIXTURE, load_framework(QUESTIONNAIRES_DIR / FRAMEWORK_FILE))
    with write_transaction(pipeline_db):
        pipeline_db["instrument"].insert(
            {"id": instrument.id, "version": 1, "content_hash": instrument.content_hash,
             "source": instrument.source, "registered_at": iso_utc(NOW)}
        )  # fmt: skip
    answer_sets = [(1,) * 7, (2,) * 7, (3,) * 7, (4,) * 7, (5,) * 7, (3, 3, 3, 3, 3, 3, 2), (3, 3, 3, 3, 3, 3, None)]
    campaign = instrument_campaign(pipeline_db, instrument, answer_sets)
    run_pipeline(pipeline_db, SETTINGS, NOW)
    assert_published_figures(pipeline_db, campaign, instrument, answer_sets)
    scores = [r[0] for r in pipeline_db.execute("SELECT published_score FROM response_score ORDER BY response_id")]
    assert scores[:6] == [7.0, 15.32, 19.25, 25.03, 35.0, 18.59]  # the table's metric scores


KEPT = (
    "SELECT * FROM response_score ORDER BY response_id, indicator",
    "SELECT * FROM score_sums ORDER BY campaign_id, indicator",
    "SELECT * FROM score_band_count ORDER BY campaign_id, indicator, band",
    "SELECT campaign_id, kind, key, suppressed, n, mean, sd, ci_low, ci_high, favourable_share, published_mean, "
    "published_sd, published_ci_low, published_ci_high FROM indicator_value ORDER BY campaign_id, kind, key",
    "SELECT campaign_id, indicator, band, count, share FROM indicator_band ORDER BY campaign_id, indicator, band",
)


def test_incremental_runs_and_full_runs_keep_the_same_published_figures(pipeline_db, instruments):
    seed = Seeder(pipeline_db)
    enterprise = seed.enterprise()
    who5, rses = instruments["who5"], instruments["rses"]
    first = instrument_campaign(pipeline_db, who5, WORKED["who5"], enterprise)
    run_pipeline(pipeline_db, SETTINGS, NOW)
    second = instrument_campaign(pipeline_db, rses, WORKED["rses"][:4], enterprise)
    add_responses(pipeline_db, first, [answers_of(who5, v) for v in WORKED["who5"][:3]])
    run_pipeline(pipeline_db, SETTINGS, NOW)
    add_responses(pipeline_db, second, [answers_of(rses, v) for v in WORKED["rses"][4:]])
    run_pipeline(pipeline_db, SETTINGS, NOW)
    incremental = [rows(pipeline_db, sql) for sql in KEPT]
    assert incremental[2] and incremental[4]  # band counts and shares were kept
    run_pipeline(pipeline_db, SETTINGS, NOW, RunRequest(full=True))
    assert [rows(pipeline_db, sql) for sql in KEPT] == incremental


def test_a_questionnaire_without_declared_scoring_has_no_published_score(pipeline_db, instruments):
    """Existing questionnaires keep their figures (test_scoring_default.py checks them against the
    reference's default rule) and a wave with an instrument keeps the questionnaire's own figures."""
    seed = Seeder(pipeline_db)
    enterprise = seed.enterprise()
    plain = seed.campaign(enterprise, **WINDOW)
    answers = {"treated_with_respect": 4, "fits_my_needs": 5, "recommend": 9}
    add_responses(pipeline_db, plain, [answers] * 6)
    with_who5 = instrument_campaign(pipeline_db, instruments["who5"], [], enterprise)
    add_responses(pipeline_db, with_who5, [{**answers, **answers_of(instruments["who5"], (3, 3, 3, 2, 2))}] * 6)
    run_pipeline(pipeline_db, SETTINGS, NOW)
    assert pipeline_db.execute(
        "SELECT COUNT(*) FROM response_score WHERE published_score IS NOT NULL AND indicator != 'who5'"
    ).fetchone() == (0,)
    own = "SELECT key, n, mean, published_mean FROM indicator_value WHERE campaign_id = ? AND kind = 'indicator'"
    plain_rows = rows(pipeline_db, own, [plain])
    assert all(r["published_mean"] is None for r in plain_rows)
    assert [r for r in rows(pipeline_db, own, [with_who5]) if r["key"] != "who5"] == plain_rows
    assert rows(pipeline_db, "SELECT * FROM indicator_band WHERE campaign_id = ?", [plain]) == []


def test_undeclared_indicators_score_the_same_with_or_without_instruments_in_the_run(pipeline_db, instruments):
    """Without any declared scoring the pipeline runs its plain statement alone; with one, a second
    statement scores the declared indicators, and the others must keep exactly the same scores and sums."""
    seed = Seeder(pipeline_db)
    enterprise = seed.enterprise()
    plain = seed.campaign(enterprise, **WINDOW)
    answers = [
        {"treated_with_respect": 4, "fits_my_needs": 5, "recommend": 9},
        {"treated_with_respect": 2, "fits_my_needs": 3, "recommend": 6},
        {"treated_with_respect": 5, "recommend": 10},
    ]
    add_responses(pipeline_db, plain, answers * 3)
    run_pipeline(pipeline_db, SETTINGS, NOW)
    mine = [f"{sql.split(' ORDER BY')[0]} WHERE campaign_id = {plain}" for sql in KEPT[:2]]
    alone = [rows(pipeline_db, sql) for sql in mine]
    instrument_campaign(pipeline_db, instruments["who5"], WORKED["who5"], enterprise)
    run_pipeline(pipeline_db, SETTINGS, NOW, RunRequest(full=True))
    assert [rows(pipeline_db, sql) for sql in mine] == alone and alone[0]


def test_a_questionnaires_own_declared_scoring_is_published(pipeline_db, tmp_path):
    """tests/data/who5.toml encodes WHO-5 as a questionnaire; with a [scoring] table for its
    indicator the pipeline publishes raw x 4 and leaves incomplete respondents out."""
    text = (Path(__file__).parent / "data" / "who5.toml").read_text()
    text += '\n[scoring.self_confidence]\nmethod = "sum_times"\nfactor = 4\nrange = [0, 100]\nmissing = "complete"\n'
    path = tmp_path / "who5.toml"
    path.write_text(text)
    questionnaire = load_questionnaire(path, load_framework(QUESTIONNAIRES_DIR / FRAMEWORK_FILE))
    with write_transaction(pipeline_db):
        pipeline_db["questionnaire"].insert(
            {"id": "who5", "version": 1, "stakeholder_group": "beneficiaries",
             "content_hash": questionnaire.content_hash, "source": questionnaire.source, "registered_at": iso_utc(NOW)}
        )  # fmt: skip
    seed = Seeder(pipeline_db)
    spec = CampaignSpec(seed.enterprise(), "beneficiaries", "who5", 1, "WHO-5", WINDOW["opens_at"],
                        WINDOW["closes_at"], "Europe/Brussels")  # fmt: skip
    with write_transaction(pipeline_db):
        campaign = create_campaign(pipeline_db, spec, NOW)
    items = ("cheerful", "calm", "active", "rested", "interesting")
    complete = [dict(zip(items, raw)) for raw in [(3, 2, 4, 1, 3), (5, 5, 5, 5, 5), (0, 1, 0, 1, 0)] * 2]
    add_responses(pipeline_db, campaign, [*complete, {"cheerful": 5, "calm": 5}])
    run_pipeline(pipeline_db, SETTINGS, NOW)
    value = rows(pipeline_db, "SELECT * FROM indicator_value WHERE campaign_id = ? AND key = 'self_confidence'",
                 [campaign])[0]  # fmt: skip
    assert value["n"] == 6  # the respondent with two items of five is left out
    assert value["published_mean"] == pytest.approx((52 + 100 + 8) / 3)
    assert value["mean"] == pytest.approx(value["published_mean"])  # already on 0-100
