"""`vises enterprise add`, `vises campaign create`, `vises links generate`."""

import csv

from click.testing import CliRunner

from survey_app.cli import main
from survey_app.storage.db import connect


def test_enterprise_campaign_links_from_the_command_line(tmp_path, monkeypatch):
    config = tmp_path / "config.toml"
    config.write_text(
        '[database]\npath = "db/vises.db"\n[server]\nsecret_key = "cli-test"\n[schedule]\nenabled = false\n'
    )
    monkeypatch.setenv("VISES_CONFIG", str(config))

    def run(*args):
        return CliRunner().invoke(main, list(args), catch_exceptions=False)

    result = run("enterprise", "add", "Atelier Solidaire", "--sector-group", "integration", "--country", "BE")
    assert result.exit_code == 0 and "Created enterprise atelier-solidaire (id 1)." in result.output
    result = run(
        "campaign",
        "create",
        "--enterprise",
        "atelier-solidaire",
        "--group",
        "workers",
        "--opens",
        "2026-04-01T09:00",
        "--closes",
        "2026-05-01T18:00",
        "--languages",
        "fr,nl",
        "--expected",
        "25",
    )
    assert result.exit_code == 0 and "Created campaign 1 (workers v1)." in result.output
    out = tmp_path / "links.csv"
    result = run("links", "generate", "1", "--count", "25", "--csv", str(out))
    assert result.exit_code == 0
    rows = list(csv.DictReader(out.open()))
    assert len(rows) == 25 and len({r["link"] for r in rows}) == 25
    db = connect(tmp_path / "db" / "vises.db")
    campaign = next(db.query("SELECT * FROM campaign"))
    assert (campaign["opens_at"], campaign["closes_at"]) == ("2026-04-01T07:00:00Z", "2026-05-01T16:00:00Z")
    assert (
        run(
            "campaign",
            "create",
            "--enterprise",
            "nope",
            "--group",
            "workers",
            "--opens",
            "2026-04-01T09:00",
            "--closes",
            "2026-05-01T18:00",
        ).exit_code
        == 1
    )
    assert "No reminder due." in run("invitations", "remind-due").output
