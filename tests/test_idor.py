"""IDOR matrix: every back-office route with the other enterprise's object ids answers 404 (admin
pages too: a manager cannot tell them from missing ones) and changes nothing; an admin reaches
both enterprises."""

import pytest

from tests.backoffice_routes import (
    ADMIN_ONLY,
    FORM_DATA,
    ROUTES,
    UNSCOPED,
    backoffice_rules,
    dump,
    methods,
    url_for_rule,
)


def test_every_backoffice_route_is_in_the_table(app):
    endpoints = {r.endpoint for r in backoffice_rules(app)}
    assert endpoints - set(ROUTES) == set(), "add the new routes to tests/backoffice_routes.py"
    assert set(ROUTES) - endpoints == set(), "remove routes that no longer exist"


@pytest.mark.parametrize("manager, other", [("anna@example.org", "b"), ("bert@example.org", "a")])
def test_manager_gets_404_for_every_object_of_the_other_enterprise(app, world, db, signed_in, manager, other):
    office = signed_in(manager)
    before = dump(db)
    checked = 0
    for rule in backoffice_rules(app):
        if ROUTES[rule.endpoint](world, other) is UNSCOPED and rule.endpoint not in ADMIN_ONLY:
            continue
        url = url_for_rule(app, rule, world, other)
        for method in methods(rule):
            response = office.get(url) if method == "GET" else office.post(url, FORM_DATA)
            assert response.status_code == 404, (method, url, response.status_code)
            checked += 1
    assert dump(db) == before
    assert checked >= 30


def test_overview_lists_only_the_managers_enterprise(world, signed_in):
    page = signed_in("anna@example.org").get("/admin/").get_data(as_text=True)
    assert "Atelier A" in page and "Campaign A" in page
    assert "Bakkerij B" not in page and "Campaign B" not in page


def test_admin_reaches_both_enterprises(app, world, signed_in):
    admin = signed_in("admin@example.org")
    for side in ("a", "b"):
        for rule in backoffice_rules(app):
            if "GET" in rule.methods:
                url = url_for_rule(app, rule, world, side)
                assert admin.get(url).status_code == 200, url
    page = admin.get("/admin/").get_data(as_text=True)
    assert "Atelier A" in page and "Bakkerij B" in page
