"""The audit trail: back-office changes recorded with who, what, which object and when, in an
append-only table; admins filter and export it, managers see their enterprises' entries; never an
answer or an e-mail address in it."""

import csv
import io
import sqlite3
from datetime import timedelta

import pytest

from survey_app.storage import audit
from survey_app.storage.db import write_transaction
from tests.app_support import NOW


@pytest.fixture
def admin(signed_in):
    return signed_in("admin@example.org")


def actions(ops):
    return [(e["action"], e["object_type"], e["object_id"], e["enterprise_id"], e["actor_id"]) for e in ops.audit()]


def test_back_office_changes_are_recorded_with_who_and_which_object(world, admin, signed_in, ops, db):
    anna = signed_in("anna@example.org")
    campaign, enterprise = world.campaign_a, world.enterprise_a
    start = len(ops.audit())
    anna.post(f"/admin/campaigns/{campaign}/links/generate", {"count": "4"})
    code = db.execute("SELECT short_code FROM invitation WHERE campaign_id = ? ORDER BY id DESC", [campaign]).fetchone()
    anna.post(f"/admin/campaigns/{campaign}/links/revoke", {"codes": code[0], "confirmed": "yes"})
    anna.post(f"/admin/campaigns/{campaign}/invitations/add", {"addresses": "x@example.org", "language": "fr"})
    anna.post(f"/admin/campaigns/{campaign}/invitations/send")
    anna.get(f"/admin/campaigns/{campaign}/links/links.csv").get_data()
    anna.post(f"/admin/campaigns/{campaign}/close", {"confirmed": "yes"})
    admin.post(f"/admin/enterprises/{enterprise}/consent", {"benchmark_consent": ""})
    admin.post("/admin/runs/refresh")
    recorded = actions(ops)[start:]
    assert recorded == [
        ("links.generate", "campaign", str(campaign), enterprise, world.manager_a),
        ("links.revoke", "campaign", str(campaign), enterprise, world.manager_a),
        ("invitations.add", "campaign", str(campaign), enterprise, world.manager_a),
        ("invitations.invitation", "campaign", str(campaign), enterprise, world.manager_a),
        ("links.download_csv", "campaign", str(campaign), enterprise, world.manager_a),
        ("campaign.close", "campaign", str(campaign), enterprise, world.manager_a),
        ("enterprise.consent", "enterprise", str(enterprise), enterprise, world.admin),
        ("pipeline.refresh", "", "", None, world.admin),
    ]
    details = [e["details"] for e in ops.audit()[start:]]
    assert details[0] == '{"count": 4}' and details[6] == '{"consent": false}'


def test_admins_filter_by_who(world, admin, signed_in):
    anna, bert = signed_in("anna@example.org"), signed_in("bert@example.org")
    anna.post(f"/admin/campaigns/{world.campaign_a}/close", {"confirmed": "yes"})
    bert.post(f"/admin/campaigns/{world.campaign_b}/close", {"confirmed": "yes"})
    table = (
        admin.get(f"/admin/audit/?actor={world.manager_b}&lang=en")
        .get_data(as_text=True)
        .split('id="audit-entries"')[1]
    )
    assert f"campaign {world.campaign_b}" in table and f"campaign {world.campaign_a}" not in table
    assert "bert@example.org" in table and "anna@example.org" not in table


def test_sign_ins_and_failures_are_recorded(app, world, ops):
    from tests.app_support import sign_in

    sign_in(app.test_client(), "anna@example.org", "wrong password")
    sign_in(app.test_client(), "anna@example.org")
    assert [(e["action"], e["actor_id"]) for e in ops.audit()][-2:] == [
        ("signin.failure", world.manager_a),
        ("signin.success", world.manager_a),
    ]


def test_the_table_refuses_updates_and_deletes_except_the_retention_purge(db):
    audit.record(db, "campaign.close", NOW - timedelta(days=800), actor="cli", object_type="campaign", object_id=1)
    audit.record(db, "campaign.close", NOW, actor="cli", object_type="campaign", object_id=2)
    for statement in ("UPDATE audit_log SET action = 'x'", "DELETE FROM audit_log"):
        with pytest.raises(sqlite3.IntegrityError, match="append-only"), write_transaction(db):
            db.execute(statement)
    assert audit.purge(db, NOW, days=730) == 1
    assert [r[0] for r in db.execute("SELECT object_id FROM audit_log")] == ["2"]
    with pytest.raises(sqlite3.IntegrityError, match="append-only"), write_transaction(db):
        db.execute("DELETE FROM audit_log")  # the purge's permission ended with it


def test_details_that_could_carry_personal_data_are_refused(db):
    with pytest.raises(ValueError, match="only numbers, booleans and short identifiers"):
        audit.record(db, "account.invite", NOW, email="anna@example.org")
    with pytest.raises(ValueError):
        audit.record(db, "campaign.edit", NOW, title="Free text, with spaces")


def test_never_an_answer_or_an_e_mail_address(app, world, db, admin, signed_in, seed):
    from survey_app.storage.db import write_transaction

    anna = signed_in("anna@example.org")
    campaign = world.campaign_a
    anna.post(f"/admin/campaigns/{campaign}/invitations/add", {"addresses": "someone@example.org", "language": "fr"})
    anna.post(f"/admin/campaigns/{campaign}/invitations/send")
    anna.post(f"/admin/campaigns/{campaign}/invitations/erase")
    admin.post(
        "/admin/accounts/new",
        {"email": "carla@example.org", "name": "Carla", "language": "fr", "enterprises": [str(world.enterprise_a)]},
    )
    admin.post(f"/admin/accounts/{world.manager_a}/reset")
    with write_transaction(db):
        db.execute(
            "INSERT INTO response (campaign_id, submission_id, language, link, submitted_week) "
            "VALUES (?, 'sub-1', 'fr', 'open', '2026-W10')",
            [campaign],
        )
        db.execute(
            "INSERT INTO answer (response_id, question_id, value_text) VALUES (last_insert_rowid(), 'what_changed', ?)",
            ["A secret answer about my life"],
        )
    anna.get(f"/admin/campaigns/{campaign}/export/responses.csv")
    cells = [str(v) for row in db.execute("SELECT * FROM audit_log") for v in row]
    assert len(cells) > 50
    assert not [c for c in cells if "@" in c or "secret answer" in c or "Carla" in c]


def test_admins_filter_and_export_as_csv_with_formulas_neutralised(world, admin, db, seed):
    hostile = seed.enterprise('=HYPERLINK("http://evil")')
    audit.record(
        db, "enterprise.edit", NOW, actor="cli", object_type="enterprise", object_id=hostile, enterprise_id=hostile
    )
    audit.record(
        db,
        "campaign.close",
        NOW,
        actor="cli",
        object_type="campaign",
        object_id=world.campaign_b,
        enterprise_id=world.enterprise_b,
    )
    page = admin.get("/admin/audit/?action=enterprise&lang=en").get_data(as_text=True)
    table = page.split('id="audit-entries"', 1)[1]
    assert "<td>enterprise.edit</td>" in table and "<td>campaign.close</td>" not in table
    day = NOW.date().isoformat()
    exported = admin.get(f"/admin/audit/audit.csv?action=enterprise.edit&since={day}&until={day}")
    assert exported.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(exported.get_data(as_text=True))))
    assert rows[0] == ["at", "actor", "actor_email", "action", "object_type", "object_id", "enterprise", "details"]
    assert rows[1][3] == "enterprise.edit" and rows[1][6] == '\'=HYPERLINK("http://evil")'
    assert len(rows) == 2
    later = admin.get("/admin/audit/audit.csv?since=2030-01-01").get_data(as_text=True)
    assert later.count("\n") == 1  # only the header


def test_managers_see_only_their_enterprises_entries(world, signed_in, db):
    audit.record(
        db,
        "campaign.close",
        NOW,
        actor="cli",
        object_type="campaign",
        object_id=world.campaign_a,
        enterprise_id=world.enterprise_a,
    )
    audit.record(
        db,
        "campaign.close",
        NOW,
        actor="cli",
        object_type="campaign",
        object_id=world.campaign_b,
        enterprise_id=world.enterprise_b,
    )
    anna = signed_in("anna@example.org")
    page = anna.get("/admin/audit/?lang=en").get_data(as_text=True)
    assert f"campaign {world.campaign_a}" in page and f"campaign {world.campaign_b}" not in page
    exported = anna.get(f"/admin/audit/audit.csv?enterprise={world.enterprise_b}").get_data(as_text=True)
    assert "Bakkerij B" not in exported and "Atelier A" in exported  # another enterprise's filter is ignored


def test_commands_record_their_changes_as_the_command_line(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from survey_app.cli import main
    from survey_app.storage.db import connect

    config = tmp_path / "config.toml"
    config.write_text('[database]\npath = "vises.db"\n[server]\nsecret_key = "t"\n[schedule]\nenabled = false\n')
    monkeypatch.setenv("VISES_CONFIG", str(config))
    runner = CliRunner()
    assert (
        runner.invoke(main, ["enterprise", "add", "Atelier", "--sector-group", "care", "--country", "BE"]).exit_code
        == 0
    )
    assert runner.invoke(main, ["backup", str(tmp_path / "copy.db")]).exit_code == 0
    assert runner.invoke(main, ["restore", str(tmp_path / "copy.db"), "--yes"]).exit_code == 0
    db = connect(tmp_path / "vises.db")
    try:
        rows = [(r[0], r[1]) for r in db.execute("SELECT actor, action FROM audit_log ORDER BY id")]
    finally:
        db.close()
    assert rows == [("cli", "enterprise.create"), ("cli", "database.restore")]
