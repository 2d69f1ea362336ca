"""Benchmark of the indicator pipeline against one SQLite GROUP BY and DuckDB on Parquet.

Creates (once) a database of synthetic responses, then times in one process, charts left out:
- the floor: one SQLite GROUP BY averaging every answer per enterprise, group, wave and question;
- `--full`: the rebuild from raw answers (every response scored again, every wave recomputed), on a
  database with no results yet (the goal's figure), then once more over the results it saved;
- a run over every campaign from the kept sums (`everything`: no answer read again);
- an incremental run after 1% new responses spread over 10% of the latest waves;
- three more such weeks with their responses scored between runs, as the scheduler's scoring batch
  does (`schedule.scoring_every_minutes`): the batch and the weekly run timed apart;
and, in a child process so its memory does not count, DuckDB's GROUP BY of the same answers
exported to Parquet (needs the `bench` extra: `pip install -e '.[bench]'`). Prints times, ratios,
the peak resident memory of the product's process (and of its scoring helper) and the load average.

Usage: .venv/bin/python benchmarks/pipeline.py --enterprises 1000 --responses 1000000 [--db FILE]
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from helper_memory import HelperMemory  # noqa: E402  (benchmarks/helper_memory.py)

from pipeline.runner import RunRequest, run_pipeline, score_pending  # noqa: E402
from pipeline.sample.synth import add_new_responses, synthesize  # noqa: E402
from survey_app.core import config  # noqa: E402
from survey_app.questionnaire.registry import QUESTIONNAIRES_DIR, register  # noqa: E402
from survey_app.storage.db import connect, migrate  # noqa: E402

NOW = datetime(2026, 3, 4, 10, 0, tzinfo=UTC)
WEEKS = 3
INSTRUMENT_SHARE = 0.5  # half the beneficiary campaigns pin the WHO-5: the published-score SQL is timed too
FLOOR_SQL = """SELECT c.enterprise_id, c.stakeholder_group, r.campaign_id, a.question_id, AVG(a.value_num)
FROM answer a JOIN response r ON r.id = a.response_id JOIN campaign c ON c.id = r.campaign_id
GROUP BY c.enterprise_id, c.stakeholder_group, r.campaign_id, a.question_id"""
EXPORT_SQL = """SELECT c.enterprise_id, c.stakeholder_group, r.campaign_id, a.question_id, a.value_num
FROM answer a JOIN response r ON r.id = a.response_id JOIN campaign c ON c.id = r.campaign_id"""
DUCK_SQL = """SELECT enterprise_id, stakeholder_group, campaign_id, question_id, AVG(value_num)
FROM read_parquet(?) GROUP BY enterprise_id, stakeholder_group, campaign_id, question_id"""


def build(path: Path, enterprises: int, responses: int) -> None:
    migrate(path)
    db = connect(path)
    register(db, QUESTIONNAIRES_DIR, NOW)
    started = time.perf_counter()
    counts = synthesize(db, enterprises, responses, NOW, instrument_share=INSTRUMENT_SHARE)
    print(f"synth: {counts} in {time.perf_counter() - started:.1f} s", flush=True)
    db.close()


def timed_run(db, settings, request: RunRequest) -> tuple[float, dict[str, float]]:
    """Total seconds and the time at which each step ended (from the start)."""
    marks: dict[str, float] = {}
    started = time.perf_counter()
    run_pipeline(
        db, settings, NOW, request, progress=lambda step, counts: marks.__setitem__(step, time.perf_counter() - started)
    )
    return time.perf_counter() - started, marks


def floor(path: Path) -> float:
    """The GROUP BY on a connection of its own, with SQLite's default settings (and memory)."""
    db = connect(path)
    started = time.perf_counter()
    db.execute(FLOOR_SQL).fetchall()
    elapsed = time.perf_counter() - started
    db.close()
    return elapsed


def duckdb_child(path: Path) -> None:
    """Export the answers to Parquet, then time DuckDB's GROUP BY over it (prints two numbers)."""
    import duckdb
    import pyarrow as pa
    import pyarrow.parquet as pq

    parquet = Path(tempfile.mkdtemp()) / "answers.parquet"
    db = connect(path)
    started = time.perf_counter()
    cursor = db.execute(EXPORT_SQL)
    schema = pa.schema(
        [
            ("enterprise_id", pa.int64()),
            ("stakeholder_group", pa.string()),
            ("campaign_id", pa.int64()),
            ("question_id", pa.string()),
            ("value_num", pa.float64()),
        ]
    )
    with pq.ParquetWriter(parquet, schema) as writer:
        while rows := cursor.fetchmany(500_000):
            writer.write_table(pa.Table.from_arrays([pa.array(col) for col in zip(*rows)], schema=schema))
    exported = time.perf_counter() - started
    times = []
    for _ in range(2):  # the second run is warm (file cache, DuckDB started)
        started = time.perf_counter()
        duckdb.connect().execute(DUCK_SQL, [str(parquet)]).fetchall()
        times.append(time.perf_counter() - started)
    parquet.unlink()
    print(f"{exported:.3f} {min(times):.3f}")


def duckdb_time(path: Path) -> tuple[float, float] | None:
    """(export seconds, group-by seconds), or None when duckdb or pyarrow is not installed."""
    try:
        import duckdb  # noqa: F401
        import pyarrow  # noqa: F401
    except ImportError:
        return None
    out = subprocess.run(
        [sys.executable, __file__, "--duckdb-child", "--db", str(path)], check=True, capture_output=True, text=True
    )
    exported, grouped = out.stdout.split()
    return float(exported), float(grouped)


def machine() -> str:
    model = next(
        (line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")), "?"
    )
    versions = f"Python {platform.python_version()}, SQLite {__import__('sqlite3').sqlite_version}"
    return f"{os.cpu_count()} cores, {model}, {versions}"


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--enterprises", type=int, default=1000)
    parser.add_argument("--responses", type=int, default=1_000_000)
    parser.add_argument("--db", type=Path, help="database file (kept; created when missing)")
    parser.add_argument("--build-only", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--duckdb-child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    path = args.db or Path(tempfile.mkdtemp()) / "bench.db"
    if args.build_only:
        return build(path, args.enterprises, args.responses)
    if args.duckdb_child:
        return duckdb_child(path)
    if not path.exists():  # built in a child process, so its memory does not count below
        subprocess.run(
            [sys.executable, __file__, "--build-only", "--db", str(path)]
            + ["--enterprises", str(args.enterprises), "--responses", str(args.responses)],
            check=True,
        )
    migrate(path)
    settings = config.validate({"database.path": str(path)}, "benchmark")
    db = connect(path)
    print(machine())
    print(f"load average before: {load()}")
    floor_first = floor(path)
    helper_lines = HelperMemory.listen()
    full, full_marks = timed_run(db, settings, RunRequest(trigger="cli", full=True, charts=False))
    # `--full` again, over the results it saved: every response scored and every wave computed again,
    # but only what moved is written (nothing here). Printed apart: the goal is judged on the first.
    again, again_marks = timed_run(db, settings, RunRequest(trigger="cli", full=True, charts=False))
    everything, _ = timed_run(db, settings, RunRequest(trigger="cli", everything=True, charts=False))
    floor_time = min(floor_first, floor(path))
    total = db.execute("SELECT COUNT(*) FROM response").fetchone()[0]
    answers = db.execute("SELECT COUNT(*) FROM answer").fetchone()[0]
    duck = duckdb_time(path)  # the same answers as the floor and --full, before any week is added
    # A week's new responses: 1% of the responses, spread over 10% of the latest waves.
    add_new_responses(db, max(1, total // 100), NOW, seed=3, share=0.10)
    incremental, incremental_marks = timed_run(db, settings, RunRequest(trigger="cli", charts=False))
    # Three more weeks, their responses scored as they came by the scheduler's scoring batch (here one
    # batch a week): the median week is compared, every week printed (the runs are short and noisy).
    weeks: list[tuple[float, float]] = []
    for week in range(WEEKS):
        add_new_responses(db, max(1, total // 100), NOW, seed=4 + week, share=0.10)
        started = time.perf_counter()
        score_pending(db, settings, NOW)
        batched = time.perf_counter() - started
        weeks.append((timed_run(db, settings, RunRequest(trigger="cli", charts=False))[0], batched))
    weekly = statistics.median(w for w, _ in weeks)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    db.close()
    print(f"responses: {total:,} (+{total // 100:,} for the incremental run); answers: {answers:,}")
    print(f"floor, one SQLite GROUP BY: {floor_time:.2f} s")
    if duck is None:
        print("DuckDB on Parquet: NOT MEASURED (duckdb or pyarrow missing: pip install -e '.[bench]')")
    else:
        print(f"DuckDB GROUP BY on Parquet: {duck[1]:.2f} s (export to Parquet {duck[0]:.1f} s, not counted)")
    print(
        f"--full rebuild from raw answers: {full:.2f} s = {full / floor_time:.2f}x the SQLite GROUP BY "
        f"(scoring {full_marks['scored']:.2f} s; goal <= 1.5x)"
    )
    print(
        f"--full again over its own results (nothing moved, nothing rewritten): {again:.2f} s = "
        f"{again / floor_time:.2f}x (scoring {again_marks['scored']:.2f} s)"
    )
    versus = f" = {everything / duck[1]:.2f}x DuckDB (goal < 1x)" if duck else ""
    print(f"run over every campaign from kept sums: {everything:.2f} s{versus}")
    print(
        f"incremental run (1% new responses in 10% of latest waves): {incremental:.2f} s "
        f"(scoring {incremental_marks['scored']:.2f} s) = {incremental / full:.1%} of --full, "
        f"{incremental / everything:.0%} of the run from kept sums (goal < 3% of a full run)"
    )
    print(
        f"weekly run after the scheduler's scoring batch, median of {WEEKS} weeks: {weekly:.2f} s = "
        f"{weekly / full:.1%} of --full (goal < 3% of a full run); weeks "
        + ", ".join(f"{w:.2f} s (batch {b:.2f} s)" for w, b in weeks)
    )
    helper = f", its scoring helper's {helper_lines.peak_mb} MB" if helper_lines.peak_mb else ", no scoring helper"
    print(
        f"peak resident memory of the product's process: {peak:.0f} MB{helper}; "
        f"together {peak + helper_lines.peak_mb:.0f} MB (goal < 500 MB)"
    )
    print(f"load average after: {load()}")


if __name__ == "__main__":
    main()
