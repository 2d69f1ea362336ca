"""Browser: an interviewer enters ten responses by keyboard only (one key per answer, Enter for
the next question): seven interviews and three paper questionnaires. Each response keeps its
channel and no account; the account gets counts; the results by channel stay suppressed while
paper has fewer answers than the threshold. axe on the entry pages."""

from __future__ import annotations

import pytest

from tests.app_support import PASSWORD
from tests.survey_support import answers_of, responses
from tests.test_respondent_axe import serious
from tests.test_respondent_browser import VIEWPORT, choose, tab_to

pytestmark = pytest.mark.browser
# Keys typed per question, in order: agree5 keys are their values, x is "don't know", yes/no are
# 1/2, 0-10 is the number (10: 1 then 0), text is typed; Enter after each.
PEOPLE = [
    ["5", "4", "x", "4", "3", "5", "1", "4", "2", "1", "9", "Merci"],
    ["3", "3", "3", "3", "3", "3", "2", "3", "3", "10", ""],
]


def sign_in(page, base: str) -> None:
    page.goto(f"{base}/login?lang=en")
    page.keyboard.press("Tab")
    tab_to(page, "el.name === 'email'")
    page.keyboard.type("ines@example.org")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")


def type_answers(page, keys: list[str]) -> None:
    for key in keys:
        if key == "10":
            page.keyboard.press("1")
            page.keyboard.press("0")
        elif len(key) == 1:
            page.keyboard.press(key)
        elif key:
            page.keyboard.type(key)
        page.keyboard.press("Enter")


def test_ten_responses_entered_by_keyboard(browser, live_server, world, interviewer, db, at_now):
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    sign_in(page, live_server)
    found = {"overview": serious(page)}
    tab_to(page, f"el.href && el.href.endsWith('/admin/campaigns/{world.campaign_a}/entry/')")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    found["setup"] = serious(page)
    for channel, count in (("interview", 7), ("paper", 3)):
        page.goto(f"{live_server}/admin/campaigns/{world.campaign_a}/entry/")
        choose(page, "channel", channel)
        tab_to(page, "el.tagName === 'BUTTON' && el.type === 'submit' && el.closest('main')")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert "/entry/answers?" in page.url and f"channel={channel}" in page.url
        if channel == "interview":
            found["entry screen"] = serious(page)
        for person in range(count):
            assert page.evaluate("document.activeElement.name") == "q_treated_with_respect"  # ready to type
            type_answers(page, PEOPLE[person % 2])
            assert page.evaluate("document.activeElement.id") == "entry-submit"
            with page.expect_navigation():
                page.keyboard.press("Enter")
            assert page.locator(".flash").inner_text().startswith("Answers saved")
    context.close()
    assert found == {name: [] for name in found}

    stored = responses(db)
    assert [r["channel"] for r in stored] == ["interview"] * 7 + ["paper"] * 3
    assert all(r["link"] == "open" for r in stored)
    columns = {row[1] for row in db.execute("PRAGMA table_info(response)")}
    assert columns == {"id", "campaign_id", "submission_id", "language", "link", "channel", "submitted_week"}
    assert db.execute("SELECT channel, count FROM entry_count WHERE user_id = ? ORDER BY channel",
                      [world.interviewer_a]).fetchall() == [("interview", 7), ("paper", 3)]  # fmt: skip
    first = answers_of(db, stored[0]["id"])
    assert first["treated_with_respect"] == (5.0, None, 0) and first["easy_to_access"] == (None, None, 1)
    assert first["followed_training"] == (1.0, None, 0) and first["training_useful"] == (4.0, None, 0)
    assert first["recommend"] == (9.0, None, 0) and first["what_changed"] == (None, "Merci", 0)
    second = answers_of(db, stored[1]["id"])
    assert second["followed_training"] == (0.0, None, 0) and "training_useful" not in second
    assert second["recommend"] == (10.0, None, 0)


def test_the_channel_breakdown_stays_suppressed_below_the_threshold(browser, live_server, world, db, signed_in, at_now):
    from pipeline.sample.responses import add_responses

    ids = add_responses(db, world.campaign_a, [{"feel_confident": 4, "manage_on_my_own": 4}] * 10)
    db.execute("UPDATE response SET channel = 'interview' WHERE id IN (?, ?, ?, ?, ?, ?, ?)", ids[:7])
    db.execute("UPDATE response SET channel = 'paper' WHERE id IN (?, ?, ?)", ids[7:])
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    page.goto(f"{live_server}/login?lang=en")
    page.fill("#email", "anna@example.org")
    page.fill("#password", PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.goto(f"{live_server}/admin/campaigns/{world.campaign_a}/by-channel/")
    assert page.locator("#channel-scores td.num").count() == 0
    assert page.locator("#channel-scores td.suppressed").count() >= 2
    assert serious(page) == []
    context.close()
