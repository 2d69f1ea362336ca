"""Bad operator files end every command with one line naming the file, the key (or place) and the
fix, values cut to 80 characters, never a traceback: invalid UTF-8 in the config or a
questionnaire, TOML nested too deeply, a 50 MB value echoed back, a read-only database at serve."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from survey_app.cli import main
from survey_app.storage.db import migrate

VISES = Path(sys.executable).parent / "vises"
GOOD = '[database]\npath = "vises.db"\n[server]\nsecret_key = "t"\n[schedule]\nenabled = false\n'
NESTED = "a = " + "[" * 5000 + "]" * 5000 + "\n"


def one_line(result) -> str:
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert result.stderr.startswith("Error: ") and result.stderr.count("\n") == 1, result.stderr[:500]
    return result.stderr


def run_with_config(tmp_path, monkeypatch, content: bytes, *args: str):
    config = tmp_path / "config.toml"
    config.write_bytes(content)
    monkeypatch.setenv("VISES_CONFIG", str(config))
    return CliRunner().invoke(main, list(args or ["db", "migrate"]), catch_exceptions=False)


def test_invalid_utf8_in_the_config(tmp_path, monkeypatch):
    content = GOOD.replace('secret_key = "t"', 'secret_key = "caf\xe9"').encode("latin-1")
    line = one_line(run_with_config(tmp_path, monkeypatch, content))
    assert "config.toml: not UTF-8 text (byte 0xe9 on line 4)" in line and "Fix: save the file as UTF-8" in line


def test_deeply_nested_toml_in_the_config(tmp_path, monkeypatch):
    line = one_line(run_with_config(tmp_path, monkeypatch, (GOOD + NESTED).encode()))
    assert "config.toml: nested too deeply" in line and "Fix:" in line


@pytest.mark.parametrize(
    ("setting", "size"),
    [
        ('[server]\nport = "{value}"\n', 50_000_000),  # wrong type: the value is echoed back
        ('[server]\n"{value}" = 1\n', 1_000_000),  # unknown key: the name is echoed back (any size: same code)
        ('[server]\nbase_url = "{value}"\n', 1_000_000),  # impossible value
    ],
)
def test_a_50_megabyte_value_is_cut_to_80_characters(tmp_path, monkeypatch, setting, size):
    huge = "x" * size
    line = one_line(run_with_config(tmp_path, monkeypatch, setting.format(value=huge).encode()))
    assert len(line) < 2000 and "x" * 70 + "…" in line and "x" * 80 not in line
    assert "config.toml" in line and "server." in line and "Fix:" in line


def questionnaire_check(path: Path):
    return CliRunner().invoke(main, ["questionnaires", "check", str(path)], catch_exceptions=False)


def test_invalid_utf8_and_deep_nesting_in_a_questionnaire(tmp_path):
    bundled = Path(__file__).resolve().parent.parent / "questionnaires" / "workers.toml"
    broken = tmp_path / "workers.toml"
    broken.write_bytes(bundled.read_bytes().replace("é".encode(), b"\xe9", 1))
    result = questionnaire_check(broken)
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "workers.toml: file: not UTF-8 text (byte 0xe9 on line" in result.output
    assert "Fix: save the file as UTF-8" in result.output
    nested = tmp_path / "nested.toml"
    nested.write_text(NESTED)
    result = questionnaire_check(nested)
    assert result.exit_code == 1 and "nested.toml: file: nested too deeply" in result.output


def test_a_huge_question_id_is_cut(tmp_path):
    bundled = Path(__file__).resolve().parent.parent / "questionnaires" / "workers.toml"
    text = bundled.read_text()
    first_id = text.split('id = "', 2)[2].split('"', 1)[0]  # the first question's id (after the file's own)
    broken = tmp_path / "workers.toml"
    broken.write_text(text.replace(f'id = "{first_id}"', 'id = "' + "Q" * 2_000_000 + '"', 1))
    result = questionnaire_check(broken)
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert len(result.output) < 20_000 and "Q" * 81 not in result.output and "Q" * 79 + "…" in result.output


def read_only(path: Path) -> None:
    """Make a file unwritable even for its owner; root ignores modes, so then the immutable flag."""
    path.chmod(0o444)
    if os.geteuid() == 0 and subprocess.run(["chattr", "+i", str(path)], capture_output=True).returncode != 0:
        pytest.skip("running as root without chattr: no way to make a file read-only here")


def test_a_read_only_database_at_serve(tmp_path):
    """A real `vises serve` on a database file the service user cannot write."""
    config = tmp_path / "config.toml"
    config.write_text(GOOD)
    database = tmp_path / "vises.db"
    migrate(database)
    read_only(database)
    try:
        result = subprocess.run(
            [str(VISES), "serve"],
            env={**os.environ, "VISES_CONFIG": str(config)},
            capture_output=True,
            text=True,
            timeout=60,
        )
    finally:
        if os.geteuid() == 0:
            subprocess.run(["chattr", "-i", str(database)], check=True)
        database.chmod(0o644)
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    assert result.stderr.count("\n") == 1, result.stderr
    assert f"{database}: the database cannot be written" in result.stderr
    assert "Fix: let the user running vises write to" in result.stderr
