"""A validated instrument encoded in the questionnaire format gives its published score:
WHO-5 (six options 0-5, published score = raw sum x 4) equals the pipeline's 0-100 indicator."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from pipeline.runner import run_pipeline
from pipeline.sample.responses import add_responses
from survey_app.core import config
from survey_app.core.timeutil import iso_utc
from survey_app.domain.campaigns import CampaignSpec, create_campaign
from survey_app.questionnaire.loader import load_framework, load_questionnaire
from survey_app.questionnaire.registry import FRAMEWORK_FILE, QUESTIONNAIRES_DIR
from survey_app.storage.db import write_transaction
from tests.app_support import NOW, Seeder

SETTINGS = config.validate({}, "tests")


pytestmark = pytest.mark.usefixtures("no_charts")  # conftest: the chart hook is skipped


WHO5 = Path(__file__).parent / "data" / "who5.toml"
ITEMS = ("cheerful", "calm", "active", "rested", "interesting")
RESPONSE_SETS = [(5, 5, 5, 5, 5), (0, 0, 0, 0, 0), (3, 2, 4, 1, 3), (1, 0, 2, 5, 4), (4, 4, 3, 3, 5)]


def who5_campaign(db, enterprise_id, closes_days_ago=2) -> int:
    spec = CampaignSpec(
        enterprise_id,
        "beneficiaries",
        "who5",
        1,
        "WHO-5",
        NOW - timedelta(days=closes_days_ago + 28),
        NOW - timedelta(days=closes_days_ago),
        "Europe/Brussels",
    )
    with write_transaction(db):
        return create_campaign(db, spec, NOW)


def published_score(raw: tuple[int, ...]) -> int:
    return sum(raw) * 4


@pytest.fixture
def who5_registered(pipeline_db):
    questionnaire = load_questionnaire(WHO5, load_framework(QUESTIONNAIRES_DIR / FRAMEWORK_FILE))
    with write_transaction(pipeline_db):
        pipeline_db["questionnaire"].insert(
            {
                "id": "who5",
                "version": 1,
                "stakeholder_group": "beneficiaries",
                "content_hash": questionnaire.content_hash,
                "source": questionnaire.source,
                "registered_at": iso_utc(NOW),
            }
        )
    return pipeline_db


@pytest.fixture
def who5_campaigns(who5_registered, pipeline_db):
    seed = Seeder(pipeline_db)
    campaigns = []
    for i, raw in enumerate(RESPONSE_SETS):
        campaign = who5_campaign(pipeline_db, seed.enterprise(f"Bien-être {i}"))
        add_responses(pipeline_db, campaign, [dict(zip(ITEMS, raw))] * 5)
        campaigns.append(campaign)
    return campaigns


def test_who5_indicator_equals_the_published_score(pipeline_db, who5_campaigns):
    run_pipeline(pipeline_db, SETTINGS, NOW)
    for campaign, raw in zip(who5_campaigns, RESPONSE_SETS):
        row = next(
            pipeline_db.query("SELECT * FROM indicator_value WHERE campaign_id = ? AND kind = 'indicator'", [campaign])
        )
        assert row["key"] == "self_confidence"
        assert row["mean"] == pytest.approx(published_score(raw), abs=1e-9)


def test_who5_mean_of_mixed_respondents_equals_mean_of_published_scores(pipeline_db, who5_campaigns):
    mixed = who5_campaign(pipeline_db, Seeder(pipeline_db).enterprise("Mixte"))
    add_responses(pipeline_db, mixed, [dict(zip(ITEMS, raw)) for raw in RESPONSE_SETS])
    run_pipeline(pipeline_db, SETTINGS, NOW)
    row = next(pipeline_db.query("SELECT * FROM indicator_value WHERE campaign_id = ? AND kind = 'indicator'", [mixed]))
    expected = [published_score(raw) for raw in RESPONSE_SETS]
    assert row["mean"] == pytest.approx(sum(expected) / len(expected))
    assert row["favourable_share"] == pytest.approx(sum(s >= 75 for s in expected) / len(expected))


def test_identical_scores_give_an_sd_of_exactly_zero_and_no_trend_test(pipeline_db, who5_registered):
    """Three of five items answered: 26.67 and 33.33 are not exact in binary, and the one-pass
    variance gave sd 5.5e-07 for identical scores, then a "significant" trend with p = 0."""
    firm = Seeder(pipeline_db).enterprise("Constante")
    before = who5_campaign(pipeline_db, firm, closes_days_ago=400)
    after = who5_campaign(pipeline_db, firm, closes_days_ago=2)
    add_responses(pipeline_db, before, [{"cheerful": 1, "calm": 1, "active": 2}] * 8)  # (20 + 20 + 40) / 3
    add_responses(pipeline_db, after, [{"cheerful": 1, "calm": 2, "active": 2}] * 10)  # (20 + 40 + 40) / 3
    run_pipeline(pipeline_db, SETTINGS, NOW)
    rows = {
        r["campaign_id"]: r
        for r in pipeline_db.query("SELECT * FROM indicator_value WHERE kind = 'indicator' AND key = 'self_confidence'")
    }
    assert rows[before]["sd"] == 0.0 and rows[after]["sd"] == 0.0
    assert rows[before]["ci_low"] == rows[before]["ci_high"] == rows[before]["mean"]
    assert rows[after]["delta"] == pytest.approx(20 / 3)
    assert rows[after]["delta_p"] is None and rows[after]["delta_significant"] is None
