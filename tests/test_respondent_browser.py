"""Browser: whole surveys answered with the keyboard only at 360x740, with JavaScript on and off:
beneficiaries in French and workers in Dutch, one validation error each, save and resume in a new
browser context, the thank-you page, then exactly those responses in the database."""

from __future__ import annotations

import pytest

from tests.app_support import ARTIFACTS, NOW
from tests.survey_support import BENEFICIARIES, WORKERS, answers_of, freeze, responses

pytestmark = pytest.mark.browser
VIEWPORT = {"width": 360, "height": 740}


def tab_to(page, condition: str, limit: int = 120) -> None:
    """Press Tab until `condition` (a JS expression on `el`, the focused element) holds."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"(() => {{ const el = document.activeElement; return !!({condition}); }})()"):
            return
    raise AssertionError(f"never focused: {condition}")


def choose(page, name: str, value: str) -> None:
    """Select a radio by keyboard: Tab into its group, Space, then arrows to the wanted value."""
    tab_to(page, f"el.name === '{name}'")
    values = page.eval_on_selector_all(f"input[name='{name}']", "els => els.map(e => e.value)")
    page.keyboard.press("Space")
    focused = page.evaluate("document.activeElement.value")
    steps = values.index(value) - values.index(focused)
    for _ in range(abs(steps)):
        page.keyboard.press("ArrowDown" if steps > 0 else "ArrowUp")
    assert page.evaluate("document.activeElement.checked && document.activeElement.value") == value


def answer_page(page, answers: dict[str, str]) -> None:
    for name, value in answers.items():
        if not value:
            continue
        if page.locator(f"textarea[name='{name}']").count():
            tab_to(page, f"el.name === '{name}'")
            page.keyboard.press("Control+A")
            page.keyboard.type(value)
        else:
            choose(page, name, value)


def press_button(page, name: str, value: str) -> None:
    tab_to(page, f"el.tagName === 'BUTTON' && el.name === '{name}' && el.value === '{value}'")
    with page.expect_navigation():
        page.keyboard.press("Enter")


def start(page, url: str) -> None:
    page.goto(url)
    tab_to(page, "el.classList.contains('button')")
    with page.expect_navigation():
        page.keyboard.press("Enter")


def flow(browser, base: str, token: str, lang: str, pages: list[dict[str, str]], js: bool, shot: str) -> None:
    context = browser.new_context(viewport=VIEWPORT, java_script_enabled=js)
    page = context.new_page()
    start(page, f"{base}/s/{token}?lang={lang}")
    assert page.locator("html").get_attribute("lang") == lang
    # One validation error: the first question is skipped.
    first, *rest = pages[0].items()
    answer_page(page, dict(rest))
    press_button(page, "action", "next")
    assert page.title().startswith("Erreur" if lang == "fr" else "Fout")
    assert page.locator(".error-summary a").count() == 1
    if js:
        assert page.evaluate("document.activeElement.id") == "error-summary"
    answer_page(page, dict([first]))
    press_button(page, "action", "next")
    assert page.locator(".progress").inner_text().endswith("2" + (" sur 3" if lang == "fr" else " van 3"))
    answer_page(page, pages[1])
    press_button(page, "action", "save")
    context.close()

    context = browser.new_context(viewport=VIEWPORT, java_script_enabled=js)  # another device
    page = context.new_page()
    page.goto(f"{base}/s/{token}?lang={lang}")
    assert page.url.endswith("/3"), page.url
    answer_page(page, pages[2])
    press_button(page, "action", "submit")
    assert page.url.endswith("/thanks")
    assert page.locator("h1").inner_text() == (
        "Merci pour vos réponses" if lang == "fr" else "Bedankt voor je antwoorden"
    )
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{shot}.png"), full_page=True)
    context.close()


@pytest.mark.parametrize("js", [True, False], ids=["js", "no-js"])
def test_keyboard_only_flows_in_french_and_dutch(browser, live_server, seed, db, monkeypatch, js):
    freeze(monkeypatch, NOW)
    fr_campaign = seed.campaign(seed.enterprise(name="Les Ateliers du Nord"))
    nl_campaign = seed.campaign(seed.enterprise(name="Maatwerk Gent", language="nl"), group="workers")
    fr_token, nl_token = seed.links(fr_campaign, 1)[0], seed.links(nl_campaign, 1)[0]
    suffix = "js" if js else "nojs"
    flow(browser, live_server, fr_token, "fr", BENEFICIARIES, js, f"survey-fr-{suffix}")
    flow(browser, live_server, nl_token, "nl", WORKERS, js, f"survey-nl-{suffix}")
    stored = {r["campaign_id"]: (r, answers_of(db, r["id"])) for r in responses(db)}
    assert len(stored) == 2
    fr_response, fr_answers = stored[fr_campaign]
    assert fr_response["language"] == "fr" and fr_response["link"] == "personal" and fr_response["channel"] == "self"
    assert fr_answers["treated_with_respect"] == (5.0, None, 0)
    assert fr_answers["easy_to_access"] == (None, None, 1)
    assert fr_answers["training_useful"] == (4.0, None, 0)
    assert fr_answers["recommend"] == (9.0, None, 0)
    assert fr_answers["what_changed"] == (None, BENEFICIARIES[2]["q_what_changed"], 0)
    assert len(fr_answers) == 12
    nl_response, nl_answers = stored[nl_campaign]
    assert nl_response["language"] == "nl"
    assert nl_answers["work_is_useful"] == (5.0, None, 0) and nl_answers["place_for_everyone"] == (None, None, 1)
    assert nl_answers["had_training"] == (0.0, None, 0) and "training_useful" not in nl_answers
    assert nl_answers["recommend"] == (10.0, None, 0) and len(nl_answers) == 10


@pytest.mark.parametrize("js", [True, False], ids=["js", "no-js"])
def test_language_switch_button_keeps_answers(browser, live_server, seed, monkeypatch, js):
    freeze(monkeypatch, NOW)
    token = seed.links(seed.campaign(seed.enterprise()), 1)[0]
    context = browser.new_context(viewport=VIEWPORT, java_script_enabled=js)
    page = context.new_page()
    page.goto(f"{live_server}/s/{token}/1?lang=fr")
    answer_page(page, {"q_fits_my_needs": "2"})
    press_button(page, "lang", "nl")
    assert page.locator("html").get_attribute("lang") == "nl"
    assert page.locator("#q_fits_my_needs-1").is_checked()
    assert "Helemaal akkoord" in page.content()
    context.close()


def test_show_if_question_appears_live_with_javascript(page, live_server, seed, monkeypatch):
    freeze(monkeypatch, NOW)
    token = seed.links(seed.campaign(seed.enterprise()), 1)[0]
    page.goto(f"{live_server}/s/{token}/1?lang=en")
    answer_page(page, BENEFICIARIES[0])
    press_button(page, "action", "next")
    block = page.locator("#q_training_useful-block")
    assert block.is_hidden()
    page.locator("label[for='q_followed_training-0']").click()
    assert block.is_visible()
