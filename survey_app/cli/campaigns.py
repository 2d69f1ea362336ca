"""`vises campaign create`: a campaign from the command line, with its questionnaire version and
validated instruments chosen as on the campaign form."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import available_timezones

import click

from survey_app.cli.backoffice import _app, _audit, _db, multi_line, one_line
from survey_app.core.cli import clean_errors
from survey_app.core.config import SUPPORTED_LANGUAGES
from survey_app.core.groups import STAKEHOLDER_GROUPS


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


COMMANDS = (campaign,)
