"""`vises questionnaires import-xlsform` and `export-xlsform`: the JSON preview, one line per
problem with exit 1, the file written where start-up registers it, and the way back."""

import json

import pytest
from click.testing import CliRunner

from survey_app.cli import main
from survey_app.questionnaire.registry import QUESTIONNAIRES_DIR, register
from survey_app.storage.db import connect, migrate
from tests.app_support import NOW

SURVEY = [
    ["type", "name", "label::Français (fr)", "label::English (en)", "required", "relevant"],
    ["select_one yn", "trained", "Formé ?", "Trained?", "yes", ""],
    ["select_one agree", "useful", "Utile ?", "Useful?", "true()", "${trained} = 'yes'"],
    ["geopoint", "where", "Où ?", "Where?", "", ""],
]
CHOICES = [
    ["list_name", "name", "label::Français (fr)", "label::English (en)"],
    ["yn", "yes", "Oui", "Yes"],
    ["yn", "no", "Non", "No"],
    *[["agree", str(i), f"A{i}", f"A{i}"] for i in range(1, 6)],
]


@pytest.fixture
def cli(tmp_path, monkeypatch):
    config = tmp_path / "config.toml"
    config.write_text('[database]\npath = "db/vises.db"\n[server]\nsecret_key = "cli-test"\n')
    monkeypatch.setenv("VISES_CONFIG", str(config))
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    return lambda *args: runner.invoke(main, ["questionnaires", *args], catch_exceptions=False)


@pytest.fixture
def form(tmp_path, workbook):
    path = tmp_path / "form.xlsx"
    path.write_bytes(workbook(SURVEY, CHOICES, [["form_id", "version"], ["training", "2"]]))
    return path


def test_dry_run_json_prints_the_parsed_form(cli, form):
    result = cli("import-xlsform", str(form), "--dry-run", "--json", "--skip-unsupported")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == {
        "id": "training",
        "version": 2,
        "languages": ["fr", "en"],
        "questions": [
            {
                "name": "trained",
                "type": "select_one",
                "required": True,
                "relevant": None,
                "labels": {"fr": "Formé ?", "en": "Trained?"},
                "choices": [
                    {"name": "yes", "labels": {"fr": "Oui", "en": "Yes"}},
                    {"name": "no", "labels": {"fr": "Non", "en": "No"}},
                ],
            },
            {
                "name": "useful",
                "type": "select_one",
                "required": True,
                "relevant": "${trained} = 'yes'",
                "labels": {"fr": "Utile ?", "en": "Useful?"},
                "choices": [{"name": str(i), "labels": {"fr": f"A{i}", "en": f"A{i}"}} for i in range(1, 6)],
            },
        ],
    }
    assert "row 4, column “type”: left out: “geopoint” (GPS location)" in result.stderr
    assert not (form.parent / "db" / "questionnaires").exists()


def test_refusal_as_json_exits_1(cli, form):
    result = cli("import-xlsform", str(form), "--dry-run", "--json")
    assert result.exit_code == 1
    shown = json.loads(result.stdout)
    assert shown["refused"] is True and set(shown) == {"refused", "message"}
    assert "row 4, column “type”: “geopoint” (GPS location) is not supported" in shown["message"]


def test_refusal_is_one_line_per_problem_and_exit_1(cli, form):
    result = cli("import-xlsform", str(form))
    assert result.exit_code == 1
    errors = [line for line in result.stderr.splitlines() if "form.xlsx: sheet" in line]
    assert errors == [
        "Error: form.xlsx: sheet “survey”, row 4, column “type”: “geopoint” (GPS location) is not supported. "
        "Fix: remove the row, or import with --skip-unsupported to drop this question with a warning."
    ]
    assert "Traceback" not in result.output


def test_import_writes_the_instance_folder_and_start_up_registers_it(cli, form, tmp_path):
    result = cli(
        "import-xlsform", str(form), "--skip-unsupported", "--group", "workers", "--indicators", "useful=skills"
    )
    assert result.exit_code == 0, result.output
    target = tmp_path / "db" / "questionnaires" / "training.toml"
    assert f"Wrote {target}. training v2 (workers): 1 page(s), 2 questions, languages fr/en" in result.stdout
    migrate(tmp_path / "db" / "vises.db")
    db = connect(tmp_path / "db" / "vises.db")
    registry = register(db, QUESTIONNAIRES_DIR, NOW, target.parent)
    db.close()
    imported = registry.get("training", 2)
    assert imported.stakeholder_group == "workers" and imported.question("useful").indicator == "skills"
    again = cli("import-xlsform", str(form), "--skip-unsupported")
    assert again.exit_code == 1 and "the file exists" in again.stderr and "--force" in again.stderr
    assert cli("import-xlsform", str(form), "--skip-unsupported", "--force").exit_code == 0


def test_a_version_defined_by_another_file_is_refused(cli, form, tmp_path):
    result = cli("import-xlsform", str(form), "--skip-unsupported", "--id", "workers", "--version", "1")
    assert result.exit_code == 1
    assert "workers.toml already defines this version" in result.stderr


def test_bad_indicator_option(cli, form):
    result = cli("import-xlsform", str(form), "--indicators", "useful")
    assert result.exit_code == 2 and "is not of the form question=indicator" in result.output


def test_export_then_import_gives_the_same_file_content(cli, tmp_path):
    out = tmp_path / "workers.xlsx"
    result = cli("export-xlsform", "workers", "-o", str(out))
    assert result.exit_code == 0 and result.stdout.startswith(f"Wrote {out}: workers v1, languages fr/nl/en")
    again = cli("import-xlsform", str(out), "--dry-run")
    assert again.exit_code == 0
    assert "Dry run, nothing written. workers v1 (workers): 3 page(s), 12 questions" in again.stdout


def test_export_of_an_unknown_questionnaire(cli, tmp_path):
    result = cli("export-xlsform", "nobody", "-o", str(tmp_path / "x.xlsx"))
    assert (
        result.exit_code == 1 and "no such questionnaire or version" in result.stderr and "workers v1" in result.stderr
    )
