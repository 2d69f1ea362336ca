"""The `vises` command line: serve, scheduler, database, questionnaires, accounts, and the commands
of the pipeline and back office. May import everything but views (the app factory aside).

Commands only orchestrate; the work lives in the modules they call. Configuration and
questionnaire problems end the command with their message (naming the fix), never a traceback.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from survey_app.core import config as config_module
from survey_app.core.cli import clean_errors
from survey_app.core.text import clip_quoted
from survey_app.questionnaire.loader import QuestionnaireError


def make_app():
    """The app for one command: its in-use lock is let go when the command ends, so that a later
    command of the same process (a script, a test) may restore."""
    from survey_app import create_app

    app = create_app()
    context = click.get_current_context(silent=True)
    if context is not None:
        context.call_on_close(app.extensions["vises.inuse"].release)
    return app


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="vises-impact-survey")
def main() -> None:
    """VISES Impact Survey: stakeholder surveys and social impact indicators.

    The configuration is read from config.toml, or from the file named by VISES_CONFIG.

    Example: vises serve
    """


@main.command()
@clean_errors
def serve() -> None:
    """Migrate the database, load questionnaires and serve the app with waitress.

    Prints a one-time setup link while no administrator exists. Stop with Ctrl-C.

    Example: vises serve
    """
    import waitress

    from survey_app.accounts import users as accounts
    from survey_app.core.timeutil import now_utc
    from survey_app.storage.db import connect
    from survey_app.web.serving import waitress_options

    app = make_app()
    settings: config_module.Settings = app.config["SETTINGS"]
    db = connect(settings.database.path)
    try:
        if not accounts.admin_exists(db):
            token = accounts.issue_token(db, "setup", now_utc())
            click.echo(
                "No administrator yet. Open this one-time link to create one:\n"
                f"  {settings.server.base_url.rstrip('/')}/setup/{token}\n"
                "(or run `vises user create --role admin`)"
            )
    finally:
        db.close()
    scheduler = start_scheduler(app)
    click.echo(
        f"Serving on http://{settings.server.host}:{settings.server.port} "
        f"(database {settings.database.path}). Press Ctrl-C to stop."
    )
    try:
        waitress.serve(app, **waitress_options(app))
    except KeyboardInterrupt:
        pass
    finally:
        # waitress has let its request threads finish their request (up to 5 s), so every submit
        # it acknowledged is committed; what remains is background work, told to end here.
        stop_background_work(app)
        if scheduler is not None:
            scheduler.shutdown(wait=False)
        click.echo("Stopped.")
        skip_final_collection()


def skip_final_collection() -> None:
    """The process ends next: spare it the interpreter's last garbage collection, over the objects
    of some 1,200 modules. That pass costs 0.3 s of CPU on an idle machine and took up to 16 s
    after Ctrl-C on a loaded one; the memory goes back to the system either way."""
    import gc

    gc.freeze()


def stop_background_work(app) -> None:
    """End the export thread with the server (results/export_worker.py: stop)."""
    worker = app.extensions.get("vises.export_worker")
    if worker is not None:
        worker.stop()


def after_run_hooks() -> tuple:
    """What follows a successful scheduled run outside the pipeline: the weekly digest e-mail."""
    from survey_app.mail.digest import send_after_scheduled_run

    return (send_after_scheduled_run,)


def periodic_jobs() -> tuple:
    """What rings on its own interval: delivering the mail outbox, queueing due reminders, retention."""
    from survey_app.mail.jobs import PERIODIC

    return PERIODIC


def start_scheduler(app):
    """Start the weekly refresh and the mail jobs in this process when enabled (see pipeline.scheduler)."""
    if not app.config["SETTINGS"]["schedule.enabled"]:
        return None
    from pipeline.scheduler import start_background

    return start_background(app.config["SETTINGS"], after_run_hooks(), periodic_jobs())


@main.command("scheduler")
@clean_errors
def scheduler_command() -> None:
    """Run the scheduler alone, in the foreground (multi-process deployments): the weekly refresh,
    the delivery of the mail outbox (every 30 s) and the automatic reminders.

    Use it when the web app runs in several worker processes (gunicorn); then set
    `[schedule] enabled = false` so that `vises serve` does not start a second one. Stop with Ctrl-C.

    Example: vises scheduler
    """
    from pipeline.cli import open_database
    from pipeline.scheduler import run_blocking
    from survey_app.storage import inuse

    inuse.hold_shared(config_module.load().database.path)  # for the process's life: restore refuses meanwhile
    settings, db = open_database()
    db.close()
    click.echo(
        f"Weekly refresh: every {settings.schedule.day_of_week} at {settings.schedule.hour:02d}:"
        f"{settings.schedule.minute:02d} ({settings.i18n.timezone}). Press Ctrl-C to stop."
    )
    try:
        run_blocking(settings, after_run_hooks(), periodic_jobs())
    except (KeyboardInterrupt, SystemExit):
        click.echo("Stopped.")
        skip_final_collection()


@main.group()
def db() -> None:
    """Database maintenance.

    Example: vises db migrate
    """


@db.command("migrate")
@clean_errors
def db_migrate() -> None:
    """Apply pending schema migrations (safe to run again).

    Example: vises db migrate
    """
    from survey_app.storage.db import migrate

    settings = config_module.load()
    applied = migrate(settings.database.path)
    click.echo(f"Applied {len(applied)} migration(s): {', '.join(applied)}" if applied else "Database is up to date.")


@main.group()
def questionnaires() -> None:
    """Questionnaire files.

    Example: vises questionnaires check
    """


@questionnaires.command("check")
@click.argument("files", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@clean_errors
def questionnaires_check(files: tuple[Path, ...]) -> None:
    """Validate questionnaire and instrument files (default: every bundled one) and summarise each.

    Example: vises questionnaires check questionnaires/workers.toml questionnaires/instruments/who5.toml
    """
    from survey_app.questionnaire.loader import load_framework
    from survey_app.questionnaire.model import Questionnaire
    from survey_app.questionnaire.registry import (
        FRAMEWORK_FILE,
        QUESTIONNAIRES_DIR,
        instrument_files,
        load_file,
        questionnaire_files,
    )

    framework = load_framework(QUESTIONNAIRES_DIR / FRAMEWORK_FILE)
    failed = False
    for path in files or questionnaire_files(QUESTIONNAIRES_DIR) + instrument_files(QUESTIONNAIRES_DIR):
        try:
            item = load_file(path, framework)
        except QuestionnaireError as exc:
            failed = True
            click.echo(f"FAIL {path}\n" + "\n".join(f"  {clip_quoted(str(p))}" for p in exc.problems))
            continue
        scored = ", ".join(f"{s.indicator} {s.method} {s.low:g}-{s.high:g}" for s in item.scorings)
        if isinstance(item, Questionnaire):
            indicators = sorted({x.indicator for x in item.questions if x.indicator})
            click.echo(
                f"ok   {path}: {item.id} v{item.version} ({item.stakeholder_group}), {len(item.sections)} "
                f"page(s), {len(item.questions)} questions, {len(indicators)} indicators, "
                f"languages {'/'.join(item.languages)}" + (f", published scoring: {scored}" if scored else "")
            )
        else:
            click.echo(
                f"ok   {path}: instrument {item.id} v{item.version}, {len(item.questions)} questions, "
                f"languages {'/'.join(item.languages)}, published scoring: {scored}"
            )
    if failed:
        sys.exit(1)


@main.group()
def user() -> None:
    """User accounts.

    Example: vises user create --email admin@example.org --role admin
    """


@user.command("create")
@click.option("--email", required=True, help="E-mail address used to sign in.")
@click.option("--role", type=click.Choice(["admin", "manager", "interviewer"]), default="admin", show_default=True)
@click.option("--language", type=click.Choice(list(config_module.SUPPORTED_LANGUAGES)), default="fr", show_default=True)
@click.password_option(help="Password (asked for when not given).")
@clean_errors
def user_create(email: str, role: str, language: str, password: str) -> None:
    """Create an account (the first administrator, for example).

    Example: vises user create --email admin@example.org --role admin
    """
    from survey_app.accounts import users as accounts
    from survey_app.core.addresses import is_email
    from survey_app.core.timeutil import now_utc
    from survey_app.storage import audit
    from survey_app.storage.db import connect, migrate, write_transaction

    email = email.strip()
    if not is_email(email):  # the same check as the back-office form: a typo would lock the person out
        raise click.BadParameter(
            clip_quoted(f"'{email}' is not an e-mail address (e.g. name@example.org)."), param_hint="--email"
        )
    if len(password) < accounts.MIN_PASSWORD_LENGTH:
        raise click.ClickException(f"The password needs at least {accounts.MIN_PASSWORD_LENGTH} characters.")
    settings = config_module.load()
    migrate(settings.database.path)
    db = connect(settings.database.path)
    try:
        if accounts.find_user_by_email(db, email):
            raise click.ClickException(f"An account with e-mail {email} already exists.")
        with write_transaction(db):
            user_id = accounts.create_user(db, email, password, role, language, now_utc())
            audit.record(db, "account.create", now_utc(), actor="cli", object_type="user", object_id=user_id)
    finally:
        db.close()
    click.echo(f"Created {role} account {email} (id {user_id}).")


def _add_module_commands() -> None:
    """Commands defined next to the code they drive: the pipeline and the maintenance tasks."""
    from pipeline.cli import COMMANDS as pipeline_commands
    from survey_app.cli.backoffice import COMMANDS as backoffice_commands
    from survey_app.cli.campaigns import COMMANDS as campaign_commands
    from survey_app.cli.configuration import COMMANDS as configuration_commands
    from survey_app.cli.demo import COMMANDS as demo_commands
    from survey_app.cli.mail import COMMANDS as mail_commands
    from survey_app.cli.maintenance import COMMANDS as maintenance_commands
    from survey_app.cli.xlsform import COMMANDS as xlsform_commands

    for command in (
        *pipeline_commands,
        *maintenance_commands,
        *backoffice_commands,
        *campaign_commands,
        *mail_commands,
        *configuration_commands,
        *demo_commands,
    ):
        main.add_command(command)
    for command in xlsform_commands:
        questionnaires.add_command(command)


_add_module_commands()

if __name__ == "__main__":  # pragma: no cover
    main()
