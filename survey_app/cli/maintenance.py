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
    """Replace the database with a backup. Stop the server and the scheduler first.

    Example: vises restore /var/backups/vises/vises-2026-03-02.db --yes
    """
    settings = config_module.load()
    database = Path(settings.database.path)
    if not yes:
        click.confirm(f"Replace {database} with {backup_file}? Everything since the backup is lost", abort=True)
    maintenance.restore(backup_file, database)
    from survey_app.storage.db import migrate

    applied = migrate(database)  # an older backup is brought up to the current schema
    click.echo(
        f"Restored {database} from {backup_file}" + (f"; applied {len(applied)} migration(s)." if applied else ".")
    )


@click.command()
@clean_errors
def purge() -> None:
    """Delete stale drafts, expired e-mail addresses and export files (retention.* settings).

    Example: vises purge
    """
    from survey_app.core.timeutil import now_utc
    from survey_app.storage import export_jobs
    from survey_app.storage.db import connect, migrate

    settings = config_module.load()
    migrate(settings.database.path)
    db = connect(settings.database.path)
    try:
        counts = maintenance.purge(
            db, now_utc(), settings.retention.draft_days, settings.retention.email_days_after_close
        )
        files = export_jobs.purge_expired(db, config_module.instance_folder(settings) / "exports", now_utc())
    finally:
        db.close()
    click.echo(f"Deleted {counts.drafts} draft(s) and {counts.emails} e-mail address(es).")
    click.echo(f"Deleted {files} expired export file(s).")


COMMANDS = [backup, restore, purge]
