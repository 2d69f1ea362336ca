"""Stored XSS: hostile text in enterprise names, campaign texts, custom questions and their
options, questionnaire texts, free-text answers and e-mail lists is shown escaped everywhere:
every back-office page, respondent pages, charts and exports."""

import json
import shutil
from datetime import timedelta

import pytest
from freezegun import freeze_time

from pipeline.runner import RunRequest, run_pipeline
from survey_app.questionnaire import registry as questionnaire_registry
from survey_app.storage.db import write_transaction
from tests.app_support import NOW
from tests.backoffice_routes import backoffice_rules, url_for_rule

PAYLOAD = '<script>alert("xss")</script><img src=x onerror=alert(1)>'
ESCAPED = "&lt;script&gt;alert("


def custom_questions():
    texts = {lang: f"{lang} {PAYLOAD}" for lang in ("fr", "nl", "en")}
    return [
        {
            "id": "custom_1",
            "section": "to_finish",
            "type": "single",
            "label": texts,
            "required": False,
            "dont_know": False,
            "options": [{"value": "o1", "label": texts}, {"value": "o2", "label": dict.fromkeys(texts, "ok")}],
        }
    ]


@pytest.fixture
def hostile(app, world, db):
    """Enterprise A, its campaign and six responses full of markup; results computed with charts."""
    with write_transaction(db):
        db.execute("UPDATE enterprise SET name = ? WHERE id = ?", [f"Coop {PAYLOAD}", world.enterprise_a])
        db.execute(
            "UPDATE campaign SET title = ?, evaluative_question = ?, custom_questions = ?, closes_at = ? WHERE id = ?",
            [
                f"Wave {PAYLOAD}",
                f"Why? {PAYLOAD}",
                json.dumps(custom_questions()),
                "2026-03-01T00:00:00Z",
                world.campaign_a,
            ],
        )
        db.execute(
            "UPDATE campaign SET opens_at = '2026-01-01T00:00:00Z', responses_exportable = 1 WHERE id = ?",
            [world.campaign_a],
        )
        for i in range(6):
            response = db.execute(
                "INSERT INTO response (campaign_id, submission_id, language, link, "
                "submitted_week) VALUES (?, ?, 'fr', 'open', '2026-W07')",
                [world.campaign_a, f"xss-{i}"],
            ).lastrowid
            for question, num, text in (
                ("feel_confident", 4, None),
                ("recommend", 9, None),
                ("what_changed", None, f'=HYPERLINK("x") {PAYLOAD}'),
                ("custom_1", None, "o1"),
            ):
                db.execute(
                    "INSERT INTO answer (response_id, question_id, value_num, value_text) VALUES (?, ?, ?, ?)",
                    [response, question, num, text],
                )
        db.execute(
            "INSERT INTO invitation_email (invitation_id, campaign_id, email, language) VALUES "
            "((SELECT id FROM invitation WHERE campaign_id = ? LIMIT 1), ?, ?, 'fr')",
            [world.campaign_a, world.campaign_a, f"x{PAYLOAD}@example.org"],
        )
    run_pipeline(db, app.config["SETTINGS"], NOW, RunRequest(full=True))
    return world


def assert_escaped(body: str, where: str) -> None:
    assert "<script>alert" not in body and "<img src=x" not in body, where


def test_every_backoffice_page_escapes_stored_text(app, hostile, signed_in):
    admin = signed_in("admin@example.org")
    seen_escaped = 0
    for rule in backoffice_rules(app):
        if "GET" not in rule.methods:
            continue
        url = url_for_rule(app, rule, hostile, "a")
        response = admin.get(url)
        assert response.status_code == 200, url
        # HTML and SVG are where markup runs; CSV, JSON and XLSX carry text as data (sent with
        # their own content type and nosniff), checked for formulas below.
        body = response.get_data(as_text=True) if response.mimetype in ("text/html", "image/svg+xml") else ""
        assert_escaped(body, url)
        seen_escaped += ESCAPED in body or "\\u003cscript" in body or "&lt;script" in body
    assert seen_escaped >= 5  # the payload really was on the pages, escaped


def test_charts_keep_labels_as_escaped_text(app, hostile, db):
    from pipeline.charts import cache, framework, sources

    settings = app.config["SETTINGS"]
    specs = sources.enterprise_specs(db, framework(), hostile.enterprise_a, "fr", settings.privacy.min_group_size)
    campaign_charts = {f"{kind}-c{hostile.campaign_a}" for kind in ("profile", "nps")}
    assert campaign_charts <= set(specs)  # the hostile wave's charts are drawn, not skipped
    for name, spec in specs.items():
        assert cache.ensure(settings, spec, "png")[0].stat().st_size > 0, name
        svg = cache.ensure(settings, spec, "svg")[0].read_text(encoding="utf-8")
        assert_escaped(svg, name)
        if name in campaign_charts:  # titled with the hostile wave name, escaped
            assert ESCAPED in svg, name


def test_exports_neutralise_formulas_in_free_text(app, hostile, signed_in):
    admin = signed_in("admin@example.org")
    csv = admin.get(f"/admin/campaigns/{hostile.campaign_a}/export/responses.csv?language=fr&labels=y").get_data(
        as_text=True
    )
    assert "=HYPERLINK" in csv
    for line in csv.splitlines()[1:]:
        for cell in line.split(","):
            assert not cell.strip('"').startswith(("=", "+", "@")), cell
    api = admin.get(f"/api/enterprises/{hostile.enterprise_a}/indicators.csv").get_data(as_text=True)
    for line in api.splitlines():
        for cell in line.split(","):
            assert not cell.strip('"').startswith(("=", "+", "@")), cell


def test_respondent_pages_escape_custom_questions_and_options(app, hostile, db):
    token = hostile.links_a[0]
    earlier = {
        "treated_with_respect": "5",
        "fits_my_needs": "4",
        "easy_to_access": "4",
        "feel_confident": "4",
        "manage_on_my_own": "3",
        "learned_useful_things": "5",
        "followed_training": "no",
        "people_to_count_on": "4",
        "often_alone": "2",
    }
    with write_transaction(db):
        db.execute("UPDATE campaign SET closes_at = ? WHERE id = ?", ["2026-04-01T00:00:00Z", hostile.campaign_a])
        db.execute(
            "INSERT INTO draft (campaign_id, invitation_id, answers, page, language, updated_at) "
            "VALUES (?, (SELECT id FROM invitation WHERE token = ?), ?, 3, 'fr', ?)",
            [hostile.campaign_a, token, json.dumps(earlier), "2026-03-04T09:00:00Z"],
        )
    client = app.test_client()
    with freeze_time(NOW):
        for path in (f"/s/{token}", f"/s/{token}/3"):
            response = client.get(path, follow_redirects=True)  # a started survey resumes on page 3
            assert response.status_code == 200, path
            body = response.get_data(as_text=True)
            assert_escaped(body, path)
        assert ESCAPED in body  # the custom question and its option are on the last page


def test_questionnaire_texts_are_escaped(make_app, tmp_path, monkeypatch, seed, db):
    folder = tmp_path / "questionnaires"
    shutil.copytree(questionnaire_registry.QUESTIONNAIRES_DIR, folder)
    path = folder / "workers.toml"
    path.write_text(
        path.read_text()
        .replace('title.fr = "', f'title.fr = "{PAYLOAD.replace(chr(34), chr(39))} ', 1)
        .replace("version = 1", "version = 7", 1)
    )
    monkeypatch.setattr(questionnaire_registry, "QUESTIONNAIRES_DIR", folder)
    app = make_app()
    enterprise = seed.enterprise()
    campaign = seed.campaign(enterprise, group="workers", version=7)
    token = seed.links(campaign, 1)[0]
    with freeze_time(NOW + timedelta(hours=1)):
        body = app.test_client().get(f"/s/{token}?lang=fr").get_data(as_text=True)
    assert "&lt;script&gt;alert(" in body
    assert_escaped(body, "intro")
