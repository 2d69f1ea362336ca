"""The scoring batch: chunks landed in order by this process and a helper process give the same
kept sums and results as one process; a helper that stops half-way leaves nothing unscored; a
response erased between a chunk's read and its landing is not stored."""

from __future__ import annotations

import logging
import shutil
import time

import pytest

from pipeline import batch, sums
from pipeline.runner import RunRequest, run_pipeline
from pipeline.sample.responses import add_responses
from survey_app.core import config
from survey_app.storage.db import connect, write_transaction
from tests.app_support import NOW, sample_answers

KEPT = ("response_score", "score_sums", "score_band_count", "option_count", "score_campaign", "score_watermark")
RESULTS = ("indicator_value", "campaign_summary", "custom_result")


pytestmark = pytest.mark.usefixtures("no_charts")  # conftest: the chart hook is skipped


@pytest.fixture
def small_chunks(monkeypatch):
    """Chunks of 7 responses (the suite's few hundred responses make dozens of them), each read a
    little slower in this process, so that the helper, half a second to start, still finds chunks
    to claim (it runs the real code in its own process: monkeypatching does not reach it)."""
    monkeypatch.setattr(batch, "CHUNK", 7)
    read_range = sums.read_range

    def slower(db, low, high):
        time.sleep(0.05)
        read_range(db, low, high)

    monkeypatch.setattr(sums, "read_range", slower)


def settings(helper: bool):
    return config.validate({"schedule.scoring_helper": helper}, "tests")


def kept(db) -> dict[str, list]:
    """Every kept and result row, sorted, run ids left out."""
    out = {}
    for table in KEPT + RESULTS:
        rows = [tuple(v for k, v in row.items() if k != "run_id") for row in db.query(f"SELECT * FROM {table}")]
        out[table] = sorted(rows, key=repr)
    return out


def twin(pipeline_db, tmp_path):
    """A copy of the database file, for the same run done the other way."""
    pipeline_db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    path = tmp_path / "twin.db"
    shutil.copyfile(tmp_path / "pipeline.db", path)
    return connect(path)


def test_a_full_rebuild_with_the_helper_equals_one_process_and_the_helper_lands_chunks(
    pipeline_db, waves, small_chunks, tmp_path, caplog
):
    alone = twin(pipeline_db, tmp_path)
    chunks = len(range(0, pipeline_db.execute("SELECT MAX(id) FROM response").fetchone()[0], batch.CHUNK))
    assert chunks >= 2 * batch.HELPER_FROM
    with caplog.at_level(logging.INFO, logger="pipeline.batch"):
        run_pipeline(pipeline_db, settings(True), NOW, RunRequest(full=True))
    run_pipeline(alone, settings(False), NOW, RunRequest(full=True))
    assert kept(pipeline_db) == kept(alone)
    (line,) = [r.getMessage() for r in caplog.records if "helper landed" in r.getMessage()]
    helped = int(line.split("helper landed ")[1].split(" ")[0])
    assert 0 < helped < chunks, line
    # and the weekly run that follows, alone either way, agrees too
    for db in (pipeline_db, alone):
        add_responses(db, waves[3], [sample_answers(i * 5) for i in range(9)])
        run_pipeline(db, settings(True), NOW)
    assert kept(pipeline_db) == kept(alone)


def full_with_a_broken_helper(pipeline_db, tmp_path, monkeypatch, caplog, spoil) -> tuple[dict, dict, list[str]]:
    """Kept rows of a `--full` alone (on a twin) and of one whose helper gets `spoil(tables)` for its
    temporary tables, with the batch's log lines."""
    alone = twin(pipeline_db, tmp_path)
    run_pipeline(alone, settings(False), NOW, RunRequest(full=True))
    tables = batch.temp_tables
    monkeypatch.setattr(batch, "temp_tables", lambda db: spoil(tables(db)))
    with caplog.at_level(logging.INFO, logger="pipeline.batch"):
        run_pipeline(pipeline_db, settings(True), NOW, RunRequest(full=True))
    return kept(alone), kept(pipeline_db), [r.getMessage() for r in caplog.records]


def test_a_helper_that_stops_half_way_leaves_its_chunks_to_this_process(
    pipeline_db, waves, small_chunks, tmp_path, monkeypatch, caplog
):
    # Without the counted questions the helper's first read half fails, after it claimed its chunk.
    alone, helped, lines = full_with_a_broken_helper(
        pipeline_db, tmp_path, monkeypatch, caplog, lambda tables: [t for t in tables if t[0] != "pipeline_counted"]
    )
    assert any("scoring helper stopped" in line for line in lines)
    assert helped == alone


def test_a_helper_that_cannot_start_leaves_every_chunk_to_this_process(
    pipeline_db, waves, small_chunks, tmp_path, monkeypatch, caplog
):
    # A definition the helper refuses: it stops before it claims anything.
    alone, helped, lines = full_with_a_broken_helper(
        pipeline_db, tmp_path, monkeypatch, caplog, lambda tables: [("bad", "CREATE VIEW bad AS SELECT 1", []), *tables]
    )
    assert any("helper landed 0 of" in line for line in lines)
    assert helped == alone


def test_no_helper_for_a_small_batch_or_when_turned_off(pipeline_db, waves, small_chunks, monkeypatch):
    started = []
    monkeypatch.setattr(batch, "_with_helper", lambda *args: started.append(args) or 0)
    run_pipeline(pipeline_db, settings(False), NOW, RunRequest(full=True))
    add_responses(pipeline_db, waves[3], [sample_answers(i) for i in range(2 * batch.CHUNK)])  # two chunks
    run_pipeline(pipeline_db, settings(True), NOW)
    assert started == []


def test_a_response_erased_between_read_and_landing_is_not_stored(pipeline_db, waves, tmp_path):
    run_pipeline(pipeline_db, settings(False), NOW)
    top = pipeline_db.execute("SELECT MAX(id) FROM response").fetchone()[0]
    add_responses(pipeline_db, waves[2], [sample_answers(i) for i in range(6)])
    new = [r[0] for r in pipeline_db.execute("SELECT id FROM response WHERE id > ? ORDER BY id", [top])]
    end = new[-1]
    sums.read_range(pipeline_db, top, end)
    with write_transaction(pipeline_db):  # an erasure lands between the two halves
        pipeline_db.execute("DELETE FROM response WHERE id = ?", [new[1]])
    assert sums.land_range(pipeline_db, top, end) == 5
    stored = {r[0] for r in pipeline_db.execute("SELECT response_id FROM response_score WHERE response_id > ?", [top])}
    assert stored == set(new) - {new[1]}
    lands = kept(pipeline_db)
    run_pipeline(pipeline_db, settings(False), NOW, RunRequest(full=True))
    assert {t: kept(pipeline_db)[t] for t in KEPT[:4]} == {t: lands[t] for t in KEPT[:4]}


def test_a_chunk_cannot_land_before_the_one_below(pipeline_db, waves):
    run_pipeline(pipeline_db, settings(False), NOW)
    top = pipeline_db.execute("SELECT MAX(id) FROM response").fetchone()[0]
    add_responses(pipeline_db, waves[2], [sample_answers(i) for i in range(4)])
    sums.read_range(pipeline_db, top + 2, top + 4)
    with pytest.raises(RuntimeError, match="cannot land"):
        sums.land_range(pipeline_db, top + 2, top + 4)
    assert sums.watermark(pipeline_db) == top


def test_with_the_helper_the_last_chunks_are_scored_in_quarters_and_cover_the_same_ids():
    ranges = [(0, 20_000), (20_000, 40_000), (40_000, 60_000), (60_000, 70_010)]
    finer = batch._finer_tail(ranges)
    assert finer[:2] == ranges[:2]
    assert [high for _, high in finer[2:]] == [45_000, 50_000, 55_000, 60_000, 65_000, 70_000, 70_010]
    assert all(a[1] == b[0] for a, b in zip(finer, finer[1:])) and finer[-1][1] == 70_010
    assert batch._finer_tail([(0, 5)]) == [(0, 5)]  # a range shorter than a quarter stays whole
