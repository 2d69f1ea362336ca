"""The respondent's side of a follow-up series: the linking step after the last page, the code
questions, the code card (shown once, printable, downloadable, typed in at the follow-up), declining,
and what is stored (keyed hashes only, in series_link; never the code nor its answers)."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import stat
from datetime import timedelta

import pytest

from survey_app.domain import series
from survey_app.domain.series_codes import card_from_typed
from tests.app_support import NOW
from tests.survey_support import BENEFICIARIES, CSRF, SUBMISSION, Respondent, freeze, responses

CARD = re.compile(r'id="card-code"[^>]*><span[^>]*>[^<]*</span>([A-Z0-9-]+)</p>')
CODE = {"c_mother_initial": "é", "c_birth_month": "3", "c_older_siblings": "2"}


@pytest.fixture
def waves(seed, db, monkeypatch):
    freeze(monkeypatch, NOW)
    enterprise = seed.enterprise(name="Les Ateliers du Nord")
    first = seed.campaign(enterprise, title="Entry", opens_at=NOW - timedelta(days=7))
    second = seed.campaign(enterprise, title="Six months", opens_at=NOW - timedelta(days=6))
    return {"enterprise": enterprise, "campaigns": (first, second), "tokens": (seed.links(first), seed.links(second))}


def make_series(db, waves, method, questions=()):
    series_id = series.create(db, waves["enterprise"], "beneficiaries", "Path", method, list(questions), NOW)
    record = {"id": series_id, "enterprise_id": waves["enterprise"], "stakeholder_group": "beneficiaries"}
    for campaign in waves["campaigns"]:
        assert series.add_wave(db, record, campaign)
    return series_id


def to_follow_up(client, token: str) -> Respondent:
    respondent = Respondent(client, f"/s/{token}")
    respondent.get("?lang=en")
    final = respondent.complete(BENEFICIARIES)
    assert final.headers["Location"].endswith("/follow-up")
    return respondent


def post_follow_up(respondent: Respondent, action: str, **fields):
    html = respondent.get("/follow-up").get_data(as_text=True)
    data = {"csrf_token": CSRF.search(html).group(1), "submission_id": SUBMISSION.search(html).group(1)}
    response = respondent.client.post(f"{respondent.path}/follow-up", data={**data, **fields, "action": action})
    respondent.last_html = response.get_data(as_text=True)
    return response


def key_of(tmp_path, series_id: int) -> bytes:
    return bytes.fromhex((tmp_path / "series-keys" / f"{series_id}.key").read_text().strip())


def test_code_questions_store_only_keyed_hashes(client, db, waves, tmp_path):
    series_id = make_series(db, waves, "questions", ["mother_initial", "birth_month", "older_siblings"])
    respondent = to_follow_up(client, waves["tokens"][0][0])
    page = respondent.get("/follow-up").get_data(as_text=True)
    assert "Link this answer to your next ones?" in page and "First letter of your mother" in page
    assert post_follow_up(respondent, "link", **CODE).headers["Location"].endswith("/thanks")
    [response] = responses(db)
    [(response_id, code_hash)] = db.execute("SELECT response_id, code_hash FROM series_link").fetchall()
    key = key_of(tmp_path, series_id)
    assert response_id == response["id"]
    assert code_hash == hmac.new(key, b"code:E|3|2", hashlib.sha256).hexdigest()
    masks = [r[0] for r in db.execute("SELECT mask_hash FROM series_link_mask ORDER BY element")]
    assert masks[1] == hmac.new(key, b"mask:1:E|*|2", hashlib.sha256).hexdigest() and len(masks) == 3
    assert stat.S_IMODE((tmp_path / "series-keys" / f"{series_id}.key").stat().st_mode) == 0o600
    assert db.execute("SELECT COUNT(*) FROM draft").fetchone()[0] == 0


def test_declining_sends_the_answers_unlinked(client, db, waves):
    make_series(db, waves, "questions", ["mother_initial", "birth_month", "older_siblings"])
    respondent = to_follow_up(client, waves["tokens"][0][0])
    assert post_follow_up(respondent, "skip").headers["Location"].endswith("/thanks")
    assert len(responses(db)) == 1
    assert db.execute("SELECT COUNT(*) FROM series_link").fetchone()[0] == 0


def test_a_missing_code_answer_is_asked_again_and_nothing_is_saved(client, db, waves):
    make_series(db, waves, "questions", ["mother_initial", "birth_month", "older_siblings"])
    respondent = to_follow_up(client, waves["tokens"][0][0])
    response = post_follow_up(respondent, "link", c_mother_initial="7", c_birth_month="3", c_older_siblings="2")
    assert response.status_code == 200 and "Answer this question, or send your answers without linking." in (
        respondent.last_html
    )
    assert responses(db) == []
    [draft] = db.execute("SELECT answers FROM draft").fetchall()
    assert not any(k.startswith("c_") or k in ("mother_initial", "birth_month") for k in json.loads(draft[0]))


def test_the_card_is_shown_once_downloadable_and_links_the_follow_up(client, db, waves, tmp_path):
    series_id = make_series(db, waves, "card")
    baseline = to_follow_up(client, waves["tokens"][0][0])
    assert "show you a short code on a card" in baseline.get("/follow-up").get_data(as_text=True)
    shown = post_follow_up(baseline, "link")
    assert shown.status_code == 200 and shown.headers["Cache-Control"] == "no-store"
    card = CARD.search(baseline.last_html).group(1)
    assert card_from_typed(card) is not None and re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]", card)
    assert not set(card) & set("01OI")
    text = client.post(
        f"{baseline.path}/card.txt", data={"csrf_token": CSRF.search(baseline.last_html).group(1), "code": card}
    )
    assert text.status_code == 200 and text.mimetype == "text/plain" and card in text.get_data(as_text=True)
    assert "attachment" in text.headers["Content-Disposition"]

    follow = to_follow_up(client, waves["tokens"][1][0])
    typo = card[:-1] + ("A" if card[-1] != "A" else "B")
    assert post_follow_up(follow, "link", card_code=typo).status_code == 200
    assert "This code is not right" in follow.last_html
    assert post_follow_up(follow, "link", card_code=card.lower().replace("-", " ")).status_code == 303
    hashes = [r[0] for r in db.execute("SELECT code_hash FROM series_link ORDER BY response_id")]
    expected = hmac.new(key_of(tmp_path, series_id), f"card:{card.replace('-', '')}".encode(), hashlib.sha256)
    assert hashes == [expected.hexdigest()] * 2
    assert db.execute("SELECT COUNT(*) FROM series_link_mask").fetchone()[0] == 0


def test_a_replayed_card_step_stores_nothing_more(client, db, waves):
    make_series(db, waves, "card")
    baseline = to_follow_up(client, waves["tokens"][0][0])
    post_follow_up(baseline, "link")
    assert client.post(f"{baseline.path}/follow-up", data={"action": "link"}).status_code == 303
    assert len(responses(db)) == 1 and db.execute("SELECT COUNT(*) FROM series_link").fetchone()[0] == 1


def test_outside_a_series_the_last_page_sends_at_once(client, db, waves):
    respondent = Respondent(client, f"/s/{waves['tokens'][0][0]}")
    respondent.get("?lang=en")
    assert respondent.complete(BENEFICIARIES).headers["Location"].endswith("/thanks")
    assert client.get(f"/s/{waves['tokens'][0][1]}/follow-up").headers["Location"].endswith("/1")


def test_an_ended_series_no_longer_asks(client, db, waves):
    series_id = make_series(db, waves, "card")
    series.end(db, series_id)
    respondent = Respondent(client, f"/s/{waves['tokens'][0][0]}")
    respondent.get("?lang=en")
    assert respondent.complete(BENEFICIARIES).headers["Location"].endswith("/thanks")


def test_an_open_link_links_once_and_a_replay_stores_nothing(client, db, waves):
    make_series(db, waves, "questions", ["mother_initial", "birth_month", "older_siblings"])
    token = db.execute("SELECT open_token FROM campaign WHERE id = ?", [waves["campaigns"][0]]).fetchone()[0]
    respondent = Respondent(client, f"/o/{token}")
    respondent.get("?lang=en")
    assert respondent.complete(BENEFICIARIES).headers["Location"].endswith("/follow-up")
    html = respondent.get("/follow-up").get_data(as_text=True)
    data = {"csrf_token": CSRF.search(html).group(1), "submission_id": SUBMISSION.search(html).group(1)}
    sent = client.post(f"/o/{token}/follow-up", data={**data, **CODE, "action": "link"})
    assert sent.headers["Location"].endswith("/thanks")
    assert client.post(f"/o/{token}/follow-up", data={**data, **CODE, "action": "link"}).status_code == 303
    assert len(responses(db)) == 1 and db.execute("SELECT COUNT(*) FROM series_link").fetchone()[0] == 1
    assert db.execute("SELECT COUNT(*) FROM draft").fetchone()[0] == 0


def test_a_shared_tablet_never_offers_linking(app, db, waves):
    from survey_app.domain.kiosks import add_kiosk
    from survey_app.storage.db import write_transaction

    make_series(db, waves, "card")
    with write_transaction(db):
        kiosk_id = add_kiosk(db, waves["campaigns"][0], "Accueil", 10, NOW)
    token = db.execute("SELECT token FROM kiosk WHERE id = ?", [kiosk_id]).fetchone()[0]
    tablet = app.test_client()
    page = tablet.get(f"/k/{token}").get_data(as_text=True)
    tablet.post(f"/k/{token}/start", data={"csrf_token": CSRF.search(page).group(1), "mode": "standard"})
    respondent = Respondent(tablet, f"/k/{token}")
    assert respondent.complete(BENEFICIARIES).headers["Location"].endswith("/thanks")
    assert tablet.get(f"/k/{token}/follow-up").status_code == 303  # no linking step here
    assert len(responses(db)) == 1 and db.execute("SELECT COUNT(*) FROM series_link").fetchone()[0] == 0


def test_easy_mode_sends_through_the_linking_step(client, db, waves):
    make_series(db, waves, "card")
    token = waves["tokens"][0][0]
    respondent = Respondent(client, f"/s/{token}")
    respondent.get("?lang=en")
    for number, answers in enumerate(BENEFICIARIES, start=1):  # the standard pages fill the draft
        respondent.post(number, answers, "next" if number < len(BENEFICIARIES) else "save")
    assert client.get(f"/s/{token}/easy/send").headers["Location"].endswith("/follow-up")
