"""CLI commands of the indicator pipeline, added to the `vises` group by survey_app.cli.

`vises pipeline run|status` and `vises synth` (`vises scheduler`, which also wires the weekly digest,
and `vises demo`, which also creates manager accounts, live in survey_app.cli). Commands only
orchestrate: open the configured database, call the pipeline modules, print progress.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import click

from survey_app.core import config as config_module
from survey_app.core.cli import clean_errors

if TYPE_CHECKING:  # commands import their modules when run, so `vises --help` stays fast
    from sqlite_utils import Database


def open_database(settings: config_module.Settings | None = None) -> tuple[config_module.Settings, Database]:
    """Settings (loaded unless given) and a connection to the migrated database, with questionnaires
    registered."""
    from survey_app.core.timeutil import now_utc
    from survey_app.questionnaire.registry import QUESTIONNAIRES_DIR, instance_questionnaires, register
    from survey_app.storage.db import connect, migrate

    settings = settings or config_module.load()
    migrate(settings.database.path)
    db = connect(settings.database.path)
    register(db, QUESTIONNAIRES_DIR, now_utc(), instance_questionnaires(settings))
    return settings, db


@contextmanager
def held_database() -> Iterator[tuple[config_module.Settings, Database]]:
    """`open_database` for a command that writes for a while (a run, synthetic data): it holds the
    in-use lock meanwhile, as a server or the scheduler does, so `vises restore` refuses instead of
    replacing the file under it; it fails at once while a restore holds the database."""
    from survey_app.storage import inuse

    settings = config_module.load()
    hold = inuse.hold_shared(settings.database.path)
    try:
        _, db = open_database(settings)
        try:
            yield settings, db
        finally:
            db.close()
    finally:
        hold.release()


def echo_progress(step: str, counts: dict[str, int]) -> None:
    click.echo(f"  {step}: " + ", ".join(f"{k} {v:,}" for k, v in counts.items()))


def run_now(
    settings: config_module.Settings,
    db: Database,
    full: bool = False,
    enterprise: str | None = None,
    charts: bool = True,
    everything: bool = False,
) -> None:
    from pipeline.runner import RunRequest, run_pipeline
    from survey_app.core.timeutil import now_utc

    request = RunRequest("cli", full, enterprise, charts, everything)
    try:
        run_id = run_pipeline(db, settings, now_utc(), request, progress=echo_progress, clock=now_utc)
    except Exception as exc:  # recorded in the run log; the terminal gets one line, not a traceback
        raise click.ClickException(
            f"The run failed: {type(exc).__name__}: {exc} (see `vises pipeline status`)"
        ) from None
    if run_id is None:
        raise click.ClickException("Another run is in progress; try again when it has finished.")
    click.echo(f"Run {run_id} finished.")


@click.group("pipeline")
def pipeline_group() -> None:
    """Indicator pipeline: recompute indicators, list runs.

    Example: vises pipeline run --full
    """


@pipeline_group.command("run")
@click.option("--full", is_flag=True, help="Score every response again from the raw answers and recompute everything.")
@click.option(
    "--all", "everything", is_flag=True, help="Recompute every campaign from the kept sums (no answer is read again)."
)
@click.option("--enterprise", metavar="SLUG", help="Recompute only this enterprise's campaigns.")
@click.option("--no-charts", is_flag=True, help="Skip chart rendering (for benchmarks).")
@clean_errors
def run_command(full: bool, everything: bool, enterprise: str | None, no_charts: bool) -> None:
    """Recompute indicators now, printing progress per step.

    Example: vises pipeline run --enterprise atelier-jeunes-pousses
    """
    with held_database() as (settings, db):
        run_now(settings, db, full, enterprise, not no_charts, everything)


@pipeline_group.command("status")
@click.option("--limit", default=10, show_default=True, help="How many runs to list.")
@clean_errors
def status_command(limit: int) -> None:
    """List the last runs: trigger, times, status, counts and error.

    Example: vises pipeline status --limit 5
    """
    from pipeline.runlog import recent_runs

    settings, db = open_database()
    try:
        runs = recent_runs(db, limit)
    finally:
        db.close()
    if not runs:
        click.echo("No run yet. Start one with `vises pipeline run`.")
    for run in runs:
        counts = ", ".join(f"{k} {v:,}" for k, v in run["counts"].items())
        click.echo(
            f"#{run['id']} {run['status']:<8} {run['trigger']:<9} {run['scope']} "
            f"{'full ' if run['full'] else ''}started {run['started_at']} finished "
            f"{run['finished_at'] or '-'}"
            + (f"\n    {counts}" if counts else "")
            + (f"\n    error: {run['error']}" if run["error"] else "")
        )


@click.command("synth")
@click.option(
    "--enterprises", default=100, show_default=True, type=click.IntRange(min=1), help="Number of enterprises."
)
@click.option(
    "--responses",
    default=10000,
    show_default=True,
    type=click.IntRange(min=0),
    help="Number of responses, spread evenly.",
)
@click.option("--seed", default=1, show_default=True)
@click.option(
    "--instruments",
    "instrument_share",
    default=0.0,
    show_default=True,
    type=click.FloatRange(0.0, 1.0),
    help="Share of the beneficiary campaigns that pin the WHO-5 (a validated instrument).",
)
@clean_errors
def synth_command(enterprises: int, responses: int, seed: int, instrument_share: float) -> None:
    """Generate large synthetic data for benchmarks (does not run the pipeline).

    Example: vises synth --enterprises 1000 --responses 1000000
    """
    from pipeline.sample.synth import synthesize
    from survey_app.core.timeutil import now_utc

    with held_database() as (_, db):
        counts = synthesize(db, enterprises, responses, now_utc(), seed, click.echo, instrument_share)
    click.echo("Created " + ", ".join(f"{v:,} {k}" for k, v in counts.items()) + ".")


COMMANDS: list[click.Command] = [pipeline_group, synth_command]  # `vises demo`: survey_app.cli.demo

if __name__ == "__main__":  # pragma: no cover
    sys.exit(pipeline_group())
