"""The interviewer role: enters answers for the enterprises of their memberships and nothing else.
Every other back-office and API route answers 404, with their own enterprise's ids too, and
changes nothing; the entry screen of the other enterprise is 404 as well."""

from __future__ import annotations

from survey_app.accounts.guards import for_interviewers
from tests.backoffice_routes import FORM_DATA, ROUTES, backoffice_rules, dump, methods, url_for_rule

ALLOWED = {"backoffice.index", "entry.index", "entry.answers"}


def test_only_the_entry_views_are_open_to_interviewers(app):
    marked = {name for name, view in app.view_functions.items() if getattr(view, "for_interviewers", False)}
    assert marked == ALLOWED | {"auth.change_password"}
    assert for_interviewers(lambda: None).for_interviewers is True


def test_interviewer_gets_404_everywhere_else_even_for_their_own_enterprise(
    app, world, interviewer, db, signed_in, at_now
):
    office = signed_in("ines@example.org")
    before = dump(db)
    checked = 0
    for rule in backoffice_rules(app):
        if rule.endpoint in ALLOWED:
            continue
        url = url_for_rule(app, rule, world, "a")
        for method in methods(rule):
            response = office.get(url) if method == "GET" else office.post(url, FORM_DATA)
            assert response.status_code == 404, (method, url, response.status_code)
            checked += 1
    for url in ("/admin/dashboards", "/admin/methodology", f"/admin/campaigns/{world.campaign_a}"):
        assert office.get(url).status_code == 404
    assert dump(db) == before
    assert checked >= 40


def test_interviewer_reaches_their_entry_screen_only(app, world, interviewer, signed_in, at_now):
    office = signed_in("ines@example.org")
    for side, status in (("a", 200), ("b", 404)):
        for endpoint in ("entry.index", "entry.answers"):
            rule = next(r for r in backoffice_rules(app) if r.endpoint == endpoint)
            assert office.get(url_for_rule(app, rule, world, side)).status_code == status, (endpoint, side)
    overview = office.get("/admin/").get_data(as_text=True)
    assert "Campaign A" in overview and "Campaign B" not in overview
    assert f"/admin/campaigns/{world.campaign_a}/entry/" in overview
    assert "/admin/dashboards" not in overview  # the navigation offers only what they may use
    assert office.get("/account/password").status_code == 200


def test_an_admin_invites_an_interviewer_with_memberships(app, world, db, signed_in):
    admin = signed_in("admin@example.org")
    response = admin.post(
        "/admin/accounts/new",
        {
            "email": "new.interviewer@example.org",
            "name": "",
            "language": "fr",
            "role": "interviewer",
            "enterprises": str(world.enterprise_b),
        },
    )
    assert response.status_code == 303
    role, enterprise = db.execute(
        "SELECT u.role, m.enterprise_id FROM user u JOIN membership m ON m.user_id = u.id WHERE u.email = ?",
        ["new.interviewer@example.org"],
    ).fetchone()
    assert (role, enterprise) == ("interviewer", world.enterprise_b)
    assert "Interviewer (enters answers only)" in admin.get("/admin/accounts/").get_data(as_text=True)
    refused = admin.post("/admin/accounts/new", {"email": "x@example.org", "language": "fr", "role": "admin"})
    assert (
        refused.status_code == 200 and db.execute("SELECT 1 FROM user WHERE email = 'x@example.org'").fetchone() is None
    )


def test_the_api_refuses_interviewers(world, interviewer, signed_in):
    office = signed_in("ines@example.org")
    response = office.get(f"/api/enterprises/{world.enterprise_a}/indicators.json")
    assert response.status_code == 404
    assert ROUTES["api.indicators_json"](world, "a") == {"enterprise_id": world.enterprise_a}
