"""Sign-in guards of the back office: the one copy of each check.

`require_sign_in` is registered as `before_request` on every back-office blueprint, so each of
their views (nested sections included) is guarded even when it forgot its decorator;
`login_required` and `admin_required` decorate views. `g.user` is set by accounts.views.load_user.

Interviewers enter answers and nothing else: every signed-in view refuses them (404) unless it
is marked `for_interviewers`, so a view added later is closed to them by default.
"""

from __future__ import annotations

import functools

from flask import abort, current_app, g, redirect, request, url_for

INTERVIEWER = "interviewer"


def for_interviewers(view):
    """Mark a view that interviewers may reach (answer entry, their overview, their password)."""
    view.for_interviewers = True
    return view


def refuse_interviewer() -> None:
    """404 for an interviewer on any view not marked `for_interviewers`."""
    if g.user is not None and g.user["role"] == INTERVIEWER:
        view = current_app.view_functions.get(request.endpoint or "")
        if not getattr(view, "for_interviewers", False):
            abort(404)


def require_sign_in():
    """Send anonymous visitors to the sign-in page, and those between password and second factor
    to the code or enrolment page (None lets the request through)."""
    if g.user is None:
        pending = g.get("pending")
        if pending:
            return redirect(url_for("two_factor.code" if pending["state"] == "code" else "two_factor.setup"), code=303)
        return redirect(url_for("auth.login"), code=303)
    refuse_interviewer()
    return None


def login_required(view):
    """Send anonymous visitors to the sign-in page."""

    @functools.wraps(view)
    def wrapped(**kwargs):
        refused = require_sign_in()
        return view(**kwargs) if refused is None else refused

    return wrapped


def admin_required(view):
    """Federation admins only; anyone else signed in gets 404 (nothing to learn from a 403)."""

    @functools.wraps(view)
    @login_required
    def wrapped(**kwargs):
        if g.user["role"] != "admin":
            abort(404)
        return view(**kwargs)

    return wrapped
