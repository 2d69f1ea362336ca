"""Signed-cookie sessions (web/security.py CookieSessions): a cookie checked once is trusted for a
minute without checking its signature again, but a changed cookie is always checked, each request
gets its own copy, and a changed secret key invalidates what was kept."""

from __future__ import annotations

from flask import session


def cookie_of(app, data: dict) -> str:
    with app.test_request_context("/"):
        return app.session_interface.get_signing_serializer(app).dumps(data)


def opened(app, value: str) -> dict:
    with app.test_request_context("/", headers={"Cookie": f"vises_session={value}"}):
        return dict(session)


def test_a_valid_cookie_is_read_again_from_the_cache_as_a_copy(app):
    value = cookie_of(app, {"csrf_token": "abc"})
    assert opened(app, value) == {"csrf_token": "abc"}
    with app.test_request_context("/", headers={"Cookie": f"vises_session={value}"}):
        session["csrf_token"] = "changed in this request"
    assert opened(app, value) == {"csrf_token": "abc"}


def test_a_tampered_cookie_is_refused_even_next_to_a_cached_one(app):
    value = cookie_of(app, {"csrf_token": "abc"})
    assert opened(app, value) == {"csrf_token": "abc"}
    tampered = value[:-2] + ("AA" if not value.endswith("AA") else "BB")
    assert opened(app, tampered) == {}


def test_a_new_secret_key_invalidates_kept_cookies(app):
    value = cookie_of(app, {"csrf_token": "abc"})
    assert opened(app, value) == {"csrf_token": "abc"}
    app.secret_key = "another key"
    assert opened(app, value) == {}


def test_lists_in_a_kept_session_are_copied_too(app):
    value = cookie_of(app, {"_flashes": [["message", "Saved."]]})
    assert opened(app, value) == {"_flashes": [["message", "Saved."]]}
    with app.test_request_context("/", headers={"Cookie": f"vises_session={value}"}):
        session["_flashes"].append(["message", "in place"])  # what flash() does
    assert opened(app, value) == {"_flashes": [["message", "Saved."]]}


def test_an_unchanged_session_sends_no_cookie_and_a_changed_one_does(app):
    # The survey page sets the CSRF value of a new visitor's session; the next page changes nothing.
    client = app.test_client()
    first = client.get("/login")
    assert any(c.startswith("vises_session=") for c in first.headers.getlist("Set-Cookie"))
    again = client.get("/login")
    assert again.status_code == 200
    assert not [c for c in again.headers.getlist("Set-Cookie") if c.startswith("vises_session=")]
    assert again.headers["Vary"] == "Cookie"
