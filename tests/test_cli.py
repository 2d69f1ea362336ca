"""The `vises` command line: help everywhere, questionnaire checks, migrations, user creation."""

import click
import pytest
from click.testing import CliRunner

from survey_app.cli import main


def all_commands(group, prefix=()):
    for name, command in group.commands.items():
        path = prefix + (name,)
        yield path, command
        if isinstance(command, click.Group):
            yield from all_commands(command, path)


@pytest.fixture
def cli(tmp_path, monkeypatch):
    config = tmp_path / "config.toml"
    config.write_text('[database]\npath = "db/vises.db"\n[server]\nsecret_key = "cli-test"\n')
    monkeypatch.setenv("VISES_CONFIG", str(config))
    runner = CliRunner()
    return lambda *args, **kw: runner.invoke(main, list(args), catch_exceptions=False, **kw)


def test_top_level_help(cli):
    result = cli("--help")
    assert result.exit_code == 0 and "Example: vises serve" in result.output


@pytest.mark.parametrize("path", [p for p, _ in all_commands(main)], ids=" ".join)
def test_every_command_has_help_with_an_example(cli, path):
    result = cli(*path, "--help")
    assert result.exit_code == 0
    assert "Example:" in result.output


def test_questionnaires_check_bundled(cli):
    result = cli("questionnaires", "check")
    assert result.exit_code == 0
    lines = result.output.strip().splitlines()
    assert len(lines) == 3 + 8 and all(line.startswith("ok ") for line in lines)  # questionnaires, instruments
    assert "beneficiaries v1 (beneficiaries), 3 page(s), 12 questions" in result.output


def test_questionnaires_check_reports_a_broken_file(cli):
    result = cli("questionnaires", "check", "tests/data/broken/unknown_type.toml")
    assert result.exit_code == 1
    assert "FAIL tests/data/broken/unknown_type.toml" in result.output
    assert "unknown type 'agre5'. Fix: use one of agree5" in result.output


def test_db_migrate_twice(cli):
    first = cli("db", "migrate")
    assert first.exit_code == 0 and "Applied" in first.output
    second = cli("db", "migrate")
    assert second.exit_code == 0 and "Database is up to date." in second.output


def test_user_create_admin(cli):
    result = cli(
        "user",
        "create",
        "--email",
        "boss@example.org",
        "--role",
        "admin",
        input="a long enough password\na long enough password\n",
    )
    assert result.exit_code == 0, result.output
    assert "Created admin account boss@example.org" in result.output
    again = cli("user", "create", "--email", "BOSS@example.org", input="another long password\nanother long password\n")
    assert again.exit_code == 1 and "already exists" in again.output


def test_bad_config_gives_a_clean_message(cli, tmp_path, monkeypatch):
    bad = tmp_path / "bad.toml"
    bad.write_text("[server]\nport = 0\n")
    monkeypatch.setenv("VISES_CONFIG", str(bad))
    result = cli("db", "migrate")
    assert result.exit_code == 1
    assert "Error: " in result.output and "'server.port' = 0 must be between 1 and 65535" in result.output
    assert "Traceback" not in result.output


def test_every_command_is_documented_in_the_readme():
    from survey_app.core.config import ROOT_CONFIG

    readme = (ROOT_CONFIG.parent / "README.md").read_text()
    for path, command in all_commands(main):
        if not isinstance(command, click.Group):
            assert f"`vises {' '.join(path)}" in readme, f"vises {' '.join(path)} missing from README.md"
