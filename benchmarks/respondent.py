"""Benchmark of the respondent pages against a minimal Flask floor, on loopback.

Starts the real app under waitress (as `vises serve`) in a subprocess with a temporary database and
a seeded open campaign, then measures, each for a bounded time and per request:
- saturated throughput with concurrent clients and no pause: GET of a question page; POST of a
  page (draft saved, 303); final submit POSTs of surveys prepared beforehand (one transaction, 303);
- 50 respondents behaving like people (a pause of 0.5-1.5 s between requests) answering whole
  surveys: latency p50/p99 of every request, the "under 100 ms p99" target of product.md;
- the floor: a minimal Flask app rendering an equivalent static form and inserting one row per POST.
Prints requests/s, p50/p99 and ratios, and checks that the database holds exactly as many
responses as successful submissions.

Example: .venv/bin/python benchmarks/respondent.py --clients 50 --seconds 10
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
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
FLOOR_FORM = """<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Floor</title>
<link rel="stylesheet" href="/static/app.css"></head><body><main><form method="post">
<input type="hidden" name="csrf_token" value="{{ token }}">
{% for q in range(7) %}<fieldset><legend>Question {{ q }}: Lorem ipsum dolor sit amet?</legend>
<ul class="choices">{% for v in range(1, 7) %}<li><label for="q{{ q }}-{{ v }}"><input id="q{{ q }}-{{ v }}"
name="q{{ q }}" type="radio" value="{{ v }}"><span>Option {{ v }}</span></label></li>{% endfor %}</ul>
</fieldset>{% endfor %}<button type="submit">Next</button></form></main></body></html>"""


def serve(kind: str, db_path: str, port: int, threads: int) -> None:
    """Child process: serve the real app or the floor app until killed."""
    import waitress

    if kind == "app":
        from survey_app import create_app

        app = create_app({"database.path": db_path, "server.secret_key": "bench", "schedule.enabled": False})
    else:
        app = floor_app(db_path)
    waitress.serve(app, host="127.0.0.1", port=port, threads=threads, _quiet=True)


def floor_app(db_path: str):
    from flask import Flask, g, redirect, render_template_string

    app = Flask("floor")

    def db():
        if "db" not in g:
            g.db = sqlite3.connect(db_path, isolation_level=None, timeout=5)
            g.db.execute("PRAGMA journal_mode = WAL")
            g.db.execute("PRAGMA synchronous = NORMAL")
        return g.db

    @app.teardown_appcontext
    def close(_exc):
        if "db" in g:
            g.pop("db").close()

    @app.route("/form", methods=["GET", "POST"])
    def form():
        from flask import request

        if request.method == "POST":
            db().execute("BEGIN IMMEDIATE")
            db().execute("INSERT INTO floor (body) VALUES (?)", [request.form.get("q0", "")])
            db().execute("COMMIT")
            return redirect("/form", code=303)
        return render_template_string(FLOOR_FORM, token="x" * 90)

    return app


def seed(db_path: str) -> str:
    from datetime import timedelta

    from seeding import one_campaign

    from survey_app import create_app
    from survey_app.core.timeutil import now_utc
    from survey_app.storage.db import connect, write_transaction

    create_app({"database.path": db_path, "server.secret_key": "bench", "schedule.enabled": False})
    db, now = connect(db_path), now_utc()
    with write_transaction(db):
        one_campaign(db, "Bench", now - timedelta(days=1), now + timedelta(days=30), now)
    token = db.execute("SELECT open_token FROM campaign").fetchone()[0]
    db.close()
    return token


class Client:
    """One simulated browser: keeps its cookies, reads tokens from pages."""

    def __init__(self, port: int):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, fields: dict | None = None) -> tuple[int, str, str, float]:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if fields is not None:
            body = urllib.parse.urlencode(fields)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.perf_counter()
        self.conn.request(method, path, body, headers)
        response = self.conn.getresponse()
        text = response.read().decode()
        elapsed = time.perf_counter() - started
        for value in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = value.partition("=")
            self.cookies[name] = rest.split(";")[0]
        return response.status, response.getheader("Location") or "", text, elapsed

    def csrf_token(self, path: str) -> str:
        """This browser's CSRF token, read once from the page at `path`."""
        if "csrf" not in self.cookies:
            self.cookies["csrf"] = hidden(self.request("GET", path)[2], "csrf_token")
        return self.cookies["csrf"]


def hidden(html: str, name: str) -> str:
    match = re.search(rf'name="{name}" type="hidden" value="([^"]+)"', html)
    return match.group(1) if match else ""


def run(clients: int, seconds: float, port: int, work) -> dict:
    """Run `work(client, record)` in a loop on `clients` threads for `seconds`."""
    latencies: dict[str, list[float]] = {}
    counts = {"errors": 0, "submitted": 0}
    lock, stop = threading.Lock(), time.perf_counter() + seconds

    def record(name: str, elapsed: float, ok: bool) -> None:
        with lock:
            latencies.setdefault(name, []).append(elapsed)
            counts["errors"] += 0 if ok else 1

    def loop() -> None:
        client = Client(port)
        while time.perf_counter() < stop:
            if work(client, record):
                with lock:
                    counts["submitted"] += 1

    threads = [threading.Thread(target=loop) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {"latencies": latencies, **counts, "seconds": seconds}


def survey_get(token: str):
    def work(client: Client, record) -> bool:
        status, _, _, elapsed = client.request("GET", f"/o/{token}/1")
        record("survey GET page", elapsed, status == 200)
        return False

    return work


def post_page(client: Client, record, path: str, csrf: str, answers: dict, label: str) -> None:
    """POST one page's answers to go on (a 303 to the next page)."""
    status, _, _, elapsed = client.request("POST", path, {"csrf_token": csrf, "action": "next", **answers})
    record(f"{label} POST page", elapsed, status == 303)


def answer_pages(client: Client, record, base: str, csrf: str, label: str) -> str:
    """Answer pages 1 and 2 of the survey at `base`, then open page 3; return page 3."""
    for number, answers in enumerate(PAGES[:2], start=1):
        post_page(client, record, f"{base}/{number}", csrf, answers, label)
    status, _, page3, elapsed = client.request("GET", f"{base}/3")
    record(f"{label} GET page", elapsed, status == 200)
    return page3


def submit_last_page(client: Client, record, base: str, fields: dict, label: str) -> bool:
    """POST page 3 with "submit"; True when the survey was taken (a 303 to the thanks page)."""
    status, location, _, elapsed = client.request("POST", f"{base}/3", {**fields, "action": "submit", **PAGES[2]})
    ok = status == 303 and location.endswith("/thanks")
    record(f"{label} POST submit", elapsed, ok)
    return ok


def survey_submit(token: str):
    def work(client: Client, record) -> bool:
        base = f"/o/{token}"
        csrf = client.csrf_token(f"{base}/1")
        page3 = answer_pages(client, record, base, csrf, "survey")
        fields = {"csrf_token": csrf, "submission_id": hidden(page3, "submission_id")}
        return submit_last_page(client, record, base, fields, "survey")

    return work


def survey_post_page(token: str):
    """POST page 1 again and again: validation, draft save, 303 (the per-page cost of a survey)."""

    def work(client: Client, record) -> bool:
        post_page(client, record, f"/o/{token}/1", client.csrf_token(f"/o/{token}/1"), PAGES[0], "survey")
        return False

    return work


def prepare_submissions(port: int, token: str, count: int, threads: int = 8) -> list:
    """Surveys answered up to the last page (untimed), each in its own browser, ready to submit."""
    ready, lock = [], threading.Lock()

    def prepare(n: int) -> None:
        for _ in range(n):
            client = Client(port)
            csrf = hidden(client.request("GET", f"/o/{token}/1")[2], "csrf_token")
            page3 = answer_pages(client, lambda *_: None, f"/o/{token}", csrf, "untimed")
            submission_id = hidden(page3, "submission_id")
            client.conn.close()  # thousands of idle keep-alive sockets would swamp the server
            with lock:
                ready.append((client, csrf, submission_id))

    workers = [threading.Thread(target=prepare, args=(count // threads,)) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return ready


def survey_final_submit(token: str, ready: list):
    """Only the final submit of prepared surveys: one per prepared browser."""
    lock = threading.Lock()

    def work(client: Client, record) -> bool:
        with lock:
            if not ready:
                time.sleep(0.01)
                return False
            prepared, csrf, submission_id = ready.pop()
        fields = {"csrf_token": csrf, "submission_id": submission_id}
        ok = submit_last_page(prepared, record, f"/o/{token}", fields, "survey")
        prepared.conn.close()
        return ok

    return work


def respondents_with_pauses(token: str):
    """A person answering: a pause of 0.5-1.5 s (reading, tapping) before every request."""
    import random

    inner = survey_submit(token)

    def pause_then(request):
        def wrapped(method, path, fields=None):
            time.sleep(random.uniform(0.5, 1.5))
            return request(method, path, fields)

        return wrapped

    def work(client: Client, record) -> bool:
        if not hasattr(client, "paused"):
            client.request = pause_then(client.request)
            client.paused = True
        return inner(client, lambda name, elapsed, ok: record(name.replace("survey", "people"), elapsed, ok))

    return work


def floor_work(method: str):
    def work(client: Client, record) -> bool:
        fields = {"csrf_token": "x", "q0": "3"} if method == "POST" else None
        status, _, _, elapsed = client.request(method, "/form", fields)
        record(f"floor {method}", elapsed, status in (200, 303))
        return method == "POST" and status == 303

    return work


def summary(name: str, values: list[float], seconds: float) -> tuple[float, str]:
    values = sorted(values)
    rate = len(values) / seconds
    p50, p99 = values[len(values) // 2] * 1000, values[int(len(values) * 0.99)] * 1000
    return rate, f"{name:<22} {rate:8.0f} req/s   p50 {p50:6.1f} ms   p99 {p99:6.1f} ms   n={len(values)}"


def start_server(kind: str, db_path: str, port: int, threads: int) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen([sys.executable, __file__, "--serve", kind, db_path, str(port), str(threads)], env=env)
    for _ in range(100):
        try:
            http.client.HTTPConnection("127.0.0.1", port, timeout=1).request("GET", "/")
            return process
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{kind} server did not start")


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--threads", type=int, default=8, help="waitress threads (server.threads)")
    parser.add_argument("--serve", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        return serve(args.serve[0], args.serve[1], int(args.serve[2]), int(args.serve[3]))
    tmp = Path(tempfile.mkdtemp(prefix="vises-bench-"))
    app_db, floor_db = str(tmp / "app.db"), str(tmp / "floor.db")
    token = seed(app_db)
    sqlite3.connect(floor_db).execute("CREATE TABLE floor (id INTEGER PRIMARY KEY, body TEXT)").connection.commit()
    rates, lines, submitted = {}, [], 0
    for kind, db_path in (("app", app_db), ("floor", floor_db)):
        port = free_port()
        server = start_server(kind, db_path, port, args.threads)
        try:
            if kind == "app":
                scenarios = [
                    ("get", survey_get(token)),
                    ("post", survey_post_page(token)),
                    ("submit", None),
                    ("people", respondents_with_pauses(token)),
                ]
            else:
                scenarios = [("get", floor_work("GET")), ("post", floor_work("POST"))]
            for name, work in scenarios:
                seconds = args.seconds * (2 if name == "people" else 1)
                if name == "submit":
                    ready = prepare_submissions(port, token, max(400, int(args.clients * args.seconds * 8)))
                    work = survey_final_submit(token, ready)
                result = run(args.clients, seconds, port, work)
                if kind == "app" and name in ("submit", "people"):
                    submitted += result["submitted"]
                for label, values in result["latencies"].items():
                    rates[label], line = summary(label, values, seconds)
                    lines.append(line + f"   errors={result['errors']}")
        finally:
            server.terminate()
            server.wait()
    print(
        f"{args.clients} clients, {args.seconds:.0f} s per scenario (people: {2 * args.seconds:.0f} s), "
        f"waitress threads={args.threads}, nproc={os.cpu_count()}, python {sys.version.split()[0]}"
    )
    print("\n".join(lines))
    print(f"ratio survey GET page / floor GET:     {rates['survey GET page'] / rates['floor GET']:.2f}")
    print(f"ratio survey POST page / floor POST:   {rates['survey POST page'] / rates['floor POST']:.2f}")
    print(f"ratio survey POST submit / floor POST: {rates['survey POST submit'] / rates['floor POST']:.2f}")
    stored = sqlite3.connect(app_db).execute("SELECT COUNT(*) FROM response").fetchone()[0]
    print(f"responses stored {stored} == successful submissions {submitted}: {stored == submitted}")


if __name__ == "__main__":
    main()
