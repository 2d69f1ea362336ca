"""Large bodies are refused before they are read: waitress as `vises serve` runs it (its limit
taken from the app's MAX_CONTENT_LENGTH) and gunicorn with gunicorn.conf.py answer a 30 MiB
survey POST with 413 right after its headers, and nothing is stored."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import threading
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import waitress

from survey_app.web.serving import waitress_options
from tests.app_support import free_port, wait_for

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
THIRTY_MIB = 30 * 1024 * 1024


def headers_only(port: int, path: str, length: int) -> bytes:
    """Send a POST's headers announcing `length` bytes, none of the body; return what comes back."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(
            f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\n"
            f"Content-Length: {length}\r\n\r\n".encode()
        )
        return sock.recv(65536)  # answered without waiting for a single byte of the body


def stored(db) -> tuple[int, int]:
    return db.execute("SELECT COUNT(*) FROM response").fetchone()[0], db.execute(
        "SELECT COUNT(*) FROM draft"
    ).fetchone()[0]


@pytest.fixture
def survey_path(seed):
    """Page 1 of a personal link, open by the real clock (servers here read it)."""
    now = datetime.now(UTC)
    campaign = seed.campaign(seed.enterprise(), opens_at=now - timedelta(days=1), closes_at=now + timedelta(days=30))
    return f"/s/{seed.links(campaign, 1)[0]}/1"


@contextmanager
def waitress_server(app):
    """The app under waitress with the options of `vises serve`, on a free loopback port."""
    port = free_port()
    options = {k: v for k, v in waitress_options(app).items() if k != "_quiet"}  # serve() only
    server = waitress.create_server(app, **{**options, "host": "127.0.0.1", "port": port})

    def run():
        with contextlib.suppress(OSError):  # close() below ends the loop with EBADF from select()
            server.run()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    try:
        yield port
    finally:
        server.close()
        thread.join(timeout=10)


def test_vises_serve_gives_waitress_the_app_limit(app):
    options = waitress_options(app)
    assert options["max_request_body_size"] == app.config["MAX_CONTENT_LENGTH"] + 1 == 256 * 1024 + 1


def test_waitress_refuses_a_30_mib_body_before_reading_it(app, db, survey_path):
    with waitress_server(app) as port:
        answer = headers_only(port, survey_path, THIRTY_MIB)
    assert answer.startswith(b"HTTP/1.1 413 ")
    assert stored(db) == (0, 0)


def test_a_body_at_the_limit_still_reaches_the_app(app, db, survey_path):
    with waitress_server(app) as port:
        body = b"q=" + b"x" * (app.config["MAX_CONTENT_LENGTH"] - 2)
        with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
            sock.sendall(
                f"POST {survey_path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded"
                f"\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode()
                + body
            )
            answer = sock.recv(65536)
    assert answer.startswith(b"HTTP/1.1 400 ")  # the app's own answer (an unknown field), not waitress's 413


def test_gunicorn_refuses_a_30_mib_body_before_reading_it(app, db, survey_path, tmp_path):
    port = free_port()
    config = tmp_path / "config.toml"
    config.write_text(
        f'[database]\npath = "{app.config["SETTINGS"]["database.path"]}"\n'
        f'[server]\nport = {port}\nsecret_key = "limits"\n[schedule]\nenabled = false\n'
    )
    command = [str(BIN / "gunicorn"), "-c", str(ROOT / "gunicorn.conf.py"), "--bind", f"127.0.0.1:{port}"]
    process = subprocess.Popen(
        [*command, "survey_app:create_app()"],
        env={**os.environ, "VISES_CONFIG": str(config)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for(f"http://127.0.0.1:{port}/", timeout=60)
        answer = headers_only(port, survey_path, THIRTY_MIB)
    finally:
        process.terminate()
        process.wait(timeout=30)
    assert answer.startswith(b"HTTP/1.1 413 ")
    assert stored(db) == (0, 0)
