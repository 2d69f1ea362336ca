"""Testimonies of a wave whose respondents grew are added, not read and rewritten again; whatever
else happened since (an erasure, a reused response id, a --full reset) reads them all again, and
every way gives the testimonies a full read gives."""

from __future__ import annotations

import pytest

from pipeline import read
from pipeline.runner import RunRequest, run_pipeline
from pipeline.sample.responses import add_responses
from survey_app.core import config
from survey_app.storage.db import write_transaction
from tests.app_support import NOW, sample_answers

SETTINGS = config.validate({}, "tests")


pytestmark = pytest.mark.usefixtures("no_charts")  # conftest: the chart hook is skipped


@pytest.fixture
def reads(monkeypatch):
    """Every read of free texts: (campaign id, lowest response id above which texts are read)."""
    seen: list[tuple[int, int]] = []
    original = read.read_texts

    def spy(db, campaign_id, question_ids, watermark, above=0):
        seen.append((campaign_id, above))
        return original(db, campaign_id, question_ids, watermark, above)

    monkeypatch.setattr(read, "read_texts", spy)
    return seen


def stored_testimonies(db, campaign_id: int) -> list[tuple]:
    return db.execute(
        "SELECT response_id, question_id, language, text FROM testimony WHERE campaign_id = ? ORDER BY 1, 2",
        [campaign_id],
    ).fetchall()


def as_a_full_run_gives(db) -> dict[int, list[tuple]]:
    stored = {c: stored_testimonies(db, c) for (c,) in db.execute("SELECT id FROM campaign").fetchall()}
    run_pipeline(db, SETTINGS, NOW, RunRequest(full=True))
    assert {c: stored_testimonies(db, c) for c in stored} == stored
    return stored


def test_new_respondents_add_their_testimonies_to_the_stored_ones(pipeline_db, waves, reads):
    first_run = run_pipeline(pipeline_db, SETTINGS, NOW)
    wave = waves[3]
    before = stored_testimonies(pipeline_db, wave)
    watermark = pipeline_db.execute("SELECT watermark FROM score_watermark").fetchone()[0]
    new_ids = add_responses(pipeline_db, wave, [sample_answers(100 + i) for i in range(3)])
    reads.clear()
    second_run = run_pipeline(pipeline_db, SETTINGS, NOW)
    assert reads == [(wave, watermark)]  # only the texts of the responses above the last read
    after = stored_testimonies(pipeline_db, wave)
    assert after[: len(before)] == before and {t[0] for t in after[len(before) :]} == set(new_ids)
    runs = dict(pipeline_db.execute("SELECT response_id, run_id FROM testimony WHERE campaign_id = ?", [wave]))
    assert {runs[t[0]] for t in before} == {first_run}  # the stored rows were not rewritten
    assert {runs[i] for i in new_ids} == {second_run}
    as_a_full_run_gives(pipeline_db)


def test_an_erased_newest_response_whose_id_comes_back_reads_every_text_again(pipeline_db, waves, reads):
    run_pipeline(pipeline_db, SETTINGS, NOW)
    wave = waves[3]
    newest = add_responses(pipeline_db, wave, [sample_answers(7)])[0]
    run_pipeline(pipeline_db, SETTINGS, NOW)
    with write_transaction(pipeline_db):  # erased: its testimonies go with it, the campaign is marked
        pipeline_db.execute("DELETE FROM response WHERE id = ?", [newest])
    reused = add_responses(pipeline_db, wave, [{**sample_answers(8), "what_changed": "Un autre texte"}])[0]
    assert reused == newest  # SQLite gives the highest id again: at the watermark, below the texts' one
    reads.clear()
    run_pipeline(pipeline_db, SETTINGS, NOW)
    assert reads == [(wave, 0)]  # the rebuild reads every text of the wave again
    assert (reused, "what_changed", "fr", "Un autre texte") in stored_testimonies(pipeline_db, wave)
    as_a_full_run_gives(pipeline_db)


def test_a_full_rebuild_reads_every_text_and_the_next_week_adds_again(pipeline_db, waves, reads):
    run_pipeline(pipeline_db, SETTINGS, NOW)
    reads.clear()
    run_pipeline(pipeline_db, SETTINGS, NOW, RunRequest(full=True))
    assert reads and {above for _, above in reads} == {0}  # the reset counts as a rebuild of every wave
    watermark = pipeline_db.execute("SELECT watermark FROM score_watermark").fetchone()[0]
    add_responses(pipeline_db, waves[3], [sample_answers(10)])
    reads.clear()
    run_pipeline(pipeline_db, SETTINGS, NOW)
    assert reads == [(waves[3], watermark)]
    as_a_full_run_gives(pipeline_db)


def test_a_full_rebuild_rewrites_only_the_waves_whose_rows_or_texts_moved(pipeline_db, waves):
    run_pipeline(pipeline_db, SETTINGS, NOW)
    wave, other = waves[3], waves[2]

    def written(table: str, campaign_id: int) -> list[tuple]:  # rowid and run of every row
        return pipeline_db.execute(
            f"SELECT rowid, run_id FROM {table} WHERE campaign_id = ? ORDER BY rowid", [campaign_id]
        ).fetchall()

    before = {c: (written("indicator_value", c), written("testimony", c)) for c in (wave, other)}
    # One respondent of `wave` rewrites a free text: same figures, one testimony differs.
    response_id, question_id = pipeline_db.execute(
        "SELECT response_id, question_id FROM testimony WHERE campaign_id = ? ORDER BY 1, 2 LIMIT 1", [wave]
    ).fetchone()
    with write_transaction(pipeline_db):
        pipeline_db.execute(
            "UPDATE answer SET value_text = 'Mieux accompagné qu’avant' WHERE response_id = ? AND question_id = ?",
            [response_id, question_id],
        )
    full_run = run_pipeline(pipeline_db, SETTINGS, NOW, RunRequest(full=True))
    assert written("indicator_value", other) == before[other][0]  # nothing moved: nothing rewritten
    assert written("testimony", other) == before[other][1]
    assert {run for _, run in written("testimony", wave)} == {full_run}  # its texts moved: the wave is rewritten
    assert ("Mieux accompagné qu’avant",) in pipeline_db.execute(
        "SELECT text FROM testimony WHERE campaign_id = ?", [wave]
    ).fetchall()
    as_a_full_run_gives(pipeline_db)
