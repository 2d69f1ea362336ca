"""Error pages: one handler for every HTTP error, rendered in the visitor's language.

Nothing internal reaches the visitor: unexpected exceptions are logged and shown as a plain 500.
"""

from __future__ import annotations

from flask import Flask, Response, render_template
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError, SecurityError

MESSAGES = {
    400: (
        _l("Something in the request was not right"),
        _l("The page could not process what was sent. Go back, reload the page and try again."),
    ),
    403: (_l("Access denied"), _l("You do not have access to this page.")),
    404: (
        _l("Page not found"),
        _l(
            "This page does not exist, or this link is not available (any more). Check the "
            "address, or ask the person who gave you the link."
        ),
    ),
    405: (_l("Action not allowed"), _l("This page cannot be used that way.")),
    410: (_l("This page is no longer available"), _l("What you are looking for has been removed.")),
    413: (_l("What you sent is too large"), _l("Please shorten your answers and try again.")),
    429: (_l("Too many attempts"), _l("Please wait a minute before trying again.")),
    500: (
        _l("Something went wrong on our side"),
        _l("The error has been recorded. Please try again in a few minutes."),
    ),
}


def render_error(status: int):
    title, message = MESSAGES.get(status, MESSAGES[400 if status < 500 else 500])
    return render_template("errors/error.html", status=status, title=title, message=message), status


def handle_http_error(exc: HTTPException):
    return render_error(exc.code or 500)


def handle_untrusted_host(_exc: SecurityError):
    # A Host header outside TRUSTED_HOSTS: no page can be built (its links need a host the app
    # trusts, and echoing the forged one is what must not happen), so a bare answer.
    return Response("400 Bad Request: unknown host\n", 400, mimetype="text/plain")


def handle_csrf_error(_exc: CSRFError):
    return render_error(400)


def handle_unexpected(exc: Exception):
    if isinstance(exc, HTTPException):
        return handle_http_error(exc)
    from flask import current_app

    current_app.logger.exception("unhandled error", exc_info=exc)
    return render_error(InternalServerError.code)


def init_app(app: Flask) -> None:
    app.register_error_handler(CSRFError, handle_csrf_error)
    app.register_error_handler(SecurityError, handle_untrusted_host)
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(Exception, handle_unexpected)
