"""Benchmark of the indicator pipeline against the floor of one SQLite GROUP BY.

Creates (once) a database of synthetic responses, then in one process times: the floor (a single
GROUP BY averaging every answer per enterprise, group, wave and question), a full run (and its
aggregation part: read + compute), and an incremental run after adding 1% new responses. Prints
times, ratios and the peak resident memory. Charts are left out: they are not aggregation.

Usage: .venv/bin/python benchmarks/pipeline.py --enterprises 1000 --responses 1000000
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pipeline.runner import RunRequest, run_pipeline  # noqa: E402
from pipeline.sample.synth import add_new_responses, synthesize  # noqa: E402
from survey_app.core import config  # noqa: E402
from survey_app.questionnaire.registry import QUESTIONNAIRES_DIR, register  # noqa: E402
from survey_app.storage.db import connect, migrate  # noqa: E402

NOW = datetime(2026, 3, 4, 10, 0, tzinfo=UTC)
FLOOR_SQL = """SELECT c.enterprise_id, c.stakeholder_group, r.campaign_id, a.question_id, AVG(a.value_num)
FROM answer a JOIN response r ON r.id = a.response_id JOIN campaign c ON c.id = r.campaign_id
GROUP BY c.enterprise_id, c.stakeholder_group, r.campaign_id, a.question_id"""


def build(path: Path, enterprises: int, responses: int) -> None:
    migrate(path)
    db = connect(path)
    register(db, QUESTIONNAIRES_DIR, NOW)
    started = time.perf_counter()
    counts = synthesize(db, enterprises, responses, NOW)
    print(f"synth: {counts} in {time.perf_counter() - started:.1f} s", flush=True)
    db.close()


def timed_run(db, settings, request: RunRequest) -> tuple[float, float]:
    """(total seconds, aggregation seconds = planning to 'read and computed')."""
    marks: dict[str, float] = {}
    started = time.perf_counter()
    run_pipeline(db, settings, NOW, request, progress=lambda step, counts: marks.setdefault(step, time.perf_counter()))
    return time.perf_counter() - started, marks["read and computed"] - started


def floor(db) -> float:
    started = time.perf_counter()
    db.execute(FLOOR_SQL).fetchall()
    return time.perf_counter() - started


def machine() -> str:
    model = next(
        (line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")), "?"
    )
    versions = f"Python {platform.python_version()}, SQLite {__import__('sqlite3').sqlite_version}"
    return f"{os.cpu_count()} cores, {model}, {versions}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--enterprises", type=int, default=1000)
    parser.add_argument("--responses", type=int, default=1_000_000)
    parser.add_argument("--db", type=Path, help="database file (kept; created when missing)")
    parser.add_argument("--build-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    path = args.db or Path(tempfile.mkdtemp()) / "bench.db"
    if args.build_only:
        return build(path, args.enterprises, args.responses)
    if not path.exists():  # built in a child process, so its memory does not count below
        subprocess.run(
            [
                sys.executable,
                __file__,
                "--build-only",
                "--db",
                str(path),
                "--enterprises",
                str(args.enterprises),
                "--responses",
                str(args.responses),
            ],
            check=True,
        )
    settings = config.validate({"database.path": str(path)}, "benchmark")
    db = connect(path)
    print(machine())
    floor_first = floor(db)
    full, full_aggregation = timed_run(db, settings, RunRequest(trigger="cli", full=True, charts=False))
    floor_time = min(floor_first, floor(db))
    total = db.execute("SELECT COUNT(*) FROM response").fetchone()[0]
    # A week's new responses land in the few campaigns being answered: 1% of the responses, in 2% of
    # the latest waves (60 of 3,000 at full size); then the same 1% spread over 10% of them.
    add_new_responses(db, max(1, total // 100), NOW, seed=2, share=0.02)
    incremental, _ = timed_run(db, settings, RunRequest(trigger="cli", charts=False))
    add_new_responses(db, max(1, total // 100), NOW, seed=3, share=0.10)
    spread, _ = timed_run(db, settings, RunRequest(trigger="cli", charts=False))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"responses: {total:,}; answers: {db.execute('SELECT COUNT(*) FROM answer').fetchone()[0]:,}")
    print(f"floor GROUP BY: {floor_time:.2f} s")
    print(
        f"full run: {full:.2f} s (aggregation {full_aggregation:.2f} s = {full_aggregation / floor_time:.2f}x floor; "
        f"whole run {full / floor_time:.2f}x floor)"
    )
    print(
        f"incremental run (1% new responses in 2% of latest waves): {incremental:.2f} s = "
        f"{incremental / full:.1%} of the full run"
    )
    print(f"incremental run (1% new responses in 10% of latest waves): {spread:.2f} s = {spread / full:.1%}")
    print(f"peak resident memory: {peak:.0f} MB")
    db.close()


if __name__ == "__main__":
    main()
