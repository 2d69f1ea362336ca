"""axe-core on the back-office pages this part changed or added (links with paper questionnaires
and tablets, the campaign page with its answer-entry audit, the campaign form with easy mode, the
results by channel) and on the kiosk warning page: no serious or critical violation at 360 px."""

from __future__ import annotations

import pytest

from survey_app.domain.kiosks import add_kiosk
from survey_app.storage.db import write_transaction
from tests.app_support import NOW, PASSWORD
from tests.test_respondent_axe import serious

pytestmark = pytest.mark.browser


def test_reach_pages_have_no_serious_violations(page, live_server, world, db, at_now):
    with write_transaction(db):
        add_kiosk(db, world.campaign_a, "Accueil", 20, NOW)
    token = db.execute("SELECT token FROM kiosk").fetchone()[0]
    page.goto(f"{live_server}/login?lang=fr")
    page.fill("#email", "anna@example.org")
    page.fill("#password", PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    found = {}
    for name, path in (
        ("links", f"/admin/campaigns/{world.campaign_a}/links/"),
        ("campaign", f"/admin/campaigns/{world.campaign_a}"),
        ("campaign form", f"/admin/campaigns/{world.campaign_a}/edit"),
        ("by channel", f"/admin/campaigns/{world.campaign_a}/by-channel/"),
        ("entry setup", f"/admin/campaigns/{world.campaign_a}/entry/"),
        ("kiosk start", f"/k/{token}"),
        ("kiosk warning", f"/k/{token}/idle"),
    ):
        assert page.goto(live_server + path).status == 200, path
        found[name] = serious(page)
    assert found == {name: [] for name in found}
