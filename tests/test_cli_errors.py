"""Every `vises` command ends an expected failure (core.errors.VisesError) with one line on standard
error and exit status 1, never a traceback (core.cli.clean_errors)."""

from __future__ import annotations

import click
import pytest
from click.testing import CliRunner

from survey_app.cli import main
from survey_app.core.cli import clean_errors
from survey_app.core.errors import VisesError

PASSWORD = "a long enough password"
CAMPAIGN = ["--group", "workers", "--opens", "2026-04-01 09:00", "--closes", "2026-05-01 18:00"]
# The fewest arguments each command needs to reach its settings; a new command must be added here.
ARGUMENTS = {
    ("serve",): [],
    ("scheduler",): [],
    ("db", "migrate"): [],
    ("user", "create"): ["--email", "boss@example.org", "--password", PASSWORD],
    ("pipeline", "run"): [],
    ("pipeline", "status"): [],
    ("demo",): [],
    ("synth",): [],
    ("backup",): ["{tmp}/copy.db"],
    ("restore",): ["{tmp}/old.db", "--yes"],
    ("purge",): [],
    ("enterprise", "add"): ["Atelier", "--sector-group", "care", "--country", "BE"],
    ("campaign", "create"): ["--enterprise", "atelier", *CAMPAIGN],
    ("links", "generate"): ["1", "--count", "3"],
    ("invitations", "remind-due"): [],
    ("mail", "deliver"): [],
    ("mail", "status"): [],
    ("questionnaires", "export-xlsform"): ["beneficiaries", "-o", "{tmp}/form.xlsx"],
}


def leaf_commands(group: click.Group, prefix: tuple[str, ...] = ()):
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            yield from leaf_commands(command, (*prefix, name))
        else:
            yield (*prefix, name)


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def one_line_error(result) -> str:
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith("Error: ") and result.stderr.count("\n") == 1, result.stderr
    assert "Traceback" not in result.output
    return result.stderr


@pytest.fixture
def configured(tmp_path, monkeypatch):
    config = tmp_path / "config.toml"
    config.write_text('[database]\npath = "vises.db"\n[server]\nsecret_key = "t"\n[schedule]\nenabled = false\n')
    monkeypatch.setenv("VISES_CONFIG", str(config))


def test_every_command_is_checked_below():
    # Commands that need no configuration: checking questionnaire files, printing the config template,
    # turning a workbook into a questionnaire file.
    no_config = {("questionnaires", "check"), ("config", "template"), ("questionnaires", "import-xlsform")}
    assert set(leaf_commands(main)) == set(ARGUMENTS) | no_config


@pytest.mark.parametrize("path", sorted(ARGUMENTS), ids=" ".join)
def test_a_missing_config_file_ends_every_command_with_one_line(path, tmp_path, monkeypatch):
    (tmp_path / "old.db").write_bytes(b"")
    monkeypatch.setenv("VISES_CONFIG", str(tmp_path / "missing.toml"))
    result = run(*path, *(a.format(tmp=tmp_path) for a in ARGUMENTS[path]))
    assert "missing.toml: file not found. Fix:" in one_line_error(result)


def test_a_broken_framework_ends_questionnaires_check_with_one_line(tmp_path, monkeypatch):
    from survey_app.questionnaire import registry

    broken = tmp_path / "framework.toml"
    broken.write_text("dimensions = [\n")
    monkeypatch.setattr(registry, "FRAMEWORK_FILE", str(broken))
    assert "framework.toml: file: not valid TOML" in one_line_error(run("questionnaires", "check"))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["links", "generate", "7", "--count", "3"], "Error: No campaign 7.\n"),
        (
            ["campaign", "create", "--enterprise", "nope", *CAMPAIGN],
            "Error: No enterprise with slug 'nope'. Fix: create it with `vises enterprise add`.\n",
        ),
    ],
)
def test_unknown_names_end_with_one_line(args, message, configured):
    assert one_line_error(run(*args)) == message


def test_an_unknown_timezone_ends_campaign_create_with_one_line(configured):
    assert run("enterprise", "add", "Atelier", "--sector-group", "care", "--country", "BE").exit_code == 0
    assert one_line_error(run("campaign", "create", "--enterprise", "atelier", *CAMPAIGN, "--timezone", "Mars/X")) == (
        "Error: --timezone 'Mars/X' is not a timezone. Fix: use an IANA name such as Europe/Brussels.\n"
    )


def test_missing_compiled_catalogs_end_serve_with_one_line(configured, tmp_path, monkeypatch):
    from survey_app.core import catalogs

    monkeypatch.setattr(catalogs, "TRANSLATIONS", tmp_path / "translations")
    assert "compiled translations missing for fr, nl in" in one_line_error(run("serve"))


def test_clean_errors_lets_bugs_through():
    @click.command()
    @clean_errors
    def broken() -> None:
        raise KeyError("a bug keeps its traceback")

    @click.command()
    @clean_errors
    def expected() -> None:
        raise VisesError("the input is wrong. Fix: correct it.")

    assert isinstance(CliRunner().invoke(broken).exception, KeyError)
    assert CliRunner().invoke(expected).stderr == "Error: the input is wrong. Fix: correct it.\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["user", "create", "--email", "a..b@example.org", "--password", PASSWORD], "is not an e-mail address"),
        (["synth", "--enterprises", "0"], "0 is not in the range x>=1"),
        (["synth", "--responses", "-5"], "-5 is not in the range x>=0"),
    ],
)
def test_bad_values_are_refused_before_anything_is_written(args, message, configured, tmp_path):
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2 and message in result.output and "Traceback" not in result.output
    assert not (tmp_path / "vises.db").exists()


def test_links_to_a_file_that_cannot_be_written_create_nothing(configured, tmp_path):
    assert run("enterprise", "add", "Atelier", "--sector-group", "care", "--country", "BE").exit_code == 0
    assert run("campaign", "create", "--enterprise", "atelier", *CAMPAIGN).exit_code == 0
    message = one_line_error(run("links", "generate", "1", "--count", "3", "--csv", str(tmp_path / "no" / "links.csv")))
    assert "links.csv: cannot be written (No such file or directory). Nothing was created." in message
    from survey_app.storage.db import connect

    db = connect(tmp_path / "vises.db")
    try:
        assert db.execute("SELECT count(*) FROM invitation").fetchone()[0] == 0
    finally:
        db.close()
