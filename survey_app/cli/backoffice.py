"""`vises enterprise add`, `vises campaign create`, `vises links generate`, `vises invitations
remind-due`: scripted set-up for federations. Commands only orchestrate the back-office modules."""

from __future__ import annotations

import contextlib
import csv
import sys
from datetime import datetime
from zoneinfo import available_timezones

import click

from survey_app.core.cli import clean_errors
from survey_app.core.config import SUPPORTED_LANGUAGES
from survey_app.core.groups import SECTOR_GROUPS, STAKEHOLDER_GROUPS
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
    from survey_app import create_app

    return create_app()


def _db(app):
    from survey_app.storage.db import connect

    return connect(app.config["SETTINGS"]["database.path"])


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
    slug = db.execute("SELECT slug FROM enterprise WHERE id = ?", [enterprise_id]).fetchone()[0]
    click.echo(f"Created enterprise {slug} (id {enterprise_id}).")


@click.group("campaign")
def campaign() -> None:
    """Survey campaigns.

    Example: vises campaign create --enterprise atelier-solidaire --group beneficiaries --opens 2026-04-01T09:00 --closes 2026-05-01T18:00
    """


@campaign.command("create")
@click.option("--enterprise", "slug", required=True, help="Slug of the enterprise (see `vises enterprise add`).")
@click.option("--group", type=click.Choice(STAKEHOLDER_GROUPS), required=True, help="Stakeholder group.")
@click.option("--title", default="", callback=one_line, help="Title (default: group and year).")
@click.option(
    "--opens",
    type=click.DateTime(["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]),
    required=True,
    help="Opening, local date-time in --timezone.",
)
@click.option(
    "--closes",
    type=click.DateTime(["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]),
    required=True,
    help="Closing, local date-time in --timezone.",
)
@click.option("--timezone", "tz", default=None, help="IANA timezone (default: i18n.timezone).")
@click.option("--languages", default="fr,nl,en", show_default=True, help="Languages offered, comma-separated.")
@click.option("--expected", type=click.IntRange(1), default=None, help="Expected population.")
@click.option("--evaluative-question", default="", callback=multi_line, help="Why the enterprise evaluates.")
@click.option("--questionnaire-version", type=int, default=None, help="Version (default: the latest).")
@clean_errors
def campaign_create(
    slug,
    group,
    title,
    opens: datetime,
    closes: datetime,
    tz,
    languages,
    expected,
    evaluative_question,
    questionnaire_version,
) -> None:
    """Create a campaign with the latest (or a chosen) questionnaire version; print its id.

    Example: vises campaign create --enterprise atelier-solidaire --group beneficiaries --opens 2026-04-01T09:00 --closes 2026-05-01T18:00 --languages fr,nl --expected 40
    """
    from survey_app.core.timeutil import now_utc, to_utc
    from survey_app.domain.campaigns import CampaignSpec, create_campaign
    from survey_app.domain.enterprises import enterprise_id
    from survey_app.storage.db import write_transaction

    app = _app()
    db, registry = _db(app), app.extensions["vises.registry"]
    enterprise = enterprise_id(db, slug)
    latest = registry.latest(group)
    questionnaire = registry.get(latest.id, questionnaire_version) if questionnaire_version else latest
    if questionnaire is None:
        raise click.ClickException(f"No version {questionnaire_version} of questionnaire {latest.id!r}.")
    langs = tuple(x.strip() for x in languages.split(",") if x.strip())
    if not langs or set(langs) - set(questionnaire.languages):
        raise click.ClickException(f"--languages must be taken from {', '.join(questionnaire.languages)}.")
    if closes <= opens:
        raise click.ClickException("--closes must come after --opens.")
    tz = tz or app.config["SETTINGS"]["i18n.timezone"]
    if tz not in available_timezones():
        raise click.ClickException(
            f"--timezone {tz!r} is not a timezone. Fix: use an IANA name such as Europe/Brussels."
        )
    spec = CampaignSpec(
        enterprise,
        group,
        questionnaire.id,
        questionnaire.version,
        title or f"{group} {opens.year}",
        to_utc(opens, tz),
        to_utc(closes, tz),
        tz,
        langs,
        evaluative_question,
        expected,
    )
    with write_transaction(db):
        campaign_id = create_campaign(db, spec, now_utc())
    click.echo(f"Created campaign {campaign_id} ({questionnaire.id} v{questionnaire.version}).")


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
    with write_transaction(db):
        rows = generate_links(db, campaign_id, count, now_utc())
    # A file named on the command line is closed by the with block; standard output stays open.
    target = open(csv_path, "w", newline="", encoding="utf-8") if csv_path else contextlib.nullcontext(sys.stdout)  # noqa: SIM115
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


@click.group("invitations")
def invitations() -> None:
    """E-mail invitations.

    Example: vises invitations remind-due
    """


@invitations.command("remind-due")
@clean_errors
def invitations_remind_due() -> None:
    """Send the automatic reminders due now (invitations.reminder_days_before_close); run it daily.

    Example: vises invitations remind-due
    """
    from survey_app.core.timeutil import now_utc
    from survey_app.mail.messages import send_due_reminders

    reports = send_due_reminders(_app(), now_utc())
    for campaign_id, report in reports.items():
        click.echo(f"Campaign {campaign_id}: {report.sent} reminder(s) sent, {len(report.failed)} failed.")
    if not reports:
        click.echo("No reminder due.")


COMMANDS = (enterprise, campaign, links, invitations)
