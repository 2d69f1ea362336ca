"""Security headers and cookie flags on every response (pages, errors, static files, redirects)."""

import pytest

from survey_app.web.security import CSP

REQUIRED_CSP = ["default-src 'self'", "object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'"]
# Each URL with its one answer to an anonymous visitor: headers go on errors and redirects too.
URLS = {
    "/": 200,
    "/?lang=nl": 200,
    "/login": 200,
    "/admin/": 303,
    "/no-such-page": 404,
    "/static/app.css": 200,
    "/s/unknown-token": 404,
}


def test_csp_has_no_inline_script_and_the_required_directives():
    assert "unsafe-inline" not in CSP and "unsafe-eval" not in CSP
    for directive in REQUIRED_CSP:
        assert directive in CSP


@pytest.mark.parametrize("url, status", URLS.items())
def test_headers_on_every_response(client, url, status):
    response = client.get(url)
    assert response.status_code == status
    headers = response.headers
    for directive in REQUIRED_CSP:
        assert directive in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "no-referrer"
    assert headers["X-Frame-Options"] == "DENY"
    assert "Strict-Transport-Security" not in headers  # plain HTTP: HSTS would be ignored or harmful


def test_no_store_on_pages_but_static_files_are_cacheable(client):
    assert client.get("/").headers["Cache-Control"] == "no-store"
    assert "no-store" not in client.get("/static/app.css").headers.get("Cache-Control", "")


def cookies_of(response):
    return response.headers.getlist("Set-Cookie")


def test_cookies_are_httponly_and_samesite(client):
    response = client.get("/?lang=nl")
    cookies = cookies_of(response) + cookies_of(client.get("/login"))
    assert cookies
    for cookie in cookies:
        assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
        assert "Secure" not in cookie


def test_https_base_url_turns_on_hsts_and_secure_cookies(make_app):
    app = make_app(server__base_url="https://survey.example.org")
    client = app.test_client()
    response = client.get("/?lang=en", base_url="https://survey.example.org")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    cookies = cookies_of(response) + cookies_of(client.get("/login", base_url="https://survey.example.org"))
    assert cookies
    for cookie in cookies:
        assert "Secure" in cookie and "HttpOnly" in cookie


def test_client_address_behind_a_reverse_proxy(make_app):
    """With proxy_hops = 1 the forwarded address is the client's; without, it is ignored."""
    seen = {}

    def remember(app):
        @app.route("/test-addr")
        def addr():
            from flask import request

            seen["addr"], seen["scheme"] = request.remote_addr, request.scheme
            return "ok"

        return app

    headers = {"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"}
    remember(make_app(server__proxy_hops=1)).test_client().get(
        "/test-addr", headers=headers, environ_base={"REMOTE_ADDR": "127.0.0.1"}
    )
    assert seen == {"addr": "203.0.113.9", "scheme": "https"}
    remember(make_app()).test_client().get("/test-addr", headers=headers, environ_base={"REMOTE_ADDR": "127.0.0.1"})
    assert seen == {"addr": "127.0.0.1", "scheme": "http"}


def test_a_header_set_by_the_view_is_kept_and_the_others_added(app):
    from flask import Response

    @app.get("/test-own-cache")
    def own_cache():
        return Response("x", headers={"Cache-Control": "max-age=60", "X-Frame-Options": "SAMEORIGIN"})

    response = app.test_client().get("/test-own-cache")
    assert response.headers.getlist("Cache-Control") == ["max-age=60"]
    assert response.headers.getlist("X-Frame-Options") == ["SAMEORIGIN"]
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["Content-Security-Policy"] == CSP
