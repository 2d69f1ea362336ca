"""Standalone SVG charts keep their styling under the CSP: an SVG response gets a policy of its own
that lets its inline styles apply and still allows no script (web/security.py SVG_CSP)."""

from __future__ import annotations

import pytest

from tests.dashboard_support import ENTERPRISE

CHART = f"/admin/enterprises/{ENTERPRISE}/charts/en/response-rates.svg"


def test_svg_responses_allow_their_own_styles_and_nothing_else(as_user):
    response = as_user("anna").get(CHART)
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    policy = dict(p.strip().split(" ", 1) for p in response.headers["Content-Security-Policy"].split(";"))
    assert policy["style-src"] == "'unsafe-inline'" and policy["default-src"] == "'none'"
    assert "script-src" not in policy  # falls back to default-src 'none': no script at all
    assert b'style="fill: #0072b2' in response.data  # what the policy must let through
    page = as_user("anna").get(f"/admin/enterprises/{ENTERPRISE}/dashboard")
    assert "'unsafe-inline'" not in page.headers["Content-Security-Policy"]  # pages keep the strict one


@pytest.fixture
def app(demo_app):
    """The live server serves the demo data."""
    return demo_app


@pytest.mark.browser
def test_a_chart_opened_on_its_own_keeps_its_colours(browser, live_server):
    from tests.test_dashboard_browser import signed_in_page

    context, page = signed_in_page(browser, live_server, "anna", 1280)
    try:
        blocked = []
        page.on("console", lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None)
        page.goto(live_server + CHART)
        fill = page.evaluate("getComputedStyle(document.querySelector('[id^=value-bar-] path')).fill")
        assert fill == "rgb(0, 114, 178)"  # BLUE of pipeline/charts/draw.py, not the default black
        assert blocked == []
    finally:
        context.close()
