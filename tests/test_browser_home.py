"""Browser: the home page in real Chromium, and its language switcher."""

import pytest

from tests.app_support import ARTIFACTS

pytestmark = pytest.mark.browser


def test_language_switcher_changes_and_keeps_the_language(page, live_server):
    page.goto(f"{live_server}/?lang=fr")
    assert page.locator("h1").inner_text() == "Donnez votre avis"
    switch = page.get_by_role("navigation", name="Langue")
    with page.expect_navigation():
        switch.get_by_role("link", name="Nederlands").click()
    assert page.locator("html").get_attribute("lang") == "nl"
    assert page.locator("h1").inner_text() == "Deel je ervaring"
    # The choice sticks: a plain visit of another page stays in Dutch.
    page.goto(f"{live_server}/login")
    assert page.locator("html").get_attribute("lang") == "nl"
    assert (
        page.get_by_role("navigation", name="Taal").get_by_role("link", name="Nederlands").get_attribute("aria-current")
        == "true"
    )
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "home-360.png"), full_page=True)


def test_language_switcher_works_by_keyboard(page, live_server):
    page.goto(f"{live_server}/?lang=fr")
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent") == "English":
            break
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator("html").get_attribute("lang") == "en"
