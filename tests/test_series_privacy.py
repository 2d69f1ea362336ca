"""No identity anywhere: after a baseline and a follow-up linked by code questions and by a code card,
a pipeline run, pages, API and exports, no table (except the hash columns), log line, export or page
holds a code, a code answer, a hash or the key; the key is a file outside the database; erasing
unlinks everything."""

from __future__ import annotations

import logging
import re
from datetime import timedelta

import pytest

from pipeline.runner import run_pipeline
from pipeline.sample.responses import add_responses
from survey_app.domain import series
from tests.app_support import NOW
from tests.survey_support import BENEFICIARIES, CSRF, SUBMISSION, Respondent, freeze

CARD = re.compile(r'id="card-code"[^>]*><span[^>]*>[^<]*</span>([A-Z0-9-]+)</p>')
HASH_COLUMNS = {("series_link", "code_hash"), ("series_link_mask", "mask_hash")}


pytestmark = pytest.mark.usefixtures("no_charts")  # conftest: the chart hook is skipped


def follow_up(client, token, action="link", **fields):
    respondent = Respondent(client, f"/s/{token}")
    respondent.get("?lang=en")
    assert respondent.complete(BENEFICIARIES).headers["Location"].endswith("/follow-up")
    html = respondent.get("/follow-up").get_data(as_text=True)
    data = {"csrf_token": CSRF.search(html).group(1), "submission_id": SUBMISSION.search(html).group(1)}
    return client.post(f"/s/{token}/follow-up", data={**data, **fields, "action": action}).get_data(as_text=True)


@pytest.fixture
def linked(app, client, db, world, seed, monkeypatch, tmp_path):
    """Two series of enterprise A (questions, card), a baseline and a follow-up answered in each."""
    freeze(monkeypatch, NOW)
    out = {}
    for method, questions in (("questions", ["mother_initial", "birth_month", "birthplace_initial"]), ("card", [])):
        first = seed.campaign(world.enterprise_a, title=f"{method} 1", opens_at=NOW - timedelta(days=9))
        second = seed.campaign(world.enterprise_a, title=f"{method} 2", opens_at=NOW - timedelta(days=8))
        series_id = series.create(db, world.enterprise_a, "beneficiaries", method, method, questions, NOW)
        record = {"id": series_id, "enterprise_id": world.enterprise_a, "stakeholder_group": "beneficiaries"}
        assert series.add_wave(db, record, first) and series.add_wave(db, record, second)
        out[method] = (series_id, first, second, seed.links(first, 1)[0], seed.links(second, 1)[0])
    code = {"c_mother_initial": "Q", "c_birth_month": "11", "c_birthplace_initial": "W"}
    _, _, _, token1, token2 = out["questions"]
    follow_up(client, token1, **code)
    follow_up(client, token2, **code)
    _, _, _, token1, token2 = out["card"]
    card = CARD.search(follow_up(client, token1)).group(1)
    follow_up(client, token2, card_code=card)
    out["card_code"] = card
    return out


def every_text_cell(db):
    for (table,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'"):
        columns = [r[1] for r in db.execute(f"PRAGMA table_info({table})")]
        for row in db.execute(f"SELECT * FROM {table}"):
            for column, value in zip(columns, row):
                yield table, column, "" if value is None else str(value)


def test_no_code_answer_hash_or_key_outside_the_hash_columns(app, linked, db, signed_in, world, caplog, tmp_path):
    caplog.set_level(logging.DEBUG)
    db.execute(
        "UPDATE campaign SET closes_at = ? WHERE enterprise_id = ?", ["2026-03-03T00:00:00Z", world.enterprise_a]
    )
    for campaign in (linked["questions"][1], linked["questions"][2]):
        add_responses(db, campaign, [{"feel_confident": 3}] * 5)
        db.execute("UPDATE campaign SET responses_exportable = 1 WHERE id = ?", [campaign])
    run_pipeline(db, app.config["SETTINGS"], NOW)
    hashes = {r[0] for r in db.execute("SELECT code_hash FROM series_link")}
    hashes |= {r[0] for r in db.execute("SELECT mask_hash FROM series_link_mask")}
    keys = {p.read_text().strip() for p in (tmp_path / "series-keys").glob("*.key")}
    assert len(hashes) == 2 + 3 and len(keys) == 2  # two codes (linked twice each), three masks
    secrets_ = hashes | keys | {linked["card_code"], linked["card_code"].replace("-", ""), "Q|11|W", "Q11W"}
    for table, column, text in every_text_cell(db):
        found = [s for s in secrets_ if s in text]
        assert not found or ((table, column) in HASH_COLUMNS and text in hashes), (table, column)
    for name in ("c_mother_initial", "mother_initial", "birthplace_initial"):
        assert all(name not in text for table, _, text in every_text_cell(db) if table in ("draft", "answer"))
    anna = signed_in("anna@example.org")
    urls = [
        f"/admin/enterprises/{world.enterprise_a}/dashboard?lang=en",
        f"/api/enterprises/{world.enterprise_a}/distance.json",
        f"/api/enterprises/{world.enterprise_a}/indicators.json",
        f"/admin/series/{linked['questions'][0]}",
        *[f"/admin/campaigns/{c}/export/responses.csv?language=en" for c in linked["questions"][1:3]],
    ]
    pages = []
    for url in urls:  # exports stream: read each body before the next request
        response = anna.get(url)
        assert response.status_code == 200, url
        pages.append(response.get_data(as_text=True))
    assert "Distance travelled" in pages[0] and "self_confidence" in pages[1]
    assert "feel_confident" in pages[4] or "confident" in pages[4].lower()  # a real export, not a notice
    logged = "\n".join(r.getMessage() for r in caplog.records)
    for text in pages + [logged]:
        assert not [s for s in secrets_ if s in text]


def test_erasing_the_key_unlinks_everything(app, linked, db, signed_in, tmp_path):
    series_id = linked["card"][0]
    anna = signed_in("anna@example.org")
    anna.post(f"/admin/series/{series_id}/end", {"confirmed": "yes"})
    anna.post(f"/admin/series/{series_id}/erase", {"confirmed": "yes"})
    assert not (tmp_path / "series-keys" / f"{series_id}.key").exists()
    assert db.execute("SELECT COUNT(*) FROM series_link WHERE series_id = ?", [series_id]).fetchone()[0] == 0
    assert db.execute("SELECT COUNT(*) FROM series_link WHERE series_id = ?", [linked["questions"][0]]).fetchone()[0]
