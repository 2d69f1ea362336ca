"""The pipeline commands through click's test runner: run (progress, --full, --enterprise),
status, demo (every screen has data, some cells suppressed) and synth."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from pipeline import runner
from survey_app.cli import main
from survey_app.storage.db import connect
from tests.app_support import stored_with_benchmarks


@pytest.fixture
def cli(tmp_path, monkeypatch):
    config = tmp_path / "config.toml"
    config.write_text('[database]\npath = "vises.db"\n[server]\nsecret_key = "test"\n')
    monkeypatch.setenv("VISES_CONFIG", str(config))
    monkeypatch.setattr(runner, "render_charts", lambda *args: 0)
    return lambda *args: CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_demo_loads_and_computes_with_suppressed_and_benchmarked_cells(cli, tmp_path):
    result = cli("demo")
    assert result.exit_code == 0, result.output
    assert "Loaded 12 enterprises" in result.output and "read and computed" in result.output
    # A manager per enterprise, printed with the one-time link that sets the password.
    assert (
        "Atelier Jeunes Pousses: atelier-jeunes-pousses@demo.example  http://127.0.0.1:5000/welcome/" in result.output
    )
    db = connect(tmp_path / "vises.db")
    try:

        def count(sql):
            return db.execute(sql).fetchone()[0]

        assert count("SELECT COUNT(*) FROM user u JOIN membership m ON m.user_id = u.id WHERE role = 'manager'") == 12
        # Texts in each enterprise's language: a Dutch enterprise's campaigns are called "meting".
        titles = {
            r[0]
            for r in db.execute(
                "SELECT c.title FROM campaign c JOIN enterprise e ON e.id = c.enterprise_id "
                "WHERE e.default_language = 'nl'"
            )
        }
        assert "Werknemers – meting 1" in titles and not any("wave" in t for t in titles)
        assert count("SELECT COUNT(DISTINCT sector_group) FROM enterprise") == 3
        assert count("SELECT COUNT(*) FROM enterprise WHERE benchmark_consent = 0") >= 2
        assert count("SELECT COUNT(DISTINCT language) FROM response") == 3
        assert count("SELECT COUNT(DISTINCT language) FROM testimony") == 3
        assert count("SELECT COUNT(*) FROM indicator_value WHERE suppressed = 1") > 0
        assert any(r["bench_median"] is not None for r in stored_with_benchmarks(db))
        assert count("SELECT COUNT(*) FROM indicator_value WHERE delta IS NOT NULL") > 0
        assert count("SELECT COUNT(*) FROM custom_result WHERE suppressed = 0") > 0
    finally:
        db.close()
    assert cli("demo").exit_code == 1  # not twice


def test_run_status_full_and_enterprise_scope(cli):
    assert cli("demo").exit_code == 0
    result = cli("pipeline", "run")
    assert result.exit_code == 0 and "recomputed 0" in result.output
    result = cli("pipeline", "run", "--full", "--enterprise", "atelier-jeunes-pousses")
    assert result.exit_code == 0 and "recomputed 7" in result.output
    assert cli("pipeline", "run", "--enterprise", "nobody").exit_code == 1
    status = cli("pipeline", "status")
    assert status.exit_code == 0
    assert "success  cli       enterprise:atelier-jeunes-pousses full" in status.output
    assert "failed" in status.output and "nobody" in status.output


def test_synth_generates_responses(cli, tmp_path):
    result = cli("synth", "--enterprises", "4", "--responses", "240")
    assert result.exit_code == 0 and "240 responses" in result.output
    db = connect(tmp_path / "vises.db")
    try:
        assert db.execute("SELECT COUNT(*) FROM response").fetchone()[0] == 240
        assert db.execute("SELECT COUNT(*) FROM campaign").fetchone()[0] == 24
    finally:
        db.close()
    assert cli("pipeline", "run").exit_code == 0


def test_synth_pins_the_who5_on_a_share_of_beneficiary_campaigns(cli, tmp_path):
    result = cli("synth", "--enterprises", "4", "--responses", "480", "--instruments", "0.5")
    assert result.exit_code == 0
    assert cli("pipeline", "run").exit_code == 0
    db = connect(tmp_path / "vises.db")
    try:
        pinned = db.execute(
            "SELECT stakeholder_group, COUNT(*) FROM campaign WHERE instruments != '[]' GROUP BY 1"
        ).fetchall()
        assert pinned == [("beneficiaries", 4)]  # 2 of 4 enterprises x 2 waves
        answered = db.execute(
            "SELECT COUNT(DISTINCT a.response_id) FROM answer a JOIN response r ON r.id = a.response_id "
            "JOIN campaign c ON c.id = r.campaign_id WHERE a.question_id = 'who5_cheerful' AND c.instruments != '[]'"
        ).fetchone()[0]
        assert answered > 60  # 20 respondents per campaign, a few "don't know"
        shown = db.execute(
            "SELECT COUNT(*) FROM indicator_value WHERE key = 'who5' AND published_mean BETWEEN 0 AND 100"
        ).fetchone()[0]
        assert shown == 4  # the published WHO-5 percentage of every pinned wave
    finally:
        db.close()
    assert cli("synth", "--instruments", "1.5").exit_code == 2


def test_every_command_has_help_with_an_example(cli):
    for args in (["pipeline"], ["pipeline", "run"], ["pipeline", "status"], ["scheduler"], ["demo"], ["synth"]):
        result = cli(*args, "--help")
        assert result.exit_code == 0 and "Example:" in result.output


def test_run_all_recomputes_every_campaign_from_the_kept_sums(cli):
    assert cli("demo").exit_code == 0
    result = cli("pipeline", "run", "--all")
    assert result.exit_code == 0 and "scored 0" in result.output and "recomputed 74" in result.output
    assert "comparisons_updated 0" in result.output  # same sums, same figures: nothing moved


def test_a_run_holds_the_database_so_a_restore_refuses_meanwhile(cli, tmp_path, monkeypatch):
    from pipeline import cli as pipeline_cli
    from survey_app.storage import inuse

    refused = []

    def run_now(settings, db, *args):
        busy = pytest.raises(inuse.DatabaseInUse, match="in use by a running server or scheduler")
        with busy, inuse.exclusive(tmp_path / "vises.db"):  # what `vises restore` takes first
            pass
        refused.append(True)

    monkeypatch.setattr(pipeline_cli, "run_now", run_now)
    assert cli("pipeline", "run").exit_code == 0
    assert refused == [True]
    with inuse.exclusive(tmp_path / "vises.db"):  # the run is over: its hold went with it
        pass


def test_a_run_does_not_start_while_a_restore_holds_the_database(cli, tmp_path):
    from survey_app.storage import inuse

    with inuse.exclusive(tmp_path / "vises.db"):
        result = CliRunner().invoke(main, ["pipeline", "run"])
    assert result.exit_code == 1 and "a restore or other maintenance is replacing this database" in result.output
    assert "Traceback" not in result.output
