"""Exports: CSV and XLSX round-trip, formula injection neutralised, min_group_size respected,
custom questions and labels, no personal data, bounded memory."""

import csv
import io
import json
import tracemalloc

import openpyxl
import pytest

from survey_app.results import exports
from survey_app.storage.db import write_transaction

CUSTOM = [
    {
        "id": "custom_1",
        "section": "to_finish",
        "type": "single",
        "required": False,
        "dont_know": False,
        "label": {"fr": "Transport ?", "nl": "Vervoer?", "en": "Transport?"},
        "options": [
            {"value": "o1", "label": {"fr": "Bus", "nl": "Bus", "en": "Bus"}},
            {"value": "o2", "label": {"fr": "Vélo", "nl": "Fiets", "en": "Bike"}},
        ],
    }
]


def add_responses(db, campaign_id, count, text="Merci", start=0):
    """`count` responses answering two questionnaire questions, the free text and the custom one."""
    with write_transaction(db):
        for n in range(start, start + count):
            response_id = db.execute(
                "INSERT INTO response (campaign_id, submission_id, language, link, submitted_week) "
                "VALUES (?, ?, 'fr', 'personal', '2026-W10')",
                [campaign_id, f"{campaign_id}-{n}"],
            ).lastrowid
            db.conn.executemany(
                "INSERT INTO answer (response_id, question_id, value_num, value_text, dont_know) "
                "VALUES (?, ?, ?, ?, ?)",
                [
                    (response_id, "feel_confident", 1 + n % 5, None, 0),
                    (response_id, "recommend", None, None, 1),
                    (response_id, "what_changed", None, text, 0),
                    (response_id, "custom_1", None, "o2", 0),
                ],
            )


@pytest.fixture
def campaign(world, db):
    with write_transaction(db):
        db.execute(
            "UPDATE campaign SET custom_questions = ?, responses_exportable = 1 WHERE id = ?",
            [json.dumps(CUSTOM), world.campaign_a],
        )
    with write_transaction(db):
        db.execute(
            "INSERT INTO invitation_email (invitation_id, campaign_id, email, language) "
            "SELECT min(id), ?, 'secret.person@example.org', 'fr' FROM invitation WHERE campaign_id = ?",
            [world.campaign_a, world.campaign_a],
        )
    return world.campaign_a


def download(office, campaign, kind, **params):
    query = "&".join(f"{k}={v}" for k, v in {"language": "en", **params}.items())
    return office.get(f"/admin/campaigns/{campaign}/export/responses.{kind}?{query}")


def test_fewer_responses_than_min_group_size_export_only_a_notice(campaign, db, signed_in):
    add_responses(db, campaign, 4)
    anna = signed_in("anna@example.org")
    for kind in ("csv", "xlsx"):
        response = download(anna, campaign, kind)
        assert response.mimetype == "text/html"
        assert "responses are exported only from 5 responses on" in response.get_data(as_text=True)


def test_csv_round_trips_values_neutralises_formulas_and_has_no_personal_data(campaign, db, signed_in):
    add_responses(db, campaign, 5, text='=HYPERLINK("http://evil")')
    add_responses(db, campaign, 1, text="+1 -2 @ok", start=5)
    response = download(signed_in("anna@example.org"), campaign, "csv")
    assert response.mimetype == "text/csv"
    body = response.get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(body.lstrip("\ufeff"))))
    assert len(rows) == 6
    assert sorted(int(r["feel_confident"]) for r in rows) == [1, 1, 2, 3, 4, 5]
    assert rows[0]["custom_1"] == "o2"
    blank = "recommend (left blank: fewer than 5 answers)"  # six "don't know": no answer at all
    assert all(r[blank] == "" for r in rows)
    texts = sorted(r["what_changed"] for r in rows)
    assert texts == ["'+1 -2 @ok", *['\'=HYPERLINK("http://evil")'] * 5]
    assert list(rows[0])[:5] == ["response", "language", "link", "channel", "submitted_week"]
    assert {r["submitted_week"] for r in rows} == {"2026-W10"}
    assert "secret.person" not in body and "@example.org" not in body


def test_xlsx_round_trips_values_with_labels_in_the_chosen_language(campaign, db, signed_in):
    add_responses(db, campaign, 5, text="=1+1")
    response = download(signed_in("anna@example.org"), campaign, "xlsx", language="nl", labels="y")
    sheet = openpyxl.load_workbook(io.BytesIO(response.get_data())).active
    table = [[cell.value for cell in row] for row in sheet.iter_rows()]
    header = table[0]
    assert header[:5] == ["response", "language", "link", "channel", "submitted_week"]
    assert any(h.startswith("custom_1: Vervoer?") for h in header)
    row = dict(zip(header, table[1]))
    column = {h.split(":")[0]: h for h in header}
    assert "Helemaal niet akkoord" in {dict(zip(header, r))[column["feel_confident"]] for r in table[1:]}
    assert column["recommend"].endswith("(leeg gelaten: minder dan 5 antwoorden)")
    assert row[column["recommend"]] is None
    assert row[column["custom_1"]] == "Fiets"
    assert row[column["what_changed"]] == "'=1+1"
    assert all(sheet.cell(row=r, column=c).data_type != "f" for r in range(1, 7) for c in range(1, len(header) + 1))


def test_xlsx_values_without_labels_are_numbers(campaign, db, signed_in):
    add_responses(db, campaign, 5)
    response = download(signed_in("anna@example.org"), campaign, "xlsx")
    rows = list(openpyxl.load_workbook(io.BytesIO(response.get_data())).active.iter_rows(values_only=True))
    header = rows[0]
    assert sorted(r[header.index("feel_confident")] for r in rows[1:]) == [1, 2, 3, 4, 5]


def test_neutralise():
    assert [exports.neutralise(v) for v in ("=A1", "+1", "-1", "@x", "\tx", "\rx", "ok", 3)] == [
        "'=A1",
        "'+1",
        "'-1",
        "'@x",
        "'\tx",
        "'\rx",
        "ok",
        3,
    ]


def test_export_memory_stays_flat(app, campaign, db):
    """5,000 responses: the streamed CSV never holds the whole file (benchmarks/export.py does 100,000)."""
    add_responses(db, campaign, 5000, text="x" * 200)
    registry = app.extensions["vises.registry"]
    row = next(db.query("SELECT * FROM campaign WHERE id = ?", [campaign]))
    with app.test_request_context():
        questions = exports.export_questions(row, registry.get("beneficiaries", 1))
        tracemalloc.start()
        total = sum(
            len(chunk)
            for chunk in exports.csv_chunks(
                exports.streamed_rows(app.config["SETTINGS"]["database.path"], campaign, questions, "en", False, 5)
            )
        )
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    assert total > 1_000_000
    assert peak < 2_000_000  # well below the 1 MB+ of output
