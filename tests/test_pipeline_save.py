"""Saving: crash mid-save keeps previous results and records the failed run; reruns are
byte-identical; an incremental run equals a full one; two concurrent runs produce one."""

from __future__ import annotations

import json
import threading
from datetime import timedelta

import pytest

from pipeline import lease, runner, save
from pipeline.runner import RunRequest, run_pipeline
from pipeline.sample.responses import add_responses
from survey_app.core import config
from survey_app.storage.db import connect
from tests.app_support import NOW, Seeder, sample_answers, stored_with_benchmarks, two_closed_waves

SETTINGS = config.validate({}, "tests")


pytestmark = pytest.mark.usefixtures("no_charts")  # conftest: the chart hook is skipped


TABLES = ("indicator_value", "custom_result", "testimony", "campaign_summary")


def dump(db) -> str:
    """Every result row, sorted, without run_id: equal dumps mean byte-identical results."""
    out = {}
    for table in TABLES:
        rows = [{k: v for k, v in r.items() if k != "run_id"} for r in db.query(f"SELECT * FROM {table}")]
        out[table] = sorted(rows, key=lambda r: json.dumps(r, sort_keys=True))
    return json.dumps(out, sort_keys=True)


@pytest.fixture
def data(pipeline_db):
    """Seven enterprises with two waves each, enough for benchmarks and trends."""
    seed = Seeder(pipeline_db)
    campaigns = []
    for e in range(7):
        campaigns += two_closed_waves(pipeline_db, seed, seed.enterprise(f"Entreprise {e}", consent=e != 3), e, False)
    return campaigns


def test_rerun_gives_byte_identical_results(pipeline_db, data):
    run_pipeline(pipeline_db, SETTINGS, NOW)
    first = dump(pipeline_db)
    run_pipeline(pipeline_db, SETTINGS, NOW, RunRequest(full=True))
    assert dump(pipeline_db) == first
    assert any(r["bench_median"] is not None for r in stored_with_benchmarks(pipeline_db))
    assert pipeline_db.execute("SELECT COUNT(*) FROM indicator_value WHERE delta IS NOT NULL").fetchone()[0]


def test_failure_mid_save_keeps_previous_results_and_records_the_error(pipeline_db, data, monkeypatch):
    run_pipeline(pipeline_db, SETTINGS, NOW)
    before = dump(pipeline_db)
    add_responses(pipeline_db, data[-1], [sample_answers(i, False) for i in range(40)])

    def explode(*args, **kwargs):
        raise RuntimeError("disk on fire")

    with monkeypatch.context() as patch, pytest.raises(RuntimeError):
        patch.setattr(save, "insert_testimonies", explode)  # after values and custom rows were written
        run_pipeline(pipeline_db, SETTINGS, NOW + timedelta(days=1))
    assert dump(pipeline_db) == before
    failed = list(pipeline_db.query("SELECT * FROM pipeline_run ORDER BY id DESC LIMIT 1"))[0]
    assert failed["status"] == "failed" and "disk on fire" in failed["error"]
    assert lease.current(pipeline_db) is None  # the lease was released

    run_pipeline(pipeline_db, SETTINGS, NOW + timedelta(days=1))  # incremental rerun after the failure
    recovered = dump(pipeline_db)
    run_pipeline(pipeline_db, SETTINGS, NOW + timedelta(days=1), RunRequest(full=True))
    assert dump(pipeline_db) == recovered != before


def test_incremental_equals_full_after_new_responses(pipeline_db, data):
    run_pipeline(pipeline_db, SETTINGS, NOW)
    add_responses(pipeline_db, data[1], [sample_answers(i * 5, False) for i in range(9)])  # a latest wave moves peers
    add_responses(
        pipeline_db, data[4], [sample_answers(i * 3, False) for i in range(2)]
    )  # an earlier wave moves a trend
    run_id = run_pipeline(pipeline_db, SETTINGS, NOW)
    counts = json.loads(pipeline_db.execute("SELECT counts FROM pipeline_run WHERE id = ?", [run_id]).fetchone()[0])
    assert counts["recomputed"] == 2
    incremental = dump(pipeline_db)
    run_pipeline(pipeline_db, SETTINGS, NOW, RunRequest(full=True))
    assert dump(pipeline_db) == incremental


def rewritten(db, run_id) -> set[int]:
    """Campaigns with an own row written by the run."""
    return {
        r[0]
        for table in ("indicator_value", "custom_result")
        for r in db.execute(f"SELECT campaign_id FROM {table} WHERE run_id = ?", [run_id])
    }


def test_run_over_every_campaign_rewrites_only_waves_whose_digest_or_rows_moved(pipeline_db, data):
    run_pipeline(pipeline_db, SETTINGS, NOW)
    before = dump(pipeline_db)
    assert rewritten(pipeline_db, run_pipeline(pipeline_db, SETTINGS, NOW, RunRequest(everything=True))) == set()
    wrong_digest, wrong_rows, no_digest = data[0], data[2], data[5]
    pipeline_db.execute("UPDATE result_digest SET digest = x'00' WHERE campaign_id = ?", [wrong_digest])
    # Waves saved before digests existed: compared with their stored rows.
    pipeline_db.execute("DELETE FROM result_digest WHERE campaign_id IN (?, ?)", [wrong_rows, no_digest])
    pipeline_db.execute(
        "UPDATE indicator_value SET mean = mean + 1 WHERE campaign_id = ? AND kind = 'indicator'", [wrong_rows]
    )
    pipeline_db.conn.commit()
    run_id = run_pipeline(pipeline_db, SETTINGS, NOW, RunRequest(everything=True))
    assert rewritten(pipeline_db, run_id) == {wrong_digest, wrong_rows}
    assert dump(pipeline_db) == before
    stored = dict(pipeline_db.execute("SELECT campaign_id, digest FROM result_digest").fetchall())
    assert set(stored) == {c for c in data if c != no_digest} and len(stored[wrong_digest]) == 16


def test_digest_depends_on_the_figures_only():
    from dataclasses import replace

    from pipeline.digests import digest
    from pipeline.model import CampaignResult, CustomResult, IndicatorValue

    def result(key: str, mean: float) -> CampaignResult:
        value = IndicatorValue(1, 2, "workers", "indicator", key, "workers", 3, False, None, 7, mean, 12.0)
        return CampaignResult(1, (value,), (CustomResult(1, "c_pick", "a", False, 3, 0.5),), None)

    same = result("".join(["vo", "ice"]), 55.5)  # equal strings, other objects
    assert digest(result("voice", 55.5)) == digest(same)
    assert digest(result("voice", 55.5)) != digest(result("voice", 55.500000000001))
    moved = replace(same.values[0], delta=1.0, previous_campaign_id=5)  # comparison fields are not own figures
    assert digest(replace(same, values=(moved,))) == digest(same)


def test_two_concurrent_runs_produce_one(pipeline_db, data, tmp_path, monkeypatch):
    path = pipeline_db.conn.execute("PRAGMA database_list").fetchone()[2]
    started, release = threading.Event(), threading.Event()
    original = save.save_all

    def slow_save(*args, **kwargs):
        started.set()
        release.wait(10)
        return original(*args, **kwargs)

    monkeypatch.setattr(save, "save_all", slow_save)
    results = {}

    def worker(name):
        db = connect(path)
        try:
            results[name] = run_pipeline(db, SETTINGS, NOW, RunRequest(trigger="schedule"))
        finally:
            db.close()

    first = threading.Thread(target=worker, args=("first",))
    first.start()
    assert started.wait(10)
    worker("second")  # while the first holds the lease
    release.set()
    first.join(10)
    assert results["second"] is None and results["first"] is not None
    assert pipeline_db.execute("SELECT COUNT(*) FROM pipeline_run").fetchone()[0] == 1


def test_expired_lease_is_taken_over_and_stale_running_runs_are_closed(pipeline_db, data):
    assert lease.acquire(pipeline_db, "dead-process", NOW - timedelta(hours=2))
    pipeline_db.execute(
        "INSERT INTO pipeline_run (trigger, started_at, status) VALUES ('cli', '2026-03-04T07:00:00Z', 'running')"
    )
    assert not lease.acquire(pipeline_db, "other", NOW - timedelta(hours=2))
    assert run_pipeline(pipeline_db, SETTINGS, NOW) is not None
    statuses = [r["status"] for r in pipeline_db.query("SELECT status FROM pipeline_run ORDER BY id")]
    assert statuses == ["failed", "success"]


def test_chart_hook_gets_the_recomputed_campaigns_after_saving(pipeline_db, data, monkeypatch):
    calls = []

    def hook(db, settings, run_id, campaign_ids):
        saved = db.execute("SELECT COUNT(*) FROM indicator_value WHERE run_id = ?", [run_id]).fetchone()[0]
        calls.append((campaign_ids, saved))
        return 3

    monkeypatch.setattr(runner, "render_charts", hook)
    run_id = run_pipeline(pipeline_db, SETTINGS, NOW)
    assert calls == [(sorted(data), calls[0][1])] and calls[0][1] > 0  # results were saved before charts
    counts = json.loads(pipeline_db.execute("SELECT counts FROM pipeline_run WHERE id = ?", [run_id]).fetchone()[0])
    assert counts["charts"] == 3
    run_pipeline(pipeline_db, SETTINGS, NOW, RunRequest(charts=False))
    assert len(calls) == 1


def test_lease_of_a_killed_process_on_this_machine_is_taken_over_at_once(db):
    """A run killed by hand (kill -9) must not block the next run for the lease's lifetime."""
    import socket
    import subprocess
    import sys

    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    dead = f"{socket.gethostname()}:{child.pid}:1:deadbeef"
    assert lease.acquire(db, dead, NOW)
    assert lease.holder_is_dead(dead)
    # A holder in this very process is alive: it keeps the lease against a newcomer.
    assert lease.acquire(db, lease.new_holder(), NOW + timedelta(seconds=5))
    assert not lease.acquire(db, lease.new_holder(), NOW + timedelta(seconds=7))
    assert not lease.holder_is_dead("elsewhere:1:1:x")


def test_a_campaign_deleted_or_a_response_erased_after_the_read_leaves_no_orphan_row(pipeline_db, waves, monkeypatch):
    """Foreign keys are checked by query in the save (save.drop_orphans): what was deleted between
    the run's read snapshot and its save is not written back, exactly as the cascades would have it."""
    from pipeline import plan

    with_texts = pipeline_db.execute(
        "SELECT r.campaign_id, r.id FROM response r JOIN answer a ON a.response_id = r.id "
        "WHERE TRIM(COALESCE(a.value_text, '')) != '' AND r.campaign_id != ? ORDER BY r.id LIMIT 1",
        [waves[0]],
    ).fetchone()
    assert with_texts is not None
    original = plan.compare

    def then_delete(db, *args):
        changes = original(db, *args)
        other = connect(db.execute("PRAGMA database_list").fetchone()[2])  # another connection, its own checks
        with other.conn:
            other.execute("DELETE FROM campaign WHERE id = ?", [waves[0]])
            other.execute("DELETE FROM response WHERE id = ?", [with_texts[1]])
        other.close()
        return changes

    monkeypatch.setattr(plan, "compare", then_delete)
    run_pipeline(pipeline_db, SETTINGS, NOW, RunRequest(full=True))
    assert pipeline_db.execute("PRAGMA foreign_key_check").fetchall() == []
    for table in save.CAMPAIGN_ROWS:
        assert not pipeline_db.execute(f"SELECT 1 FROM {table} WHERE campaign_id = ?", [waves[0]]).fetchall()
    assert not pipeline_db.execute("SELECT 1 FROM testimony WHERE response_id = ?", [with_texts[1]]).fetchall()
    assert pipeline_db.execute("SELECT 1 FROM testimony WHERE campaign_id = ?", [with_texts[0]]).fetchall()
    assert pipeline_db.execute("PRAGMA foreign_keys").fetchone()[0] == 1  # back on for the connection
