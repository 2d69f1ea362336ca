"""Benchmark of the respondent pages against the floor (a bare Flask app), side by side in one run.

Both run under the waitress settings of `vises serve` (benchmarks/floor.py is the bare app: GET
renders a small template compiled once; POST inserts one row in SQLite WAL and redirects), each in
its own process, on a database in a temporary folder of the current disk (fsync is real there).
Load comes from `wrk -t2 -cN` (benchmarks/replay.lua) when wrk is installed, else from an asyncio
client in a separate process (benchmarks/httpload.py); the output names the generator.

Scenarios, each for a bounded time with N connections and no pause, every request a real one:
- survey page GET (personal link): page 1 of 500 personal links with a draft (chosen answers shown);
- draft-save POST: page 1 of the same links posted again and again (CSRF token, validation, draft
  merged and saved, 303 to page 2);
- final submit POST: page 3 of personal links answered up to there beforehand (drafts written
  directly in the database, untimed), each link used once (single-use: a second submit stores
  nothing), in one transaction, 303 to the thank-you page; once with the final submit durable
  (synchronous=FULL for its transaction, the default) and once without (synchronous=NORMAL);
- people: 50 respondents who pause 0.5-1.5 s before every request, answering whole surveys: the
  latency people see (the "under 100 ms p99" target).
Prints requests/s, p50/p99, the ratios to the floor against their goals, the cost of durability,
and checks that the database holds exactly as many responses as successful submits.

Example: .venv/bin/python benchmarks/respondent.py --connections 50 --seconds 10
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # this checkout, whatever the editable install points at

import httpload  # noqa: E402

PAGES = [
    {"q_treated_with_respect": "5", "q_fits_my_needs": "4", "q_easy_to_access": "dont_know"},
    {
        "q_feel_confident": "4",
        "q_manage_on_my_own": "3",
        "q_learned_useful_things": "5",
        "q_followed_training": "yes",
        "q_training_useful": "4",
        "q_people_to_count_on": "2",
        "q_often_alone": "1",
    },
    {"q_recommend": "9", "q_what_changed": "Plus de confiance."},
]
GOALS = {"get": 0.6, "draft": 0.5, "submit": 0.4}
SETTINGS = {"server.secret_key": "bench", "schedule.enabled": False}


def serve(kind: str, db_path: str, port: int) -> None:
    """Child process: serve the app (durable submits or not) or the floor, as `vises serve` does."""
    import logging

    import waitress

    from survey_app import create_app
    from survey_app.web.serving import waitress_options

    app = create_app({"database.path": db_path, **SETTINGS})
    options = {**waitress_options(app), "host": "127.0.0.1", "port": port}
    if kind == "app-normal":
        from survey_app.respondent import submissions

        submissions.DURABLE_SUBMIT = False
    if kind == "floor":
        from floor import create_floor

        app = create_floor(db_path)
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)  # saturation is the point here
    waitress.serve(app, **options)


def start_server(kind: str, db_path: str, port: int) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen([sys.executable, __file__, "--serve", kind, db_path, str(port)], env=env)
    for _ in range(200):
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/form" if kind == "floor" else "/")
            conn.getresponse().read()
            return process
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{kind} server did not start")


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- data: one campaign, personal links, drafts written directly -----------------------------------


def seed_campaign(db_path: str) -> int:
    from datetime import timedelta

    from seeding import one_campaign

    from survey_app import create_app
    from survey_app.core.timeutil import now_utc
    from survey_app.storage.db import connect, write_transaction

    create_app({"database.path": db_path, **SETTINGS})
    db, now = connect(db_path), now_utc()
    with write_transaction(db):
        campaign = one_campaign(db, "Bench", now - timedelta(days=1), now + timedelta(days=30), now)
    db.close()
    return campaign


def links_with_drafts(db_path: str, campaign: int, count: int, pages: int) -> list[str]:
    """`count` new personal links whose drafts hold the answers of the first `pages` pages."""
    from survey_app.core.timeutil import iso_utc, now_utc
    from survey_app.domain.campaigns import generate_links
    from survey_app.storage.db import connect, write_transaction

    answers = json.dumps({k.removeprefix("q_"): v for page in PAGES[:pages] for k, v in page.items()})
    db, now = connect(db_path), now_utc()
    updated = iso_utc(now)
    with write_transaction(db):
        tokens = [r["token"] for r in generate_links(db, campaign, count, now)]
        if pages:
            db.conn.executemany("UPDATE invitation SET opened = 1, started = 1 WHERE token = ?", [(t,) for t in tokens])
            db.conn.executemany(
                "INSERT INTO draft (campaign_id, invitation_id, answers, page, language, updated_at) "
                "SELECT ?, id, ?, ?, 'fr', ? FROM invitation WHERE token = ?",
                [(campaign, answers, pages - 1, updated, t) for t in tokens],
            )
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # the servers start each scenario with an empty WAL
    db.close()
    return tokens


def stored_responses(db_path: str) -> int:
    with sqlite3.connect(db_path) as conn:
        return conn.execute("SELECT COUNT(*) FROM response").fetchone()[0]


def settled_count(db_path: str) -> int:
    """Responses stored once the requests still in flight (wrk stops without waiting) are done."""
    count = stored_responses(db_path)
    while True:
        time.sleep(0.5)
        again = stored_responses(db_path)
        if again == count:
            return count
        count = again


# --- scenarios --------------------------------------------------------------------------------------


def page_gets(tokens: list[str], pairs: list) -> list:
    return [("GET", f"/s/{t}/1", pairs[i % len(pairs)][0], None) for i, t in enumerate(tokens)]


def page_posts(tokens: list[str], pairs: list, number: int, action: str) -> list:
    return [
        (
            "POST",
            f"/s/{t}/{number}",
            pairs[i % len(pairs)][0],
            {"csrf_token": pairs[i % len(pairs)][1], "action": action, **PAGES[number - 1]},
        )
        for i, t in enumerate(tokens)
    ]


class Run:
    """One benchmark run: the scenarios measured, their results and the checks made."""

    def __init__(self, folder: Path, connections: int, seconds: float, pids: dict[int, int] | None = None):
        self.folder, self.connections, self.seconds = folder, connections, seconds
        self.pids = pids or {}  # server process by port: its CPU time per request is measured too
        self.results: dict[str, list[httpload.Result]] = {}
        self.cpu: dict[int, float] = {}  # id(result) -> server CPU milliseconds per request
        self.problems: list[str] = []
        self.submits: list[tuple[int, int, int]] = []  # (stored, acknowledged, sent) per submit scenario

    def measure(self, name: str, port: int, requests: list, mode: str = "cycle", expect: str = "") -> httpload.Result:
        file = httpload.write_requests(self.folder / f"{name.replace(' ', '_')}.txt", requests)
        before = process_cpu_ms(self.pids.get(port))
        result = httpload.measure(port, file, self.seconds, self.connections, mode)
        if before is not None and result.requests:
            self.cpu[id(result)] = (process_cpu_ms(self.pids[port]) - before) / result.requests
        unexpected = {k: v for k, v in result.statuses.items() if k != expect}
        if expect and unexpected:
            self.problems.append(f"{name}: unexpected statuses {unexpected}")
        if result.wrapped:
            self.problems.append(f"{name}: ran out of prepared requests ({result.wrapped} reused)")
        self.results.setdefault(name, []).append(result)
        return result

    def best(self, name: str) -> httpload.Result:
        return max(self.results[name], key=lambda r: r.rate)

    def least_cpu(self, name: str) -> float | None:
        """The server CPU per request of the least disturbed round (None when not measured)."""
        return min((self.cpu[id(r)] for r in self.results[name] if id(r) in self.cpu), default=None)


def process_cpu_ms(pid: int | None) -> float | None:
    """CPU time (user + system) a process has used so far, in ms; None when unknown (not Linux).

    Per request, it says what a request costs the server whatever else the machine runs: on a
    shared machine requests/s move with the other processes, CPU per request much less."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, TypeError):
        return None
    return (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")


def submit_round(run: Run, name: str, port: int, db_path: str, campaign: int, pairs: list, expected: float) -> None:
    """Final submits of links prepared beforehand, each used once; checks stored == acknowledged."""
    tokens = links_with_drafts(db_path, campaign, max(2000, int(expected * run.seconds * 2)), pages=2)
    before = settled_count(db_path)
    result = run.measure(name, port, page_posts(tokens, pairs, 3, "submit"), "once", "303:thanks")
    stored = settled_count(db_path) - before
    acknowledged = result.count("303:thanks")
    # wrk drops the requests in flight when its time is up: the server may still store those.
    if not acknowledged <= stored <= result.sent:
        run.problems.append(f"{name}: {stored} stored, {acknowledged} acknowledged, {result.sent} sent")
    run.submits.append((stored, acknowledged, result.sent))


# --- people: paced respondents, in threads of this process (they are idle most of the time) ---------


def people(port: int, tokens: list[str], count: int, seconds: float) -> dict[str, list[float]]:
    latencies: dict[str, list[float]] = {}
    lock, stop, queue = threading.Lock(), time.perf_counter() + seconds, list(tokens)

    def timed(conn, name: str, method: str, path: str, cookie: str, fields=None) -> tuple[int, str, str]:
        time.sleep(random.uniform(0.5, 1.5))
        headers = {"Cookie": cookie} if cookie else {}
        body = urllib.parse.urlencode(fields) if fields else None
        if body:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.perf_counter()
        conn.request(method, path, body, headers)
        response = conn.getresponse()
        text = response.read().decode()
        with lock:
            latencies.setdefault(name, []).append(time.perf_counter() - started)
        cookies = [c.split(";")[0] for c in response.headers.get_all("Set-Cookie") or []]
        return response.status, text, cookies[0] if cookies else cookie

    def person() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while time.perf_counter() < stop:
            with lock:
                if not queue:
                    return
                token = queue.pop()
            _, html, cookie = timed(conn, "people GET page", "GET", f"/s/{token}/1", "")
            csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
            for number in (1, 2):
                fields = {"csrf_token": csrf, "action": "next", **PAGES[number - 1]}
                timed(conn, "people POST page", "POST", f"/s/{token}/{number}", cookie, fields)
            timed(conn, "people GET page", "GET", f"/s/{token}/3", cookie)
            fields = {"csrf_token": csrf, "action": "submit", **PAGES[2]}
            timed(conn, "people POST submit", "POST", f"/s/{token}/3", cookie, fields)

    threads = [threading.Thread(target=person) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies


# --- the run --------------------------------------------------------------------------------------


def line(name: str, result: httpload.Result, cpu_ms: float | None = None) -> str:
    cpu = f"   server CPU {cpu_ms:.2f} ms/req" if cpu_ms is not None else ""
    return f"{name:<36} {result.rate:8.0f} req/s   p50 {result.p50_ms:7.1f} ms   p99 {result.p99_ms:7.1f} ms{cpu}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--rounds", type=int, default=1, help="repeat every scenario; the best round counts")
    parser.add_argument("--people", type=int, default=50, help="paced respondents (0: skip)")
    parser.add_argument("--serve", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        return serve(args.serve[0], args.serve[1], int(args.serve[2]))
    folder = Path(tempfile.mkdtemp(prefix="vises-bench-"))  # on the disk (not tmpfs here): fsync is real
    app_db, floor_db = str(folder / "app.db"), str(folder / "floor.db")
    campaign = seed_campaign(app_db)
    page_tokens = links_with_drafts(app_db, campaign, 500, pages=1)
    ports = {kind: free_port() for kind in ("app", "app-normal", "floor")}
    servers = {kind: start_server(kind, app_db if kind != "floor" else floor_db, port) for kind, port in ports.items()}
    pids = {ports[kind]: server.pid for kind, server in servers.items()}
    run, load_before = Run(folder, args.connections, args.seconds, pids), os.getloadavg()
    try:
        pairs = httpload.csrf_pairs(ports["app"], [f"/s/{t}/1" for t in page_tokens[: args.connections]])
        app, floor = ports["app"], ports["floor"]
        for _ in range(args.rounds):
            run.measure("floor GET", floor, [("GET", "/form", "", None)], expect="200")
            run.measure("survey page GET (personal link)", app, page_gets(page_tokens, pairs), expect="200")
            run.measure("floor POST", floor, [("POST", "/form", "", {"q": "3"})], expect="303:form")
            draft = run.measure("draft-save POST", app, page_posts(page_tokens, pairs, 1, "next"), expect="303:2")
            submit_round(run, "final submit POST (durable)", app, app_db, campaign, pairs, draft.rate)
            submit_round(
                run, "final submit POST (not durable)", ports["app-normal"], app_db, campaign, pairs, draft.rate
            )
        paced = (
            people(app, links_with_drafts(app_db, campaign, 2000, 0), args.people, 2 * args.seconds)
            if args.people
            else {}
        )
    finally:
        for server in servers.values():
            server.terminate()
            server.wait()
    report(args, run, paced, load_before)
    shutil.rmtree(folder)


def report(args, run: Run, paced: dict[str, list[float]], load_before: tuple) -> None:
    print(
        f"load: {httpload.generator_name()} -c{args.connections}, {args.seconds:.0f} s per scenario, "
        f"{args.rounds} round(s) (best shown), waitress as `vises serve`, nproc={os.cpu_count()}, "
        f"python {sys.version.split()[0]}, sqlite {sqlite3.sqlite_version}, "
        f"load average before {load_before[0]:.1f}, after {os.getloadavg()[0]:.1f}"
    )
    for name in run.results:
        rates = ", ".join(f"{r.rate:.0f}" for r in run.results[name])
        best = run.best(name)
        print(line(name, best, run.cpu.get(id(best))) + (f"   rounds: {rates}" if args.rounds > 1 else ""))
    for name, values in paced.items():
        values.sort()
        p50, p99 = values[len(values) // 2] * 1000, values[int(len(values) * 0.99)] * 1000
        print(f"{name:<36} {'':>8}         p50 {p50:7.1f} ms   p99 {p99:7.1f} ms   n={len(values)}")
    ratios = [
        ("survey page GET / floor GET", "survey page GET (personal link)", "floor GET", GOALS["get"]),
        ("draft-save POST / floor POST", "draft-save POST", "floor POST", GOALS["draft"]),
        ("final submit POST / floor POST", "final submit POST (durable)", "floor POST", GOALS["submit"]),
    ]
    for label, mine, floor, goal in ratios:
        ratio = run.best(mine).rate / run.best(floor).rate
        cpu = run.least_cpu(mine), run.least_cpu(floor)
        by_cpu = f"   (by server CPU per request: {cpu[1] / cpu[0]:.2f}x)" if cpu[0] and cpu[1] else ""
        print(f"ratio {label:<32} {ratio:5.2f}x   goal >= {goal}x: {'met' if ratio >= goal else 'NOT met'}{by_cpu}")
    durable, normal = run.best("final submit POST (durable)"), run.best("final submit POST (not durable)")
    print(
        f"durability: final submit {durable.rate:.0f} req/s durable (synchronous=FULL, submits arriving together "
        f"share a commit), {normal.rate:.0f} req/s not durable (NORMAL, each submit its own commit); "
        f"p50 {durable.p50_ms:.1f} ms against {normal.p50_ms:.1f} ms"
    )
    for stored, acknowledged, sent in run.submits:
        print(f"submits: {acknowledged} acknowledged, {stored} stored, {sent} sent (the rest in flight at the end)")
    print("checks: " + ("all passed" if not run.problems else "; ".join(run.problems)))


if __name__ == "__main__":
    main()
