"""Response export of one campaign with N responses (target: 100,000).

1. Through the server (the app under waitress, as `vises serve`, in a child process; a signed-in
   manager): the time to the first byte of the answer to "prepare the file" (goal: under 1 s), the
   time until the file is ready (built in the background), the first byte and total of its
   download, and the latency of other pages while the file is built (no server thread is held).
2. In process: time and peak memory of the streamed writers (tracemalloc, and the process's
   maximum resident size before and after).

Example: .venv/bin/python benchmarks/export.py --responses 100000 --kinds csv xlsx
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
import urllib.parse
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from seeding import one_campaign  # noqa: E402

from survey_app import create_app  # noqa: E402
from survey_app.results import exports  # noqa: E402
from survey_app.storage.db import connect, write_transaction  # noqa: E402

NOW = datetime(2026, 3, 4, 10, 0, tzinfo=UTC)


def seed(db, responses: int, questions) -> int:
    with write_transaction(db):
        campaign = one_campaign(db, "Bench", NOW - timedelta(days=30), NOW, NOW, sector="other")
        # Its respondents were told that answers may be exported (results/export_policy.py).
        db.execute("UPDATE campaign SET responses_exportable = 1 WHERE id = ?", [campaign])
    for start in range(0, responses, 10_000):
        with write_transaction(db):
            for n in range(start, min(start + 10_000, responses)):
                rid = db.execute(
                    "INSERT INTO response (campaign_id, submission_id, language, link, submitted_week) "
                    "VALUES (?, ?, 'fr', 'open', '2026-W09')",
                    [campaign, f"b{n}"],
                ).lastrowid
                db.conn.executemany(
                    "INSERT INTO answer (response_id, question_id, value_num, value_text, dont_know) "
                    "VALUES (?, ?, ?, ?, ?)",
                    [
                        (rid, q.id, None, f"Réponse {n} =1+1", 0)
                        if q.type == "text"
                        else (rid, q.id, None, q.options[0].value, 0)
                        if q.type in ("single", "multiple")
                        else (
                            rid,
                            q.id,
                            float(q.choices()[n % len(q.choices())]) if q.type != "yes_no" else 1.0,
                            None,
                            0,
                        )
                        for q in questions
                        if q.type != "number"
                    ],
                )
    return campaign


def measure(app, campaign: int, kind: str, trace: bool) -> tuple[float, int, int]:
    settings = app.config["SETTINGS"]
    with app.test_request_context():
        db = connect(settings["database.path"])
        row = next(db.query("SELECT * FROM campaign WHERE id = ?", [campaign]))
        db.close()
        questions = exports.export_questions(row, app.extensions["vises.registry"].get("beneficiaries", 1))
        table = exports.streamed_rows(settings["database.path"], campaign, questions, "fr", True, 5)
        chunks = exports.csv_chunks(table) if kind == "csv" else exports.xlsx_chunks(table)
        if trace:
            tracemalloc.start()
        started = time.perf_counter()
        size = sum(len(c) for c in chunks)
        elapsed = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1] if trace else 0
        tracemalloc.stop()
    return elapsed, peak, size


class Browser:
    """A signed-in manager's browser: keeps the session cookie, reads CSRF tokens from pages."""

    def __init__(self, port: int):
        self.port, self.cookies = port, {}

    def request(self, method: str, path: str, fields: dict | None = None) -> tuple[int, dict, bytes, float, float]:
        """(status, headers, body, seconds to the first byte, seconds in all)."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=600)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = urllib.parse.urlencode(fields) if fields is not None else None
        if body:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.perf_counter()
        conn.request(method, path, body, headers)
        response = conn.getresponse()
        first_byte = time.perf_counter() - started
        data = response.read()
        total = time.perf_counter() - started
        for value in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = value.partition("=")
            self.cookies[name] = rest.split(";")[0]
        conn.close()
        return response.status, dict(response.headers), data, first_byte, total

    def token(self, path: str) -> str:
        html = self.request("GET", path)[2].decode()
        return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)

    def sign_in(self, email: str, password: str) -> None:
        fields = {"csrf_token": self.token("/login?lang=en"), "email": email, "password": password}
        assert self.request("POST", "/login", fields)[0] == 303, "sign-in failed"


def serve(db_path: str, port: int) -> None:
    """Child process: the app under waitress with the options of `vises serve`."""
    import waitress

    from survey_app.web.serving import waitress_options

    app = create_app({"database.path": db_path, "server.secret_key": "bench", "schedule.enabled": False})
    waitress.serve(app, **{**waitress_options(app), "host": "127.0.0.1", "port": port})


def through_server(db_path: str, campaign: int, kinds: list[str], responses: int) -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    server = subprocess.Popen([sys.executable, __file__, "--serve", db_path, str(port)], env=env)
    try:
        browser = Browser(port)
        for _ in range(100):
            try:
                browser.request("GET", "/")
                break
            except OSError:
                time.sleep(0.1)
        browser.sign_in(EMAIL, PASSWORD)
        page = f"/admin/campaigns/{campaign}/export/"
        for kind in kinds:
            fields = {"csrf_token": browser.token(page), "language": "fr", "labels": "y", "kind": kind}
            status, _, _, first_byte, _ = browser.request("POST", f"/admin/campaigns/{campaign}/export/jobs/", fields)
            assert status == 303, status
            asked, others = time.perf_counter(), []
            job = max(int(n) for n in re.findall(r'id="export-job-(\d+)"', browser.request("GET", page)[2].decode()))
            link = f"/admin/campaigns/{campaign}/export/jobs/{job}"
            while f'href="{link}"' not in browser.request("GET", page)[2].decode():
                others.append(browser.request("GET", "/")[3])  # another page, while the file is built
                time.sleep(0.2)
            ready = time.perf_counter() - asked
            status, headers, data, download_first, download_total = browser.request("GET", link)
            assert status == 200, status
            print(
                f"{kind} through the server, {responses:,} responses: 'prepare' answered in {first_byte * 1000:.0f} ms "
                f"(first byte); file ready after {ready:.1f} s; download {len(data) / 1e6:.1f} MB, first byte "
                f"{download_first * 1000:.0f} ms, total {download_total * 1000:.0f} ms; meanwhile GET / p50 "
                f"{statistics.median(others) * 1000:.0f} ms, max {max(others) * 1000:.0f} ms (n={len(others)})"
            )
    finally:
        server.terminate()
        server.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--responses", type=int, default=100_000)
    parser.add_argument("--kinds", nargs="+", default=["csv", "xlsx"], choices=["csv", "xlsx"])
    parser.add_argument("--in-process", action="store_true", help="also time the writers in this process")
    parser.add_argument("--serve", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        return serve(args.serve[0], int(args.serve[1]))
    print(f"python {sys.version.split()[0]}, nproc={os.cpu_count()}, load average {os.getloadavg()[0]:.1f}")
    with tempfile.TemporaryDirectory() as folder:
        app = create_app(
            {"database.path": f"{folder}/bench.db", "server.secret_key": "bench", "schedule.enabled": False}
        )
        db = connect(app.config["SETTINGS"]["database.path"])
        started = time.perf_counter()
        campaign = seed(db, args.responses, app.extensions["vises.registry"].get("beneficiaries", 1).questions)
        manager(db, campaign)
        db.close()
        print(f"seeded {args.responses} responses in {time.perf_counter() - started:.1f} s")
        through_server(app.config["SETTINGS"]["database.path"], campaign, args.kinds, args.responses)
        for kind in args.kinds if args.in_process else ():
            rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            elapsed, _peak, size = measure(app, campaign, kind, trace=False)
            rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            _elapsed, peak, _size = measure(app, campaign, kind, trace=True)  # tracing slows Python down
            print(
                f"{kind} in process: {size / 1e6:.1f} MB in {elapsed:.1f} s ({args.responses / elapsed:,.0f} rows/s), "
                f"tracemalloc peak {peak / 1e6:.1f} MB, max RSS {rss_before / 1024:.0f} -> {rss_after / 1024:.0f} MB"
            )


EMAIL, PASSWORD = "bench.manager@example.org", "bench-password-123"


def manager(db, campaign: int) -> None:
    """A manager of the campaign's enterprise, to sign in with."""
    from survey_app.accounts.users import create_user, set_memberships

    enterprise = db.execute("SELECT enterprise_id FROM campaign WHERE id = ?", [campaign]).fetchone()[0]
    with write_transaction(db):
        user = create_user(db, EMAIL, PASSWORD, "manager", "fr", NOW)
        set_memberships(db, user, [enterprise])


if __name__ == "__main__":
    main()
