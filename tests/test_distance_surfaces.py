"""Distance travelled where people read it: the dashboard (table and before/after picture), the
report (HTML and PDF), the API (one decimal, no p-value, no hash) and the methodology page."""

from __future__ import annotations

from datetime import timedelta

import pytest

from pipeline.runner import run_pipeline
from pipeline.sample.responses import add_responses
from survey_app.domain import series, series_keys
from survey_app.domain.series_codes import hashes
from tests.app_support import NOW

# 12 pairs on self_confidence (feel_confident, (v - 1) / 4 * 100): before 25 for all; after 50 for
# seven people, 25 for four, 0 for one. Changes: 7 x +25, 4 x 0, 1 x -25: mean 150/12 = 12.5;
# after: (7 * 50 + 4 * 25) / 12 = 37.5. Shares 7/12, 4/12, 1/12 = 58.3, 33.3, 8.3 -> 60, 30, 10.
AFTER = [3] * 7 + [2] * 4 + [1]


pytestmark = pytest.mark.usefixtures("no_charts")  # conftest: the chart hook is skipped


@pytest.fixture
def paired(app, db, world, seed, tmp_path):
    first = seed.campaign(
        world.enterprise_a, title="Entry", opens_at=NOW - timedelta(days=90), closes_at=NOW - timedelta(days=60)
    )
    second = seed.campaign(
        world.enterprise_a, title="Exit", opens_at=NOW - timedelta(days=40), closes_at=NOW - timedelta(days=10)
    )
    series_id = series.create(db, world.enterprise_a, "beneficiaries", "Parcours", "card", [], NOW)
    record = {"id": series_id, "enterprise_id": world.enterprise_a, "stakeholder_group": "beneficiaries"}
    assert series.add_wave(db, record, first) and series.add_wave(db, record, second)
    key = series_keys.load_or_create(tmp_path, series_id)
    respect = [{"treated_with_respect": 4}] * 4 + [{}] * 8  # only 4 pairs: suppressed (and listed first)
    before = add_responses(db, first, [{"feel_confident": 2, **r} for r in respect])
    after = add_responses(
        db, second, [{"feel_confident": v, **r} for v, r in zip(AFTER, respect)] + [{"feel_confident": 5}] * 5
    )  # 5 unlinked follow-ups: the after group differs from the whole wave by 5, so its mean is shown
    with db.conn:
        for i, (b, a) in enumerate(zip(before, after)):
            code = hashes(key, "card", [f"CARD{i:05d}"])
            series.store_link(db, series_id, b, code)
            series.store_link(db, series_id, a, code)
    run_pipeline(db, app.config["SETTINGS"], NOW)
    return {"series": series_id, "campaigns": (first, second)}


def test_the_dashboard_shows_the_paired_table_and_picture(paired, signed_in):
    html = signed_in("anna@example.org").get("/admin/enterprises/1/dashboard?lang=en").get_data(as_text=True)
    assert "Distance travelled" in html and "Parcours: from Entry to Exit" in html
    assert "12 people linked their answers in both waves (71% of the answers of Exit)." in html
    assert 'aria-label="Before: 25, after: 38, out of 100"' in html  # 37.5 rounds half up
    assert ">+13<" in html  # mean change 12.5
    assert "60% improved, 30% unchanged, 10% worsened" in html
    assert "they may differ from the others" in html
    assert "Fewer than 5 pairs" in html  # respect: 4 pairs, listed before self-confidence


def test_the_api_serves_one_decimal_and_no_p_value(paired, signed_in, world):
    body = signed_in("anna@example.org").get(f"/api/enterprises/{world.enterprise_a}/distance.json").get_json()
    [record] = [r for r in body["paired"] if r["indicator"] == "self_confidence"]
    assert record["pairs"] == 12 and record["mean_change"] == 12.5 and record["mean_after"] == 37.5
    assert record["improved_percent"] == 60 and record["match_rate_percent"] == 71
    assert "p_value" not in record and "code_hash" not in str(body)
    [suppressed] = [r for r in body["paired"] if r["indicator"] == "respect"]
    assert (
        suppressed["suppressed"] == "min_group_size" and "pairs" not in suppressed and "mean_change" not in suppressed
    )


def test_another_enterprise_gets_404_from_the_api(paired, signed_in, world):
    bert = signed_in("bert@example.org")
    assert bert.get(f"/api/enterprises/{world.enterprise_a}/distance.json").status_code == 404


def test_the_report_has_a_distance_section_in_html_and_pdf(paired, signed_in, world):
    anna = signed_in("anna@example.org")
    second = paired["campaigns"][1]
    html = anna.get(f"/admin/enterprises/{world.enterprise_a}/report/{second}?lang=en").get_data(as_text=True)
    assert 'id="r-distance"' in html and "Parcours: from Entry to Exit" in html
    first_report = anna.get(f"/admin/enterprises/{world.enterprise_a}/report/{paired['campaigns'][0]}?lang=en")
    assert 'id="r-distance"' not in first_report.get_data(as_text=True)  # shown on the follow-up's report
    pdf = anna.get(f"/admin/enterprises/{world.enterprise_a}/report/{second}.pdf?lang=en")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"


def test_the_methodology_page_explains_how_to_read_it(signed_in):
    html = signed_in("anna@example.org").get("/admin/methodology?lang=en").get_data(as_text=True)
    assert "Reading the distance travelled" in html and "may differ from the others" in html
    assert "only from 10 pairs" in html


@pytest.mark.browser
@pytest.mark.parametrize("width", [360, 1280])
def test_the_distance_section_fits_the_screen_without_serious_violations(paired, browser, live_server, width):
    from axe_playwright_python.sync_playwright import Axe

    from tests.app_support import ARTIFACTS, PASSWORD

    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    page.goto(f"{live_server}/login?lang=en")
    page.fill("input[name=email]", "anna@example.org")
    page.fill("input[name=password]", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"{live_server}/admin/")
    page.goto(f"{live_server}/admin/enterprises/1/dashboard?lang=en")
    section = page.locator("section[aria-labelledby='distance-title']")
    section.scroll_into_view_if_needed()
    ARTIFACTS.mkdir(exist_ok=True)
    section.screenshot(path=str(ARTIFACTS / f"distance-{width}.png"))
    violations = Axe().run(page, context="section[aria-labelledby='distance-title']").response["violations"]
    assert [v["id"] for v in violations if v["impact"] in ("serious", "critical")] == []
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    context.close()
