"""Respondent pages, polished: the 0-10 question in two clean rows at 360 px (one row of 11 on a
wide screen) with its end labels under its ends; the primary action stands out from back and
save; resuming on another device keeps the language the respondent chose."""

from __future__ import annotations

import pytest

from tests.app_support import NOW
from tests.survey_support import BENEFICIARIES, Respondent, freeze
from tests.test_respondent_axe import serious


def boxes(page, selector: str) -> list[dict]:
    return page.eval_on_selector_all(selector, "els => els.map(e => e.getBoundingClientRect().toJSON())")


@pytest.fixture
def last_page(app, seed, monkeypatch):
    freeze(monkeypatch, NOW)
    token = seed.links(seed.campaign(seed.enterprise()), 1)[0]
    respondent = Respondent(app.test_client(), f"/s/{token}")
    for number, answers in enumerate(BENEFICIARIES[:2], start=1):
        respondent.post(number, answers)
    return token, respondent


@pytest.mark.browser
@pytest.mark.parametrize("width", [360, 800])
def test_the_0_10_scale_has_clean_rows_and_its_end_labels_under_its_ends(browser, live_server, last_page, width):
    token, respondent = last_page
    context = browser.new_context(viewport={"width": width, "height": 900})
    context.add_cookies(
        [{"name": c.key, "value": c.value, "url": live_server} for c in respondent.client._cookies.values()]
    )
    page = context.new_page()
    page.goto(f"{live_server}/s/{token}/3?lang=fr")
    options = boxes(page, "ul.scale11 li")
    assert len(options) == 11
    rows = sorted({round(o["top"]) for o in options})
    if width == 360:
        assert len(rows) == 2
        first, second = options[:6], options[6:]
        assert {round(o["top"]) for o in first} == {rows[0]} and {round(o["top"]) for o in second} == {rows[1]}
        assert abs(options[10]["right"] - options[5]["right"]) < 1  # 10 ends under 5, at the right end
    else:
        assert len(rows) == 1
    left, right = boxes(page, ".scale-ends span")
    assert left["top"] >= options[-1]["bottom"] and right["top"] >= options[-1]["bottom"]  # under the scale
    assert abs(left["left"] - options[0]["left"]) < 2 and abs(right["right"] - options[10]["right"]) < 2
    fieldset = page.locator("fieldset").filter(has=page.locator("ul.scale11"))
    assert "q_recommend-ends" in fieldset.get_attribute("aria-describedby")

    primary = page.locator(".actions .button:not(.button-secondary)")
    secondary = page.locator(".actions .button-secondary").first
    style = "el => [getComputedStyle(el).backgroundColor, getComputedStyle(el).color]"
    assert primary.evaluate(style) == ["rgb(0, 112, 60)", "rgb(255, 255, 255)"]
    assert secondary.evaluate(style) == ["rgb(243, 242, 241)", "rgb(11, 12, 12)"]
    if width == 360:  # the primary action comes first and takes the whole width
        assert primary.bounding_box()["width"] >= secondary.bounding_box()["width"]
        assert primary.bounding_box()["y"] < secondary.bounding_box()["y"]
    assert serious(page) == []
    context.close()


def test_resuming_on_another_device_keeps_the_chosen_language(app, seed, monkeypatch):
    freeze(monkeypatch, NOW)
    token = seed.links(seed.campaign(seed.enterprise()), 1)[0]
    respondent = Respondent(app.test_client(), f"/s/{token}")
    respondent.get("?lang=nl")
    respondent.post(1, BENEFICIARIES[0])
    other = app.test_client()
    other.set_cookie("lang", "fr")  # another device, set to French
    resumed = other.get(f"/s/{token}")
    assert resumed.headers["Location"] == f"/s/{token}/2?lang=nl"
    page = other.get(resumed.headers["Location"]).get_data(as_text=True)
    assert '<html lang="nl">' in page
    assert other.get(f"/s/{token}?lang=en").headers["Location"] == f"/s/{token}/2"  # an explicit choice wins
