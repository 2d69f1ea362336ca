"""First start of a new install: the first computation is not called a catch-up, and building the
catalogs prints no translation statistics (English needs none: its msgids are the English texts)."""

from __future__ import annotations

from pathlib import Path

from pipeline import runner, scheduler
from survey_app.core import config
from tests.app_support import NOW


def test_the_first_computation_is_not_labelled_a_catch_up(app, db, world, signed_in, monkeypatch):
    monkeypatch.setattr(runner, "render_charts", lambda *args: 0)
    settings = config.validate({"database.path": app.config["SETTINGS"]["database.path"]}, "tests")
    assert scheduler.catch_up(settings, now=NOW, clock=lambda: NOW) is not None  # nothing computed yet: due
    later = NOW.replace(day=20)  # a Friday two weeks on: the Mondays in between were missed
    assert scheduler.catch_up(settings, now=later, clock=lambda: later) is not None
    page = signed_in("admin@example.org").get("/admin/runs/?lang=en").get_data(as_text=True)
    assert page.count("First computation after installation") == 1
    assert page.count("Catch-up after a missed week") == 1


def test_catalogs_compile_without_statistics():
    makefile = (Path(__file__).resolve().parent.parent / "Makefile").read_text(encoding="utf-8")
    compile_line = next(line for line in makefile.splitlines() if "pybabel" in line and "compile" in line)
    assert "--statistics" not in compile_line and "--quiet" in compile_line
