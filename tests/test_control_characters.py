"""Control characters: refused in every single-line field (a line break in an enterprise name made
reminder sending fail with a 500), kept out of multi-line ones but for line breaks and tabs, and
never fatal when already stored: mail headers are sanitised."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from survey_app.cli import main
from survey_app.core.text import control_characters, one_line
from tests.test_campaigns import campaign_form, custom, row

BAD = ["Atelier\nSolidaire", "Atelier\rSolidaire", "Atelier\x00", "Atelier\x1b[31m", "A\u2028B", "Tab\there"]
REFUSED = "Line breaks and control characters are not allowed here"


def test_the_check_and_the_clean_up():
    assert control_characters("Atelier\r\nSolidaire\x07") == ["U+0007", "U+000A", "U+000D"]
    assert control_characters("two\nlines\tand a tab", multi_line=True) == []
    assert control_characters("Coopérative « Le Pain » – 100 %") == []
    assert one_line("Atelier\r\nSolidaire\u2028 & Co") == "Atelier Solidaire & Co"


@pytest.mark.parametrize("name", BAD)
def test_enterprise_and_account_names_refuse_control_characters(world, signed_in, db, name):
    admin = signed_in("admin@example.org")
    before = db.execute("SELECT count(*) FROM enterprise").fetchone()[0]
    page = admin.post(
        "/admin/enterprises/new",
        {"name": name, "sector_group": "care", "country": "BE", "default_language": "fr", "region": ""},
    )
    assert page.status_code == 200 and REFUSED in page.get_data(as_text=True)
    assert db.execute("SELECT count(*) FROM enterprise").fetchone()[0] == before
    region = admin.post(
        f"/admin/enterprises/{world.enterprise_a}/edit",
        {"name": "Atelier A", "sector_group": "care", "country": "BE", "default_language": "fr", "region": name},
    )
    assert region.status_code == 200 and REFUSED in region.get_data(as_text=True)
    account = admin.post("/admin/accounts/new", {"email": "new@example.org", "name": name, "role": "manager"})
    assert account.status_code == 200 and REFUSED in account.get_data(as_text=True)
    assert db.execute("SELECT count(*) FROM user WHERE email = 'new@example.org'").fetchone()[0] == 0


@pytest.mark.parametrize("text", BAD)
def test_campaign_titles_and_custom_questions_refuse_control_characters(world, signed_in, db, text):
    anna = signed_in("anna@example.org")
    edit = f"/admin/campaigns/{world.campaign_a}/edit"
    before = row(db, world.campaign_a)
    title = anna.post(edit, campaign_form(questionnaire="beneficiaries:1", languages=["fr"], title=text))
    assert title.status_code == 200 and REFUSED in title.get_data(as_text=True)
    question = campaign_form(
        questionnaire="beneficiaries:1", languages=["fr"], **custom(0, type="text", text_fr=f"Autre {text} ?")
    )
    page = anna.post(edit, question)
    assert page.status_code == 200 and REFUSED in page.get_data(as_text=True)
    assert row(db, world.campaign_a) == before


def test_multi_line_fields_keep_line_breaks_but_refuse_other_controls(world, signed_in, db):
    anna = signed_in("anna@example.org")
    edit = f"/admin/campaigns/{world.campaign_a}/edit"
    form = campaign_form(questionnaire="beneficiaries:1", languages=["fr"], title="Wave")
    assert anna.post(edit, {**form, "evaluative_question": "Why?\r\nFor whom?"}).status_code == 303
    assert row(db, world.campaign_a)["evaluative_question"] == "Why?\r\nFor whom?"
    page = anna.post(edit, {**form, "evaluative_question": "Why?\x1b[2J"})
    assert page.status_code == 200 and REFUSED in page.get_data(as_text=True)


def test_the_command_line_refuses_control_characters_in_names(tmp_path, monkeypatch):
    config = tmp_path / "config.toml"
    config.write_text('[database]\npath = "vises.db"\n[server]\nsecret_key = "t"\n[schedule]\nenabled = false\n')
    monkeypatch.setenv("VISES_CONFIG", str(config))
    result = CliRunner().invoke(
        main, ["enterprise", "add", "Atelier\nSolidaire", "--sector-group", "care", "--country", "BE"]
    )
    assert result.exit_code == 2 and "control characters" in result.output
