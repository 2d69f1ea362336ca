"""Benchmark of chart rendering: a full first render for N enterprises, a second pass with nothing
changed (hash checks only), and the re-render after a weekly increment (1% new responses).

Indicators are computed first without charts (that part is benchmarks/pipeline.py); only
`pipeline.charts.render_changed` is timed here, with its process pool across the cores.

Usage: .venv/bin/python benchmarks/charts.py --enterprises 1000 --responses 1000000
(--enterprises 100 --responses 100000 takes a few minutes on 2 cores; times scale with the number
of charts, about 28 files per enterprise).
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pipeline.charts import render_changed  # noqa: E402
from pipeline.runner import RunRequest, run_pipeline  # noqa: E402
from pipeline.sample.synth import add_new_responses, synthesize  # noqa: E402
from survey_app.core import config  # noqa: E402
from survey_app.questionnaire.registry import QUESTIONNAIRES_DIR, register  # noqa: E402
from survey_app.storage.db import connect, migrate  # noqa: E402

NOW = datetime(2026, 3, 4, 10, 0, tzinfo=UTC)


def timed_render(db, settings) -> tuple[float, int]:
    run_id = run_pipeline(db, settings, NOW, RunRequest(trigger="cli", charts=False))
    started = time.perf_counter()
    drawn = render_changed(db, settings, run_id, [])
    return time.perf_counter() - started, drawn


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--enterprises", type=int, default=1000)
    parser.add_argument("--responses", type=int, default=1_000_000)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp())
    path = folder / "bench.db"
    migrate(path)
    db = connect(path)
    register(db, QUESTIONNAIRES_DIR, NOW)
    synthesize(db, args.enterprises, args.responses, NOW)
    settings = config.validate({"database.path": str(path)}, "benchmark")
    print(
        f"{os.cpu_count()} cores, Python {platform.python_version()}; {args.enterprises} enterprises, "
        f"{args.responses:,} responses",
        flush=True,
    )
    first, drawn = timed_render(db, settings)
    print(f"first render: {drawn} files in {first:.1f} s ({1000 * first / max(drawn, 1):.1f} ms per file)", flush=True)
    again, redrawn = timed_render(db, settings)
    print(f"nothing changed: {redrawn} files in {again:.2f} s (hash checks only)", flush=True)
    add_new_responses(db, max(1, args.responses // 100), NOW, seed=2, share=0.02)
    week, changed = timed_render(db, settings)
    print(
        f"weekly increment (1% new responses in 2% of latest waves): {changed} files in {week:.1f} s "
        f"= {week / first:.1%} of the first render",
        flush=True,
    )
    db.close()


if __name__ == "__main__":
    main()
