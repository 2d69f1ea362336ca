"""Security headers, cookie flags and trusted hosts applied to every request and response."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, Response, request

CSP = (
    "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'; form-action 'self'"
)
# A chart opened on its own is an SVG document styled by its own style attributes and <style>
# element (matplotlib's output), which the page CSP blocks: the bars turned black, the text lost its
# layout. Its own inline styles may apply; nothing else (no script, no fetch, no form).
SVG_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; "
    "frame-ancestors 'self'; form-action 'none'"
)


LOOPBACK = ("localhost", "127.0.0.1", "::1")


def trusted_hosts(base_url: str, extra: tuple[str, ...]) -> list[str]:
    """The Host headers the app answers: base_url's host, the configured extras and loopback.

    Any other gets 400 (Flask's TRUSTED_HOSTS), so a forged Host header can never end up in a link.
    Links themselves are built from base_url only (respondent pages, e-mails, cards, setup links).
    """
    return list(dict.fromkeys([urlsplit(base_url).hostname or "", *extra, *LOOPBACK]))


def configure_cookies(app: Flask) -> None:
    secure = app.config["SETTINGS"]["server.base_url"].startswith("https://")
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=secure,
        SESSION_COOKIE_NAME="vises_session",
    )


def add_headers(response: Response) -> Response:
    from flask import current_app

    headers = response.headers
    headers.setdefault("Content-Security-Policy", SVG_CSP if response.mimetype == "image/svg+xml" else CSP)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    # Survey links carry their token in the path: never leak it to another site.
    headers.setdefault("Referrer-Policy", "no-referrer")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if current_app.config["SESSION_COOKIE_SECURE"]:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    if request.endpoint != "static":
        headers.setdefault("Cache-Control", "no-store")
    return response


def init_app(app: Flask) -> None:
    configure_cookies(app)
    server = app.config["SETTINGS"].server
    app.config["TRUSTED_HOSTS"] = trusted_hosts(server.base_url, server.extra_hosts)
    app.after_request(add_headers)
