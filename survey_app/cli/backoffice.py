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
@click.option("--questionnaire", "questionnaire_id", default=None, help="Questionnaire id (default: the group's own).")
@click.option("--questionnaire-version", type=int, default=None, help="Version (default: the latest).")
@click.option(
    "--instrument",
    "instrument_ids",
    multiple=True,
    help="Validated instrument to add as a page, ID or ID:VERSION (default version: the latest); repeatable.",
)
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
    questionnaire_id,
    questionnaire_version,
    instrument_ids,
) -> None:
    """Create a campaign with the latest (or a chosen) questionnaire version and instruments; print its id.

    Example: vises campaign create --enterprise atelier-solidaire --group beneficiaries --opens 2026-04-01T09:00 --closes 2026-05-01T18:00 --languages fr --instrument who5
    """
    from survey_app.core.timeutil import now_utc, to_utc
    from survey_app.domain.campaigns import CampaignSpec, create_campaign
    from survey_app.domain.enterprises import enterprise_id
    from survey_app.mail import reminders
    from survey_app.storage.db import write_transaction

    app = _app()
    db, registry = _db(app), app.extensions["vises.registry"]
    enterprise = enterprise_id(db, slug)
    questionnaire = _questionnaire(registry, group, questionnaire_id, questionnaire_version)
    langs = tuple(x.strip() for x in languages.split(",") if x.strip())
    offered = [lang for lang in questionnaire.languages if lang in SUPPORTED_LANGUAGES]  # the interface's only
    if not langs or set(langs) - set(offered):
        raise click.ClickException(
            f"--languages must be taken from {', '.join(offered) or 'none of this questionnaire'}."
        )
    instruments = _instruments(registry, instrument_ids, langs)
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
        instruments=tuple((i.id, i.version) for i in instruments),
    )
    with write_transaction(db):
        campaign_id = create_campaign(db, spec, now_utc())
        reminders.save_plan(db, campaign_id, reminders.default_plan(app.config["SETTINGS"]))
        _audit(db, "campaign.create", object_type="campaign", object_id=campaign_id, enterprise_id=enterprise)
    pages = "".join(f", {i.id} v{i.version}" for i in instruments)
    click.echo(f"Created campaign {campaign_id} ({questionnaire.id} v{questionnaire.version}{pages}).")


def _questionnaire(registry, group: str, questionnaire_id: str | None, version: int | None):
    """The chosen questionnaire version, which must belong to the stakeholder group."""
    if questionnaire_id is None:
        latest = registry.latest(group)
        questionnaire_id, version = latest.id, version or latest.version
    versions = [q for q in registry.all() if q.id == questionnaire_id]
    if not versions:
        known = ", ".join(sorted({q.id for q in registry.all()}))
        raise click.ClickException(f"No questionnaire {questionnaire_id!r}. Fix: use one of {known}.")
    questionnaire = registry.get(questionnaire_id, version) if version else max(versions, key=lambda q: q.version)
    if questionnaire is None:
        raise click.ClickException(f"No version {version} of questionnaire {questionnaire_id!r}.")
    if questionnaire.stakeholder_group != group:
        raise click.ClickException(
            f"Questionnaire {questionnaire_id!r} is for {questionnaire.stakeholder_group}, not {group}. "
            "Fix: choose a questionnaire of the --group."
        )
    return questionnaire


def _instruments(registry, values: tuple[str, ...], languages: tuple[str, ...]) -> list:
    """The instruments named ID or ID:VERSION; each must exist in every campaign language."""
    chosen = []
    for value in values:
        iid, _sep, version = value.partition(":")
        instrument = registry.instrument(iid, int(version) if version.isdigit() else None)
        if instrument is None or (version and not version.isdigit()):
            known = ", ".join(i.id for i in registry.latest_instruments())
            raise click.ClickException(f"No instrument {value!r}. Fix: use one of {known} (or ID:VERSION).")
        missing = [lang for lang in languages if lang not in instrument.languages]
        if missing:
            raise click.ClickException(
                f"Instrument {iid!r} has no official translation in {', '.join(missing)}: it is asked only in "
                f"{', '.join(instrument.languages)}. Fix: offer --languages {','.join(instrument.languages)} "
                "or leave it out."
            )
        chosen.append(instrument)
    if len({i.id for i in chosen}) < len(chosen):
        raise click.ClickException("Each --instrument may be given once.")
    from survey_app.domain.campaigns import MAX_INSTRUMENTS

    if len(chosen) > MAX_INSTRUMENTS:
        raise click.ClickException(f"At most {MAX_INSTRUMENTS} instruments per campaign.")
    return chosen


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


COMMANDS = (enterprise, campaign, links, invitations, mail)
