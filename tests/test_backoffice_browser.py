"""Browser: a manager creates a campaign with a custom question, generates links, a respondent
answers one in another browser context, and the campaign page counts the response."""

import csv
import io
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from tests.app_support import ARTIFACTS, PASSWORD

pytestmark = pytest.mark.browser


def answer_every_page(page):
    """Pick the first answer of every radio group and go on, until the thank-you page; return the
    text of the pages seen."""
    seen = []
    for _ in range(6):
        seen.append(page.content())
        names = page.eval_on_selector_all("input[type=radio]", "els => [...new Set(els.map(e => e.name))]")
        for name in names:
            page.locator(f"input[type=radio][name='{name}']").first.check()
        button = page.locator("button.button[value=submit], button.button[value=next]").first
        last = button.get_attribute("value") == "submit"
        with page.expect_navigation():  # wait for the next page, never read the old one
            button.click()
        if last:
            return seen
    raise AssertionError("the survey did not end")


def test_manager_campaign_links_response_counted(browser, live_server, world):
    manager = browser.new_context(viewport={"width": 1024, "height": 900})
    office = manager.new_page()
    office.goto(f"{live_server}/login?lang=en")
    office.get_by_label("E-mail address").fill("anna@example.org")
    office.get_by_label("Password").fill(PASSWORD)
    office.get_by_role("button", name="Sign in").click()
    office.get_by_role("link", name="Atelier A").click()
    office.get_by_role("link", name="New campaign").click()

    # The live server reads the real clock, so the campaign opens yesterday, local time.
    local_now = datetime.now(ZoneInfo("Europe/Brussels"))
    office.get_by_label("Title").fill("Bénéficiaires – vague 1")
    office.get_by_label("Opens on").fill((local_now - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"))
    office.get_by_label("Closes on").fill((local_now + timedelta(days=30)).strftime("%Y-%m-%dT%H:%M"))
    office.get_by_role("checkbox", name="Nederlands", exact=True).check()
    office.get_by_role("checkbox", name="English", exact=True).check()  # instruments name languages too
    first = office.get_by_role("group", name="Custom question 1")
    first.get_by_label("Type").select_option("agree5")
    first.get_by_label("Question in French").fill("Je me sens écouté(e).")
    first.get_by_label("Question in Dutch").fill("Ik voel me gehoord.")
    first.get_by_label("Question in English").fill("I feel listened to.")
    office.get_by_role("button", name="Save the campaign").click()
    expect(office.locator("#campaign-state")).to_have_text("Open")

    office.get_by_role("link", name="Links and QR codes").click()
    office.get_by_label("Number of personal links to create").fill("5")
    office.get_by_role("button", name="Create the links").click()
    expect(office.locator("body")).to_contain_text("Personal links created: 5.")
    csv_text = office.request.get(office.url + "links.csv").text()
    link = next(csv.DictReader(io.StringIO(csv_text)))["link"].replace("http://127.0.0.1:5000", live_server)

    respondent = browser.new_context(viewport={"width": 360, "height": 740})
    survey = respondent.new_page()
    survey.goto(link + "?lang=en")
    with survey.expect_navigation():
        survey.get_by_role("link", name="Start the survey").click()
    pages = answer_every_page(survey)
    assert "I feel listened to." in pages[-1]  # the custom question ends the last page
    assert "/thanks" in survey.url
    respondent.close()

    office.go_back()
    with office.expect_navigation():
        office.get_by_role("link", name="Bénéficiaires – vague 1").first.click()
    office.reload()
    assert office.locator("#count-submitted").inner_text() == "1"
    assert office.locator("#count-personal").inner_text() == "1"
    ARTIFACTS.mkdir(exist_ok=True)
    office.screenshot(path=str(ARTIFACTS / "campaign-page.png"), full_page=True)
    manager.close()
