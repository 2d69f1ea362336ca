"""axe-core on every respondent page type: no serious or critical violation."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from tests.app_support import ARTIFACTS, NOW
from tests.survey_support import BENEFICIARIES, Respondent, freeze

pytestmark = pytest.mark.browser


def serious(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    violations = Axe().run(page).response["violations"]
    return [
        f"{v['id']}: {v['help']} ({len(v['nodes'])} nodes)"
        for v in violations
        if v["impact"] in ("serious", "critical")
    ]


def test_respondent_pages_have_no_serious_violations(page, live_server, app, seed, monkeypatch):
    freeze(monkeypatch, NOW)
    enterprise = seed.enterprise()
    token = seed.links(seed.campaign(enterprise), 1)[0]
    closed = seed.links(
        seed.campaign(enterprise, opens_at=NOW - timedelta(days=9), closes_at=NOW - timedelta(days=1)), 1
    )[0]
    base = f"{live_server}/s/{token}"
    found = {}
    ARTIFACTS.mkdir(exist_ok=True)
    page.goto(f"{base}?lang=fr")
    found["intro"] = serious(page)
    page.goto(f"{base}/1")
    found["question page"] = serious(page)
    page.screenshot(path=str(ARTIFACTS / "survey-page-360.png"), full_page=True)
    page.get_by_role("button", name="Suivant").click()
    # The click starts a navigation: wait for the new page, not the old one.
    expect(page).to_have_title(re.compile(r"^Erreur"))
    found["page with errors"] = serious(page)
    page.screenshot(path=str(ARTIFACTS / "survey-errors-360.png"))
    # Fill the survey over HTTP, then look at the thank-you page in the browser.
    Respondent(app.test_client(), f"/s/{token}").complete(BENEFICIARIES)
    page.goto(f"{base}/thanks")
    found["thank-you"] = serious(page)
    page.goto(f"{base}")
    found["already answered"] = serious(page)
    assert page.goto(f"{live_server}/s/{closed}").status == 404
    found["closed link"] = serious(page)
    assert found == {name: [] for name in found}


def test_an_instrument_page_has_no_serious_violations(page, live_server, app, seed, monkeypatch):
    """A validated instrument's page (instructions above numbered answers) at 360 px."""
    freeze(monkeypatch, NOW)
    campaign = seed.campaign(seed.enterprise(), languages=("fr",), instruments=(("who5", 1),))
    token = seed.links(campaign, 1)[0]
    respondent = Respondent(app.test_client(), f"/s/{token}")
    respondent.get("?lang=fr")
    for number, answers in enumerate(BENEFICIARIES, start=1):
        respondent.post(number, answers)
    page.goto(f"{live_server}/s/{token}/4?lang=fr")
    ARTIFACTS.mkdir(exist_ok=True)
    assert page.get_by_role("heading", level=1).inner_text() == "Indice de bien-être de l'OMS (WHO-5)"
    page.screenshot(path=str(ARTIFACTS / "survey-instrument-360.png"), full_page=True)
    assert serious(page) == []
