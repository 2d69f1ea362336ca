"""runner.cyclic_gc_paused: collection off inside the block, back to how it was after, even on error."""

from __future__ import annotations

import gc

import pytest

from pipeline.runner import RunRequest, cyclic_gc_paused, run_pipeline
from survey_app.core import config
from tests.app_support import NOW

SETTINGS = config.validate({}, "tests")
pytestmark = pytest.mark.usefixtures("no_charts")


@pytest.fixture
def gc_state():
    was_on = gc.isenabled()
    yield
    (gc.enable if was_on else gc.disable)()


def test_collection_is_off_inside_and_back_on_after(gc_state):
    gc.enable()
    with cyclic_gc_paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_collection_comes_back_after_an_error(gc_state):
    gc.enable()
    with pytest.raises(RuntimeError), cyclic_gc_paused():
        raise RuntimeError("a failed run")
    assert gc.isenabled()


def test_collection_switched_off_elsewhere_stays_off(gc_state):
    gc.disable()
    with cyclic_gc_paused():
        pass
    assert not gc.isenabled()


def test_a_run_pauses_collection_and_leaves_it_on(gc_state, waves, pipeline_db, monkeypatch):
    from pipeline import plan

    seen = []
    compare = plan.compare
    monkeypatch.setattr(plan, "compare", lambda *args: (seen.append(gc.isenabled()), compare(*args))[1])
    gc.enable()
    assert run_pipeline(pipeline_db, SETTINGS, NOW, RunRequest(everything=True)) is not None
    assert seen == [False] and gc.isenabled()
