"""Results pages in Chromium at 360 px and 1280 px: dashboard, federation view, run log and
methodology (and the report they link to). Each page: no horizontal scroll (the document is never
wider than the viewport, with every folded table opened), charts load, axe-core finds no serious or
critical violation; full-page screenshots are kept in test-artifacts/."""

from __future__ import annotations

import shutil

import pytest

from pipeline import refresh_queue
from survey_app.core.config import load
from survey_app.core.timeutil import now_utc
from survey_app.storage.db import connect
from tests.app_support import ARTIFACTS, PASSWORD
from tests.dashboard_support import ENTERPRISE, USERS

pytestmark = pytest.mark.browser
WIDTHS = (360, 1280)
PAGES = {  # page type -> (who looks at it, address)
    "dashboard": ("anna", f"/admin/enterprises/{ENTERPRISE}/dashboard?lang=fr"),
    "federation": ("admin", "/admin/federation/?lang=en"),
    "runs": ("admin", "/admin/runs/?lang=nl"),
    "methodology": ("anna", "/admin/methodology?lang=nl"),
}


@pytest.fixture(scope="session")
def caught_up_template(demo_template, tmp_path_factory):
    """The demo brought up to date as the scheduler's poll would: it was computed at the tests'
    fixed NOW, and the waves that closed since (by the clock the pages read) are recomputed."""
    path = tmp_path_factory.mktemp("caught-up") / "vises.db"
    shutil.copy(demo_template, path)
    refresh_queue.run_queued(load(None, {"database.path": str(path), "server.secret_key": "test-secret"}), now_utc)
    db = connect(path)
    try:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        db.close()
    return path


@pytest.fixture
def app(make_app, tmp_path, caught_up_template):
    """The live server serves that demo."""
    shutil.copy(caught_up_template, tmp_path / "vises.db")
    return make_app()


def serious(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    violations = Axe().run(page).response["violations"]
    return [
        f"{v['id']}: {v['help']} ({len(v['nodes'])} nodes)"
        for v in violations
        if v["impact"] in ("serious", "critical")
    ]


def signed_in_page(browser, live_server, user, width):
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    page.goto(f"{live_server}/login?lang=en")
    page.fill("input[name=email]", USERS[user][0])
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit], input[type=submit]")
    page.wait_for_url(f"{live_server}/admin/")
    return context, page


def load_all_images(page) -> None:
    """Bring each lazy image into view, then wait until all are decoded (charts are drawn on request)."""
    for image in page.locator("img").all():
        image.scroll_into_view_if_needed()
    for _attempt in range(360):  # polled here: the page's CSP forbids wait_for_function's eval
        if page.evaluate("Array.from(document.images).every(i => i.complete)"):
            return
        page.wait_for_timeout(500)


def broken_images(page) -> list[str]:
    return page.evaluate("Array.from(document.images).filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.src)")


def overflow(page) -> int:
    """How many pixels the document is wider than the viewport (0: no horizontal scroll)."""
    page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def check(page, name: str, width: int) -> dict:
    load_all_images(page)
    found = {"broken images": broken_images(page), "overflow": overflow(page), "axe": serious(page)}
    page.screenshot(path=str(ARTIFACTS / f"{name}-{width}.png"), full_page=True)
    return found


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", PAGES)
def test_results_page_fits_the_screen_without_serious_violations(browser, live_server, name, width):
    ARTIFACTS.mkdir(exist_ok=True)
    user, address = PAGES[name]
    context, page = signed_in_page(browser, live_server, user, width)
    try:
        page.goto(f"{live_server}{address}")
        found = check(page, name, width)
    finally:
        context.close()
    assert found == {"broken images": [], "overflow": 0, "axe": []}


@pytest.mark.parametrize("width", WIDTHS)
def test_the_report_of_a_wave_renders_from_the_dashboard(browser, live_server, width):
    ARTIFACTS.mkdir(exist_ok=True)
    context, page = signed_in_page(browser, live_server, "anna", width)
    try:
        page.goto(f"{live_server}/admin/enterprises/{ENTERPRISE}/dashboard?lang=fr")
        with page.expect_navigation():
            page.get_by_role("link", name="Rapport imprimable de cette vague").first.click()
        load_all_images(page)
        found = {"broken images": broken_images(page), "axe": serious(page)}
        page.screenshot(path=str(ARTIFACTS / f"report-{width}.png"), full_page=True)
        page.emulate_media(media="print")
        page.screenshot(path=str(ARTIFACTS / f"report-print-{width}.png"), full_page=True)
    finally:
        context.close()
    assert found == {"broken images": [], "axe": []}
