"""Back office on a phone and on a desktop, in Chromium: every back-office page type, the report,
the public page and the short-code page at 360 px and 1280 px, without horizontal scroll (document
width <= viewport) and without serious or critical axe-core violation; screenshots kept in
test-artifacts/phone/. Then a keyboard-only run through an error summary."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from survey_app.domain import public_pages
from survey_app.storage.db import write_transaction
from tests.app_support import ARTIFACTS, NOW, PASSWORD
from tests.dashboard_support import ENTERPRISE, USERS
from tests.test_dashboard_browser import load_all_images, serious

pytestmark = pytest.mark.browser
WIDTHS = (360, 1280)
OPEN_CAMPAIGN = 3  # the demo's open wave of enterprise 1 (beneficiaries, wave 3) at NOW
SHOTS = ARTIFACTS / "phone"


@pytest.fixture
def app(demo_app):
    return demo_app


@pytest.fixture
def published(demo_db):
    """Wave 3 open until 2099 (the live server reads the real clock), an e-mail address with a
    sending failure on it, a public page of the enterprise; returns the public page's path."""
    with write_transaction(demo_db):
        demo_db.execute("UPDATE campaign SET closes_at = '2099-01-01T00:00:00Z' WHERE id = ?", [OPEN_CAMPAIGN])
        invitation = demo_db.execute("SELECT id FROM invitation WHERE campaign_id = ?", [OPEN_CAMPAIGN]).fetchone()[0]
        demo_db.execute(
            "INSERT INTO invitation_email (invitation_id, campaign_id, email, language, last_error) "
            "VALUES (?, ?, 'someone.with.a.rather.long.address@example-enterprise.org', 'fr', "
            "'550 mailbox unavailable: the address does not exist on this server')",
            [invitation, OPEN_CAMPAIGN],
        )
    page = public_pages.publish(demo_db, ENTERPRISE, None, 1, NOW)
    quotes = demo_db.execute("SELECT response_id, question_id FROM testimony WHERE campaign_id = 2 LIMIT 2").fetchall()
    public_pages.update(demo_db, page["id"], "Notre mission.\n\nNos chantiers.", False, quotes, NOW)
    return f"/p/{page['token']}"


def signed_in(browser, live_server, width: int):
    context = browser.new_context(viewport={"width": width, "height": 800})
    page = context.new_page()
    page.goto(f"{live_server}/login?lang=fr")
    page.fill("input[name=email]", USERS["admin"][0])
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit], input[type=submit]")
    page.wait_for_url(f"{live_server}/admin/")
    return context, page


def problems_of(page, name: str, width: int) -> list[str]:
    """Horizontal scroll and serious axe findings of the page shown, with a screenshot kept."""
    load_all_images(page)
    found = []
    scroll, viewport = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    if scroll > viewport:
        found.append(f"{name}: {scroll} px wide in a {viewport} px viewport")
    found += [f"{name}: {finding}" for finding in serious(page)]
    page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)
    return found


def paths(published: str) -> dict[str, str]:
    campaign = f"/admin/campaigns/{OPEN_CAMPAIGN}"
    return {
        "overview": "/admin/",
        "accounts": "/admin/accounts/",
        "account-new": "/admin/accounts/new",
        "account-edit": "/admin/accounts/2",
        "password": "/account/password",
        "enterprise": f"/admin/enterprises/{ENTERPRISE}",
        "enterprise-new": "/admin/enterprises/new",
        "enterprise-edit": f"/admin/enterprises/{ENTERPRISE}/edit",
        "campaign": campaign,
        "campaign-new": f"/admin/enterprises/{ENTERPRISE}/campaigns/new",
        "campaign-edit": f"{campaign}/edit",
        "links": f"{campaign}/links/",
        "cards": f"{campaign}/links/cards",
        "poster": f"{campaign}/links/poster",
        "invitations": f"{campaign}/invitations/",
        "exports": f"{campaign}/exports/",
        "runs": "/admin/runs/",
        "dashboards": "/admin/dashboards",
        "dashboard": f"/admin/enterprises/{ENTERPRISE}/dashboard",
        "methodology": "/admin/methodology",
        "federation": "/admin/federation/",
        "report": f"/admin/enterprises/{ENTERPRISE}/report/{OPEN_CAMPAIGN}",
        "public-page-settings": f"/admin/enterprises/{ENTERPRISE}/public-page",
        "campaign-public-page": f"{campaign}/public-page",
        "public-page": published,
        "code": "/code",
    }


@pytest.mark.parametrize("width", WIDTHS)
def test_every_page_type_fits_the_screen_without_serious_violations(browser, live_server, published, width):
    SHOTS.mkdir(parents=True, exist_ok=True)
    context, page = signed_in(browser, live_server, width)
    found = []
    try:
        for name, path in paths(published).items():
            page.goto(f"{live_server}{path}")
            found += problems_of(page, name, width)
        # Pages after a step: a form with errors, a confirmation, a flash message.
        page.goto(f"{live_server}/admin/enterprises/{ENTERPRISE}/campaigns/new")
        page.fill("input[name=title]", "")
        with page.expect_navigation():  # measure the page the click opens, not the one it leaves
            page.click("main form[method=post] [type=submit]")
        found += problems_of(page, "campaign-form-errors", width)
        page.goto(f"{live_server}/admin/accounts/new")
        with page.expect_navigation():  # measure the page the click opens, not the one it leaves
            page.click("main form[method=post] [type=submit]")
        found += problems_of(page, "account-new-errors", width)
        page.goto(f"{live_server}/admin/campaigns/{OPEN_CAMPAIGN}")
        with page.expect_navigation():
            page.get_by_role("button", name="Clôturer la campagne maintenant").click()
        found += problems_of(page, "confirm-close", width)
        page.goto(f"{live_server}/admin/campaigns/{OPEN_CAMPAIGN}/links/")
        page.fill("textarea[name=codes]", "ABCDEFG")
        with page.expect_navigation():
            page.get_by_role("button", name="Révoquer ces liens").click()
        found += problems_of(page, "confirm-revoke", width)
    finally:
        context.close()
    assert found == [], "\n".join(found)


def test_keyboard_only_through_the_error_summary(browser, live_server, published):
    """Submit an invalid form from the keyboard; focus lands on the summary; Tab reaches its first
    link; Enter puts focus in the field it names."""
    context, page = signed_in(browser, live_server, 360)
    try:
        page.goto(f"{live_server}/admin/accounts/new")
        for _attempt in range(40):  # Tab from the top of the page to the e-mail field
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement.name") == "email":
                break
        else:
            raise AssertionError("Tab never reached the e-mail field")
        with page.expect_navigation():
            page.keyboard.press("Enter")  # implicit submission of the (empty) form
        assert page.title().startswith("Erreur")
        assert page.evaluate("document.activeElement.id") == "error-summary"
        page.keyboard.press("Tab")
        link = page.evaluate("[document.activeElement.tagName, document.activeElement.getAttribute('href')]")
        assert link == ["A", "#email"]
        assert "Adresse e-mail" in page.evaluate("document.activeElement.textContent")
        page.keyboard.press("Enter")
        assert page.evaluate("document.activeElement.id") == "email"
        page.screenshot(path=str(SHOTS / "keyboard-error-summary-360.png"))
    finally:
        context.close()


def test_the_campaign_closes_only_after_its_confirmation(browser, live_server, published, demo_db):
    context, page = signed_in(browser, live_server, 360)
    try:
        page.goto(f"{live_server}/admin/campaigns/{OPEN_CAMPAIGN}")
        page.get_by_role("button", name="Clôturer la campagne maintenant").click()
        assert demo_db.execute("SELECT closed_at FROM campaign WHERE id = ?", [OPEN_CAMPAIGN]).fetchone()[0] is None
        page.get_by_role("link", name="Annuler").click()
        expect(page).to_have_url(re.compile(rf"/admin/campaigns/{OPEN_CAMPAIGN}$"))
        page.get_by_role("button", name="Clôturer la campagne maintenant").click()
        page.get_by_role("button", name="Oui, clôturer la campagne").click()
        expect(page.locator("#campaign-state")).to_have_text("Clôturée")
        assert demo_db.execute("SELECT closed_at FROM campaign WHERE id = ?", [OPEN_CAMPAIGN]).fetchone()[0]
    finally:
        context.close()
