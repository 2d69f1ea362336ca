"""Charts: specs from saved results (sources, specs), drawn on demand and cached by content hash
(cache, draw). May import what the pipeline may (the Flask-free base) and, in draw.py and canvas.py
only, matplotlib.

Pages ask for SVG and the PDF for PNG, each drawn the first time it is asked for. After a run the
pipeline pre-renders only what a report needs at once: the PNGs of the PDF report of each group's
latest closed wave that the run recomputed (`render_changed`). Nothing else is drawn ahead.
"""

from __future__ import annotations

import functools
import multiprocessing
import os
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from sqlite_utils import Database

from pipeline.charts.cache import DRAW_LOCK, FORMATS, chart_file, chart_folder, ensure
from pipeline.charts.sources import Source, one_spec
from pipeline.charts.specs import ChartSpec
from survey_app.core.config import Settings
from survey_app.questionnaire.instruments import load_instrument, with_instrument_indicators
from survey_app.questionnaire.loader import load_framework
from survey_app.questionnaire.model import Framework
from survey_app.questionnaire.registry import FRAMEWORK_FILE, QUESTIONNAIRES_DIR, instrument_files

__all__ = ["DRAW_LOCK", "FORMATS", "REPORT_CHARTS", "chart_file", "chart_folder", "ensure_chart", "render_changed"]

# The charts of a wave's report (the dashboard draws the same ones, plus the group's trend).
REPORT_CHARTS = ("profile", "nps")
POOL_THRESHOLD = 40  # below this, starting worker processes costs more than it saves


@functools.cache
def framework() -> Framework:
    """The framework with the bundled instruments' indicators (their 0-100 bars): the files cannot
    change while a process runs (the registry refuses edits)."""
    base = load_framework(QUESTIONNAIRES_DIR / FRAMEWORK_FILE)
    return with_instrument_indicators(base, [load_instrument(p, base) for p in instrument_files(QUESTIONNAIRES_DIR)])


def ensure_chart(
    db: Database,
    settings: Settings,
    enterprise_id: int,
    name: str,
    language: str,
    fmt: str,
    run_id: int | None = None,  # kept for callers written before charts were cached by hash
) -> tuple[Path, str] | None:
    """Path and alt text of one chart in any language, drawn now when missing or stale.

    The PDF gets its PNGs here. None when the enterprise has no such chart.
    """
    if fmt not in FORMATS:
        return None
    spec = one_spec(db, framework(), enterprise_id, name, language, settings.privacy.min_group_size)
    if spec is None:
        return None
    return ensure(settings, spec, fmt)[0], spec.alt_text


def report_specs(db: Database, settings: Settings, campaign_ids: Sequence[int], now_iso: str) -> list[ChartSpec]:
    """Report charts (in the enterprise's language) of each group's latest closed wave among `campaign_ids`."""
    if not campaign_ids:
        return []
    rows = db.query(  # every closed wave with results: one pass, however many campaigns changed
        "SELECT c.id, c.enterprise_id, c.stakeholder_group, e.default_language FROM campaign c "
        "JOIN enterprise e ON e.id = c.enterprise_id WHERE (c.closed_at IS NOT NULL OR c.closes_at <= ?) "
        "AND EXISTS (SELECT 1 FROM indicator_value v WHERE v.campaign_id = c.id) ORDER BY c.closes_at, c.id",
        [now_iso],
    )
    latest: dict[tuple[int, str], dict] = {}
    for row in rows:
        latest[(row["enterprise_id"], row["stakeholder_group"])] = row  # ordered: the last one wins
    wanted = set(campaign_ids)
    specs = []
    sources: dict[int, Source] = {}  # one per enterprise: its results are read once for all its charts
    for (enterprise_id, group), row in sorted(latest.items()):
        if row["id"] not in wanted:
            continue  # that group's report did not change in this run
        if enterprise_id not in sources:
            sources[enterprise_id] = Source(db, framework(), enterprise_id, settings.privacy.min_group_size)
        for name in (*(f"{kind}-c{row['id']}" for kind in REPORT_CHARTS), f"trends-{group}"):
            spec = sources[enterprise_id].spec(name, row["default_language"])
            if spec is not None:
                specs.append(spec)
    return specs


def render_changed(db: Database, settings: Settings, run_id: int, campaign_ids: Sequence[int]) -> int:
    """Pre-render after a run (runner.render_charts): the report PNGs of the waves just recomputed
    whose file does not exist yet; return how many were drawn."""
    started = db.execute("SELECT started_at FROM pipeline_run WHERE id = ?", [run_id]).fetchone()
    now_iso = started[0] if started else "9999"
    specs = [
        s
        for s in report_specs(db, settings, list(campaign_ids), now_iso)
        if not chart_file(settings, s, "png").exists()
    ]
    return draw_all(settings, specs)


def draw_all(settings: Settings, specs: list[ChartSpec], fmt: str = "png") -> int:
    """Draw the specs, across the cores when there are many; return how many files were drawn."""
    workers = min(os.cpu_count() or 1, 4)
    jobs = [(settings, spec, fmt) for spec in specs]
    if len(jobs) < POOL_THRESHOLD or workers < 2:
        return sum(_draw(job) for job in jobs)
    # BLAS threads would fight the worker processes for the same cores.
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    # spawn, not fork: the serving process has threads, and forking them can deadlock.
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        return sum(pool.map(_draw, jobs, chunksize=max(1, len(jobs) // (workers * 8))))


def _draw(job: tuple[Settings, ChartSpec, str]) -> int:
    return int(ensure(*job)[1])
