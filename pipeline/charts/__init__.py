"""Chart rendering step of the pipeline: build specs from saved results, draw only what changed.
May import what the pipeline may (the Flask-free base) and matplotlib.

Each chart is keyed by (enterprise, name, language, format) in table `chart` with the content hash
of its spec. A chart is drawn again only when its hash changed or its file is missing. Large
batches are drawn by a pool of processes, one per core (matplotlib holds the GIL while drawing).
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from sqlite_utils import Database

from pipeline.charts.specs import ChartSpec, load_specs
from survey_app.core.config import Settings, instance_folder
from survey_app.questionnaire.loader import load_framework
from survey_app.questionnaire.registry import FRAMEWORK_FILE, QUESTIONNAIRES_DIR
from survey_app.storage.db import write_transaction

FORMATS = ("png", "svg")
POOL_THRESHOLD = 40  # below this, starting worker processes costs more than it saves

Job = tuple[ChartSpec, tuple[tuple[str, str], ...]]  # a spec and the (format, path) pairs to write


def chart_folder(settings: Settings) -> Path:
    return instance_folder(settings) / "charts"


def chart_path(settings: Settings, enterprise_id: int, name: str, language: str, fmt: str) -> Path:
    return chart_folder(settings) / str(enterprise_id) / f"{name}.{language}.{fmt}"


def render_changed(db: Database, settings: Settings, run_id: int, campaign_ids: Sequence[int]) -> int:
    """Draw every chart whose input changed, for all enterprises; return how many files were drawn.

    All enterprises are checked (not only those of `campaign_ids`): a peer's new wave moves the
    benchmark drawn on other enterprises' charts. Checking a hash costs far less than drawing.
    """
    enterprises = {r["id"]: r["default_language"] for r in db.query("SELECT id, default_language FROM enterprise")}
    languages: dict[int, list[str]] = {eid: [lang] for eid, lang in enterprises.items()}
    for row in db.query("SELECT DISTINCT enterprise_id, language FROM chart"):
        if row["enterprise_id"] in languages and row["language"] not in languages[row["enterprise_id"]]:
            languages[row["enterprise_id"]].append(row["language"])  # keep on-request languages fresh
    specs = load_specs(db, _framework(), sorted(enterprises), languages, settings.privacy.min_group_size)
    return _draw_and_record(db, settings, run_id, specs, prune=True)


def ensure_chart(
    db: Database,
    settings: Settings,
    enterprise_id: int,
    name: str,
    language: str,
    fmt: str,
    run_id: int | None = None,
) -> tuple[Path, str] | None:
    """Path and alt text of one chart in any language, drawn on request when missing or stale."""
    if fmt not in FORMATS:
        return None
    specs = load_specs(db, _framework(), [enterprise_id], {enterprise_id: [language]}, settings.privacy.min_group_size)
    spec = next((s for s in specs if s.name == name), None)
    if spec is None:
        return None
    if run_id is None:
        row = db.execute("SELECT MAX(id) FROM pipeline_run WHERE status = 'success'").fetchone()
        run_id = row[0]
    if run_id is None:
        return None
    _draw_and_record(db, settings, run_id, [spec], prune=False, formats=(fmt,))
    return chart_path(settings, enterprise_id, name, language, fmt), spec.alt_text


def _framework():
    return load_framework(QUESTIONNAIRES_DIR / FRAMEWORK_FILE)


def _draw_and_record(
    db: Database,
    settings: Settings,
    run_id: int,
    specs: list[ChartSpec],
    prune: bool,
    formats: Sequence[str] = FORMATS,
) -> int:
    stored = {
        (r["enterprise_id"], r["name"], r["language"], r["format"]): r["content_hash"]
        for r in db.query("SELECT enterprise_id, name, language, format, content_hash FROM chart")
    }
    jobs: list[Job] = []
    for spec in specs:
        digest = spec.content_hash()
        stale = []
        for fmt in formats:
            path = chart_path(settings, spec.enterprise_id, spec.name, spec.language, fmt)
            if stored.get((spec.enterprise_id, spec.name, spec.language, fmt)) != digest or not path.exists():
                stale.append((fmt, str(path)))
        if stale:
            jobs.append((spec, tuple(stale)))
    draw_all(jobs)
    with write_transaction(db):
        db.table("chart").upsert_all(
            [
                {
                    "enterprise_id": spec.enterprise_id,
                    "name": spec.name,
                    "language": spec.language,
                    "format": fmt,
                    "content_hash": spec.content_hash(),
                    "path": path,
                    "alt_text": spec.alt_text,
                    "run_id": run_id,
                }
                for spec, files in jobs
                for fmt, path in files
            ],
            pk=("enterprise_id", "name", "language", "format"),
        )
        if prune:
            _prune(db, {(s.enterprise_id, s.name, s.language) for s in specs})
    return sum(len(files) for _spec, files in jobs)


def _prune(db: Database, current: set[tuple[int, str, str]]) -> None:
    """Forget charts whose campaign or enterprise no longer exists (inside the caller's transaction)."""
    for row in list(db.query("SELECT enterprise_id, name, language, format, path FROM chart")):
        if (row["enterprise_id"], row["name"], row["language"]) not in current:
            db.execute(
                "DELETE FROM chart WHERE enterprise_id = ? AND name = ? AND language = ? AND format = ?",
                [row["enterprise_id"], row["name"], row["language"], row["format"]],
            )
            Path(row["path"]).unlink(missing_ok=True)


def draw_all(jobs: list[Job]) -> None:
    """Draw the jobs, across all cores when there are many."""
    workers = min(os.cpu_count() or 1, 4)
    if len(jobs) < POOL_THRESHOLD or workers < 2:
        for job in jobs:
            draw_one(job)
        return
    # BLAS threads would fight the worker processes for the same cores.
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    # spawn, not fork: the serving process has threads, and forking them can deadlock.
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        list(pool.map(draw_one, jobs, chunksize=max(1, len(jobs) // (workers * 8))))


def draw_one(job: Job) -> None:
    """Build the figure once and write every stale format of it (PNG and SVG share the layout)."""
    from pipeline.charts.draw import build_figure, save_figure  # matplotlib: only where charts are drawn

    spec, files = job
    figure = build_figure(spec)
    for fmt, path in files:
        save_figure(figure, Path(path), fmt)
