"""VISES Impact Survey: the web application (respondent pages and back office)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask

from survey_app import config as config_module


def create_app(overrides: dict[str, Any] | None = None, config_file: Path | None = None) -> Flask:
    """Build the app: settings (defaults < config.toml < overrides), database, questionnaires, views.

    `overrides` use dotted setting names, e.g. {"database.path": "/tmp/x.db"}; they are validated
    like the file. Raises ConfigError or QuestionnaireError with a message naming the fix.
    """
    from survey_app import auth, backoffice, db, errors, i18n, respondent, runs, security
    from survey_app import api, dashboard, federation, report
    from survey_app.questionnaire_registry import QUESTIONNAIRES_DIR, register
    from survey_app.timeutil import now_utc
    from flask_wtf.csrf import CSRFProtect

    settings = config_module.load(config_file, overrides)
    app = Flask(__name__)
    app.config.update(
        SETTINGS=settings,
        SECRET_KEY=config_module.ensure_secret_key(settings),
        # A survey page posts a few kilobytes; anything far bigger is refused before parsing.
        MAX_CONTENT_LENGTH=256 * 1024,
        MAX_FORM_MEMORY_SIZE=256 * 1024,
        WTF_CSRF_TIME_LIMIT=None,
        TEMPLATES_AUTO_RELOAD=False,
    )
    security.init_app(app)
    i18n.init_app(app)
    db.migrate(settings["database.path"])
    db.init_app(app)
    CSRFProtect(app)
    connection = db.connect(settings["database.path"])
    try:
        app.extensions["vises.registry"] = register(connection, QUESTIONNAIRES_DIR, now_utc())
    finally:
        connection.close()
    app.jinja_env.autoescape = True
    for module in (respondent, auth, backoffice, runs, dashboard, report, federation, api):
        app.register_blueprint(module.bp)
    errors.init_app(app)
    if settings["server.proxy_hops"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        # Behind a reverse proxy every request comes from the proxy: trust exactly its headers.
        hops = settings["server.proxy_hops"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=0)  # type: ignore[method-assign]
    return app
