"""Browser: one person answers a baseline and a follow-up of a series in the same browser, with
JavaScript off at 360 px, linking by the code questions and then by the code card, by keyboard on
the linking step; both linking pages and the card have no serious axe violation."""

from __future__ import annotations

from datetime import timedelta

import pytest

from survey_app.domain import series
from tests.app_support import ARTIFACTS, NOW
from tests.survey_support import BENEFICIARIES, freeze

pytestmark = pytest.mark.browser
VIEWPORT = {"width": 360, "height": 740}


def tab_to(page, condition: str, limit: int = 80) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"(() => {{ const el = document.activeElement; return !!({condition}); }})()"):
            return
    raise AssertionError(f"never focused: {condition}")


def answer_survey(page, url: str) -> None:
    """Every page of the beneficiaries survey; the last page's button leads to the linking step."""
    page.goto(url + "/1?lang=en")
    for number, answers in enumerate(BENEFICIARIES, start=1):
        for name, value in answers.items():
            if page.locator(f"textarea[name='{name}']").count():
                page.fill(f"textarea[name='{name}']", value)
            else:
                page.check(f"input[name='{name}'][value='{value}']")
        label = "Continue" if number == len(BENEFICIARIES) else "Next"
        with page.expect_navigation():
            page.get_by_role("button", name=label, exact=True).click()
    assert page.url.endswith("/follow-up"), page.url
    assert page.evaluate("document.documentElement.scrollWidth") <= VIEWPORT["width"]


def press(page, value: str) -> None:
    tab_to(page, f"el.tagName === 'BUTTON' && el.value === '{value}' && !el.hidden")
    with page.expect_navigation():
        page.keyboard.press("Enter")


def type_into(page, name: str, text: str) -> None:
    tab_to(page, f"el.name === '{name}'")
    page.keyboard.type(text)


def serious(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    violations = Axe().run(page).response["violations"]
    return [v["id"] for v in violations if v["impact"] in ("serious", "critical")]


@pytest.fixture
def two_series(seed, db, monkeypatch):
    freeze(monkeypatch, NOW)
    enterprise = seed.enterprise(name="Les Ateliers du Nord")
    out = {}
    for method, questions in (("questions", ["mother_initial", "birth_month", "older_siblings"]), ("card", [])):
        waves = [seed.campaign(enterprise, title=f"{method} {i}", opens_at=NOW - timedelta(days=9 - i)) for i in (0, 1)]
        series_id = series.create(db, enterprise, "beneficiaries", method, method, questions, NOW)
        record = {"id": series_id, "enterprise_id": enterprise, "stakeholder_group": "beneficiaries"}
        for campaign in waves:
            assert series.add_wave(db, record, campaign)
        out[method] = [seed.links(c, 1)[0] for c in waves]
    return out


def hashes_of(db) -> list[str]:
    return [r[0] for r in db.execute("SELECT code_hash FROM series_link ORDER BY response_id")]


def test_code_questions_then_code_card_without_javascript(browser, live_server, two_series, db):
    context = browser.new_context(viewport=VIEWPORT, java_script_enabled=False)
    page = context.new_page()
    ARTIFACTS.mkdir(exist_ok=True)
    for token in two_series["questions"]:  # the same person, the same answers to the code questions
        answer_survey(page, f"{live_server}/s/{token}")
        type_into(page, "c_mother_initial", "m")
        page.select_option("select[name='c_birth_month']", "4")
        page.select_option("select[name='c_older_siblings']", "1")
        page.screenshot(path=str(ARTIFACTS / "series-questions-360.png"), full_page=True)
        press(page, "link")
        assert page.url.endswith("/thanks")
    first, second = hashes_of(db)
    assert first == second

    baseline, follow_up = two_series["card"]
    answer_survey(page, f"{live_server}/s/{baseline}")
    press(page, "link")
    card = page.locator("#card-code").inner_text().split()[-1]
    page.screenshot(path=str(ARTIFACTS / "series-card-360.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= VIEWPORT["width"]
    with page.expect_download() as download:
        page.get_by_role("button", name="Download the code as a text file").click()
    assert card in open(download.value.path(), encoding="utf-8").read()
    answer_survey(page, f"{live_server}/s/{follow_up}")
    type_into(page, "card_code", card.lower())
    press(page, "link")
    assert page.url.endswith("/thanks")
    assert len(set(hashes_of(db))) == 2 and len(hashes_of(db)) == 4
    context.close()


def test_declining_by_keyboard_and_axe_on_the_linking_pages(browser, live_server, two_series, db):
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    found = {}
    answer_survey(page, f"{live_server}/s/{two_series['questions'][0]}")
    found["code questions"] = serious(page)
    press(page, "link")  # nothing answered: the errors are shown, nothing is sent
    assert page.locator(".error-summary a").count() == 3
    found["code questions with errors"] = serious(page)
    press(page, "skip")
    assert page.url.endswith("/thanks") and hashes_of(db) == []
    answer_survey(page, f"{live_server}/s/{two_series['card'][0]}")
    found["card offer"] = serious(page)
    press(page, "link")
    found["card"] = serious(page)
    answer_survey(page, f"{live_server}/s/{two_series['card'][1]}")
    found["card code"] = serious(page)
    assert found == {name: [] for name in found}
    context.close()
