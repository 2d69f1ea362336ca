"""Browser, on a phone-sized screen: an admin sets up two-step sign-in at the first sign-in (QR
code, first code, recovery codes), previews an invitation text, follows the e-mails of a campaign
and reads the audit trail; axe finds no serious or critical violation on these pages."""

import re

import pyotp
import pytest
from playwright.sync_api import expect

from tests.app_support import ARTIFACTS, PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture
def app(make_app):
    """The production default: admins must use the second step."""
    return make_app(security__two_factor_admins=True)


def serious(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    violations = Axe().run(page).response["violations"]
    return [f"{v['id']}: {v['help']}" for v in violations if v["impact"] in ("serious", "critical")]


def test_an_admin_enrols_then_follows_the_mail_of_a_campaign(browser, live_server, world):
    context = browser.new_context(viewport={"width": 360, "height": 740})
    office = context.new_page()
    office.goto(f"{live_server}/login?lang=en")
    office.get_by_label("E-mail address").fill("admin@example.org")
    office.get_by_label("Password").fill(PASSWORD)
    office.get_by_role("button", name="Sign in").click()
    expect(office.get_by_role("heading", name="Set up two-step sign-in")).to_be_visible()
    expect(office.locator(".qr-code svg")).to_be_visible()
    found = {"setup": serious(office)}
    secret = office.locator("#totp-secret").inner_text()
    office.get_by_label("Code").fill(pyotp.TOTP(secret).now())
    office.get_by_role("button", name="Continue").click()
    expect(office.locator("#recovery-codes li")).to_have_count(10)
    codes = office.locator("#recovery-codes li").all_inner_texts()
    assert len(codes) == 10 and all(re.fullmatch(r"[a-z2-9]{5}-[a-z2-9]{5}", c) for c in codes)
    found["recovery codes"] = serious(office)
    office.get_by_role("link", name="I have kept them: continue").click()

    office.goto(f"{live_server}/admin/campaigns/{world.campaign_a}/invitations/")
    found["invitations"] = serious(office)
    with office.expect_navigation():
        office.get_by_role("link", name="Preview and edit the texts of the e-mails").click()
    found["texts"] = serious(office)
    office.locator("table a").first.click()
    office.get_by_label("Text").fill("Bonjour,\n\n{enterprise} vous demande votre avis.\n\n{link}")
    office.get_by_role("button", name="Preview").click()
    expect(office.locator("#preview-subject")).to_have_text("Atelier A aimerait avoir votre avis")
    assert (
        "Atelier A vous demande votre avis." in office.frame_locator("iframe.mail-preview").locator("body").inner_text()
    )
    found["text form"] = serious(office)
    ARTIFACTS.mkdir(exist_ok=True)
    office.screenshot(path=str(ARTIFACTS / "mail-text-preview.png"), full_page=True)

    office.goto(f"{live_server}/admin/campaigns/{world.campaign_a}")
    expect(office.locator("#reminder-plan")).to_be_visible()
    found["campaign"] = serious(office)
    office.get_by_role("link", name="Audit trail").click()
    expect(office.get_by_role("cell", name="2fa.enrol")).to_be_visible()
    found["audit"] = serious(office)
    office.screenshot(path=str(ARTIFACTS / "audit-trail.png"), full_page=True)
    context.close()
    assert found == {name: [] for name in found}
