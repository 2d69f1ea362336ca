"""Scale proof of the pipeline: --full, a run over every campaign from kept sums, an incremental
run, a weekly run after the scoring batch, peak memory, and the latency of a respondent's survey
page while the --full run is going.

Builds the synthetic database with benchmarks/pipeline.py's builder when missing (for 10x:
`--enterprises 10000 --responses 10000000`, about 6 GB), serves the real app under waitress in a
child process on the same file, and GETs the first page of an open campaign four times a second,
first with nothing else running, then during the --full run. Prints one block of figures.

Usage: .venv/bin/python benchmarks/scale.py --enterprises 3000 --responses 3000000 --db /tmp/scale.db
"""

from __future__ import annotations

import argparse
import http.client
import os
import resource
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from helper_memory import HelperMemory  # noqa: E402  (benchmarks/helper_memory.py)

from pipeline import runner  # noqa: E402
from pipeline.runner import RunRequest, score_pending  # noqa: E402
from pipeline.sample.synth import add_new_responses  # noqa: E402
from survey_app.core import config  # noqa: E402
from survey_app.storage.db import connect, migrate, write_transaction  # noqa: E402

HERE = Path(__file__).resolve().parent
NOW = datetime(2026, 3, 4, 10, 0, tzinfo=UTC)  # as in benchmarks/pipeline.py, which built the data
PROBE_EVERY = 0.25


def serve(db_path: str, port: int) -> None:
    """Child process: the real app under waitress (8 threads, scheduler off) until killed."""
    import waitress

    from survey_app import create_app

    app = create_app({"database.path": db_path, "server.secret_key": "bench", "schedule.enabled": False})
    waitress.serve(app, host="127.0.0.1", port=port, threads=8, _quiet=True)


def open_campaign(db_path: Path) -> str:
    """An open campaign on the big database; returns its open-link token."""
    from seeding import one_campaign

    from survey_app.core.timeutil import now_utc

    db, now = connect(db_path), now_utc()
    with write_transaction(db):
        campaign = one_campaign(db, "Scale probe", now - timedelta(days=1), now + timedelta(days=30), now)
    token = db.execute("SELECT open_token FROM campaign WHERE id = ?", [campaign]).fetchone()[0]
    db.close()
    return token


class Probe(threading.Thread):
    """GETs the survey page every PROBE_EVERY seconds on one keep-alive connection."""

    def __init__(self, port: int, token: str):
        super().__init__(daemon=True)
        self.port, self.path = port, f"/o/{token}/1"
        self.samples: list[tuple[float, float, int]] = []  # (moment, seconds, status)
        self.stop = threading.Event()

    def run(self) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        while not self.stop.is_set():
            started = time.perf_counter()
            conn.request("GET", self.path)
            response = conn.getresponse()
            response.read()
            self.samples.append((started, time.perf_counter() - started, response.status))
            self.stop.wait(PROBE_EVERY)

    def between(self, start: float, end: float) -> str:
        chosen = sorted(s for t, s, status in self.samples if start <= t <= end and status == 200)
        bad = sum(1 for t, _, status in self.samples if start <= t <= end and status != 200)
        if not chosen:
            return "no sample"
        p50, p99 = chosen[len(chosen) // 2] * 1000, chosen[min(len(chosen) - 1, int(len(chosen) * 0.99))] * 1000
        return f"p50 {p50:.1f} ms, p99 {p99:.1f} ms, max {chosen[-1] * 1000:.1f} ms ({len(chosen)} GETs, {bad} not 200)"


def wait_until_up(port: int, server: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and server.poll() is None:
        try:
            http.client.HTTPConnection("127.0.0.1", port, timeout=2).request("GET", "/")
            return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError("the app did not start")


def timed(db, settings, request: RunRequest) -> tuple[float, float, float]:
    started = time.perf_counter()
    runner.run_pipeline(db, settings, NOW, request)
    end = time.perf_counter()
    return started, end, end - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--enterprises", type=int, default=3000)
    parser.add_argument("--responses", type=int, default=3_000_000)
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--serve", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        return serve(args.serve[0], int(args.serve[1]))
    if not args.db.exists():
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, str(HERE / "pipeline.py"), "--build-only", "--db", str(args.db)]
            + ["--enterprises", str(args.enterprises), "--responses", str(args.responses)],
            check=True,
        )
        print(f"built in {time.perf_counter() - started:.0f} s")
    migrate(args.db)
    token = open_campaign(args.db)
    port = 8700 + os.getpid() % 200
    server = subprocess.Popen([sys.executable, __file__, "--db", str(args.db), "--serve", str(args.db), str(port)])
    try:
        wait_until_up(port, server)
        probe = Probe(port, token)
        probe.start()
        time.sleep(15)
        idle_end = time.perf_counter()
        settings = config.validate({"database.path": str(args.db)}, "benchmark")
        db = connect(args.db)
        helper = HelperMemory.listen()
        full_start, full_end, full = timed(db, settings, RunRequest(full=True, charts=False))
        probe.stop.set()
        probe.join()
        _, _, everything = timed(db, settings, RunRequest(everything=True, charts=False))
        total = db.execute("SELECT COUNT(*) FROM response").fetchone()[0]
        add_new_responses(db, total // 100, NOW, seed=3, share=0.10)
        _, _, incremental = timed(db, settings, RunRequest(charts=False))
        # The next week, its responses scored between runs by the scheduler's scoring batch.
        add_new_responses(db, total // 100, NOW, seed=4, share=0.10)
        batch_start = time.perf_counter()
        score_pending(db, settings, NOW)
        batched = time.perf_counter() - batch_start
        _, _, weekly = timed(db, settings, RunRequest(charts=False))
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        size = args.db.stat().st_size / 1e9
        db.close()
    finally:
        server.terminate()
        server.wait(10)
    print(f"responses {total:,} in {args.enterprises:,} enterprises; database file {size:.1f} GB")
    print(f"--full rebuild from raw answers: {full:.1f} s")
    print(f"run over every campaign from kept sums: {everything:.1f} s")
    print(
        f"incremental (+1% responses over 10% of latest waves): {incremental:.1f} s "
        f"= {incremental / full:.1%} of --full"
    )
    print(
        f"weekly run after the scheduler's scoring batch (the next +1%): {weekly:.1f} s = {weekly / full:.1%} "
        f"of --full (the batch, between runs: {batched:.1f} s)"
    )
    print(
        f"peak resident memory of the pipeline process: {peak:.0f} MB, of its scoring helper "
        f"{helper.peak_mb} MB: together {peak + helper.peak_mb:.0f} MB"
    )
    print(f"survey page GET, idle: {probe.between(0, idle_end)}")
    print(f"survey page GET, during --full: {probe.between(full_start, full_end)}")
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
