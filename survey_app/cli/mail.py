"""`vises invitations remind-due`, `vises mail deliver`, `vises mail status`: the reminders and the
outbox by hand, for a check or a deployment without the scheduler (which does both by itself)."""

from __future__ import annotations

import click

from survey_app.cli.backoffice import _app, _db
from survey_app.core.cli import clean_errors


@click.group("invitations")
def invitations() -> None:
    """E-mail invitations.

    Example: vises invitations remind-due
    """


@invitations.command("remind-due")
@clean_errors
def invitations_remind_due() -> None:
    """Queue the automatic reminders due now (the scheduler does it every 5 minutes by itself).

    Each campaign plans its own reminders (campaign page). The scheduler delivers the queue.

    Example: vises invitations remind-due
    """
    from survey_app.core.timeutil import now_utc
    from survey_app.mail.reminders import queue_due

    db = _db(_app())
    try:
        queued = queue_due(db, now_utc())
    finally:
        db.close()
    for campaign_id, count in queued.items():
        click.echo(f"Campaign {campaign_id}: {count} reminder(s) queued.")
    if not queued:
        click.echo("No reminder due.")


@click.group("mail")
def mail() -> None:
    """The outbox of e-mails waiting for delivery.

    Example: vises mail deliver
    """


@mail.command("deliver")
@clean_errors
def mail_deliver() -> None:
    """Deliver what is due in the outbox now (one pass, at most smtp.per_minute messages).

    The scheduler does it every 30 seconds; this is for a check or a deployment without it.

    Example: vises mail deliver
    """
    from survey_app.core.timeutil import now_utc
    from survey_app.mail.delivery import deliver

    app = _app()
    db = _db(app)
    try:
        report = deliver(db, app.config["SETTINGS"], now_utc())
    finally:
        db.close()
    if report.busy:
        click.echo("Another process is delivering the outbox right now.")
    click.echo(f"{report.sent} sent, {report.retried} to retry, {report.failed} failed, {report.cancelled} cancelled.")
    if report.paused:
        raise click.ClickException("the mail server did not answer; delivery is paused and retries by itself.")


@mail.command("status")
@clean_errors
def mail_status() -> None:
    """Count the outbox's e-mails by kind and state, and say whether the mail server answers.

    Example: vises mail status
    """
    from survey_app.storage import outbox

    db = _db(_app())
    try:
        rows = db.execute("SELECT kind, status, count(*) FROM outbox GROUP BY kind, status ORDER BY kind, status")
        for kind, status, count in rows:
            click.echo(f"{kind:<11} {status:<10} {count}")
        state = outbox.state(db)
    finally:
        db.close()
    if state.get("paused_until"):
        click.echo(f"Mail server unreachable since {state['failing_since']}: {state['last_error']}")


COMMANDS = (invitations, mail)
