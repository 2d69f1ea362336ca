"""Browser, 360 px wide, keyboard only, JavaScript on and off: an easy-mode survey from the intro
page to the thank-you page, with pictorial answers, audio controls where the questionnaire has
recordings, and the speech button only with JavaScript and a voice; axe on every easy screen."""

from __future__ import annotations

import pytest

from tests.app_support import ARTIFACTS
from tests.survey_support import answers_of, responses
from tests.test_respondent_axe import serious
from tests.test_respondent_browser import VIEWPORT, choose, press_button, tab_to

pytestmark = pytest.mark.browser
# Headless Chromium has no voice: the tests give it one, and keep what it is asked to say.
FAKE_VOICE = """
window.__spoken = [];
if (window.speechSynthesis) {
  const voice = { lang: "fr-FR", name: "Test", default: true, localService: true, voiceURI: "test" };
  window.speechSynthesis.getVoices = () => [voice];
  window.speechSynthesis.speak = (utterance) => window.__spoken.push(utterance.text);
}
"""


def next_screen(page) -> None:
    press_button(page, "action", "next")


@pytest.mark.parametrize("js", [True, False], ids=["js", "no-js"])
def test_easy_mode_from_intro_to_thanks_by_keyboard(browser, serve, easy_survey, js):
    app, db, token, _open, _campaign = easy_survey
    base = serve(app)
    context = browser.new_context(viewport=VIEWPORT, java_script_enabled=js)
    if js:
        context.add_init_script(FAKE_VOICE)
    page = context.new_page()
    found: dict[str, list[str]] = {}

    def check(name: str) -> None:
        """axe, and nothing wider than the phone (both need the page's script engine)."""
        if js:
            found[name] = serious(page)
            assert page.evaluate("document.documentElement.scrollWidth") <= VIEWPORT["width"], name

    page.goto(f"{base}/s/{token}?lang=fr")
    check("intro")
    tab_to(page, "el.classList.contains('button-secondary')")  # "Start in easy mode"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith("/easy/1") and page.locator(".easy-image").count() == 1
    check("note with a picture")
    next_screen(page)

    assert page.locator("h1").inner_text() == "J'ai plus confiance en moi."
    assert page.locator("audio[controls]").count() == 1  # a recording: it plays without any script
    assert page.locator(".easy-speak").count() == 0
    faces = page.locator("img.easy-picture[src*='face-']")
    assert faces.count() == 5 and all(faces.nth(i).get_attribute("alt") for i in range(5))
    assert page.locator("text=Question 2 sur 7").count() == 1 and page.locator(".easy-steps li").count() == 7
    check("agree5 with faces and a recording")
    page.screenshot(path=str(ARTIFACTS / f"easy-agree-{'js' if js else 'nojs'}-360.png"), full_page=True)
    choose(page, "q_confident", "4")
    next_screen(page)

    assert page.locator("audio").count() == 0
    assert page.locator(".easy-speak").count() == (1 if js else 0)  # speech only with a script and a voice
    if js:
        page.locator(".easy-speak").focus()
        page.keyboard.press("Enter")
        spoken = page.evaluate("window.__spoken")
        assert spoken and "Je me sens souvent seul(e)." in spoken[0] and "Tout à fait d'accord" in spoken[0]
    check("reversed agree5 with dots and a speech button")
    choose(page, "q_alone", "2")
    next_screen(page)

    assert page.locator("img[src$='yes.svg']").get_attribute("alt") == "coche"
    choose(page, "q_trained", "yes")
    next_screen(page)

    assert page.locator("text=Question 5 sur 8").count() == 1  # "useful" now shows: one more question
    assert page.locator("img.easy-picture[src*='dots-']").count() == 11
    check("0-10 with dots")
    page.screenshot(path=str(ARTIFACTS / f"easy-scale-{'js' if js else 'nojs'}-360.png"), full_page=True)
    choose(page, "q_useful", "7")
    next_screen(page)

    assert page.locator("img.easy-picture[src='/media/easy/home.png']").count() == 1
    assert page.locator("audio[controls]").count() == 1  # the option's own recording
    check("options with a picture and a recording")
    choose(page, "q_place", "home")
    next_screen(page)
    choose(page, "q_recommend", "9")
    next_screen(page)

    tab_to(page, "el.name === 'q_words'")
    page.keyboard.type("Merci pour tout")
    check("free text")
    next_screen(page)
    assert page.url.endswith("/easy/send")
    check("ready to send")
    press_button(page, "action", "submit")
    assert page.url.endswith("/thanks")
    check("thanks")
    context.close()

    (stored,) = responses(db)
    answers = answers_of(db, stored["id"])
    assert answers["confident"] == (4.0, None, 0) and answers["alone"] == (2.0, None, 0)
    assert answers["trained"] == (1.0, None, 0) and answers["useful"] == (7.0, None, 0)
    assert answers["place"] == (None, "home", 0) and answers["words"] == (None, "Merci pour tout", 0)
    assert found == {name: [] for name in found}


def test_without_a_voice_there_is_no_speech_button(browser, serve, easy_survey):
    app, _db, token, _open, _campaign = easy_survey
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    page.add_init_script("if (window.speechSynthesis) { window.speechSynthesis.getVoices = () => []; }")
    base = serve(app)
    page.goto(f"{base}/s/{token}/easy/1?lang=fr")
    page.goto(f"{base}/s/{token}/easy/1")
    assert page.locator("[data-speak]").count() == 1 and page.locator(".easy-speak").count() == 0
    context.close()
