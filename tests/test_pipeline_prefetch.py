"""Work of a `--full` done while the scoring batch waits for its helper (prefetch.py): only waves
whose responses have all landed, taken by the plan only in the same state, the same results either
way, and a response erased after its texts were read leaves no testimony."""

from __future__ import annotations

import multiprocessing
import shutil
import threading

import pytest

from pipeline import batch, compute, kept_sums, read, runner
from pipeline.model import CampaignData
from pipeline.prefetch import WAVES_PER_STEP, Prefetch, text_questions
from pipeline.runner import RunRequest, _inputs, run_pipeline
from pipeline.turns import Turns
from survey_app.core import config
from survey_app.storage.db import connect
from tests.app_support import NOW

pytestmark = pytest.mark.usefixtures("no_charts")  # conftest: the chart hook is skipped
SETTINGS = config.validate({}, "tests")
MIN_GROUP = SETTINGS.privacy.min_group_size
SHOWN = ("indicator_value", "custom_result", "indicator_band", "testimony", "campaign_summary")


def shown(db) -> dict[str, list]:
    """Every result row a page can show, sorted, run ids left out."""
    out = {}
    for table in SHOWN:
        rows = [tuple(v for k, v in row.items() if k != "run_id") for row in db.query(f"SELECT * FROM {table}")]
        out[table] = sorted(rows, key=repr)
    return out


def top(db) -> int:
    return db.execute("SELECT COALESCE(MAX(id), 0) FROM response").fetchone()[0]


def twin(pipeline_db, tmp_path):
    pipeline_db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    path = tmp_path / "twin.db"
    shutil.copyfile(tmp_path / "pipeline.db", path)
    return connect(path)


def test_a_step_computes_only_waves_that_landed_as_the_plan_would_and_only_that_state_is_taken(pipeline_db, waves):
    run_pipeline(pipeline_db, SETTINGS, NOW, RunRequest(full=True))  # every response scored
    framework, questionnaires, campaigns = _inputs(pipeline_db, NOW)
    early = Prefetch(pipeline_db, campaigns, framework, questionnaires, MIN_GROUP)
    high = top(pipeline_db)
    first_last = early.last[0]
    assert not early.step(high, first_last - 1) and early.early == {}  # nothing landed yet: nothing to do
    early.step(high, first_last)
    assert set(early.early) == {c.id for c, last in zip(early.waves, early.last) if last <= first_last}
    steps = 1
    while early.step(high, high):
        steps += 1
    assert len(early.early) == len(campaigns) and steps >= len(campaigns) // WAVES_PER_STEP
    state, sums = kept_sums.campaign_state(pipeline_db), kept_sums.load_sums(pipeline_db, [c.id for c in campaigns])
    options = kept_sums.load_options(pipeline_db, [c.id for c in campaigns])
    shown_texts = 0
    for c in campaigns:
        st, questions = state.get(c.id, (0, 0)), text_questions(c, framework, questionnaires)
        texts = read.read_texts(pipeline_db, c.id, questions, high)
        mode = "read" if st[0] >= MIN_GROUP else "none"
        data = CampaignData(
            c, st[0], tuple(sums.get(c.id, ())), tuple(options.get(c.id, ())), texts if mode == "read" else None
        )
        expected = compute.compute_campaign(data, questionnaires[read.questionnaire_key(c)], framework, MIN_GROUP)
        assert early.result_for(c.id, st, mode, high) == expected
        assert early.texts_for(c.id, st, reversed(questions), high, 0) == texts  # any order of the questions
        shown_texts += len(expected.testimonies or ())
        moved = (st[0], st[1] + 1)  # a chunk or a rebuild since: computed and read again
        assert (
            early.result_for(c.id, moved, mode, high) is None
            and early.texts_for(c.id, moved, questions, high, 0) is None
        )
        assert early.result_for(c.id, st, mode, high - 1) is None  # another watermark
        assert early.result_for(c.id, st, "add", high) is None and early.result_for(c.id, st, "keep", high) is None
        assert early.texts_for(c.id, st, questions, high, 5) is None  # only the texts above an id
    assert shown_texts
    early.step(high - 1, high - 1)  # a batch to another bound starts again
    assert len(early.early) <= WAVES_PER_STEP and early.high == high - 1


def after_the_batch(pipeline_db, monkeypatch, then=lambda: None, landed=None):
    """Make the next run's batch do every step of its prefetch once it scored (or, with `landed`,
    before it scores, as if that much had landed), then call `then`; returns the plan's calls of
    read_texts and compute_campaign."""
    score_new, calls = batch.score_new, []

    def and_every_step(db, plans, progress=None, helper=True, idle=None):
        assert idle is not None  # a `--full` run prefetches
        if landed is not None:
            while idle(top(db), landed(db)):
                pass
        scored = score_new(db, plans, progress, helper, idle)
        if landed is None:
            while idle(scored.watermark, scored.watermark):
                pass
        then()
        monkeypatch.setattr(read, "read_texts", lambda *args: calls.append(args) or real_read(*args))
        monkeypatch.setattr(compute, "compute_campaign", lambda *args: calls.append(args) or real_compute(*args))
        return scored

    real_read, real_compute = read.read_texts, compute.compute_campaign
    monkeypatch.setattr(batch, "score_new", and_every_step)
    return calls


def test_a_full_run_with_every_wave_done_while_waiting_does_none_again_and_shows_the_same(
    pipeline_db, waves, tmp_path, monkeypatch
):
    alone = twin(pipeline_db, tmp_path)
    run_pipeline(alone, SETTINGS, NOW, RunRequest(full=True))
    calls = after_the_batch(pipeline_db, monkeypatch)
    run_pipeline(pipeline_db, SETTINGS, NOW, RunRequest(full=True))
    assert calls == []  # the plan took every wave's texts and result from the prefetch
    assert shown(pipeline_db) == shown(alone)
    assert shown(pipeline_db)["testimony"]


def test_waves_done_before_their_responses_landed_are_done_again_by_the_plan(pipeline_db, waves, tmp_path, monkeypatch):
    alone = twin(pipeline_db, tmp_path)
    run_pipeline(alone, SETTINGS, NOW, RunRequest(full=True))
    # As if every response had landed before any did: every wave is computed from emptied sums.
    calls = after_the_batch(pipeline_db, monkeypatch, landed=top)
    run_pipeline(pipeline_db, SETTINGS, NOW, RunRequest(full=True))
    assert calls  # their state moved since: the plan computed them again
    assert shown(pipeline_db) == shown(alone)


def test_a_weekly_run_prefetches_nothing(pipeline_db, waves, monkeypatch):
    made = []
    monkeypatch.setattr(runner, "Prefetch", lambda *args: made.append(args))
    run_pipeline(pipeline_db, SETTINGS, NOW)
    assert made == []


def test_a_response_erased_after_its_texts_were_read_leaves_no_testimony(pipeline_db, waves, tmp_path, monkeypatch):
    cid, erased = pipeline_db.execute(
        "SELECT r.campaign_id, r.id FROM response r JOIN answer a ON a.response_id = r.id "
        "WHERE TRIM(COALESCE(a.value_text, '')) != '' ORDER BY r.id LIMIT 1"
    ).fetchone()

    def erase(db):
        other = connect(db.execute("PRAGMA database_list").fetchone()[2])  # a connection with its cascades
        with other.conn:
            other.execute("DELETE FROM response WHERE id = ?", [erased])
        other.close()

    alone = twin(pipeline_db, tmp_path)
    erase(alone)
    run_pipeline(alone, SETTINGS, NOW, RunRequest(full=True))
    after_the_batch(pipeline_db, monkeypatch, then=lambda: erase(pipeline_db))
    run_pipeline(pipeline_db, SETTINGS, NOW, RunRequest(full=True))
    assert not pipeline_db.execute("SELECT 1 FROM testimony WHERE response_id = ?", [erased]).fetchall()
    assert pipeline_db.execute("SELECT 1 FROM testimony WHERE campaign_id = ?", [cid]).fetchall()
    assert pipeline_db.execute("PRAGMA foreign_key_check").fetchall() == []
    assert shown(pipeline_db)["testimony"] == shown(alone)["testimony"]


class Alive:
    def is_alive(self) -> bool:
        return True


def test_the_batch_does_idle_steps_while_it_waits_for_the_helper_and_waits_once_none_is_ready():
    turns = Turns(multiprocessing.get_context("spawn"))
    steps: list[int] = []
    landed = threading.Event()

    def idle() -> bool:
        steps.append(1)
        if len(steps) == 3:  # the helper lands the chunk below once three steps were done
            threading.Thread(target=lambda: (turns.landed_one(7, by_helper=True), landed.set())).start()
        return len(steps) < 3

    took = batch._took_over(None, turns, [(0, 7), (7, 14)], 1, Alive(), idle)
    assert not took and landed.wait(5) and len(steps) == 3 and turns.landed.value == 1
    # already landed: no step at all
    assert not batch._took_over(None, turns, [(0, 7), (7, 14)], 1, Alive(), idle) and len(steps) == 3
