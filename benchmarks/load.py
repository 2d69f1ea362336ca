"""Load and fault suite, on loopback only, bounded in time.

1. Load: N concurrent respondents (half on the open link, half on personal links) for a fixed time
   while full pipeline runs keep happening, against `vises serve` (waitress, scheduler inside) and
   against gunicorn with several workers plus a separate `vises scheduler` process. Checks 0 errors,
   no "database is locked" anywhere, responses stored == successful submissions; prints p50/p99.
2. Server killed: kill -9 the server during submissions, several times; then PRAGMA
   integrity_check is ok and no partial response exists.
3. Pipeline killed: kill -9 a full run mid-way, rerun; indicators equal an uninterrupted run.

Example: .venv/bin/python benchmarks/load.py --clients 20 --seconds 30 --kills 5
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]
import respondent as rb  # noqa: E402  (the respondent benchmark's client and page answers)

BIN = Path(sys.executable).parent
ANSWERS_PER_RESPONSE = 12  # beneficiaries: 11 answered questions (+ the shown follow-up)
RESULT_TABLES = ("indicator_value", "campaign_summary", "custom_result", "testimony")


def write_config(folder: Path, port: int, scheduler_inside: bool) -> Path:
    config = folder / "config.toml"
    config.write_text(
        f'[database]\npath = "vises.db"\n[server]\nport = {port}\nthreads = 8\n'
        f'base_url = "http://127.0.0.1:{port}"\nsecret_key = "load-test"\n'
        f"[schedule]\nenabled = {'true' if scheduler_inside else 'false'}\n"
    )
    return config


def vises(config: Path, *args: str) -> subprocess.Popen:
    env = {**os.environ, "VISES_CONFIG": str(config), "PYTHONPATH": str(ROOT)}
    return spawn([str(BIN / "vises"), *args], env)


def spawn(command: list[str], env: dict) -> subprocess.Popen:
    """Start a process whose output goes to a file, read by `output_of` at the end.

    Not a pipe: a long-running server that logs (waitress warns when its queue grows) would
    block on a full pipe that nobody reads until it stops.
    """
    log = tempfile.NamedTemporaryFile("w+", prefix="vises-load-", suffix=".log", delete=False)
    process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT, text=True)
    process.log_path = log.name  # type: ignore[attr-defined]
    log.close()
    return process


def output_of(process: subprocess.Popen, timeout: float = 60) -> str:
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    text = Path(process.log_path).read_text()  # type: ignore[attr-defined]
    os.unlink(process.log_path)  # type: ignore[attr-defined]
    return text


def seed(config: Path, links: int) -> tuple[str, list[str], int]:
    """Demo data (so pipeline runs have work), plus one open campaign with personal links."""
    demo = vises(config, "demo")
    assert demo.wait() == 0, output_of(demo)
    sys_path = str(config.parent / "vises.db")
    from datetime import timedelta

    from seeding import one_campaign

    from survey_app.core.timeutil import now_utc
    from survey_app.domain.campaigns import generate_links
    from survey_app.storage.db import connect, write_transaction

    db, now = connect(sys_path), now_utc()
    with write_transaction(db):
        campaign = one_campaign(db, "Load", now - timedelta(days=1), now + timedelta(days=30), now)
        tokens = [r["token"] for r in generate_links(db, campaign, links, now)]
    open_token = db.execute("SELECT open_token FROM campaign WHERE id = ?", [campaign]).fetchone()[0]
    db.close()
    return open_token, tokens, campaign


def personal_submit(tokens: list[str], lock: threading.Lock):
    """Complete one survey on a fresh personal link, page by page (like a respondent)."""

    def work(client: rb.Client, record) -> bool:
        with lock:
            if not tokens:
                return False
            token = tokens.pop()
        client.cookies.clear()
        status, _, html, elapsed = client.request("GET", f"/s/{token}/1")
        record("personal GET page", elapsed, status == 200)
        csrf = rb.hidden(html, "csrf_token")
        rb.answer_pages(client, record, f"/s/{token}", csrf, "personal")
        return rb.submit_last_page(client, record, f"/s/{token}", {"csrf_token": csrf}, "personal")

    return work


def tolerant(work):
    """While the server is being killed, a dropped connection ends the attempt, not the thread."""

    def wrapped(client: rb.Client, record) -> bool:
        try:
            return work(client, record)
        except (OSError, rb.http.client.HTTPException):
            client.conn.close()
            time.sleep(0.05)
            return False

    return wrapped


def mixed(open_token: str, tokens: list[str]):
    lock = threading.Lock()
    open_work, personal_work = rb.survey_submit(open_token), personal_submit(tokens, lock)
    counter = iter(range(10**9))
    return lambda client, record: (open_work if next(counter) % 2 else personal_work)(client, record)


def keep_pipeline_busy(config: Path, stop: threading.Event, outputs: list[str]) -> None:
    while not stop.is_set():
        outputs.append(output_of(vises(config, "pipeline", "run", "--full", "--no-charts"), timeout=600))


def wait_until_up(port: int, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited: {output_of(process)}")
        try:  # an answer, not just an open port: gunicorn listens before its workers are ready
            connection = rb.http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/")
            if connection.getresponse().status == 200:
                return
        except (OSError, rb.http.client.HTTPException):
            pass
        time.sleep(0.2)
    raise RuntimeError("server did not start")


def responses_of(db_path: Path, campaign: int) -> dict[str, int]:
    conn = sqlite3.connect(db_path)
    try:
        rows = conn.execute(
            "SELECT link, COUNT(*) FROM response WHERE campaign_id = ? GROUP BY link", [campaign]
        ).fetchall()
        return dict(rows)
    finally:
        conn.close()


def load_scenario(kind: str, clients: int, seconds: float) -> bool:
    folder = Path(tempfile.mkdtemp(prefix=f"vises-load-{kind}-"))
    port = rb.free_port()
    config = write_config(folder, port, scheduler_inside=(kind == "serve"))
    open_token, tokens, campaign = seed(config, links=20000)
    helpers: list[subprocess.Popen] = []
    if kind == "serve":
        server = vises(config, "serve")
    else:
        env = {**os.environ, "VISES_CONFIG": str(config), "PYTHONPATH": str(ROOT)}
        server = spawn(
            [
                str(BIN / "gunicorn"),
                "--workers",
                "2",
                "--threads",
                "4",
                "--bind",
                f"127.0.0.1:{port}",
                "survey_app:create_app()",
            ],
            env,
        )
        helpers.append(vises(config, "scheduler"))  # its start-up catch-up run overlaps the load
    outputs: list[str] = []
    stop = threading.Event()
    try:
        wait_until_up(port, server)
        pipeline = threading.Thread(target=keep_pipeline_busy, args=(config, stop, outputs))
        pipeline.start()
        result = rb.run(clients, seconds, port, mixed(open_token, tokens))
        stop.set()
        pipeline.join()
    finally:
        for process in (server, *helpers):
            process.send_signal(signal.SIGINT if process is not server or kind == "serve" else signal.SIGTERM)
        for process in (server, *helpers):
            outputs.append(output_of(process, timeout=30))
    stored = responses_of(folder / "vises.db", campaign)
    locked = sum("database is locked" in text for text in outputs)
    runs = (
        sqlite3.connect(folder / "vises.db")
        .execute("SELECT status, COUNT(*) FROM pipeline_run GROUP BY status")
        .fetchall()
    )
    print(
        f"\n== load against {'vises serve (waitress)' if kind == 'serve' else 'gunicorn 2 workers + vises scheduler'}:"
        f" {clients} clients, {seconds:.0f} s, pipeline runs {dict(runs)}"
    )
    for label, values in sorted(result["latencies"].items()):
        print("  " + rb.summary(label, values, seconds)[1])
    total = sum(stored.values())
    ok = result["errors"] == 0 and locked == 0 and total == result["submitted"]
    print(
        f"  errors {result['errors']}, 'database is locked' {locked}, responses stored {total} "
        f"({stored}) == successful submissions {result['submitted']}: {ok}"
    )
    shutil.rmtree(folder, ignore_errors=True)
    return ok


def kill_scenario(kills: int, clients: int) -> bool:
    folder = Path(tempfile.mkdtemp(prefix="vises-kill-"))
    port = rb.free_port()
    config = write_config(folder, port, scheduler_inside=False)
    _, tokens, campaign = seed(config, links=5000)
    acknowledged = 0
    lock = threading.Lock()
    for _kill in range(kills):
        server = vises(config, "serve")
        wait_until_up(port, server)
        result: dict = {}
        clients_thread = threading.Thread(
            target=lambda result=result: result.update(
                rb.run(clients, 4.0, port, tolerant(personal_submit(tokens, lock)))
            )
        )
        clients_thread.start()
        time.sleep(random.uniform(1.0, 3.0))
        server.send_signal(signal.SIGKILL)
        output_of(server)
        clients_thread.join()
        acknowledged += result.get("submitted", 0)
    db_path = folder / "vises.db"
    conn = sqlite3.connect(db_path)
    integrity = conn.execute("PRAGMA integrity_check").fetchone()[0]
    counts = conn.execute(
        "SELECT r.id, COUNT(a.question_id) FROM response r LEFT JOIN answer a "
        "ON a.response_id = r.id WHERE r.campaign_id = ? GROUP BY r.id",
        [campaign],
    ).fetchall()
    partial = [rid for rid, n in counts if n != ANSWERS_PER_RESPONSE]
    submitted_links = conn.execute(
        "SELECT COUNT(*) FROM invitation WHERE campaign_id = ? AND answered = 1", [campaign]
    ).fetchone()[0]
    conn.close()
    ok = integrity == "ok" and not partial and submitted_links == len(counts) and len(counts) >= acknowledged
    print(
        f"\n== kill -9 during submissions, {kills} times: integrity_check {integrity}, responses {len(counts)} "
        f"(acknowledged {acknowledged}), partial {len(partial)}, links marked submitted {submitted_links}: {ok}"
    )
    shutil.rmtree(folder, ignore_errors=True)
    return ok


def dump_results(db_path: Path) -> list:
    conn = sqlite3.connect(db_path)
    try:
        dump = []
        for table in RESULT_TABLES:
            columns = [c[1] for c in conn.execute(f"PRAGMA table_info({table})") if c[1] != "run_id"]
            dump.append(sorted(conn.execute(f"SELECT {', '.join(columns)} FROM {table}").fetchall(), key=repr))
        return dump
    finally:
        conn.close()


def pipeline_kill_scenario() -> bool:
    folder = Path(tempfile.mkdtemp(prefix="vises-pkill-"))
    config = write_config(folder, rb.free_port(), scheduler_inside=False)
    subprocess.run(
        [str(BIN / "vises"), "synth", "--enterprises", "200", "--responses", "100000"],
        env={**os.environ, "VISES_CONFIG": str(config), "PYTHONPATH": str(ROOT)},
        check=True,
        capture_output=True,
    )
    reference = folder / "reference"
    reference.mkdir()
    shutil.copy(folder / "vises.db", reference / "vises.db")
    uninterrupted = vises(write_config(reference, rb.free_port(), False), "pipeline", "run", "--full", "--no-charts")
    assert uninterrupted.wait() == 0, output_of(uninterrupted)
    run = vises(config, "pipeline", "run", "--full", "--no-charts")
    time.sleep(1.5)
    killed_mid_run = run.poll() is None
    run.send_signal(signal.SIGKILL)
    output_of(run)
    rerun = vises(config, "pipeline", "run", "--full", "--no-charts")
    output = output_of(rerun, timeout=600)
    same = dump_results(folder / "vises.db") == dump_results(reference / "vises.db")
    ok = killed_mid_run and rerun.returncode == 0 and same
    print(
        f"\n== pipeline killed mid-run (killed while running: {killed_mid_run}), rerun exit "
        f"{rerun.returncode}, results identical to an uninterrupted run: {same}"
    )
    if not ok:
        print(output[-2000:])
    shutil.rmtree(folder, ignore_errors=True)
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--kills", type=int, default=5)
    parser.add_argument("--only", choices=["serve", "gunicorn", "kill", "pipeline-kill"])
    args = parser.parse_args()
    print(f"nproc={os.cpu_count()}, python {sys.version.split()[0]}")
    checks = {
        "serve": lambda: load_scenario("serve", args.clients, args.seconds),
        "gunicorn": lambda: load_scenario("gunicorn", args.clients, args.seconds),
        "kill": lambda: kill_scenario(args.kills, max(4, args.clients // 4)),
        "pipeline-kill": pipeline_kill_scenario,
    }
    results = {name: check() for name, check in checks.items() if args.only in (None, name)}
    print("\n" + ", ".join(f"{name}: {'ok' if ok else 'FAILED'}" for name, ok in results.items()))
    sys.exit(0 if all(results.values()) else 1)


if __name__ == "__main__":
    main()
