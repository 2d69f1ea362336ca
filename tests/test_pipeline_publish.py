"""Open waves move in steps of at least min_group_size respondents; closing publishes final figures;
a change of the threshold republishes; the step holds in every kind of run."""

from __future__ import annotations

from datetime import timedelta

import pytest

from pipeline.runner import RunRequest, run_pipeline
from pipeline.sample.responses import add_responses
from survey_app.core import config
from tests.app_support import NOW, Seeder

SETTINGS = config.validate({}, "tests")


pytestmark = pytest.mark.usefixtures("no_charts")  # conftest: the chart hook is skipped


@pytest.fixture
def open_wave(pipeline_db):
    """A wave open from 7 days before NOW to 21 days after."""
    seed = Seeder(pipeline_db)
    return seed.campaign(seed.enterprise())


def respect(db, campaign_id):
    row = db.execute(
        "SELECT n, mean FROM indicator_value WHERE campaign_id = ? AND kind = 'indicator' AND key = 'respect'",
        [campaign_id],
    ).fetchone()
    return tuple(row) if row else None


def submitted(db, campaign_id):
    return db.execute("SELECT submitted FROM campaign_summary WHERE campaign_id = ?", [campaign_id]).fetchone()[0]


def answer(score: int) -> dict:
    return {"treated_with_respect": score}


def test_open_wave_figures_move_only_in_steps_of_min_group_size(pipeline_db, open_wave):
    add_responses(pipeline_db, open_wave, [answer(5)] * 4)
    run_pipeline(pipeline_db, SETTINGS, NOW)
    assert respect(pipeline_db, open_wave) == (None, None)  # 4: suppressed
    add_responses(pipeline_db, open_wave, [answer(3)])
    run_pipeline(pipeline_db, SETTINGS, NOW)
    assert respect(pipeline_db, open_wave) == (5, 90.0)  # first figures
    for count in (1, 3):  # 6 then 9 respondents: the 5th to 9th person's answers stay unpublished
        add_responses(pipeline_db, open_wave, [answer(1)] * count)
        run_pipeline(pipeline_db, SETTINGS, NOW)
        assert respect(pipeline_db, open_wave) == (5, 90.0)
    assert submitted(pipeline_db, open_wave) == 9  # how many answered is not a score
    add_responses(pipeline_db, open_wave, [answer(1)])
    run_pipeline(pipeline_db, SETTINGS, NOW)
    assert respect(pipeline_db, open_wave) == (10, 45.0)  # 5 new respondents: a step
    add_responses(pipeline_db, open_wave, [answer(5)])
    run_pipeline(pipeline_db, SETTINGS, NOW, RunRequest(full=True))
    assert respect(pipeline_db, open_wave) == (10, 45.0)  # the step holds in a --full run too
    after_close = NOW + timedelta(days=22)
    run_pipeline(pipeline_db, SETTINGS, after_close)
    assert respect(pipeline_db, open_wave) == (11, pytest.approx(50.0))  # closing publishes the final figures


def test_responses_leaving_an_open_wave_also_move_it_only_in_steps(pipeline_db, open_wave):
    ids = add_responses(pipeline_db, open_wave, [answer(5)] * 7 + [answer(1)] * 5)
    run_pipeline(pipeline_db, SETTINGS, NOW)
    assert respect(pipeline_db, open_wave) == (12, pytest.approx(700 / 12))
    pipeline_db.execute("DELETE FROM response WHERE id = ?", [ids[-1]])
    run_pipeline(pipeline_db, SETTINGS, NOW)
    assert respect(pipeline_db, open_wave) == (12, pytest.approx(700 / 12))
    pipeline_db.execute(f"DELETE FROM response WHERE id IN ({', '.join(map(str, ids[7:11]))})")
    run_pipeline(pipeline_db, SETTINGS, NOW)
    assert respect(pipeline_db, open_wave) == (7, 100.0)


def test_a_new_threshold_republishes_held_waves(pipeline_db, open_wave):
    add_responses(pipeline_db, open_wave, [answer(5)] * 6)
    run_pipeline(pipeline_db, SETTINGS, NOW)
    add_responses(pipeline_db, open_wave, [answer(1)] * 2)
    run_pipeline(pipeline_db, SETTINGS, NOW)
    assert respect(pipeline_db, open_wave) == (6, 100.0)
    stricter = SETTINGS.override({"privacy.min_group_size": 7})
    run_pipeline(pipeline_db, stricter, NOW)
    assert respect(pipeline_db, open_wave) == (8, 75.0)  # 6 < 7 could not stay shown
