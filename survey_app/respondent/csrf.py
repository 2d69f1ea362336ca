"""The CSRF token of survey pages: Flask-WTF's token (a random value in the session cookie, signed
into the page), handed out and checked here rather than by each page form.

Signing and checking a signature cost more than filling a whole cached page in. With no time
limit (WTF_CSRF_TIME_LIMIT = None, set in create_app) one signature of the session's value stays
valid for the whole session, so the signature handed out is kept (per app: it depends on the
app's key) and a posted token equal to it is accepted without being checked again; anything else
goes through Flask-WTF's own check. Expired or forged tokens re-render the page, answers kept.
"""

from __future__ import annotations

import hmac

from flask import Flask, current_app, g, session
from flask_wtf.csrf import generate_csrf, validate_csrf
from wtforms.validators import ValidationError

FIELD = "csrf_token"  # Flask-WTF's session key and form field name
MAX_KEPT = 10_000  # signatures kept per process (~2 MB); beyond, they are forgotten and made again


def _kept(app: Flask | None = None) -> dict[str, str] | None:
    """The signatures handed out, by session value (of `app`, else the current one)."""
    app = app or current_app
    if app.config["WTF_CSRF_TIME_LIMIT"] is not None:
        return None  # signatures expire: sign every page, check every post
    return app.extensions.setdefault("vises.signed_csrf", {})


def csrf_token() -> str:
    """The visitor's signed token, for the page being rendered (a session value is made if none)."""
    kept = _kept()
    token = kept.get(session.get(FIELD, "")) if kept is not None and FIELD not in g else None
    if token is None:
        token = generate_csrf()
        if kept is not None:
            if len(kept) >= MAX_KEPT:
                kept.clear()
            kept[session[FIELD]] = token
    g.csrf_token = token  # what Flask-WTF would use for the rest of this request
    return token


def csrf_valid(posted: str | None) -> bool:
    """Whether `posted` is a valid token for this visitor's session."""
    raw, kept = session.get(FIELD), _kept()
    if not posted or not raw:
        return False
    known = kept.get(raw) if kept is not None else None
    if known is not None and hmac.compare_digest(known.encode(), posted.encode()):  # any text posted
        return True
    try:
        validate_csrf(posted)
    except ValidationError:
        return False
    return True


def kept_signature(app: Flask, raw: str) -> str | None:
    """The signed token handed out for the session value `raw`, if this process signed one (the
    survey fast path fills pages and checks posts with it; None: Flask's views do it)."""
    kept = _kept(app)
    return kept.get(raw) if kept is not None else None
