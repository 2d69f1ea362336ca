"""Security headers, cookie flags and trusted hosts applied to every request and response."""

from __future__ import annotations

import copy
import time
from urllib.parse import urlsplit

from flask import Flask, Request, Response
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface, SessionMixin
from itsdangerous import URLSafeTimedSerializer

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


def security_headers(secure: bool) -> dict[str, list[tuple[str, str]]]:
    """The headers every response carries, by kind of response: a page, a static file, an SVG."""
    common = [
        ("X-Content-Type-Options", "nosniff"),
        ("X-Frame-Options", "DENY"),
        # Survey links carry their token in the path: never leak it to another site.
        ("Referrer-Policy", "no-referrer"),
        ("Cross-Origin-Opener-Policy", "same-origin"),
    ]
    if secure:
        common.append(("Strict-Transport-Security", "max-age=31536000; includeSubDomains"))
    return {
        kind: [("Content-Security-Policy", SVG_CSP if svg else CSP), *common, *cache]
        for kind, svg, cache in (
            ("page", False, [("Cache-Control", "no-store")]),
            ("svg", True, [("Cache-Control", "no-store")]),
            ("static page", False, []),  # static files may be cached
            ("static svg", True, []),
        )
    }


class SecurityHeaders:
    """WSGI middleware around the Flask app: adds the security headers a response lacks.

    At the WSGI level every response gets them (pages, redirects, errors, static files), and on a
    plain list of header pairs: werkzeug's Headers cost a validation and a copy per header, which
    a survey page noticed. A header a view set itself (a chart's own Cache-Control) is kept."""

    def __init__(self, wsgi_app, static_url_path: str, secure: bool):
        self.wsgi_app, self.static_prefix = wsgi_app, static_url_path.rstrip("/") + "/"
        self.headers = security_headers(secure)

    def __call__(self, environ, start_response):
        static = environ.get("PATH_INFO", "").startswith(self.static_prefix)

        def start(status, headers, exc_info=None):
            present = {name.lower(): value for name, value in headers}
            svg = present.get("content-type", "").startswith("image/svg+xml")
            kind = ("static " if static else "") + ("svg" if svg else "page")
            headers.extend((name, value) for name, value in self.headers[kind] if name.lower() not in present)
            return start_response(status, headers, exc_info)

        return self.wsgi_app(environ, start)


class CookieSessions(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, cheaper per request: the signing serializer is built once
    per secret key (building one serialises a test value), and a cookie whose signature was just
    checked, or that this app just signed, is not checked again for RECHECK seconds (a survey page
    costs about as much as the check). A cookie's value always holds the same data, so what can
    change is only its signature's age limit (PERMANENT_SESSION_LIFETIME, 31 days) and the key
    (compared on every use): a cookie is accepted at most RECHECK past its age limit. The cache
    holds only cookies this app signed; every request gets its own copy."""

    RECHECK, KEPT = 3600.0, 10_000

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        cached = app.extensions.get("vises.session_serializer")
        if cached is None or cached[0] != app.secret_key:
            cached = app.extensions["vises.session_serializer"] = (app.secret_key, super().get_signing_serializer(app))
        return cached[1]

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        value = request.cookies.get(self.get_cookie_name(app))
        known = self.verified(app, value) if value else None
        if known is not None:
            return self.session_class(known)
        session = super().open_session(app, request)
        if value and session:  # a valid signature (a cookie that fails the check gives an empty session)
            self._keep(app, value, session)
        return session

    def _keep(self, app: Flask, value: str, data: SessionMixin) -> None:
        checked: dict = app.extensions.setdefault("vises.checked_sessions", {})
        if len(checked) >= self.KEPT:
            checked.clear()
        checked[value] = (time.monotonic(), app.secret_key, _copy(data))

    @classmethod
    def verified(cls, app: Flask, value: str) -> dict | None:
        """A copy of the data of a cookie this app signed or checked in the last RECHECK seconds,
        with the current key; None otherwise (the survey fast path then hands over)."""
        seen = app.extensions.get("vises.checked_sessions", {}).get(value)
        if seen is None or seen[1] != app.secret_key or time.monotonic() - seen[0] >= cls.RECHECK:
            return None
        return _copy(seen[2])

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        """Flask's, without its seven cookie settings read when nothing is to be sent: an
        unchanged session that is not refreshed on each request sets no cookie (as in Flask)."""
        if session.modified or (session.permanent and app.config["SESSION_REFRESH_EACH_REQUEST"]):
            super().save_session(app, session, response)
            # The cookie just signed is valid: the visitor's next request need not check it (the
            # survey fast path can then answer a new visitor's first post).
            prefix = f"{self.get_cookie_name(app)}="
            for header in response.headers.getlist("Set-Cookie"):
                value = header[len(prefix) :].split(";", 1)[0] if header.startswith(prefix) else ""
                if value and session:
                    self._keep(app, value, session)
            return None
        if session.accessed:  # Vary: Cookie, as Flask adds it (its HeaderSet costs more than the rest)
            if "Vary" in response.headers:
                response.vary.add("Cookie")
            else:
                response.headers["Vary"] = "Cookie"
        return None


def _copy(data) -> dict:
    """A copy nobody else's request can change (flashes are lists, changed in place)."""
    if all(isinstance(v, (str, int, float, bool, type(None))) for v in data.values()):
        return dict(data)
    return copy.deepcopy(dict(data))


def init_app(app: Flask) -> None:
    app.session_interface = CookieSessions()
    configure_cookies(app)
    server = app.config["SETTINGS"].server
    app.config["TRUSTED_HOSTS"] = trusted_hosts(server.base_url, server.extra_hosts)
    secure = app.config["SESSION_COOKIE_SECURE"]
    app.wsgi_app = SecurityHeaders(app.wsgi_app, app.static_url_path or "/static", secure)  # type: ignore[method-assign]
