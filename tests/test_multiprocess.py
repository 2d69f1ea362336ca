"""Several gunicorn workers: shared rate limits, sessions and drafts that work on every worker,
and a scheduler that runs once even when two scheduler processes start."""

import functools
import http.client
import http.cookiejar
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest

from survey_app import create_app
from survey_app.storage.db import connect
from tests.app_support import PASSWORD, Seeder, build_world, free_port, wait_for

BIN = Path(sys.executable).parent
WORKERS = 3


def write_config(folder, database, port):
    config = folder / "gunicorn.toml"
    config.write_text(
        f'[database]\npath = "{database}"\n'
        f'[server]\nport = {port}\nbase_url = "http://127.0.0.1:{port}"\nsecret_key = "mp-test"\n'
        "[schedule]\nenabled = false\n"
    )
    return config


@pytest.fixture(scope="module")
def server(tmp_path_factory, migrated_template):
    """One gunicorn with several workers for the whole module, on one database with the world of
    conftest's `world` fixture. Each test keeps to its own objects and its own client address."""
    folder = tmp_path_factory.mktemp("multiprocess")
    database = shutil.copyfile(migrated_template, folder / "vises.db")
    create_app({"database.path": str(database), "server.secret_key": "mp-test", "schedule.enabled": False})
    db = connect(database)
    try:
        world = build_world(db, Seeder(db))
    finally:
        db.close()
    port = free_port()
    config = write_config(folder, database, port)
    env = {**os.environ, "VISES_CONFIG": str(config)}
    process = subprocess.Popen(
        [str(BIN / "gunicorn"), "--workers", str(WORKERS), "--bind", f"127.0.0.1:{port}", "survey_app:create_app()"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_for(f"http://127.0.0.1:{port}/", timeout=60)
        time.sleep(1)  # every worker has booted, not only the first
        yield SimpleNamespace(base=f"http://127.0.0.1:{port}", config=config, database=database, world=world)
    finally:
        process.terminate()
        errors = process.communicate(timeout=30)[1]
        assert "Traceback" not in errors and "database is locked" not in errors, errors


@pytest.fixture
def server_db(server):
    database = connect(server.database)
    yield database
    database.close()


class FromAddress(urllib.request.HTTPHandler):
    """Connects from a loopback address of its own (all of 127.0.0.0/8 is local on Linux): the
    server's per-address counters of one test then never meet another test's requests."""

    def __init__(self, address):
        super().__init__()
        self.address = address

    def http_open(self, req):
        return self.do_open(functools.partial(http.client.HTTPConnection, source_address=(self.address, 0)), req)


def client(address):
    """A cookie-keeping client, like one browser, connecting from `address`."""
    jar = http.cookiejar.CookieJar()
    return urllib.request.build_opener(FromAddress(address), urllib.request.HTTPCookieProcessor(jar))


def status_of(opener, url):
    try:
        with opener.open(url, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_token_rate_limit_is_shared_by_all_workers(server):
    # The counters keep fixed one-minute windows: start early in one, so all 100 guesses fall in it.
    if time.time() % 60 > 50:
        time.sleep(60.1 - time.time() % 60)
    guesser = client("127.0.0.2")
    statuses = [status_of(guesser, f"{server.base}/s/unknown-token-{i:04d}") for i in range(100)]
    # 60 misses a minute per address: with counters per worker, 3 workers would allow 180.
    assert statuses == [404] * 60 + [429] * 40


def csrf_of(html):
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)


def test_a_session_works_on_every_worker(server):
    base = server.base
    opener = client("127.0.0.3")
    token = csrf_of(opener.open(f"{base}/login").read().decode())
    body = urllib.parse.urlencode({"csrf_token": token, "email": "anna@example.org", "password": PASSWORD})
    landed = opener.open(f"{base}/login", data=body.encode())
    assert landed.url.endswith("/admin/")
    for _ in range(5 * WORKERS):
        page = opener.open(f"{base}/admin/")
        assert page.url.endswith("/admin/") and "anna@example.org" in page.read().decode()


def test_an_open_link_draft_resumes_on_every_worker(server, server_db):
    base = server.base
    # The server runs in other processes on the real clock: the campaign must be open now.
    today = datetime.now(UTC)
    campaign = Seeder(server_db).campaign(
        server.world.enterprise_a, opens_at=today - timedelta(days=1), closes_at=today + timedelta(days=1)
    )
    open_token = server_db.execute("SELECT open_token FROM campaign WHERE id = ?", [campaign]).fetchone()[0]
    opener = client("127.0.0.4")
    html = opener.open(f"{base}/o/{open_token}/1").read().decode()
    body = urllib.parse.urlencode(
        {
            "csrf_token": csrf_of(html),
            "action": "next",
            "q_treated_with_respect": "5",
            "q_fits_my_needs": "4",
            "q_easy_to_access": "dont_know",
        }
    )
    assert opener.open(f"{base}/o/{open_token}/1", data=body.encode()).url.endswith("/2")
    for _ in range(5 * WORKERS):
        page = opener.open(f"{base}/o/{open_token}/1").read().decode()
        assert re.search(r'name="q_treated_with_respect" type="radio" value="5" checked', page)


def test_two_scheduler_processes_produce_one_run(server, server_db):
    env = {**os.environ, "VISES_CONFIG": str(server.config)}
    (earlier,) = server_db.execute("SELECT COALESCE(MAX(id), 0) FROM pipeline_run").fetchone()
    schedulers = [
        subprocess.Popen(
            [str(BIN / "vises"), "scheduler"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        for _ in range(2)
    ]
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            runs = server_db.execute("SELECT status FROM pipeline_run WHERE id > ?", [earlier]).fetchall()
            if runs and all(status != "running" for (status,) in runs):
                break
            time.sleep(0.5)
        time.sleep(2)  # give the second scheduler every chance to start a duplicate
    finally:
        for process in schedulers:
            process.terminate()
        outputs = [process.communicate(timeout=30)[0] for process in schedulers]
    runs = server_db.execute("SELECT trigger, status FROM pipeline_run WHERE id > ?", [earlier]).fetchall()
    assert runs == [("catch-up", "success")], (runs, outputs)
