"""One response rate, one definition (survey_app.domain.response_rates), written the same way on
every surface: campaign page, dashboard, report, API and weekly digest."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from pipeline.sample.responses import insert_responses
from survey_app.core.config import load
from survey_app.core.timeutil import iso_week
from survey_app.domain import response_rates
from survey_app.domain.response_rates import ResponseRate, describe, percent
from survey_app.mail.digest import compose
from survey_app.storage.db import write_transaction
from tests.app_support import NOW
from tests.dashboard_support import ENTERPRISE, OTHER

PERCENT = re.compile(r"\d+([,.]\d)?\u00a0?%")


def test_the_definition_per_channel_and_combined():
    personal = ResponseRate(1, personal_submitted=12, links_handed_out=41, open_submitted=0, expected=None)
    assert personal.personal == pytest.approx(12 / 41) and personal.open is None
    assert personal.combined == pytest.approx(12 / 41)
    both = ResponseRate(2, personal_submitted=12, links_handed_out=40, open_submitted=5, expected=60)
    assert both.combined == pytest.approx(17 / 100) and both.open == pytest.approx(5 / 60)
    # Open-link answers with nobody counted: no denominator, so no combined rate rather than a false one.
    unknown = ResponseRate(3, personal_submitted=12, links_handed_out=40, open_submitted=5, expected=None)
    assert unknown.combined is None and unknown.personal == pytest.approx(0.3)
    assert ResponseRate(4, 0, 0, 0, None).combined is None


def test_links_revoked_after_use_still_count_as_handed_out(db, seed):
    campaign = seed.campaign(seed.enterprise())
    seed.links(campaign, 4)
    with write_transaction(db):
        db.execute("UPDATE invitation SET answered = 1 WHERE id = (SELECT MIN(id) FROM invitation)")
        db.execute("UPDATE invitation SET revoked_at = '2026-03-04T00:00:00Z'")  # all four revoked
        insert_responses(db, campaign, [{}], "2026-03-03", link="personal")
    rate = response_rates.for_campaign(db, {"id": campaign, "expected_population": None})
    assert (rate.links_handed_out, rate.personal_submitted, rate.combined) == (1, 1, 1.0)


def test_numbers_are_written_in_the_language():
    rate = ResponseRate(1, personal_submitted=1234, links_handed_out=4225, open_submitted=0, expected=None)
    assert percent(rate.combined, "fr") == "29,2\u00a0%" and percent(rate.combined, "en") == "29.2%"
    assert describe(rate, "en").personal == "personal links: 1,234 of 4,225 (29.2%)"


def surfaces(as_user, settings, db, enterprise, user, email, language, campaign):
    """The combined rate of `campaign` as each surface prints it (the API's share formatted alike)."""
    client = as_user(user)
    found = {}
    page = client.get(f"/admin/campaigns/{campaign['id']}?lang={language}").get_data(as_text=True)
    found["campaign page"] = re.search(r'<td id="response-rate">([^<]*)</td>', page).group(1)
    dashboard = client.get(f"/admin/enterprises/{enterprise}/dashboard?lang={language}").get_data(as_text=True)
    row = re.search(
        rf'<th scope="row">{re.escape(campaign["title"])}</th>(.*?)</tr>', dashboard.split("rates-table")[1]
    )
    found["dashboard"] = re.findall(r'<td class="num">([^<]*)</td>', row.group(1))[1]
    report = client.get(f"/admin/enterprises/{enterprise}/report/{campaign['id']}?lang={language}")
    method = re.search(r'id="r-method">.*?</h2>\s*<p>(.*?)</p>', report.get_data(as_text=True), re.S).group(1)
    found["report"] = PERCENT.search(method).group(0)  # "... answered (response rate: 29,2 %)."
    api = client.get(f"/api/enterprises/{enterprise}/indicators.json").get_json()
    share = next(c["response_rate"] for c in api["campaigns"] if c["campaign_id"] == campaign["id"])
    found["api"] = percent(share, language)
    manager = next(db.query("SELECT id, email, language FROM user WHERE email = ?", [email]))
    run_id = db.execute("SELECT MAX(id) FROM pipeline_run").fetchone()[0]
    mail = compose(db, settings, manager, run_id, NOW)
    line = next(line for line in mail.text.splitlines() if line.startswith(f"- {campaign['title']} ("))
    found["digest"] = PERCENT.search(line.rsplit("·", 1)[1]).group(0)  # "...: 2 new responses · response rate 29,2 %"
    return found


@pytest.mark.parametrize(
    "enterprise, user, email, language",
    [(ENTERPRISE, "anna", "anna@example.org", "fr"), (OTHER, "bert", "bert@example.org", "nl")],
)
def test_the_same_campaign_shows_the_same_rate_on_every_surface(
    demo_app, demo_db, as_user, enterprise, user, email, language
):
    campaign = next(
        demo_db.query(
            "SELECT id, title, expected_population FROM campaign WHERE enterprise_id = ? "
            "AND stakeholder_group = 'beneficiaries' ORDER BY closes_at DESC LIMIT 1",
            [enterprise],
        )
    )
    with write_transaction(demo_db):  # one response of last week, so that the digest reports the campaign
        demo_db.execute(
            "UPDATE response SET submitted_week = ? WHERE id = (SELECT MAX(id) FROM response WHERE campaign_id = ?)",
            [iso_week((NOW - timedelta(days=7)).date()), campaign["id"]],
        )
    expected = describe(response_rates.for_campaign(demo_db, campaign), language).combined
    assert PERCENT.fullmatch(expected) and "." not in expected  # a figure, with the language's decimal comma
    settings = load(None, {"database.path": demo_app.config["SETTINGS"]["database.path"], "server.secret_key": "x"})
    found = surfaces(as_user, settings, demo_db, enterprise, user, email, language, campaign)
    assert found == dict.fromkeys(("campaign page", "dashboard", "report", "api", "digest"), expected)
