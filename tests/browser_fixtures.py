"""Fixtures of the browser tests (a plugin registered in conftest.py): a waitress server for the app
and one headless Debian Chromium driven by Playwright."""

from __future__ import annotations

import contextlib
import os
import shutil
import threading
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_or_skip():
    """Browser tests need Debian's chromium; CI installs it and sets VISES_REQUIRE_BROWSER=1."""
    if CHROMIUM.exists() and shutil.which(str(CHROMIUM)):
        return str(CHROMIUM)
    if os.environ.get("VISES_REQUIRE_BROWSER"):
        pytest.fail("VISES_REQUIRE_BROWSER is set but /usr/bin/chromium is missing")
    pytest.skip("Chromium is not installed at /usr/bin/chromium (apt-get install chromium)")


@pytest.fixture
def live_server(app):
    """Serve `app` with waitress on a free loopback port for browser tests; yields the base URL."""
    from waitress.server import create_server

    server = create_server(app, host="127.0.0.1", port=0, threads=4)

    def run():
        with contextlib.suppress(OSError):  # the socket closed under select() at shutdown: the loop is over
            server.run()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.effective_port}"
    server.close()
    thread.join(timeout=5)


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium (Debian's, never a downloaded build) for the whole session."""
    executable = chromium_or_skip()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 360, "height": 740})
    yield context.new_page()
    context.close()
