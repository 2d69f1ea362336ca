"""Distance travelled in the pipeline: pairs from hashes, paired results from the kept respondent
scores, only between closed waves, unchanged series left alone, incremental == `--full`, erasure."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from pipeline.runner import RunRequest, run_pipeline
from pipeline.sample.responses import add_responses
from survey_app.core import config
from survey_app.domain import series, series_keys
from survey_app.domain.series_codes import hashes
from tests.app_support import NOW, Seeder

SETTINGS = config.validate({}, "tests")
# feel_confident (agree5, indicator self_confidence) scores (v - 1) / 4 * 100.
BEFORE = [1, 2, 3, 2, 4, 3]  # 0, 25, 50, 25, 75, 50
AFTER = [3, 3, 3, 4, 5, 2]  # 50, 50, 50, 75, 100, 25: changes 50, 25, 0, 50, 25, -25 (sum 125)
CODES = [["A", "1", "0"], ["B", "2", "1"], ["C", "3", "2"], ["D", "4", "3"], ["E", "5", "4"], ["F", "6", "5"]]


pytestmark = pytest.mark.usefixtures("no_charts")  # conftest: the chart hook is skipped


def dump(db) -> str:
    tables = ("paired_result", "series_pair")
    return json.dumps({t: sorted(map(tuple, db.execute(f"SELECT * FROM {t}").fetchall())) for t in tables})


@pytest.fixture
def linked(pipeline_db, tmp_path):
    db, seed = pipeline_db, Seeder(pipeline_db)
    firm = seed.enterprise("Parcours")
    first = seed.campaign(firm, opens_at=NOW - timedelta(days=130), closes_at=NOW - timedelta(days=100))
    second = seed.campaign(firm, opens_at=NOW - timedelta(days=40), closes_at=NOW - timedelta(days=10))
    series_id = series.create(db, firm, "beneficiaries", "Path", "questions", ["mother_initial"] * 3, NOW)
    record = {"id": series_id, "enterprise_id": firm, "stakeholder_group": "beneficiaries"}
    assert series.add_wave(db, record, first) and series.add_wave(db, record, second)
    key = series_keys.load_or_create(tmp_path, series_id)

    def link(response_id, elements):
        series.store_link(db, series_id, response_id, hashes(key, "questions", elements))

    before = add_responses(db, first, [{"feel_confident": v} for v in BEFORE + [5, 5]])
    after = add_responses(db, second, [{"feel_confident": v} for v in AFTER + [1, 1]])
    with db.conn:
        for rid, code in zip(before, CODES + [["Z", "9", "9"], ["Z", "9", "9"]]):  # the last code twice: dropped
            link(rid, code)
        for rid, code in zip(after[:5], CODES[:5]):
            link(rid, code)
        link(after[5], ["F", "6", "7"])  # one element differs from F|6|5: fuzzy, unambiguous
        link(after[6], ["Z", "9", "9"])  # the duplicated baseline code: no pair
        # after[7] declined to link
    return {"series": series_id, "campaigns": (first, second), "before": before, "after": after}


def result(db, indicator="self_confidence") -> dict:
    return dict(db.query("SELECT * FROM paired_result WHERE indicator = ?", [indicator]).__next__())


def test_pairs_and_paired_results_by_hand(pipeline_db, linked):
    run_pipeline(pipeline_db, SETTINGS, NOW)
    row = result(pipeline_db)
    assert (row["pairs"], row["fuzzy_pairs"], row["follow_ups"], row["suppressed"]) == (6, 1, 8, 0)
    assert row["mean_change"] == pytest.approx(125 / 6)
    # 6 of the baseline's 8 respondents are matched: their mean next to the wave's would give away
    # the other two's, so before and after are hidden (the change stays).
    assert (row["mean_before"], row["mean_after"]) == (None, None)
    assert row["match_rate"] == 75.0  # 6 pairs of 8 follow-up responses
    assert row["improved"] is None  # fewer than 10 pairs: no shares
    pairs = pipeline_db.execute("SELECT from_response, to_response, fuzzy FROM series_pair ORDER BY 1").fetchall()
    expected = [(b, a, 0) for b, a in zip(linked["before"][:5], linked["after"][:5])]
    assert [tuple(p) for p in pairs] == expected + [(linked["before"][5], linked["after"][5], 1)]


def test_unchanged_series_are_not_rewritten_and_full_is_identical(pipeline_db, linked):
    run_pipeline(pipeline_db, SETTINGS, NOW)
    first = dump(pipeline_db)
    run_id = run_pipeline(pipeline_db, SETTINGS, NOW)
    counts = json.loads(pipeline_db.execute("SELECT counts FROM pipeline_run WHERE id = ?", [run_id]).fetchone()[0])
    assert counts["series"] == 0 and dump(pipeline_db) == first
    run_pipeline(pipeline_db, SETTINGS, NOW, RunRequest(full=True))
    assert dump(pipeline_db) == first
    pipeline_db.execute("DELETE FROM series_signature")
    run_pipeline(pipeline_db, SETTINGS, NOW, RunRequest(full=True))
    assert dump(pipeline_db) == first


def test_an_open_follow_up_is_not_paired(pipeline_db, linked):
    pipeline_db.execute("UPDATE campaign SET closes_at = '2099-01-01T00:00:00Z' WHERE id = ?", [linked["campaigns"][1]])
    run_pipeline(pipeline_db, SETTINGS, NOW)
    assert dump(pipeline_db) == json.dumps({"paired_result": [], "series_pair": []})


def test_four_pairs_are_suppressed(pipeline_db, linked):
    pipeline_db.execute("DELETE FROM series_link WHERE response_id IN (?, ?)", linked["after"][:2])
    run_pipeline(pipeline_db, SETTINGS, NOW)
    row = result(pipeline_db)
    assert (row["pairs"], row["suppressed"], row["mean_change"], row["match_rate"]) == (4, 1, None, None)


def test_erasing_removes_pairs_and_results_for_good(pipeline_db, linked, tmp_path):
    run_pipeline(pipeline_db, SETTINGS, NOW)
    series.erase(pipeline_db, tmp_path, linked["series"])
    run_pipeline(pipeline_db, SETTINGS, NOW, RunRequest(full=True))
    assert dump(pipeline_db) == json.dumps({"paired_result": [], "series_pair": []})
    assert not series_keys.exists(tmp_path, linked["series"])
