"""How the app is served: the waitress options of `vises serve`, derived from the app's own limits.

waitress reads a whole request body (up to 1 GiB by default, spooled to a temporary file) before
the app can answer 413; given the app's MAX_CONTENT_LENGTH it refuses an oversize body right after
the headers, without reading or storing it. gunicorn has no body limit: Werkzeug refuses a body
over MAX_CONTENT_LENGTH from its Content-Length before reading it, gunicorn.conf.py bounds the
request line and headers, and nginx's `client_max_body_size` stops the body at the proxy
(docs/operations.md).
"""

from __future__ import annotations

from typing import Any

from flask import Flask


def body_limit(app: Flask) -> int:
    """Largest body the app accepts, in bytes (MAX_CONTENT_LENGTH, set in create_app)."""
    return int(app.config["MAX_CONTENT_LENGTH"])


def waitress_options(app: Flask) -> dict[str, Any]:
    """Keyword arguments for waitress.serve(app, ...), as `vises serve` and the benchmarks use them."""
    server = app.config["SETTINGS"].server
    return {
        "host": server.host,
        "port": server.port,
        "threads": server.threads,
        "ident": "vises",
        # waitress refuses a Content-Length >= this value: one more byte than the app's limit.
        "max_request_body_size": body_limit(app) + 1,
        "_quiet": True,  # no access log: survey tokens live in URL paths (docs/security.md)
    }
