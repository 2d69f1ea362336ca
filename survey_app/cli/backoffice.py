"""`vises enterprise add`, `vises links generate`: scripted set-up for federations, with
`vises campaign create` (cli/campaigns.py); the mail commands are in cli/mail.py. Commands only orchestrate the back-office modules."""

from __future__ import annotations

import contextlib
import csv
import sys

import click

from survey_app.core.cli import clean_errors
from survey_app.core.config import SUPPORTED_LANGUAGES
from survey_app.core.groups import SECTOR_GROUPS
from survey_app.core.text import control_characters
from survey_app.domain.enterprises import COUNTRIES


def one_line(_ctx: click.Context, param: click.Parameter, value: str) -> str:
    """A name or title on one line, as the back-office forms require (web/forms.single_line)."""
    found = control_characters(value or "")
    if found:
        raise click.BadParameter(f"line breaks and control characters are not allowed (found {', '.join(found)}).")
    return value


def multi_line(_ctx: click.Context, param: click.Parameter, value: str) -> str:
    found = control_characters(value or "", multi_line=True)
    if found:
        raise click.BadParameter(f"control characters are not allowed (found {', '.join(found)}).")
    return value


def _app():
    from survey_app.cli import make_app  # the package imports this module: resolved at call time

    return make_app()


def _db(app):
    from survey_app.storage.db import connect

    return connect(app.config["SETTINGS"]["database.path"])


def _audit(db, action: str, **entry) -> None:
    """Record a change made from the command line in the audit trail (inside the caller's transaction)."""
    from survey_app.core.timeutil import now_utc
    from survey_app.storage import audit

    audit.record(db, action, now_utc(), actor="cli", **entry)


@click.group("enterprise")
def enterprise() -> None:
    """Enterprises.

    Example: vises enterprise add "Atelier Solidaire" --sector-group integration --country BE
    """


@enterprise.command("add")
@click.argument("name", callback=one_line)
@click.option("--sector-group", type=click.Choice(SECTOR_GROUPS), required=True)
@click.option("--country", type=click.Choice(COUNTRIES), required=True)
@click.option(
    "--language",
    type=click.Choice(SUPPORTED_LANGUAGES),
    default="fr",
    show_default=True,
    help="Default language of the enterprise.",
)
@click.option("--region", default="", callback=one_line, help="Region, e.g. Wallonie or Hauts-de-France.")
@click.option("--no-benchmark", is_flag=True, help="The enterprise does not appear in peer benchmarks.")
@clean_errors
def enterprise_add(name, sector_group, country, language, region, no_benchmark) -> None:
    """Create an enterprise and print its id and slug.

    Example: vises enterprise add "Atelier Solidaire" --sector-group integration --country BE --language fr
    """
    from survey_app.core.timeutil import now_utc
    from survey_app.domain.enterprises import create_enterprise
    from survey_app.storage.db import write_transaction

    db = _db(_app())
    with write_transaction(db):
        enterprise_id = create_enterprise(
            db, name, sector_group, country, language, now_utc(), region=region, benchmark_consent=not no_benchmark
        )
        _audit(db, "enterprise.create", object_type="enterprise", object_id=enterprise_id, enterprise_id=enterprise_id)
    slug = db.execute("SELECT slug FROM enterprise WHERE id = ?", [enterprise_id]).fetchone()[0]
    click.echo(f"Created enterprise {slug} (id {enterprise_id}).")


@click.group("links")
def links() -> None:
    """Personal survey links.

    Example: vises links generate 3 --count 200 --csv links.csv
    """


@links.command("generate")
@click.argument("campaign_id", type=int)
@click.option("--count", type=click.IntRange(1, 10_000), required=True, help="How many links (1 to 10,000).")
@click.option(
    "--csv",
    "csv_path",
    type=click.Path(dir_okay=False, writable=True),
    default=None,
    help="Write link, short code and QR image name to this CSV file (default: standard output).",
)
@clean_errors
def links_generate(campaign_id, count, csv_path) -> None:
    """Create personal links for a campaign and write them as CSV.

    Example: vises links generate 3 --count 200 --csv links.csv
    """
    from survey_app.core.timeutil import now_utc
    from survey_app.domain.campaigns import check_campaign, generate_links, personal_link
    from survey_app.storage.db import write_transaction

    app = _app()
    db = _db(app)
    check_campaign(db, campaign_id)
    # The file is opened before any link is created: a path that cannot be written stops here, and
    # no link exists that nobody could hand out. It is closed by the with block; stdout stays open.
    try:
        target = open(csv_path, "w", newline="", encoding="utf-8") if csv_path else contextlib.nullcontext(sys.stdout)  # noqa: SIM115
    except OSError as exc:
        raise click.ClickException(f"{csv_path}: cannot be written ({exc.strerror}). Nothing was created.") from None
    with write_transaction(db):
        rows = generate_links(db, campaign_id, count, now_utc())
        owner = db.execute("SELECT enterprise_id FROM campaign WHERE id = ?", [campaign_id]).fetchone()[0]
        _audit(db, "links.generate", object_type="campaign", object_id=campaign_id, enterprise_id=owner, count=count)
    with target as out:
        writer = csv.writer(out)
        writer.writerow(["link", "short_code", "qr_image"])
        for row in rows:
            writer.writerow(
                [
                    personal_link(app.config["SETTINGS"]["server.base_url"], row["token"]),
                    row["short_code"],
                    f"qr-{row['short_code']}.png",
                ]
            )
    if csv_path:
        click.echo(f"Created {count} links in {csv_path}.")


COMMANDS = (enterprise, links)
