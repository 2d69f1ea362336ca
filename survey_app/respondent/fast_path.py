"""The survey fast path: the everyday requests of a personal link, answered without Flask's
request machinery.

Why: under load, a survey page cost three times the bare floor of docs/performance.md, and most
of it was Flask's request handling (request context, routing, session, hooks, Response objects),
not the page. This WSGI middleware answers, inside an app context only:
- GET  /s/<token>/<n>: the page of a personal link, drafts' answers shown;
- POST /s/<token>/<n>: a valid post of that page (next, back, save, final submit).

It answers only what it can answer exactly as the Flask views would (respondent/fast_pages.py
says what), with the same code: link look-up, language choice, form classes and their
validation, page plans, drafts and submissions. It uses only what Flask built already (a verified
session cookie, a signed CSRF token, a form class, the page plans) and builds nothing that needs a
request. Anything else, or anything it is unsure of, goes to Flask untouched (a POST's body
rewound): new visitors, errors to show, open and kiosk links, signed-in staff, language switches,
follow-up series, `?lang=`, a Host outside TRUSTED_HOSTS. It writes nothing before it knows it
will answer, and its writes are single transactions, so handing over after a failed write is safe:
Flask then does the whole request again, and shows its error page if the failure persists.
The security headers are added around both (web.security.SecurityHeaders).
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qsl

from flask import Flask
from werkzeug.exceptions import SecurityError
from werkzeug.wsgi import get_host

from survey_app.respondent.fast_pages import Answer, Visit, answer_get, answer_post
from survey_app.web import i18n
from survey_app.web.security import CookieSessions, SecurityHeaders

PATH = re.compile(r"/s/([A-Za-z0-9_-]{1,64})/([1-9][0-9]{0,2})\Z")
FORM_TYPE = "application/x-www-form-urlencoded"
MAX_HOSTS = 64  # Host header values remembered as trusted or not
MAX_FIELDS = 200  # a survey page posts a few dozen fields; more goes to Flask's own limits


class SurveyFastPath:
    """WSGI middleware in front of the Flask app (inside SecurityHeaders)."""

    def __init__(self, app: Flask, flask_wsgi: Callable):
        self.app, self.flask = app, flask_wsgi
        self.session_cookie = app.config["SESSION_COOKIE_NAME"]
        self.max_body = int(app.config["MAX_CONTENT_LENGTH"])
        self._hosts: dict[str, bool] = {}

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD")
        on = method in ("GET", "POST") and self.app.config["SURVEY_FAST_PATH"]
        found = PATH.match(environ.get("PATH_INFO", "")) if on else None
        if found is None or environ.get("QUERY_STRING") or not self._trusted_host(environ):
            return self.flask(environ, start_response)
        body = self._body(environ) if method == "POST" else b""
        if body is None:
            return self.flask(environ, start_response)
        answer = self._answer(environ, found, body)
        if answer is None:
            if method == "POST":
                environ["wsgi.input"] = io.BytesIO(body)  # Flask reads the body as it came
            return self.flask(environ, start_response)
        start_response(answer.status, answer.headers)
        return [answer.body]

    def _trusted_host(self, environ: dict[str, Any]) -> bool:
        """Whether Flask would accept the request's Host (werkzeug's check, remembered per value:
        it encodes the name to IDNA each time). Untrusted ones go to Flask, which answers 400."""
        host = environ.get("HTTP_HOST")
        known = self._hosts.get(host) if host else None
        if known is None:
            try:
                get_host(environ, self.app.config["TRUSTED_HOSTS"])
                known = True
            except SecurityError:
                known = False
            if host and len(self._hosts) < MAX_HOSTS:  # bounded: a client may send any Host
                self._hosts[host] = known
        return known

    def _body(self, environ: dict[str, Any]) -> bytes | None:
        """A plain form's body, read whole; None (and nothing read) for anything else."""
        mimetype, _, options = (environ.get("CONTENT_TYPE") or "").partition(";")
        charset = options.strip().lower()
        if mimetype.strip().lower() != FORM_TYPE or charset not in ("", "charset=utf-8"):
            return None
        try:
            length = int(environ.get("CONTENT_LENGTH") or "")
        except ValueError:
            return None  # chunked or missing: Flask's stream handling
        if not 0 <= length <= self.max_body:
            return None
        return environ["wsgi.input"].read(length)

    def _answer(self, environ: dict[str, Any], found: re.Match, body: bytes) -> Answer | None:
        try:
            visit = self._visit(environ, found, body)
            if visit is None:
                return None
            with self.app.app_context():
                return answer_post(self.app, visit) if visit.form is not None else answer_get(self.app, visit)
        except Exception:
            if self.app.testing:
                raise
            # Nothing was written (or a write was rolled back): Flask does it all again. The
            # message names no path: survey tokens never reach the logs.
            self.app.logger.exception("survey fast path failed; handed over to Flask")
            return None

    def _visit(self, environ: dict[str, Any], found: re.Match, body: bytes) -> Visit | None:
        cookies = _cookies(environ.get("HTTP_COOKIE", ""))
        value = cookies.get(self.session_cookie)
        session = CookieSessions.verified(self.app, value) if value else None
        if session is None:
            return None  # a new visitor, or a cookie not checked lately: Flask checks it
        form = None
        if environ["REQUEST_METHOD"] == "POST":
            form = _form_fields(body)
            if form is None:
                return None
        return Visit(
            found.group(1),
            int(found.group(2)),
            session,
            cookies.get(i18n.COOKIE),
            environ.get("HTTP_ACCEPT_LANGUAGE", ""),
            environ.get("SCRIPT_NAME", "").rstrip("/"),
            environ["PATH_INFO"],
            form,
        )


def init_app(app: Flask) -> None:
    """Put the fast path between the security headers (web.security) and Flask. Tests turn it off
    with app.config["SURVEY_FAST_PATH"] = False to compare its answers with Flask's."""
    headers = app.wsgi_app
    assert isinstance(headers, SecurityHeaders), "web.security.init_app comes first"
    headers.wsgi_app = SurveyFastPath(app, headers.wsgi_app)
    app.config.setdefault("SURVEY_FAST_PATH", True)


def _cookies(header: str) -> dict[str, str]:
    """Cookie names and values; the first of a repeated name counts (as request.cookies.get).
    A quoted or otherwise unusual value is kept as sent: it then matches nothing and Flask decides."""
    found: dict[str, str] = {}
    for part in header.split(";"):
        name, _, value = part.partition("=")
        found.setdefault(name.strip(), value.strip())
    return found


def _form_fields(body: bytes) -> list[tuple[str, str]] | None:
    """The posted fields; None for what Flask should judge (not UTF-8, too many fields)."""
    try:
        text = body.decode("utf-8")
        fields = parse_qsl(text, keep_blank_values=True, max_num_fields=MAX_FIELDS)
    except (UnicodeDecodeError, ValueError):
        return None
    return fields
