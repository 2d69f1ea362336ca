"""`vises demo`: the demo data, a manager account per enterprise (printed with its sign-in link),
and the indicators computed, so a first look at the product has every screen filled in."""

from __future__ import annotations

import click

from survey_app.core.cli import clean_errors


@click.command("demo")
@click.option("--seed", default=2026, show_default=True, help="Random seed (same seed, same data).")
@clean_errors
def demo_command(seed: int) -> None:
    """Load a small realistic demo (12 enterprises, two waves per group, a manager each) and compute it.

    Example: vises demo
    """
    from pipeline.cli import open_database, run_now
    from pipeline.sample.demo import demo_enterprises, load_demo
    from survey_app.accounts.users import invite_manager
    from survey_app.core.timeutil import now_utc

    settings, db = open_database()
    try:
        now = now_utc()
        counts = load_demo(db, now, seed)
        click.echo("Loaded " + ", ".join(f"{v} {k}" for k, v in counts.items()) + ".")
        base = settings.server.base_url.rstrip("/")
        click.echo("Managers (each link sets the password, once, within 14 days):")
        for enterprise in demo_enterprises(db):
            email = f"{enterprise['slug']}@demo.example"
            _user, token = invite_manager(
                db, email, f"Demo {enterprise['name']}", enterprise["default_language"], [enterprise["id"]], now
            )
            click.echo(f"  {enterprise['name']}: {email}  {base}/welcome/{token}")
        click.echo("Computing indicators:")
        run_now(settings, db)
    finally:
        db.close()


COMMANDS: list[click.Command] = [demo_command]
