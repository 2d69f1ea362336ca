"""The export policy the privacy notice promises (results/export_policy.py), checked against the
real files: per-response exports only for campaigns whose respondents were told so, never an
answer to a question fewer than min_group_size people answered, never a hidden quote, never a
date finer than the ISO week (and the week only where enough responses share it)."""

from __future__ import annotations

import csv
import io
import re

import openpyxl
import pytest

from survey_app.storage.db import write_transaction
from tests.app_support import NOW
from tests.survey_support import freeze

NOTICE = {
    # campaign setting on: what the first page promises, in each language
    True: {
        "en": "can also download the answers one row per person, without names or e-mail addresses",
        "fr": "peut aussi télécharger les réponses, une ligne par personne, sans nom ni adresse e-mail",
        "nl": "kan de antwoorden ook downloaden, één rij per persoon, zonder namen of e-mailadressen",
    },
    False: {
        "en": "never one person's answers",
        "fr": "jamais les réponses d'une personne",
        "nl": "nooit de antwoorden van één persoon",
    },
}


def add(db, campaign_id, n, week="2026-W10", start=0, follow_up=False, text="Merci"):
    """n responses; `follow_up` ones also answer training_useful (a question few are shown)."""
    ids = []
    with write_transaction(db):
        for i in range(start, start + n):
            rid = db.execute(
                "INSERT INTO response (campaign_id, submission_id, language, link, submitted_week) "
                "VALUES (?, ?, 'fr', 'personal', ?)",
                [campaign_id, f"sub-{i:03d}", week],
            ).lastrowid
            rows = [(rid, "feel_confident", 1 + i % 5, None, 0), (rid, "what_changed", None, f"{text} {i}", 0)]
            if follow_up:
                rows.append((rid, "training_useful", 4, None, 0))
            db.conn.executemany(
                "INSERT INTO answer (response_id, question_id, value_num, value_text, dont_know) "
                "VALUES (?, ?, ?, ?, ?)",
                rows,
            )
            ids.append(rid)
    return ids


def exportable(db, campaign_id, on=True):
    with write_transaction(db):
        db.execute("UPDATE campaign SET responses_exportable = ? WHERE id = ?", [int(on), campaign_id])


def csv_rows(office, campaign_id, **params):
    query = "&".join(f"{k}={v}" for k, v in {"language": "en", **params}.items())
    response = office.get(f"/admin/campaigns/{campaign_id}/export/responses.csv?{query}")
    assert response.status_code == 200 and response.mimetype == "text/csv", response.status_code
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))


@pytest.mark.parametrize("on", [True, False])
@pytest.mark.parametrize("language", ["fr", "nl", "en"])
def test_the_first_page_says_whether_answers_may_be_exported(app, world, db, monkeypatch, on, language):
    freeze(monkeypatch, NOW)
    exportable(db, world.campaign_a, on)
    html = app.test_client().get(f"/s/{world.links_a[0]}?lang={language}").get_data(as_text=True)
    notice = re.search(r'<li id="privacy-export">(.*?)</li>', html, re.S).group(1)
    assert NOTICE[on][language] in notice
    assert NOTICE[not on][language] not in html


def test_no_export_at_all_when_respondents_were_not_told(world, db, signed_in):
    add(db, world.campaign_a, 12)
    anna = signed_in("anna@example.org")
    for kind in ("csv", "xlsx"):
        response = anna.get(f"/admin/campaigns/{world.campaign_a}/export/responses.{kind}?language=en")
        assert response.status_code == 200 and response.mimetype == "text/html"  # the notice, not a file
        assert "cannot be exported one by one" in response.get_data(as_text=True)
    page = anna.get(f"/admin/campaigns/{world.campaign_a}/export/").get_data(as_text=True)
    assert "cannot be exported one by one" in page and "Download CSV" not in page


def test_a_question_answered_by_fewer_than_min_group_size_people_is_left_blank(world, db, signed_in):
    exportable(db, world.campaign_a)
    add(db, world.campaign_a, 4, follow_up=True)  # 4 people answered the follow-up question
    add(db, world.campaign_a, 6, start=4)
    rows = csv_rows(signed_in("anna@example.org"), world.campaign_a)
    assert len(rows) == 10
    column = "training_useful (left blank: fewer than 5 answers)"
    assert column in rows[0] and "training_useful" not in rows[0]
    assert all(r[column] == "" for r in rows)
    assert sorted(int(r["feel_confident"]) for r in rows) == sorted(1 + i % 5 for i in range(10))


def test_a_question_answered_by_enough_people_is_kept(world, db, signed_in):
    exportable(db, world.campaign_a)
    add(db, world.campaign_a, 5, follow_up=True)
    rows = csv_rows(signed_in("anna@example.org"), world.campaign_a)
    assert [r["training_useful"] for r in rows] == ["4"] * 5


def test_quotes_the_enterprise_hid_never_leave_in_the_file(world, db, signed_in):
    exportable(db, world.campaign_a)
    ids = add(db, world.campaign_a, 6, text="Marie from the kitchen said")
    with write_transaction(db):
        db.execute(
            "INSERT INTO testimony_hidden (response_id, question_id, hidden_by, hidden_at) "
            "VALUES (?, 'what_changed', ?, '2026-03-04T10:00:00Z')",
            [ids[2], world.manager_a],
        )
    office = signed_in("anna@example.org")
    for kind in ("csv", "xlsx"):
        body = office.get(f"/admin/campaigns/{world.campaign_a}/export/responses.{kind}?language=en").get_data()
        if kind == "xlsx":
            sheet = openpyxl.load_workbook(io.BytesIO(body)).active
            body = "\n".join(str(c.value) for row in sheet.iter_rows() for c in row).encode()
        text = body.decode("utf-8-sig")
        assert "Marie from the kitchen said 2" not in text
        assert "Marie from the kitchen said 3" in text
        assert "what_changed (quotes hidden by the enterprise left blank)" in text


def test_dates_are_iso_weeks_and_only_weeks_that_enough_responses_share(world, db, signed_in):
    exportable(db, world.campaign_a)
    add(db, world.campaign_a, 6, week="2026-W09")
    add(db, world.campaign_a, 2, week="2026-W10", start=6)  # two late respondents: their week would point at them
    rows = csv_rows(signed_in("anna@example.org"), world.campaign_a)
    week = "submitted_week (left blank in weeks with fewer than 5 responses)"
    assert sorted(r[week] for r in rows) == [""] * 2 + ["2026-W09"] * 6
    assert all(not re.search(r"\d{4}-\d\d-\d\d", v) for r in rows for v in r.values())
    # Rows are not in the order people answered: blank weeks first, then by random submission id.
    assert [r[week] for r in rows[:2]] == ["", ""]


def test_row_order_follows_the_random_submission_id_not_the_arrival(world, db, signed_in):
    exportable(db, world.campaign_a)
    with write_transaction(db):
        for i, submission in enumerate(["zz", "aa", "mm", "bb", "yy"]):
            rid = db.execute(
                "INSERT INTO response (campaign_id, submission_id, language, link, submitted_week) "
                "VALUES (?, ?, 'fr', 'open', '2026-W10')",
                [world.campaign_a, submission],
            ).lastrowid
            db.execute(
                "INSERT INTO answer (response_id, question_id, value_num) VALUES (?, 'feel_confident', ?)", [rid, i + 1]
            )
    rows = csv_rows(signed_in("anna@example.org"), world.campaign_a)
    assert [r["feel_confident"] for r in rows] == ["2", "4", "3", "5", "1"]  # aa bb mm yy zz
    assert [r["response"] for r in rows] == ["1", "2", "3", "4", "5"]  # a row number, not an id


def test_exports_can_be_promised_only_before_the_first_response(world, db, signed_in):
    from tests.test_campaigns import campaign_form, row

    anna = signed_in("anna@example.org")
    edit = f"/admin/campaigns/{world.campaign_a}/edit"
    form = campaign_form(questionnaire="beneficiaries:1", languages=["fr", "nl", "en"], title="Wave")
    assert anna.post(edit, {**form, "responses_exportable": "y"}).status_code == 303
    assert row(db, world.campaign_a)["responses_exportable"] == 1
    assert anna.post(edit, form).status_code == 303  # turning it off is always allowed
    add(db, world.campaign_a, 1)
    page = anna.post(edit, {**form, "responses_exportable": "y"}).get_data(as_text=True)
    assert "those respondents were told that their answers would not be exported" in page
    assert row(db, world.campaign_a)["responses_exportable"] == 0


def test_existing_campaigns_are_not_exportable_after_the_migration(tmp_path):
    from survey_app.storage.db import connect, migrate
    from survey_app.storage.schema import migrations

    path = tmp_path / "old.db"
    db = connect(path)
    migrations.apply(db, stop_before="m141_campaign_responses_exportable")
    db.execute(
        "INSERT INTO enterprise (slug, name, sector_group, country, default_language, created_at) "
        "VALUES ('a', 'A', 'care', 'BE', 'fr', 't')"
    )
    db.execute(
        "INSERT INTO questionnaire (id, version, stakeholder_group, content_hash, source, registered_at) "
        "VALUES ('workers', 1, 'workers', 'h', '', 't')"
    )
    db.execute(
        "INSERT INTO campaign (enterprise_id, stakeholder_group, questionnaire_id, questionnaire_version, title, "
        "opens_at, closes_at, timezone, languages, open_token, created_at) "
        "VALUES (1, 'workers', 'workers', 1, 'c', 'a', 'b', 'Europe/Brussels', '[\"fr\"]', 'o', 't')"
    )
    db.close()
    assert "m141_campaign_responses_exportable" in migrate(path)
    db = connect(path)
    assert db.execute("SELECT responses_exportable FROM campaign").fetchone()[0] == 0
    db.close()
