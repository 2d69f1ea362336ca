"""Run log page and "refresh now": admins only, 303 at once, the run happens in the background."""

from __future__ import annotations

import pytest

from pipeline.sample.responses import add_responses

pytestmark = pytest.mark.usefixtures("no_charts")  # conftest: the chart hook is skipped


def test_refresh_now_starts_a_background_run_and_the_log_shows_it(app, db, world, signed_in):
    add_responses(db, world.campaign_a, [{"treated_with_respect": 4}] * 5)
    admin = signed_in("admin@example.org")
    page = admin.get("/admin/runs/")
    assert page.status_code == 200 and "No run yet." in page.get_data(as_text=True)
    response = admin.post("/admin/runs/refresh")
    assert response.status_code == 303 and response.headers["Location"].endswith("/admin/runs/")
    app.extensions["vises.refresh_thread"].join(30)
    run = next(db.query("SELECT trigger, status FROM pipeline_run"))
    assert run == {"trigger": "manual", "status": "success"}
    text = admin.get("/admin/runs/").get_data(as_text=True)
    assert "Refresh button" in text and "Succeeded" in text


def test_runs_pages_are_for_admins_only(app, world, signed_in):
    manager = signed_in("anna@example.org")
    assert manager.get("/admin/runs/").status_code == 404
    assert manager.post("/admin/runs/refresh").status_code == 404
    assert "vises.refresh_thread" not in app.extensions
    anonymous = app.test_client()
    assert anonymous.get("/admin/runs/").status_code == 303


def test_refresh_without_csrf_token_starts_nothing(app, world, signed_in):
    admin = signed_in("admin@example.org")
    assert admin.post("/admin/runs/refresh", csrf=False).status_code == 400
    assert "vises.refresh_thread" not in app.extensions
