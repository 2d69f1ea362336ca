"""Instruments in campaigns: registered and pinned like questionnaires, chosen on the campaign form
(only in the languages of their official translations, and the form says why), frozen with the
questions, shown to respondents as an extra page, exported, and chosen from the command line."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from pipeline.sample.responses import add_responses
from survey_app.cli import main
from survey_app.questionnaire.loader import QuestionnaireError
from survey_app.questionnaire.registry import QUESTIONNAIRES_DIR, register
from survey_app.storage.db import connect, migrate
from tests.app_support import NOW
from tests.survey_support import BENEFICIARIES, Respondent, answers_of, freeze, responses
from tests.test_campaigns import add_response, campaign_form, row

WHO5_FR = {
    "q_who5_cheerful": "5",
    "q_who5_calm": "3",
    "q_who5_active": "3",
    "q_who5_rested": "2",
    "q_who5_interesting": "0",
}


def test_instruments_are_registered_and_a_used_version_never_changes(tmp_path):
    folder = tmp_path / "questionnaires"
    (folder / "instruments").mkdir(parents=True)
    for name in ("framework", "workers"):
        (folder / f"{name}.toml").write_text((QUESTIONNAIRES_DIR / f"{name}.toml").read_text())
    who5 = folder / "instruments" / "who5.toml"
    who5.write_text((QUESTIONNAIRES_DIR / "instruments" / "who5.toml").read_text())
    migrate(tmp_path / "q.db")
    db = connect(tmp_path / "q.db")
    register(db, folder, NOW)
    registry = register(db, folder, NOW)
    assert [(r["id"], r["version"]) for r in db.query("SELECT * FROM instrument")] == [("who5", 1)]
    assert registry.instrument("who5").content_hash == registry.instrument("who5", 1).content_hash
    who5.write_text(who5.read_text().replace('title.en = "WHO-5 Well-Being Index"', 'title.en = "WHO-5"'))
    with pytest.raises(QuestionnaireError) as excinfo:
        register(db, folder, NOW)
    message = str(excinfo.value)
    assert "who5.toml: instrument 'who5' version 1: this version is already registered" in message
    assert "Fix: set version = 2" in message
    who5.write_text(who5.read_text().replace("version = 1", "version = 2"))
    registry = register(db, folder, NOW)
    assert registry.instrument("who5").version == 2
    # Version 1 stays as registered, rebuilt from the database, for the campaigns that pinned it.
    assert registry.instrument("who5", 1).name("en") == "WHO-5 Well-Being Index"
    assert registry.instrument("who5", 2).name("en") == "WHO-5"
    db.close()


def test_the_form_offers_instruments_with_their_languages_and_says_why(world, signed_in):
    page = signed_in("anna@example.org").get(f"/admin/enterprises/{world.enterprise_a}/campaigns/new").get_data(True)
    assert 'value="who5:1"' in page and "WHO-5 Well-Being Index (v1) – English, Français" in page
    assert "(ÉES-10) (v1) – Français" in page
    assert "asked only in the languages of its official translations" in page


def test_a_campaign_pins_its_instruments(world, signed_in, db):
    anna = signed_in("anna@example.org")
    data = campaign_form(languages=["fr"], instruments=["who5:1", "ees10:1"])
    response = anna.post(f"/admin/enterprises/{world.enterprise_a}/campaigns/new", data)
    assert response.status_code == 303
    campaign_id = int(response.headers["Location"].rstrip("/").split("/")[-1])
    assert json.loads(row(db, campaign_id)["instruments"]) == [["ees10", 1], ["who5", 1]]
    page = anna.get(f"/admin/campaigns/{campaign_id}").get_data(as_text=True)
    assert "Validated instruments" in page and "WHO-5 Well-Being Index v1" in page


def test_an_instrument_without_the_campaigns_languages_is_refused_with_the_reason(world, signed_in, db):
    anna = signed_in("anna@example.org")
    before = db.execute("SELECT count(*) FROM campaign").fetchone()[0]
    page = anna.post(
        f"/admin/enterprises/{world.enterprise_a}/campaigns/new",
        campaign_form(languages=["fr", "nl"], instruments=["who5:1"]),
    ).get_data(as_text=True)
    assert "WHO-5 Well-Being Index has no official translation in Nederlands" in page
    assert "offer only English, Français, or leave this instrument out" in page
    assert 'href="#instruments-0"' in page  # in the error summary, linked to the first checkbox
    assert db.execute("SELECT count(*) FROM campaign").fetchone()[0] == before


def test_instruments_freeze_with_the_questions_once_responses_exist(world, signed_in, db):
    anna = signed_in("anna@example.org")
    edit = f"/admin/campaigns/{world.campaign_a}/edit"
    add_response(db, world.campaign_a)
    page = anna.post(edit, campaign_form(languages=["fr"], instruments=["who5:1"])).get_data(as_text=True)
    assert "can no longer change" in page
    assert json.loads(row(db, world.campaign_a)["instruments"]) == []


@pytest.fixture
def who5_campaign(app, seed, monkeypatch):
    freeze(monkeypatch, NOW)
    campaign = seed.campaign(
        seed.enterprise(), languages=("fr",), instruments=(("who5", 1),), responses_exportable=True
    )
    return {"campaign": campaign, "tokens": seed.links(campaign, 2)}


def test_respondents_see_the_instrument_as_an_extra_page(client, who5_campaign, db):
    respondent = Respondent(client, f"/s/{who5_campaign['tokens'][0]}")
    assert "Environ 7 minutes." in respondent.get("?lang=fr").get_data(as_text=True)  # 5 + 2 for WHO-5
    for number, answers in enumerate(BENEFICIARIES, start=1):
        assert respondent.post(number, answers).status_code == 303
    page = respondent.get("/4").get_data(as_text=True)
    assert "Page 4 sur 4" in page and "Indice de bien-être de l&#39;OMS (WHO-5)" in page
    assert "Notez que le chiffre est proportionnel au bien-être." in page
    assert "Je me suis senti(e) calme et tranquille." in page and "5 - Tout le temps" in page
    final = respondent.post(4, WHO5_FR, action="submit")
    assert final.status_code == 303 and final.headers["Location"].endswith("/thanks")
    [response] = responses(db)
    stored = answers_of(db, response["id"])
    assert stored["who5_cheerful"] == (5.0, None, 0) and stored["who5_interesting"] == (0.0, None, 0)
    assert len(stored) == 12 + 5


def test_the_instrument_items_are_required_as_published(client, who5_campaign):
    respondent = Respondent(client, f"/s/{who5_campaign['tokens'][1]}")
    respondent.get("?lang=fr")
    for number, answers in enumerate(BENEFICIARIES, start=1):
        respondent.post(number, answers)
    response = respondent.post(4, {**WHO5_FR, "q_who5_calm": ""}, action="submit")
    assert response.status_code == 200 and 'href="#q_who5_calm-0"' in respondent.last_html


def test_the_response_export_has_the_instrument_columns(who5_campaign, world, signed_in, db):
    who5 = {q.removeprefix("q_"): int(v) for q, v in WHO5_FR.items()}
    add_responses(db, who5_campaign["campaign"], [{"recommend": 9, **who5}] * 5)
    admin = signed_in("admin@example.org")
    export = admin.get(f"/admin/campaigns/{who5_campaign['campaign']}/export/responses.csv")
    assert export.status_code == 200
    header, first = export.get_data(as_text=True).splitlines()[:2]
    # The published score follows the items (raw 13 x 4 = 52), computed by the reference scoring.
    assert header.endswith(",who5_cheerful,who5_calm,who5_active,who5_rested,who5_interesting,who5_score")
    assert first.endswith(",5,3,3,2,0,52")
    labelled = admin.get(f"/admin/campaigns/{who5_campaign['campaign']}/export/responses.csv?language=en&labels=y")
    assert labelled.get_data(as_text=True).splitlines()[0].endswith(",who5_score: WHO-5 percentage score (0 to 100)")


def test_the_response_export_leaves_out_a_score_that_is_not_complete(who5_campaign, world, signed_in, db):
    who5 = {q.removeprefix("q_"): int(v) for q, v in WHO5_FR.items()}
    add_responses(db, who5_campaign["campaign"], [{"recommend": 9, **who5}] * 5 + [{"who5_calm": 3}])
    export = signed_in("admin@example.org").get(f"/admin/campaigns/{who5_campaign['campaign']}/export/responses.csv")
    scores = [line.rsplit(",", 1)[1] for line in export.get_data(as_text=True).splitlines()[1:]]
    assert sorted(scores) == ["", "52", "52", "52", "52", "52"]  # WHO-5 counts complete answers only


def cli_env(tmp_path, monkeypatch):
    config = tmp_path / "config.toml"
    config.write_text(
        '[database]\npath = "db/vises.db"\n[server]\nsecret_key = "cli-test"\n[schedule]\nenabled = false\n'
    )
    monkeypatch.setenv("VISES_CONFIG", str(config))
    run = lambda *args: CliRunner().invoke(main, list(args), catch_exceptions=False)  # noqa: E731
    run("enterprise", "add", "Atelier Solidaire", "--sector-group", "integration", "--country", "BE")
    return run


DATES = ("--opens", "2026-04-01T09:00", "--closes", "2026-05-01T18:00")


def test_campaign_create_chooses_questionnaire_and_instruments(tmp_path, monkeypatch):
    run = cli_env(tmp_path, monkeypatch)
    base = ("campaign", "create", "--enterprise", "atelier-solidaire", "--group", "beneficiaries", *DATES)
    result = run(*base, "--questionnaire", "beneficiaries", "--languages", "en,fr", "--instrument", "who5")
    assert result.exit_code == 0 and "Created campaign 1 (beneficiaries v1, who5 v1)." in result.output
    result = run(*base, "--languages", "en", "--instrument", "ucla3:1", "--instrument", "ons4")
    assert result.exit_code == 0 and "(beneficiaries v1, ucla3 v1, ons4 v1)" in result.output
    db = connect(tmp_path / "db" / "vises.db")
    assert [json.loads(r["instruments"]) for r in db.query("SELECT instruments FROM campaign ORDER BY id")] == [
        [["who5", 1]],
        [["ucla3", 1], ["ons4", 1]],
    ]
    db.close()


@pytest.mark.parametrize(
    "extra, message",
    [
        (("--languages", "fr,nl", "--instrument", "who5"), "Instrument 'who5' has no official translation in nl"),
        (("--instrument", "sf36"), "No instrument 'sf36'. Fix: use one of"),
        (("--questionnaire", "workers"), "Questionnaire 'workers' is for workers, not beneficiaries"),
        (("--questionnaire", "nope"), "No questionnaire 'nope'. Fix: use one of beneficiaries, partners, workers"),
    ],
)
def test_campaign_create_refuses_a_bad_choice_with_its_fix(tmp_path, monkeypatch, extra, message):
    run = cli_env(tmp_path, monkeypatch)
    base = ("campaign", "create", "--enterprise", "atelier-solidaire", "--group", "beneficiaries", *DATES)
    result = CliRunner().invoke(main, [*base, *extra])
    assert result.exit_code == 1 and message in result.output
    assert run is not None


def test_duplicating_a_campaign_keeps_its_instrument_versions(world, signed_in, db, seed):
    campaign = seed.campaign(world.enterprise_a, languages=("en",), instruments=(("ucla3", 1), ("ons4", 1)))
    anna = signed_in("anna@example.org")
    response = anna.post(f"/admin/campaigns/{campaign}/duplicate")
    copy = int(response.headers["Location"].split("/")[-2])
    assert json.loads(row(db, copy)["instruments"]) == [["ucla3", 1], ["ons4", 1]]


def test_the_pipeline_keeps_the_questionnaires_figures_when_a_campaign_has_instruments(pipeline_db, monkeypatch):
    """The questionnaire's own indicators are computed as before; the instrument's indicator is
    scored by its own rule (WHO-5: complete answers only, so two items of five give no score)."""
    from datetime import timedelta

    from pipeline import runner
    from survey_app.core import config
    from tests.app_support import Seeder

    seed = Seeder(pipeline_db)
    enterprise = seed.enterprise()
    window = {"opens_at": NOW - timedelta(days=40), "closes_at": NOW - timedelta(days=10)}
    plain = seed.campaign(enterprise, **window)
    with_who5 = seed.campaign(enterprise, languages=("fr",), instruments=(("who5", 1),), **window)
    answers = {"treated_with_respect": 4, "fits_my_needs": 5, "recommend": 9}
    add_responses(pipeline_db, plain, [answers] * 5)
    add_responses(pipeline_db, with_who5, [{**answers, "who5_cheerful": 3, "who5_calm": 2}] * 5)
    monkeypatch.setattr(runner, "render_charts", lambda *args: 0)  # charts are another module's concern
    runner.run_pipeline(pipeline_db, config.validate({}, "tests"), NOW)
    rows = {
        c: {r["key"]: r["mean"] for r in pipeline_db.query("SELECT * FROM indicator_value WHERE campaign_id = ?", [c])}
        for c in (plain, with_who5)
    }
    assert rows[with_who5].pop("who5") is None  # suppressed: no respondent answered all five items
    assert rows[plain] == rows[with_who5]


def test_a_file_prepared_in_the_background_carries_the_same_scores(who5_campaign, world, signed_in, db, monkeypatch):
    import io

    import openpyxl

    from tests.export_helpers import prepared_file

    monkeypatch.undo()  # the fixture's frozen clock: the export worker's thread reads the real one
    who5 = {q.removeprefix("q_"): int(v) for q, v in WHO5_FR.items()}
    add_responses(db, who5_campaign["campaign"], [{"recommend": 9, **who5}] * 5)
    body = prepared_file(signed_in("admin@example.org"), who5_campaign["campaign"], "xlsx", language="fr").get_data()
    header, *rows = openpyxl.load_workbook(io.BytesIO(body)).active.iter_rows(values_only=True)
    assert header[-1] == "who5_score" and [row[-1] for row in rows] == [52] * 5
