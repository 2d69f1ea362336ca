"""Dashboard, report and federation view in Chromium: rendered at 360 px and 1280 px (screenshots in
test-artifacts/), charts load, and axe-core finds no serious or critical violation."""

from __future__ import annotations

import pytest

from tests.app_support import ARTIFACTS, PASSWORD
from tests.dashboard_support import ENTERPRISE, USERS

pytestmark = pytest.mark.browser
WIDTHS = (360, 1280)


@pytest.fixture
def app(demo_app):
    """The live server serves the demo data."""
    return demo_app


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


@pytest.mark.parametrize("width", WIDTHS)
def test_dashboard_and_report_render_without_serious_violations(browser, live_server, width):
    ARTIFACTS.mkdir(exist_ok=True)
    context, page = signed_in_page(browser, live_server, "anna", width)
    found = {}
    try:
        page.goto(f"{live_server}/admin/enterprises/{ENTERPRISE}/dashboard?lang=fr")
        load_all_images(page)
        assert broken_images(page) == []
        found["dashboard"] = serious(page)
        page.screenshot(path=str(ARTIFACTS / f"dashboard-{width}.png"), full_page=True)
        page.get_by_role("link", name="Rapport imprimable de cette vague").first.click()
        load_all_images(page)
        assert broken_images(page) == []
        found["report"] = serious(page)
        page.screenshot(path=str(ARTIFACTS / f"report-{width}.png"), full_page=True)
        page.emulate_media(media="print")
        page.screenshot(path=str(ARTIFACTS / f"report-print-{width}.png"), full_page=True)
        page.emulate_media(media="screen")
        page.goto(f"{live_server}/admin/methodology?lang=nl")
        found["methodology"] = serious(page)
    finally:
        context.close()
    assert found == {name: [] for name in found}


def test_federation_view_renders_without_serious_violations(browser, live_server):
    ARTIFACTS.mkdir(exist_ok=True)
    context, page = signed_in_page(browser, live_server, "admin", 1280)
    try:
        page.goto(f"{live_server}/admin/federation/?lang=en")
        assert serious(page) == []
        page.screenshot(path=str(ARTIFACTS / "federation-1280.png"), full_page=True)
    finally:
        context.close()
