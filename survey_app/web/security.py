"""Security headers and cookie flags applied to every response."""

from __future__ import annotations

from flask import Flask, Response, request
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import URLSafeTimedSerializer

CSP = (
    "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'; form-action 'self'"
)


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

    defaults = [
        ("Content-Security-Policy", CSP),
        ("X-Content-Type-Options", "nosniff"),
        ("X-Frame-Options", "DENY"),
        # Survey links carry their token in the path: never leak it to another site.
        ("Referrer-Policy", "no-referrer"),
        ("Cross-Origin-Opener-Policy", "same-origin"),
    ]
    if current_app.config["SESSION_COOKIE_SECURE"]:
        defaults.append(("Strict-Transport-Security", "max-age=31536000; includeSubDomains"))
    if request.endpoint != "static":
        defaults.append(("Cache-Control", "no-store"))
    # One pass over the headers already set (Headers.setdefault costs a KeyError per miss).
    present = {name.lower() for name, _value in response.headers}
    response.headers.extend((name, value) for name, value in defaults if name.lower() not in present)
    return response


class CookieSessions(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions with the signing serializer built once per secret key rather
    than on every request (building one serialises a test value: a tenth of a survey page)."""

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        cached = app.extensions.get("vises.session_serializer")
        if cached is None or cached[0] != app.secret_key:
            cached = app.extensions["vises.session_serializer"] = (app.secret_key, super().get_signing_serializer(app))
        return cached[1]


def init_app(app: Flask) -> None:
    app.session_interface = CookieSessions()
    configure_cookies(app)
    app.after_request(add_headers)
