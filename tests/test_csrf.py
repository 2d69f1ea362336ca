"""CSRF: every back-office POST without a valid token gets 400 and changes nothing; no GET
changes state."""

import pytest
from werkzeug.exceptions import MethodNotAllowed, NotFound

from tests.backoffice_routes import FORM_DATA, backoffice_rules, dump, url_for_rule

ACCOUNT_POSTS = ("/logout", "/account/password", "/login")


def post_urls(app, world):
    return [url_for_rule(app, r, world, "a") for r in backoffice_rules(app) if "POST" in r.methods]


@pytest.mark.parametrize("token", [None, "forged-token"])
def test_every_post_without_a_valid_token_gets_400(app, world, db, signed_in, token):
    admin = signed_in("admin@example.org")
    before = dump(db)
    urls = post_urls(app, world) + list(ACCOUNT_POSTS)
    for url in urls:
        data = dict(FORM_DATA, **({"csrf_token": token} if token else {}))
        response = admin.post(url, data, csrf=False)
        assert response.status_code == 400, url
    assert dump(db) == before
    assert len(urls) >= 20
    assert admin.get("/admin/").status_code == 200  # still signed in: logout was refused too


def test_a_token_from_another_session_is_refused(app, world, signed_in):
    anna, admin = signed_in("anna@example.org"), signed_in("admin@example.org")
    stolen = anna.refresh_token()
    response = admin.post(f"/admin/campaigns/{world.campaign_a}/close", {"csrf_token": stolen}, csrf=False)
    assert response.status_code == 400


def is_post_route(app, url):
    try:
        app.url_map.bind("localhost").match(url, method="POST")
    except (NotFound, MethodNotAllowed):
        return False
    return True


def test_no_get_changes_state(app, world, db, signed_in):
    admin = signed_in("admin@example.org")
    before = dump(db)
    for rule in backoffice_rules(app):
        if "GET" in rule.methods:
            url = url_for_rule(app, rule, world, "a")
            assert admin.get(url).status_code == 200, url
            for action in ("close", "duplicate", "generate", "revoke", "erase", "send", "remind"):
                action_url = f"{url.rstrip('/')}/{action}"
                expected = 405 if is_post_route(app, action_url) else 404  # an action exists only as a POST
                assert admin.get(action_url).status_code == expected, action_url
    assert dump(db) == before
