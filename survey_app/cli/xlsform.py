"""`vises questionnaires import-xlsform` and `export-xlsform`: questionnaires to and from
KoboToolbox / ODK workbooks. The work lives in survey_app.questionnaire.xlsform.

An imported questionnaire is written to the instance folder (`<instance>/questionnaires/`),
which start-up registers beside the bundled ones (or to -o).
"""

from __future__ import annotations

import contextlib
import json
import sys
from pathlib import Path

import click

from survey_app.core.cli import clean_errors
from survey_app.core.groups import STAKEHOLDER_GROUPS
from survey_app.questionnaire.rules import Problem, QuestionnaireError


def _framework():
    from survey_app.questionnaire.loader import load_framework
    from survey_app.questionnaire.registry import FRAMEWORK_FILE, QUESTIONNAIRES_DIR

    return load_framework(QUESTIONNAIRES_DIR / FRAMEWORK_FILE)


def _imported_folder() -> Path:
    from survey_app.core import config as config_module
    from survey_app.questionnaire.registry import instance_questionnaires

    return instance_questionnaires(config_module.load())


def parse_indicators(text: str | None) -> dict[str, str]:
    """'q1=self_confidence, q2=skills' -> {"q1": "self_confidence", "q2": "skills"}."""
    mapping = {}
    for part in (text or "").split(","):
        name, sep, indicator = part.partition("=")
        if part.strip() and not (sep and name.strip() and indicator.strip()):
            raise click.BadParameter(
                f"{part.strip()!r} is not of the form question=indicator", param_hint="--indicators"
            )
        if part.strip():
            mapping[name.strip()] = indicator.strip()
    return mapping


@click.command("import-xlsform")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--id", "questionnaire_id", help="Questionnaire id (default: the form_id of the settings sheet).")
@click.option("--group", type=click.Choice(STAKEHOLDER_GROUPS), help="Stakeholder group (default: beneficiaries).")
@click.option("--version", type=click.IntRange(min=1), help="Version number (default: the form's, or 1).")
@click.option("--language-map", help="Language codes of column names, e.g. 'French=fr,Deutsch=de,default=fr'.")
@click.option("--indicators", help="Indicators of questions, e.g. 'q1=self_confidence,q2=skills'.")
@click.option("--skip-unsupported", is_flag=True, help="Drop questions the product cannot run, with a warning each.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Where to write the TOML file.")
@click.option("--force", is_flag=True, help="Replace the output file if it exists.")
@click.option("--dry-run", is_flag=True, help="Check and show the result; write nothing.")
@click.option(
    "--json", "as_json", is_flag=True, help="Print the parsed form as JSON (see docs/questionnaire-format.md)."
)
@clean_errors
def import_xlsform(file: Path, questionnaire_id, group, version, language_map, indicators, skip_unsupported,
                   output, force, dry_run, as_json) -> None:  # fmt: skip
    """Import an XLSForm workbook (KoboToolbox, ODK) as a questionnaire.

    Refuses, with one line per problem (sheet, row, column, feature and fix), what the product
    cannot run; --skip-unsupported drops those questions instead. Without -o the file goes to
    the instance folder, registered at the next start.

    Example: vises questionnaires import-xlsform form.xlsx --group workers --dry-run --json
    """
    from survey_app.questionnaire.xlsform import ImportOptions, import_workbook, preview

    options = ImportOptions(
        questionnaire_id=questionnaire_id,
        group=group,
        version=version,
        language_map=language_map,
        indicators=parse_indicators(indicators),
        skip_unsupported=skip_unsupported,
    )
    result = import_workbook(file.read_bytes(), file.name, _framework(), options)
    for issue in result.issues:
        if issue not in result.blocking:
            click.echo(f"{issue.severity}: {issue.text()}", err=True)
    if as_json:
        click.echo(json.dumps(preview(result), ensure_ascii=False, indent=2))
        if result.refused:
            sys.exit(1)
    elif result.refused:
        raise result.error()
    assert result.questionnaire is not None and result.toml is not None
    q = result.questionnaire
    answerable = [x for x in q.questions if x.answerable]
    summary = (
        f"{q.id} v{q.version} ({q.stakeholder_group}): {len(q.sections)} page(s), {len(answerable)} questions, "
        f"languages {'/'.join(q.languages)}, {len(result.unmapped)} question(s) without an indicator"
    )
    if dry_run:
        click.echo(f"Dry run, nothing written. {summary}", err=as_json)
        return
    target = output or _imported_folder() / f"{q.id}.toml"
    _refuse_taken(target, q.id, q.version, force)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(result.toml, encoding="utf-8")
    click.echo(f"Wrote {target}. {summary}", err=as_json)


def _refuse_taken(target: Path, questionnaire_id: str, version: int, force: bool) -> None:
    """An existing file is replaced only with --force; no other file may define the same version."""
    import tomllib

    from survey_app.questionnaire.registry import QUESTIONNAIRES_DIR, questionnaire_files

    if target.exists() and not force:
        raise _error(str(target), "the file exists", "choose another file with -o, or replace it with --force")
    imported = _imported_folder()
    others = questionnaire_files(QUESTIONNAIRES_DIR) + (questionnaire_files(imported) if imported.is_dir() else [])
    for path in others:
        if path.resolve() == target.resolve():
            continue
        with contextlib.suppress(tomllib.TOMLDecodeError, OSError):
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
            if (raw.get("id"), raw.get("version")) == (questionnaire_id, version):
                where = f"questionnaire '{questionnaire_id}' version {version}"
                raise _error(where, f"{path} already defines this version", "choose another --version or --id")


def _error(where: str, message: str, fix: str) -> QuestionnaireError:
    return QuestionnaireError([Problem("import-xlsform", where, message, fix)])


@click.command("export-xlsform")
@click.argument("questionnaire_id")
@click.option("--version", type=click.IntRange(min=1), help="Version (default: the newest).")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path))
@clean_errors
def export_xlsform(questionnaire_id: str, version: int | None, output: Path) -> None:
    """Export a questionnaire as an XLSForm workbook for KoboToolbox or ODK.

    Indicators, reverse items and "don't know" travel in extra vises_* columns, which those
    tools ignore, so importing the workbook again gives the same questionnaire.

    Example: vises questionnaires export-xlsform workers -o workers.xlsx
    """
    from survey_app.questionnaire.registry import QUESTIONNAIRES_DIR, load_files
    from survey_app.questionnaire.xlsform import export_workbook

    _framework_, loaded = load_files(QUESTIONNAIRES_DIR, _imported_folder())
    versions = [q for q in loaded if q.id == questionnaire_id and (version is None or q.version == version)]
    if not versions:
        known = ", ".join(sorted({f"{q.id} v{q.version}" for q in loaded}))
        raise _error(f"questionnaire '{questionnaire_id}'", "no such questionnaire or version", f"use one of {known}")
    questionnaire = max(versions, key=lambda q: q.version)
    output.write_bytes(export_workbook(questionnaire))
    click.echo(
        f"Wrote {output}: {questionnaire.id} v{questionnaire.version}, languages {'/'.join(questionnaire.languages)}."
    )


COMMANDS = (import_xlsform, export_xlsform)
