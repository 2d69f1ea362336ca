"""Fault test: kill -9 the server again and again while respondents submit, every client retrying
the very same request after each kill, then count: 0 lost and 0 duplicated acknowledged answers.

`vises serve` (waitress) runs on loopback with a temporary database and an open campaign with
personal links. Client threads answer whole surveys (half on personal links, half on the open
link), each with a unique marker in its free-text answer. Any request that gets no answer (the
server died under it) is sent again, byte for byte, with the same cookies and the same submission
id, until an answer arrives: what a browser's "retry" or a respondent's second click does. A
killer thread meanwhile kills the server with SIGKILL at random moments and restarts it.

At the end every survey has been acknowledged (a 303 to the thank-you page) and the database is
checked: PRAGMA integrity_check is ok; every acknowledged marker is stored exactly once (none
lost, none doubled); no response is partial; as many personal links are marked answered as
personal surveys were acknowledged. tests/test_fault_kill.py runs a short version of it.

Example: .venv/bin/python benchmarks/faults.py --kills 15 --clients 8
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # this checkout, whatever the editable install points at
BIN = Path(sys.executable).parent
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
    {"q_recommend": "9"},  # + the survey's marker as the free-text answer
]
ANSWERS_PER_RESPONSE = 12
RETRY_FOR_SECONDS = 90  # a request is retried this long at most (server restarts take 1-3 s)


class Gone(Exception):
    """A request got no answer within RETRY_FOR_SECONDS: the server never came back."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def write_config(folder: Path, port: int) -> Path:
    config = folder / "config.toml"
    config.write_text(
        f'[database]\npath = "vises.db"\n[server]\nport = {port}\nthreads = 8\n'
        f'base_url = "http://127.0.0.1:{port}"\nsecret_key = "fault-test"\n[schedule]\nenabled = false\n'
    )
    return config


def seed(database: Path, links: int) -> tuple[int, str, list[str]]:
    """An open beneficiaries campaign with personal links; returns (campaign id, open token, tokens)."""
    from survey_app.domain.campaigns import CampaignSpec, create_campaign, generate_links
    from survey_app.domain.enterprises import create_enterprise
    from survey_app.questionnaire.registry import QUESTIONNAIRES_DIR, register
    from survey_app.storage.db import connect, migrate, write_transaction

    now = datetime.now(UTC)
    migrate(database)
    db = connect(database)
    try:
        register(db, QUESTIONNAIRES_DIR, now)
        with write_transaction(db):
            enterprise = create_enterprise(db, "Fault Coop", "integration", "BE", "fr", now)
            spec = CampaignSpec(
                enterprise, "beneficiaries", "beneficiaries", 1, "Faults", now - timedelta(days=1), now + timedelta(30),
                "Europe/Brussels",
            )  # fmt: skip
            campaign = create_campaign(db, spec, now)
            tokens = [r["token"] for r in generate_links(db, campaign, links, now)]
        open_token = db.execute("SELECT open_token FROM campaign WHERE id = ?", [campaign]).fetchone()[0]
    finally:
        db.close()
    return campaign, open_token, tokens


class Client:
    """One browser: its cookies, and requests that are sent again until the server answers."""

    def __init__(self, port: int):
        self.port, self.cookies = port, {}
        self.conn: http.client.HTTPConnection | None = None
        self.retries = 0
        self.final_retries = 0  # retries of a final submit: the kill fell on the submit itself

    def _once(self, method: str, path: str, body: str | None) -> tuple[int, str, str]:
        if self.conn is None:
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=20)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        self.conn.request(method, path, body, headers)
        response = self.conn.getresponse()
        text = response.read().decode()
        for value in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = value.partition("=")
            self.cookies[name] = rest.split(";")[0]
        return response.status, response.getheader("Location") or "", text

    def send(self, method: str, path: str, fields: dict | None = None) -> tuple[int, str, str]:
        """The same request (same body, same cookies) again and again until an answer arrives."""
        body = None if fields is None else urllib.parse.urlencode(fields)
        deadline = time.monotonic() + RETRY_FOR_SECONDS
        while True:
            try:
                status, location, text = self._once(method, path, body)
                if status < 500:
                    return status, location, text
            except (OSError, http.client.HTTPException):
                pass
            if self.conn is not None:
                self.conn.close()
                self.conn = None
            if time.monotonic() > deadline:
                raise Gone(f"{method} {path}")
            self.retries += 1
            time.sleep(0.1)


def hidden(html: str, name: str) -> str:
    match = re.search(rf'name="{name}" type="hidden" value="([^"]+)"', html)
    return match.group(1) if match else ""


def answer_survey(client: Client, base: str, marker: str) -> bool:
    """Answer the three pages at `base` and submit; True once the submit is acknowledged."""
    for number, answers in enumerate(PAGES, start=1):
        status, _, page = client.send("GET", f"{base}/{number}")
        if status != 200:  # every earlier page was acknowledged, so the draft reaches this one
            return False
        fields = {"csrf_token": hidden(page, "csrf_token"), **answers}
        if number < len(PAGES):
            status, location, _ = client.send("POST", f"{base}/{number}", {**fields, "action": "next"})
            if status != 303:
                return False
            continue
        fields.update({"action": "submit", "q_what_changed": marker})
        if hidden(page, "submission_id"):  # open link: the id rendered into this page, sent again on retry
            fields["submission_id"] = hidden(page, "submission_id")
        before = client.retries
        status, location, _ = client.send("POST", f"{base}/{number}", fields)
        client.final_retries += client.retries - before
        return status == 303 and location.endswith("/thanks")
    return False


@dataclass
class Tally:
    attempted: list[str] = field(default_factory=list)
    acknowledged: list[str] = field(default_factory=list)
    personal: int = 0
    retries: int = 0
    final_retries: int = 0
    problems: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def client_loop(port: int, open_token: str, tokens: list[str], tally: Tally, keep_going, minimum: int) -> None:
    done = 0
    while keep_going() or done < minimum:
        personal = random.random() < 0.5
        with tally.lock:
            token = tokens.pop() if personal and tokens else None
        client = Client(port)
        base = f"/s/{token}" if token else f"/o/{open_token}"
        marker = f"marker-{uuid.uuid4().hex}"
        with tally.lock:
            tally.attempted.append(marker)
        try:
            ok = answer_survey(client, base, marker)
        except Gone as exc:
            with tally.lock:
                tally.problems.append(f"no answer: {exc}")
            return
        with tally.lock:
            tally.retries += client.retries
            tally.final_retries += client.final_retries
            if ok:
                tally.acknowledged.append(marker)
                tally.personal += 1 if token else 0
            else:
                tally.problems.append(f"not acknowledged: {base}")
        done += 1


def start_server(config: Path) -> subprocess.Popen:
    env = {**os.environ, "VISES_CONFIG": str(config), "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [str(BIN / "vises"), "serve"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )


def wait_until_up(port: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/")
            if connection.getresponse().status == 200:
                return
        except (OSError, http.client.HTTPException):
            time.sleep(0.1)
    raise RuntimeError("the server did not start")


def check(database: Path, campaign: int, tally: Tally) -> dict:
    conn = sqlite3.connect(database)
    try:
        integrity = conn.execute("PRAGMA integrity_check").fetchone()[0]
        stored = dict(
            conn.execute(
                "SELECT a.value_text, count(*) FROM answer a JOIN response r ON r.id = a.response_id "
                "WHERE r.campaign_id = ? AND a.question_id = 'what_changed' GROUP BY a.value_text",
                [campaign],
            ).fetchall()
        )
        sizes = conn.execute(
            "SELECT count(a.question_id) FROM response r LEFT JOIN answer a ON a.response_id = r.id "
            "WHERE r.campaign_id = ? GROUP BY r.id",
            [campaign],
        ).fetchall()
        answered = conn.execute(
            "SELECT count(*) FROM invitation WHERE campaign_id = ? AND answered = 1", [campaign]
        ).fetchone()[0]
    finally:
        conn.close()
    return {
        "integrity": integrity,
        "acknowledged": len(tally.acknowledged),
        "lost": sum(1 for m in tally.acknowledged if stored.get(m, 0) == 0),
        "duplicated": sum(1 for n in stored.values() if n > 1),
        "stored_not_attempted": len(set(stored) - set(tally.attempted)),
        "partial": sum(1 for (n,) in sizes if n != ANSWERS_PER_RESPONSE),
        "personal_acknowledged": tally.personal,
        "links_answered": answered,
        "responses": len(sizes),
        "retries": tally.retries,
        "final_submits_retried": tally.final_retries,
        "problems": tally.problems[:5],
    }


def run(kills: int, clients: int, minimum: int = 2, folder: Path | None = None) -> dict:
    """The whole scenario; returns the checks (see `passed`)."""
    folder = folder or Path(tempfile.mkdtemp(prefix="vises-faults-"))
    port = free_port()
    config = write_config(folder, port)
    campaign, open_token, tokens = seed(folder / "vises.db", links=clients * 200)
    tally, killing = Tally(), threading.Event()
    killing.set()
    server = start_server(config)
    wait_until_up(port)
    threads = [
        threading.Thread(target=client_loop, args=(port, open_token, tokens, tally, killing.is_set, minimum))
        for _ in range(clients)
    ]
    for thread in threads:
        thread.start()
    try:
        for _kill in range(kills):
            time.sleep(random.uniform(0.3, 1.5))
            server.send_signal(signal.SIGKILL)
            server.wait()
            server = start_server(config)
            wait_until_up(port)
        killing.clear()
        for thread in threads:
            thread.join()
    finally:
        killing.clear()
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
    return {"kills": kills, **check(folder / "vises.db", campaign, tally)}


def passed(report: dict) -> bool:
    return (
        report["integrity"] == "ok"
        and report["acknowledged"] > 0
        and report["lost"] == 0
        and report["duplicated"] == 0
        and report["stored_not_attempted"] == 0
        and report["partial"] == 0
        and report["responses"] == report["acknowledged"]
        and report["links_answered"] == report["personal_acknowledged"]
        and not report["problems"]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=15)
    parser.add_argument("--clients", type=int, default=8)
    args = parser.parse_args()
    print(f"nproc={os.cpu_count()}, python {sys.version.split()[0]}")
    started = time.monotonic()
    report = run(args.kills, args.clients)
    print(f"== kill -9 x {args.kills} with {args.clients} retrying clients, {time.monotonic() - started:.0f} s:")
    for key, value in report.items():
        print(f"  {key}: {value}")
    ok = passed(report)
    print("PASS" if ok else "FAIL")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
