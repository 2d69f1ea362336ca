"""`vises backup`, `vises restore` and `vises purge`: operations commands (see docs/operations.md)."""

from __future__ import annotations

from pathlib import Path

import click

from survey_app.core import config as config_module
from survey_app.core.cli import clean_errors
from survey_app.storage import maintenance


@click.command()
@click.argument("destination", type=click.Path(dir_okay=False, path_type=Path))
@clean_errors
def backup(destination: Path) -> None:
    """Take a consistent copy of the database while the server runs.

    Example: vises backup /var/backups/vises/vises-$(date +%F).db
    """
    settings = config_module.load()
    size = maintenance.backup(Path(settings.database.path), destination)
    click.echo(f"Backup written to {destination} ({size} bytes, integrity ok).")


@click.command()
@click.argument("backup_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@clean_errors
def restore(backup_file: Path, yes: bool) -> None:
    """Replace the database with a backup. Refuses while a server or scheduler runs: stop them first.

    Example: vises restore /var/backups/vises/vises-2026-03-02.db --yes
    """
    settings = config_module.load()
    database = Path(settings.database.path)
    if not yes:
        click.confirm(f"Replace {database} with {backup_file}? Everything since the backup is lost", abort=True)
    applied = maintenance.restore(backup_file, database)
    _record_restore(database)
    click.echo(
        f"Restored {database} from {backup_file}" + (f"; applied {len(applied)} migration(s)." if applied else ".")
    )


def _record_restore(database: Path) -> None:
    """The restore is the first entry of the restored database's audit trail."""
    from survey_app.core.timeutil import now_utc
    from survey_app.storage import audit
    from survey_app.storage.db import connect

    db = connect(database)
    try:
        audit.record(db, "database.restore", now_utc(), actor="cli")
    finally:
        db.close()


@click.command()
@clean_errors
def purge() -> None:
    """Delete stale drafts, expired e-mail addresses and export files, old outbox rows and audit
    entries (retention.*).

    Example: vises purge
    """
    from survey_app.core.timeutil import now_utc
    from survey_app.mail.jobs import housekeeping
    from survey_app.storage import export_jobs
    from survey_app.storage.db import connect, migrate

    settings = config_module.load()
    migrate(settings.database.path)
    db = connect(settings.database.path)
    try:
        counts = maintenance.purge(
            db, now_utc(), settings.retention.draft_days, settings.retention.email_days_after_close
        )
        mail = housekeeping(db, settings, now_utc())
        files = export_jobs.purge_expired(db, config_module.instance_folder(settings) / "exports", now_utc())
    finally:
        db.close()
    click.echo(
        f"Deleted {counts.drafts} draft(s), {counts.emails} e-mail address(es), {mail['outbox']} outbox e-mail(s) "
        f"and {mail['audit']} audit entries."
    )
    click.echo(f"Deleted {files} expired export file(s).")


COMMANDS = [backup, restore, purge]
