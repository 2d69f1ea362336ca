"""Results are scoped like the rest of the back office: a manager of another enterprise gets 404 on
the dashboard, report, PDF, charts, testimony actions and API of this one; federation is admin only."""

import pytest

from tests.dashboard_support import ENTERPRISE, OTHER

ANNA_CAMPAIGN = 2  # enterprise 1, beneficiaries wave 2

GETS = [
    f"/admin/enterprises/{ENTERPRISE}/dashboard",
    f"/admin/enterprises/{ENTERPRISE}/report/{ANNA_CAMPAIGN}",
    f"/admin/enterprises/{ENTERPRISE}/report/{ANNA_CAMPAIGN}.pdf",
    f"/admin/enterprises/{ENTERPRISE}/charts/fr/profile-c{ANNA_CAMPAIGN}.png",
    f"/admin/enterprises/{ENTERPRISE}/charts/fr/response-rates.svg",
    f"/api/enterprises/{ENTERPRISE}/indicators.json",
    f"/api/enterprises/{ENTERPRISE}/indicators.csv",
    # Own enterprise id, someone else's campaign or chart: still 404.
    f"/admin/enterprises/{OTHER}/report/{ANNA_CAMPAIGN}",
    f"/admin/enterprises/{OTHER}/charts/fr/profile-c{ANNA_CAMPAIGN}.png",
]


def a_testimony(db, campaign=ANNA_CAMPAIGN):
    return next(db.query("SELECT response_id, question_id FROM testimony WHERE campaign_id = ? LIMIT 1", [campaign]))


@pytest.mark.parametrize("url", GETS)
def test_other_manager_gets_404(as_user, url):
    assert as_user("bert").get(url).status_code == 404


@pytest.mark.parametrize("url", GETS[:7])
def test_own_manager_and_admin_get_200(as_user, url):
    for name in ("anna", "admin"):
        assert as_user(name).get(url).status_code == 200, (name, url)


@pytest.mark.parametrize("action", ["hide", "show"])
@pytest.mark.parametrize("enterprise", [ENTERPRISE, OTHER])
def test_other_manager_cannot_hide_or_show_a_testimony(as_user, demo_db, action, enterprise):
    t = a_testimony(demo_db)
    url = f"/admin/enterprises/{enterprise}/testimonies/{t['response_id']}/{t['question_id']}/{action}"
    assert as_user("bert").post(url).status_code == 404
    assert demo_db.execute("SELECT COUNT(*) FROM testimony_hidden").fetchone()[0] == 0


def test_federation_is_for_admins_only(as_user):
    assert as_user("anna").get("/admin/federation/").status_code == 404
    html = as_user("admin").get("/admin/federation/?lang=en").get_data(as_text=True)
    assert "Terre d&#39;Emploi" in html and 'href="/admin/runs/"' in html
    assert 'action="/admin/runs/refresh"' in html and 'name="csrf_token"' in html


def test_signed_out_visitors_are_sent_to_sign_in_and_api_answers_401(demo_app):
    client = demo_app.test_client()
    response = client.get(f"/admin/enterprises/{ENTERPRISE}/dashboard")
    assert response.status_code == 303 and "/login" in response.headers["Location"]
    assert client.get(f"/admin/enterprises/{ENTERPRISE}/report/{ANNA_CAMPAIGN}").status_code == 303
    response = client.get(f"/api/enterprises/{ENTERPRISE}/indicators.json")
    assert response.status_code == 401 and response.get_json() == {"error": "sign_in_required"}


def test_api_errors_are_json(as_user):
    response = as_user("bert").get(f"/api/enterprises/{ENTERPRISE}/indicators.csv")
    assert response.status_code == 404 and response.get_json() == {"error": "not_found"}


def test_federation_says_when_the_last_refresh_failed(as_user, demo_db):
    from survey_app.storage.db import write_transaction

    with write_transaction(demo_db):
        demo_db.execute(
            "INSERT INTO pipeline_run (trigger, started_at, finished_at, status, error) VALUES "
            "('schedule', '2026-03-09T05:00:00Z', '2026-03-09T05:01:00Z', 'failed', 'boom')"
        )
    html = as_user("admin").get("/admin/federation/?lang=en").get_data(as_text=True)
    assert "The last refresh failed" in html and "Indicators computed on Wednesday 4 March 2026 at 11:00" in html
