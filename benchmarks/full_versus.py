"""One `--full` first build against the floor, with the code of any checkout: run it in turns for two
checkouts (an old commit in a `git worktree`, this one) to compare them side by side on a noisy host.

Copies the database (built by `benchmarks/pipeline.py --db FILE`, before any run), migrates the copy
with the checkout's code, times the floor (`pipeline.py`'s own GROUP BY), a `--full` with charts
left out, and the floor again; prints one line: `--full`, its scoring, the rest, both floors and
the ratio to the faster floor. With `--all-runs N`, then one warm-up and N timed runs over every
campaign from the kept sums (`--all`) on the same copy, and a second line with their median, fastest
and slowest.

Usage: .venv/bin/python benchmarks/full_versus.py --db FILE [--code CHECKOUT] [--copy FILE] [--all-runs N]
"""

from __future__ import annotations

import argparse
import importlib.util
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, required=True, help="database built by benchmarks/pipeline.py, never run")
    parser.add_argument("--code", type=Path, default=Path(__file__).resolve().parent.parent, help="checkout to time")
    parser.add_argument("--copy", type=Path, help="where the copy goes (default: a temporary folder)")
    parser.add_argument("--all-runs", type=int, default=0, help="timed --all runs after the --full (default 0)")
    args = parser.parse_args()
    code = args.code.resolve()
    sys.path[:0] = [str(code), str(code / "benchmarks")]  # that checkout's modules, not this one's
    # That checkout's benchmarks/pipeline.py (its NOW and floor), under a name that does not shadow
    # the `pipeline` package.
    spec = importlib.util.spec_from_file_location("pipeline_benchmark", code / "benchmarks" / "pipeline.py")
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    from pipeline.runner import RunRequest, run_pipeline
    from survey_app.core import config
    from survey_app.storage.db import connect, migrate

    path = args.copy or Path(tempfile.mkdtemp()) / "versus.db"
    shutil.copyfile(args.db, path)
    migrate(path)
    db = connect(path)
    settings = config.validate({"database.path": str(path)}, "benchmark")
    before = bench.floor(path)
    marks: dict[str, float] = {}
    started = time.perf_counter()
    run_pipeline(
        db,
        settings,
        bench.NOW,
        RunRequest(trigger="cli", full=True, charts=False),
        progress=lambda step, counts: marks.__setitem__(step, time.perf_counter() - started),
    )
    full = time.perf_counter() - started
    after = bench.floor(path)
    print(
        f"{code}: --full {full:.2f} s (scoring {marks['scored']:.2f} s, rest {full - marks['scored']:.2f} s); "
        f"floor {before:.2f} s before, {after:.2f} s after; {full / min(before, after):.2f}x",
        flush=True,
    )
    if args.all_runs > 0:
        times = []
        for _ in range(args.all_runs + 1):  # the first is a warm-up: it is not counted
            started = time.perf_counter()
            run_pipeline(db, settings, bench.NOW, RunRequest(trigger="cli", everything=True, charts=False))
            times.append(time.perf_counter() - started)
        timed = times[1:]
        print(
            f"{code}: --all median {statistics.median(timed):.3f} s of {len(timed)} "
            f"(fastest {min(timed):.3f} s, slowest {max(timed):.3f} s)"
        )
    db.close()


if __name__ == "__main__":
    main()
