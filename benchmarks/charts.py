"""Benchmark of charts on demand: what the pipeline pre-renders, measured on N enterprises and
extrapolated to 1,000, and what one chart costs when a page or a PDF first asks for it.

Charts are drawn when first asked for and cached by the content hash of their spec; after a run
the pipeline pre-renders only the PNGs of the PDF report of each group's latest closed wave that
the run recomputed (pipeline.charts.render_changed). Measured here, on synthetic data whose
indicators are computed first (that part is benchmarks/pipeline.py):

1. the first pre-render after a full run (every wave is new), on the process pool;
2. the same again with nothing changed (every file already exists: hash look-ups only);
3. after a weekly increment (1% new responses in 2% of the latest waves): what is drawn again;
4. on demand, per chart: building its spec from the database, drawing it as SVG (pages) and as
   PNG (the PDF), and serving it once cached.

Chart work is per enterprise and wave, independent of the other enterprises (no peer figure is in
any chart), so the 1,000-enterprise estimate scales the measured pre-render linearly.

Usage: .venv/bin/python benchmarks/charts.py --enterprises 100 --responses 100000
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pipeline.charts import cache, framework, render_changed  # noqa: E402
from pipeline.charts.sources import enterprise_specs, one_spec  # noqa: E402
from pipeline.runner import RunRequest, run_pipeline  # noqa: E402
from pipeline.sample.synth import add_new_responses, synthesize  # noqa: E402
from survey_app.core import config  # noqa: E402
from survey_app.core.timeutil import iso_week  # noqa: E402
from survey_app.questionnaire.registry import QUESTIONNAIRES_DIR, register  # noqa: E402
from survey_app.storage.db import connect, migrate  # noqa: E402

NOW = datetime(2026, 3, 4, 10, 0, tzinfo=UTC)
GOAL_SECONDS = 120  # first pre-render for 1,000 enterprises (issue R2 4/9)
SAMPLE_ENTERPRISES = 5  # enterprises whose every chart is drawn on demand, for the per-chart cost
LANGUAGE = "en"  # no synthetic enterprise speaks English: none of these charts is pre-rendered


def timed(function, *args, clock=time.perf_counter):
    started = clock()
    result = function(*args)
    return clock() - started, result


def cpu_seconds() -> float:
    """CPU time of this process and of its finished children (the drawing pool's workers)."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def prerender(db, settings, run_id: int, campaign_ids: list[int]) -> tuple[float, float, int]:
    """Wall time, CPU time and files drawn of one pre-render."""
    cpu = cpu_seconds()
    wall, drawn = timed(render_changed, db, settings, run_id, campaign_ids)
    return wall, cpu_seconds() - cpu, drawn


def on_demand(db, settings, enterprise_ids: list[int]) -> dict[str, list[float]]:
    """Per chart of a few enterprises: spec, SVG, PNG, and a cached hit (spec + file look-up), in CPU
    seconds of this process (one chart is drawn on one core; wall time only adds waiting for it)."""
    min_group = settings.privacy.min_group_size
    costs: dict[str, list[float]] = {"spec": [], "svg": [], "png": [], "cached": []}
    for enterprise_id in enterprise_ids:
        for name in enterprise_specs(db, framework(), enterprise_id, LANGUAGE, min_group):
            cpu = time.process_time
            seconds, spec = timed(one_spec, db, framework(), enterprise_id, name, LANGUAGE, min_group, clock=cpu)
            costs["spec"].append(seconds)
            for fmt in ("svg", "png"):
                costs[fmt].append(timed(cache.ensure, settings, spec, fmt, clock=cpu)[0])
            started = cpu()
            cache.read(settings, one_spec(db, framework(), enterprise_id, name, LANGUAGE, min_group), "svg")
            costs["cached"].append(cpu() - started)
    return costs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--enterprises", type=int, default=100)
    parser.add_argument("--responses", type=int, default=100_000)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp())
    path = folder / "bench.db"
    migrate(path)
    db = connect(path)
    register(db, QUESTIONNAIRES_DIR, NOW)
    synthesize(db, args.enterprises, args.responses, NOW)
    settings = config.validate({"database.path": str(path)}, "benchmark")
    print(
        f"{os.cpu_count()} cores, Python {platform.python_version()}, load average "
        f"{os.getloadavg()[0]:.1f}; {args.enterprises} enterprises, {args.responses:,} responses",
        flush=True,
    )
    run_id = run_pipeline(db, settings, NOW, RunRequest(trigger="cli", charts=False))
    every = [r[0] for r in db.execute("SELECT id FROM campaign ORDER BY id")]
    first, cpu, drawn = prerender(db, settings, run_id, every)
    estimate = first * 1000 / args.enterprises
    workers = min(os.cpu_count() or 1, 4)
    idle = cpu / workers * 1000 / args.enterprises  # what the same work takes with every core to itself
    print(
        f"1. first pre-render: {drawn} PNGs ({drawn / args.enterprises:.1f} per enterprise) in {first:.1f} s "
        f"({1000 * first / max(drawn, 1):.1f} ms per file), {cpu:.1f} s of CPU "
        f"({1000 * cpu / max(drawn, 1):.1f} ms per file)",
        flush=True,
    )
    for label, seconds in (("at this wall-clock rate", estimate), (f"from the CPU time on {workers} idle cores", idle)):
        verdict = "meets" if seconds < GOAL_SECONDS else "misses"
        print(f"   1,000 enterprises, {label}: about {seconds:.0f} s ({verdict} the goal of < {GOAL_SECONDS} s)")
    again, _cpu, redrawn = prerender(db, settings, run_id, every)
    print(f"2. nothing changed: {redrawn} files drawn in {again:.2f} s (hash look-ups only)", flush=True)
    add_new_responses(db, max(1, args.responses // 100), NOW, seed=2, share=0.02)
    week_run = run_pipeline(db, settings, NOW, RunRequest(trigger="cli", charts=False))
    week = iso_week(NOW.date())  # the campaigns the run recomputed: those that got the new responses
    changed = [r[0] for r in db.execute("SELECT DISTINCT campaign_id FROM response WHERE submitted_week = ?", [week])]
    week, _cpu, redrawn = prerender(db, settings, week_run, changed)
    print(
        f"3. weekly increment (1% new responses in 2% of the latest waves): {len(changed)} campaigns "
        f"recomputed, {redrawn} PNGs drawn again in {week:.1f} s",
        flush=True,
    )
    sample = [r[0] for r in db.execute("SELECT id FROM enterprise ORDER BY id LIMIT ?", [SAMPLE_ENTERPRISES])]
    costs = on_demand(db, settings, sample)
    print(f"4. on demand, {len(costs['spec'])} charts of {len(sample)} enterprises, CPU (median, max):", flush=True)
    for step in ("spec", "svg", "png", "cached"):
        values = costs[step]
        print(f"   {step:<6} {1000 * statistics.median(values):6.1f} ms  {1000 * max(values):6.1f} ms", flush=True)
    db.close()


if __name__ == "__main__":
    main()
