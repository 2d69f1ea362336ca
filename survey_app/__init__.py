"""VISES Impact Survey: the web application (respondent pages and back office)."""

from __future__ import annotations

import weakref
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # Flask is imported by create_app, so that the Flask-free base stays Flask-free
    from flask import Flask


def create_app(overrides: dict[str, Any] | None = None, config_file: Path | None = None) -> Flask:
    """Build the app: settings (defaults < config.toml < overrides), database, questionnaires, views.

    `overrides` use dotted setting names, e.g. {"database.path": "/tmp/x.db"}; they are validated
    like the file. Raises ConfigError or QuestionnaireError with a message naming the fix.
    """
    from flask import Flask
    from flask_wtf.csrf import CSRFProtect

    from survey_app.accounts import recovery, two_factor
    from survey_app.accounts import views as auth
    from survey_app.assisted import paper
    from survey_app.assisted import views as entry
    from survey_app.backoffice import runs
    from survey_app.backoffice import views as backoffice
    from survey_app.core import config as config_module
    from survey_app.core.timeutil import now_utc
    from survey_app.mail import account_mail, unsubscribe
    from survey_app.questionnaire.registry import QUESTIONNAIRES_DIR, instance_questionnaires, register
    from survey_app.respondent import codes, fast_path
    from survey_app.respondent import views as respondent
    from survey_app.results import api, channel_page, dashboard, federation, public, refresh, report
    from survey_app.storage import inuse
    from survey_app.storage.db import connect, migrate
    from survey_app.web import db, errors, i18n, security
    from survey_app.web.converters import BoundedInteger

    settings = config_module.load(config_file, overrides)
    # Held for the app's life (every gunicorn worker, every `vises serve`): restore refuses meanwhile.
    hold = inuse.hold_shared(settings.database.path)
    app = Flask(__name__)
    app.extensions["vises.inuse"] = hold  # a one-off command releases it when done (cli.make_app)
    weakref.finalize(app, hold.release)
    app.url_map.converters["int"] = BoundedInteger  # before any route: ids >= 2**63 are a 404
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
    migrate(settings.database.path)
    db.init_app(app)
    csrf = CSRFProtect(app)
    connection = connect(settings.database.path)
    try:
        registry = register(connection, QUESTIONNAIRES_DIR, now_utc(), instance_questionnaires(settings))
        registry.database_path = settings["database.path"]
        app.extensions["vises.registry"] = registry
    finally:
        connection.close()
    app.jinja_env.autoescape = True
    modules = (
        respondent,
        codes,
        auth,
        recovery,
        two_factor,
        backoffice,
        runs,
        dashboard,
        refresh,
        report,
        federation,
        api,
        public,
        unsubscribe,
        entry,
        paper,
        channel_page,
    )
    for module in modules:
        app.register_blueprint(module.bp)
    # One-click unsubscribe (RFC 8058): mail clients post without a CSRF token; the link's token proves it.
    csrf.exempt(unsubscribe.remove)
    # Accounts never import mail: they queue welcome and reset e-mails through this.
    app.extensions["vises.queue_account_mail"] = account_mail.queue
    errors.init_app(app)
    fast_path.init_app(app)  # a personal link's everyday pages without Flask's request machinery
    if settings.server.proxy_hops:
        from werkzeug.middleware.proxy_fix import ProxyFix

        # Behind a reverse proxy every request comes from the proxy: trust exactly its headers.
        hops = settings.server.proxy_hops
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=0)  # type: ignore[method-assign]
    return app
