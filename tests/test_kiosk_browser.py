"""Browser: two people in a row on one shared tablet (one browser context). The second person can
neither see nor change the first one's answers: not with the back button, not by reloading, not
after the first one walked away (idle timeout), with JavaScript (warning, then cleared) and
without (the page moves on by itself). axe on every kiosk page."""

from __future__ import annotations

from datetime import timedelta

import pytest

from survey_app.domain.kiosks import add_kiosk
from survey_app.storage.db import write_transaction
from tests.app_support import NOW
from tests.survey_support import BENEFICIARIES, responses
from tests.test_respondent_axe import serious
from tests.test_respondent_browser import VIEWPORT, answer_page, press_button, tab_to

pytestmark = pytest.mark.browser
IDLE, WARNING, THANKS = 15, 5, 3


class Clock:
    def __init__(self, monkeypatch):
        self.now = NOW
        monkeypatch.setattr("survey_app.core.timeutil.now_utc", lambda: self.now)


@pytest.fixture
def tablet(make_app, serve, monkeypatch):
    app = make_app(kiosk__idle_seconds=IDLE, kiosk__warning_seconds=WARNING, kiosk__thanks_seconds=THANKS)
    clock = Clock(monkeypatch)
    from survey_app.domain.campaigns import CampaignSpec, create_campaign
    from survey_app.domain.enterprises import create_enterprise
    from survey_app.storage.db import connect

    db = connect(app.config["SETTINGS"]["database.path"])
    with write_transaction(db):
        enterprise = create_enterprise(db, "Accueil Solidaire", "care", "BE", "fr", NOW)
        spec = CampaignSpec(
            enterprise, "beneficiaries", "beneficiaries", 1, "Accueil", NOW - timedelta(days=1),
            NOW + timedelta(days=9), "Europe/Brussels", ("fr", "nl"),
        )  # fmt: skip
        kiosk = add_kiosk(db, create_campaign(db, spec, NOW), "Accueil", 30, NOW)
    token = db.execute("SELECT token FROM kiosk WHERE id = ?", [kiosk]).fetchone()[0]
    yield {"url": f"{serve(app)}/k/{token}", "db": db, "clock": clock}
    db.close()


def press_start(page, url: str) -> None:
    page.goto(url + "?lang=fr")
    tab_to(page, "el.tagName === 'BUTTON' && el.textContent.trim() === 'Commencer'")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith("/1")


def nothing_checked(page) -> bool:
    return page.evaluate("document.querySelectorAll('input:checked').length === 0 && "
                         "[...document.querySelectorAll('textarea')].every(t => !t.value)")  # fmt: skip


def test_the_next_person_never_sees_the_previous_answers(browser, tablet):
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    found = {}
    page.goto(tablet["url"] + "?lang=fr")
    found["start"] = serious(page)
    press_start(page, tablet["url"])  # the first person answers the whole survey
    for number, answers in enumerate(BENEFICIARIES, start=1):
        answer_page(page, answers)
        if number == 1:
            found["page"] = serious(page)
        press_button(page, "action", "submit" if number == len(BENEFICIARIES) else "next")
    assert page.url.endswith("/thanks")
    found["thanks"] = serious(page)
    page.wait_for_url(tablet["url"], timeout=(THANKS + 5) * 1000)  # back to the start by itself
    press_start(page, tablet["url"])  # the second person
    assert nothing_checked(page)
    answer_page(page, {"q_treated_with_respect": "2"})
    for _ in range(6):  # the back button, all the way through the first person's pages
        page.go_back()
        assert nothing_checked(page) or page.url.endswith("/1"), page.url
        assert "J'ai retrouvé du travail" not in page.content()
    for number in (1, 2, 3):
        page.goto(f"{tablet['url']}/{number}")
        page.reload()
        assert "J'ai retrouvé du travail" not in page.content() and page.url.endswith("/1")
        assert nothing_checked(page)
    assert len(responses(tablet["db"])) == 1
    assert found == {name: [] for name in found}
    context.close()


def test_an_idle_person_gets_a_warning_then_is_cleared(browser, tablet):
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    page.clock.install()
    press_start(page, tablet["url"])
    answer_page(page, BENEFICIARIES[0])
    press_button(page, "action", "next")
    answer_page(page, {"q_feel_confident": "4"})  # typed, not sent, then the person walks away
    page.clock.run_for(IDLE * 1000 + 500)
    warning = page.locator(".kiosk-warning")
    assert warning.is_visible() and page.evaluate("document.activeElement.classList.contains('kiosk-warning')")
    assert serious(page) == []
    tablet["clock"].now = NOW + timedelta(seconds=IDLE + WARNING + 60)  # the server's clock runs too
    with page.expect_navigation():
        page.clock.run_for(WARNING * 1000 + 500)
    assert page.url.endswith("/cleared")
    assert serious(page) == []
    assert tablet["db"].execute("SELECT count(*) FROM draft").fetchone()[0] == 0
    press_start(page, tablet["url"])
    assert nothing_checked(page)
    for _ in range(3):
        page.go_back()
        assert nothing_checked(page) and "checked" not in page.locator("main").inner_html()
    context.close()


def test_still_here_keeps_the_answers(browser, tablet):
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    page.clock.install()
    press_start(page, tablet["url"])
    answer_page(page, BENEFICIARIES[0])
    page.clock.run_for(IDLE * 1000 + 500)
    page.locator("#kiosk-still-here").focus()
    page.keyboard.press("Enter")
    assert not page.locator(".kiosk-warning").is_visible()
    page.clock.run_for(WARNING * 1000 + 500)
    assert page.url.endswith("/1") and page.locator("#q_treated_with_respect-4").is_checked()
    context.close()


def test_without_javascript_an_idle_page_moves_on_by_itself(browser, tablet):
    """Real seconds here: a meta refresh is not driven by the page's clock."""
    context = browser.new_context(viewport=VIEWPORT, java_script_enabled=False)
    page = context.new_page()
    press_start(page, tablet["url"])
    answer_page(page, BENEFICIARIES[0])
    press_button(page, "action", "next")
    page.wait_for_url("**/idle", timeout=(IDLE + 5) * 1000)
    assert page.locator("h1").inner_text() == "Vous êtes toujours là ?"
    tablet["clock"].now = NOW + timedelta(seconds=IDLE + WARNING + 60)
    page.wait_for_url("**/cleared", timeout=(WARNING + 5) * 1000)
    assert tablet["db"].execute("SELECT count(*) FROM draft").fetchone()[0] == 0
    page.go_back()
    page.go_back()
    assert "checked" not in page.locator("main").inner_html()
    context.close()
