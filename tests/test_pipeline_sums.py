"""Kept sums: each response scored once, sums exact, full == incremental == `--full` byte for byte,
deleted responses never leave stale sums, and the seam for other scoring rules."""

from __future__ import annotations

import json
import statistics
from dataclasses import astuple, replace

import pytest

from pipeline import batch, kept_sums, lease, runner, save, scoring
from pipeline.model import IndicatorValue
from pipeline.runner import RunRequest, run_pipeline
from pipeline.sample.responses import add_responses
from survey_app.core import config
from survey_app.domain.benchmarks import with_benchmarks
from tests.app_support import NOW, sample_answers, stored_with_benchmarks

SETTINGS = config.validate({}, "tests")
TABLES = ("indicator_value", "campaign_summary", "custom_result", "testimony", "benchmark_pool", "benchmark_wave")


pytestmark = pytest.mark.usefixtures("no_charts")  # conftest: the chart hook is skipped


def dump(db) -> str:
    """Every result row, sorted, without run_id: equal dumps mean byte-identical results."""
    out = {}
    for table in TABLES:
        rows = list(db.query(f"SELECT * FROM {table}"))
        if table == "indicator_value":
            rows = with_benchmarks(db, rows)  # and so the figures derived from the saved pools
        rows = [{k: v for k, v in r.items() if k != "run_id"} for r in rows]
        out[table] = sorted(rows, key=lambda r: json.dumps(r, sort_keys=True))
    return json.dumps(out, sort_keys=True)


def test_full_incremental_and_rebuild_from_raw_answers_are_byte_identical(pipeline_db, waves):
    run_pipeline(pipeline_db, SETTINGS, NOW)
    add_responses(pipeline_db, waves[3], [sample_answers(i * 5) for i in range(9)])  # a latest wave: peers move
    add_responses(pipeline_db, waves[4], [sample_answers(i * 3) for i in range(2)])  # an earlier wave: a trend moves
    add_responses(pipeline_db, waves[-1], [sample_answers(i * 7) for i in range(5)])  # the open wave: one full step
    run_id = run_pipeline(pipeline_db, SETTINGS, NOW)
    counts = json.loads(pipeline_db.execute("SELECT counts FROM pipeline_run WHERE id = ?", [run_id]).fetchone()[0])
    assert counts["recomputed"] == 3 and counts["scored"] == 16
    incremental = dump(pipeline_db)
    run_pipeline(pipeline_db, SETTINGS, NOW, RunRequest(everything=True))
    assert dump(pipeline_db) == incremental
    run_pipeline(pipeline_db, SETTINGS, NOW, RunRequest(full=True))
    assert dump(pipeline_db) == incremental
    assert any(r["bench_median"] is not None for r in stored_with_benchmarks(pipeline_db))
    assert pipeline_db.execute("SELECT COUNT(*) FROM indicator_value WHERE delta IS NOT NULL").fetchone()[0]


def test_responses_scored_between_runs_give_the_weekly_run_the_same_results(pipeline_db, waves):
    run_pipeline(pipeline_db, SETTINGS, NOW)
    add_responses(pipeline_db, waves[3], [sample_answers(i * 5) for i in range(9)])
    add_responses(pipeline_db, waves[-1], [sample_answers(i * 7) for i in range(5)])
    watermark = pipeline_db.execute("SELECT watermark FROM score_watermark").fetchone()[0]
    scored = runner.score_pending(pipeline_db, SETTINGS, NOW)  # the scheduler's scoring batch
    assert scored is not None and scored.responses == 14 and scored.watermark == watermark + 14
    assert not batch.pending(pipeline_db)
    assert runner.score_pending(pipeline_db, SETTINGS, NOW) == batch.Scored(0, 0, scored.watermark)
    run_id = run_pipeline(pipeline_db, SETTINGS, NOW)
    counts = json.loads(pipeline_db.execute("SELECT counts FROM pipeline_run WHERE id = ?", [run_id]).fetchone()[0])
    assert counts["scored"] == 0 and counts["recomputed"] == 2  # the run read the sums the batch kept
    weekly = dump(pipeline_db)
    run_pipeline(pipeline_db, SETTINGS, NOW, RunRequest(full=True))
    assert dump(pipeline_db) == weekly


def test_a_scoring_batch_leaves_new_responses_to_the_run_that_holds_the_lease(pipeline_db, waves):
    run_pipeline(pipeline_db, SETTINGS, NOW)
    add_responses(pipeline_db, waves[3], [sample_answers(i) for i in range(3)])
    assert lease.acquire(pipeline_db, "another:1:1:run", NOW)
    assert runner.score_pending(pipeline_db, SETTINGS, NOW) is None
    assert batch.pending(pipeline_db)  # still above the watermark: the run holding the lease scores them
    lease.release(pipeline_db, "another:1:1:run")
    assert runner.score_pending(pipeline_db, SETTINGS, NOW).responses == 3
    pipeline_db.execute(
        "DELETE FROM response WHERE id = (SELECT MIN(id) FROM response WHERE campaign_id = ?)", [waves[3]]
    )
    assert batch.pending(pipeline_db)  # an erasure marks the campaign stale: the next batch rebuilds it
    assert runner.score_pending(pipeline_db, SETTINGS, NOW).rebuilt == 1


def test_each_response_is_scored_once_and_sums_are_exact(pipeline_db, waves):
    run_pipeline(pipeline_db, SETTINGS, NOW)
    scored = pipeline_db.execute("SELECT COUNT(DISTINCT response_id) FROM response_score").fetchone()[0]
    assert scored == pipeline_db.execute("SELECT COUNT(*) FROM response").fetchone()[0]
    run_id = run_pipeline(pipeline_db, SETTINGS, NOW)  # nothing new: nothing scored, nothing recomputed
    counts = json.loads(pipeline_db.execute("SELECT counts FROM pipeline_run WHERE id = ?", [run_id]).fetchone()[0])
    assert (counts["scored"], counts["recomputed"], counts["rebuilt"]) == (0, 0, 0)
    campaign = waves[1]
    scores = [
        r[0]
        for r in pipeline_db.execute(
            "SELECT score FROM response_score WHERE campaign_id = ? AND indicator = 'social_ties'", [campaign]
        )
    ]
    (kept,) = kept_sums.load_sums(pipeline_db, [campaign])[campaign][-1:]
    assert kept.indicator == "social_ties" and kept.n == len(scores)
    assert kept.total == sum(round(s * scoring.MICRO) for s in scores)
    assert kept.squares == sum(round(s * scoring.MICRO) ** 2 for s in scores)
    row = next(
        pipeline_db.query("SELECT * FROM indicator_value WHERE campaign_id = ? AND key = 'social_ties'", [campaign])
    )
    assert row["mean"] == pytest.approx(statistics.mean(scores), abs=1e-9)
    assert row["sd"] == pytest.approx(statistics.stdev(scores), abs=1e-9)


def test_deleted_responses_are_taken_out_of_the_sums(pipeline_db, waves):
    run_pipeline(pipeline_db, SETTINGS, NOW)
    target = waves[5]
    doomed = [r[0] for r in pipeline_db.execute("SELECT id FROM response WHERE campaign_id = ? LIMIT 3", [target])]
    pipeline_db.execute(f"DELETE FROM response WHERE id IN ({', '.join('?' for _ in doomed)})", doomed)
    run_id = run_pipeline(pipeline_db, SETTINGS, NOW)
    counts = json.loads(pipeline_db.execute("SELECT counts FROM pipeline_run WHERE id = ?", [run_id]).fetchone()[0])
    assert counts["rebuilt"] == 1 and counts["recomputed"] == 1
    left = pipeline_db.execute("SELECT COUNT(*) FROM response WHERE campaign_id = ?", [target]).fetchone()[0]
    n = pipeline_db.execute(
        "SELECT n FROM indicator_value WHERE campaign_id = ? AND key = 'respect'", [target]
    ).fetchone()[0]
    assert n == left
    after_delete = dump(pipeline_db)
    run_pipeline(pipeline_db, SETTINGS, NOW, RunRequest(full=True))
    assert dump(pipeline_db) == after_delete


def test_a_reused_response_id_below_the_watermark_is_scored(pipeline_db, waves):
    run_pipeline(pipeline_db, SETTINGS, NOW)
    top = pipeline_db.execute("SELECT MAX(id) FROM response").fetchone()[0]
    pipeline_db.execute("DELETE FROM response WHERE id = ?", [top])  # SQLite gives the next insert this id again
    (reused,) = add_responses(pipeline_db, waves[0], [sample_answers(99)])
    assert reused == top
    run_pipeline(pipeline_db, SETTINGS, NOW)
    incremental = dump(pipeline_db)
    run_pipeline(pipeline_db, SETTINGS, NOW, RunRequest(full=True))
    assert dump(pipeline_db) == incremental


def test_unchanged_benchmark_pools_keep_their_stored_figures(pipeline_db, waves):
    run_pipeline(pipeline_db, SETTINGS, NOW)
    add_responses(pipeline_db, waves[17], [sample_answers(i) for i in range(7)])  # the latest wave of a care enterprise
    run_id = run_pipeline(pipeline_db, SETTINGS, NOW)
    touched = {
        r[0]
        for r in pipeline_db.execute(
            "SELECT DISTINCT e.sector_group FROM indicator_value v JOIN enterprise e ON e.id = v.enterprise_id "
            "WHERE v.run_id = ?",
            [run_id],
        )
    }
    assert touched == {"care"}  # nothing of the integration pools was rewritten


def test_value_rows_are_built_in_column_order():
    value = IndicatorValue(
        1, 2, "workers", "indicator", "voice", "workers", 3, False, None, 7, 55.5, 12.0, 40.0, 71.0, 0.4,
        9, 2.5, 0.3, True, 50.0, 4.0, 40.0, 60.0,
    )  # fmt: skip
    expected = list(astuple(value))
    expected[save.VALUE_COLUMNS.index("suppressed")] = 0
    expected[save.VALUE_COLUMNS.index("delta_significant")] = 1
    assert save._value_row(value, 42) == (*expected, 42)


def test_the_rule_is_a_parameter_sum_with_every_item_required(pipeline_db, waves, monkeypatch):
    default_rules = scoring.rules_for

    def with_sum(questionnaires):
        return [
            scoring.ScoringRule(r.questionnaire_id, r.version, r.indicator, r.items, "sum", r.items)
            if r.indicator == "fit_with_needs"
            else r
            for r in default_rules(questionnaires)
        ]

    monkeypatch.setattr(scoring, "rules_for", with_sum)
    run_pipeline(pipeline_db, SETTINGS, NOW)
    rows = dict(
        pipeline_db.execute(
            "SELECT response_id, score FROM response_score WHERE indicator = 'fit_with_needs' AND campaign_id = ?",
            [waves[0]],
        ).fetchall()
    )
    answered = {
        r[0]: r[1:]
        for r in pipeline_db.execute(
            "SELECT a.response_id, a.value_num, b.value_num FROM response r "
            "JOIN answer a ON a.response_id = r.id AND a.question_id = 'fits_my_needs' "
            "JOIN answer b ON b.response_id = r.id AND b.question_id = 'easy_to_access' AND b.dont_know = 0 "
            "WHERE r.campaign_id = ?",
            [waves[0]],
        )
    }
    assert rows and set(rows) == set(answered)  # a "don't know" leaves no score when every item is required
    for response_id, (first, second) in answered.items():
        assert rows[response_id] == pytest.approx(((first - 1) * 25 + (second - 1) * 25) / 2)
    with pytest.raises(ValueError):
        scoring.ScoringRule("x", 1, "y", 2, "median")


def test_an_edited_campaign_is_rebuilt_from_its_raw_answers(pipeline_db, waves):
    run_pipeline(pipeline_db, SETTINGS, NOW)
    custom = [{"id": "c_pick", "type": "single", "options": [{"value": v} for v in "abcd"]}]
    pipeline_db.execute("UPDATE campaign SET custom_questions = ? WHERE id = ?", [json.dumps(custom), waves[6]])
    run_id = run_pipeline(pipeline_db, SETTINGS, NOW)
    counts = json.loads(pipeline_db.execute("SELECT counts FROM pipeline_run WHERE id = ?", [run_id]).fetchone()[0])
    assert (counts["rebuilt"], counts["recomputed"]) == (1, 1)
    options = {r[0] for r in pipeline_db.execute("SELECT option FROM custom_result WHERE campaign_id = ?", [waves[6]])}
    assert options == {"a", "b", "c", "d"}
    edited = dump(pipeline_db)
    run_pipeline(pipeline_db, SETTINGS, NOW, RunRequest(full=True))
    assert dump(pipeline_db) == edited


def test_run_over_every_campaign_rewrites_only_what_a_changed_rule_moved(pipeline_db, waves, monkeypatch):
    from pipeline import compute

    run_pipeline(pipeline_db, SETTINGS, NOW)
    monkeypatch.setattr(compute, "SCALE", (0.0, 60.0))  # as if the intervals' upper bound changed
    run_id = run_pipeline(pipeline_db, SETTINGS, NOW, RunRequest(everything=True))
    counts = json.loads(pipeline_db.execute("SELECT counts FROM pipeline_run WHERE id = ?", [run_id]).fetchone()[0])
    moved = {r[0] for r in pipeline_db.execute("SELECT DISTINCT campaign_id FROM indicator_value WHERE ci_high = 60.0")}
    rewritten = {
        r[0] for r in pipeline_db.execute("SELECT DISTINCT campaign_id FROM custom_result WHERE run_id = ?", [run_id])
    }
    assert counts["recomputed"] == len(waves) and moved and rewritten == moved


def test_new_scoring_rules_rescore_everything_in_chunks(pipeline_db, waves, monkeypatch):
    run_pipeline(pipeline_db, SETTINGS, NOW)
    default_rules = scoring.rules_for
    strict = lambda q: [replace(r, min_answered=r.items) for r in default_rules(q)]  # noqa: E731
    monkeypatch.setattr(scoring, "rules_for", strict)
    monkeypatch.setattr(batch, "REBUILD_ONE_BY_ONE", 2)
    run_id = run_pipeline(pipeline_db, SETTINGS, NOW)
    counts = json.loads(pipeline_db.execute("SELECT counts FROM pipeline_run WHERE id = ?", [run_id]).fetchone()[0])
    total = pipeline_db.execute("SELECT COUNT(*) FROM response").fetchone()[0]
    assert counts["rebuilt"] == len(waves) and counts["scored"] == total
    rescored = dump(pipeline_db)
    run_pipeline(pipeline_db, SETTINGS, NOW, RunRequest(full=True))
    assert dump(pipeline_db) == rescored
    fit = pipeline_db.execute("SELECT COUNT(*) FROM response_score WHERE indicator = 'fit_with_needs'").fetchone()[0]
    both = pipeline_db.execute(
        "SELECT COUNT(*) FROM answer WHERE question_id = 'easy_to_access' AND dont_know = 0"
    ).fetchone()[0]
    assert fit == both  # every item required: a "don't know" leaves no score
