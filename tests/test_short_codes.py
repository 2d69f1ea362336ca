"""Short codes typed at /code: a check character that catches typos, codes unique across campaigns,
one answer for every unusable code (no oracle), misses rate limited per address while valid codes
never count, old six-character codes still accepted when unambiguous, open-link codes on posters."""

from __future__ import annotations

import random
import re
from datetime import timedelta

import pytest

from survey_app.core import short_codes
from survey_app.storage.db import write_transaction
from tests.app_support import NOW
from tests.survey_support import freeze

NOT_FOUND = {
    "en": "No open survey has this code.",
    "fr": "Aucune enquête ouverte n’a ce code.",
    "nl": "Geen enkele open bevraging heeft deze code.",
}


def test_check_character_catches_every_single_wrong_character():
    rng = random.Random(7)
    for _ in range(200):
        code = short_codes.new_code()
        assert short_codes.is_valid(code) and len(code) == 7
        position = rng.randrange(7)
        for other in short_codes.ALPHABET.replace(code[position], ""):
            assert not short_codes.is_valid(code[:position] + other + code[position + 1 :])


def test_codes_avoid_characters_that_read_alike_and_typing_is_forgiving():
    assert not set("0O1I") & set(short_codes.ALPHABET)
    assert short_codes.normalise(" abc-d ef·g ") == "ABCDEFG"
    assert short_codes.is_valid("ABCDEF")  # an old code, printed before check characters
    assert not short_codes.is_valid("ABCDE") and not short_codes.is_valid("ABCDEFGH") and not short_codes.is_valid("")


@pytest.fixture
def cards(app, seed, db, monkeypatch):
    freeze(monkeypatch, NOW)
    enterprise = seed.enterprise()
    campaigns = {
        "open": seed.campaign(enterprise),
        "other": seed.campaign(enterprise, group="workers"),
        "closed": seed.campaign(enterprise, opens_at=NOW - timedelta(days=30), closes_at=NOW - timedelta(days=1)),
    }
    for campaign in campaigns.values():
        seed.links(campaign, 30)
    rows = db.execute("SELECT campaign_id, short_code, token FROM invitation ORDER BY id").fetchall()
    by_campaign = {
        name: [(code, token) for cid, code, token in rows if cid == campaign] for name, campaign in campaigns.items()
    }
    return {"campaigns": campaigns, "codes": by_campaign}


def post_code(client, code: str, language: str = "en"):
    page = client.get(f"/code?lang={language}").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    return client.post("/code", data={"code": code, "csrf_token": token})


def error_text(response) -> str:
    return re.search(r'<p class="error-message"[^>]*>(.*?)</p>', response.get_data(as_text=True), re.S).group(1)


def test_new_codes_are_valid_and_unique_across_campaigns(cards, db):
    codes = [code for found in cards["codes"].values() for code, _token in found]
    assert len(codes) == len(set(codes)) == 90 and all(short_codes.is_valid(c) and len(c) == 7 for c in codes)
    open_codes = [r[0] for r in db.execute("SELECT open_code FROM campaign")]
    assert all(short_codes.is_valid(c) for c in open_codes) and not set(open_codes) & set(codes)


@pytest.mark.parametrize("typed", ["{code}", "{lower}", "{spaced}"])
def test_a_valid_code_leads_to_its_survey(client, cards, typed):
    code, token = cards["codes"]["open"][0]
    text = typed.format(code=code, lower=code.lower(), spaced=f"{code[:4]} - {code[4:]}")
    response = post_code(client, text)
    assert response.status_code == 303 and response.headers["Location"] == f"/s/{token}"


def test_unknown_used_revoked_and_closed_codes_get_the_same_answer(client, cards, db):
    used, revoked = cards["codes"]["open"][1][0], cards["codes"]["open"][2][0]
    with write_transaction(db):
        db.execute("UPDATE invitation SET answered = 1 WHERE short_code = ?", [used])
        db.execute("UPDATE invitation SET revoked_at = '2026-03-03T00:00:00Z' WHERE short_code = ?", [revoked])
    known = {c for found in cards["codes"].values() for c, _t in found}
    unknown = next(c for c in (short_codes.new_code() for _ in range(100)) if c not in known)
    answers = set()
    for code in (unknown, used, revoked, cards["codes"]["closed"][0][0]):
        response = post_code(client, code)
        assert response.status_code == 200
        answers.add(error_text(response))
    assert len(answers) == 1 and NOT_FOUND["en"] in answers.pop()


@pytest.mark.parametrize("language", ["fr", "nl", "en"])
def test_the_page_speaks_each_language_and_names_the_field_in_its_errors(client, cards, language):
    html = client.get(f"/code?lang={language}").get_data(as_text=True)
    assert f'<html lang="{language}">' in html and 'autocapitalize="characters"' in html
    code = cards["codes"]["open"][0][0]
    typo = code[:-1] + next(c for c in short_codes.ALPHABET if c != code[-1])
    response = post_code(client, typo, language)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and 'href="#code"' in page and 'id="error-summary"' in page
    assert NOT_FOUND[language] not in page  # a typo is said to be a typo
    known = {c for found in cards["codes"].values() for c, _t in found}
    unknown = next(c for c in (short_codes.new_code() for _ in range(100)) if c not in known)
    assert NOT_FOUND[language] in error_text(post_code(client, unknown, language))


def test_misses_are_limited_per_address_but_valid_codes_never_count(client, cards, db):
    for code, token in cards["codes"]["open"][:25]:  # more valid codes than the miss limit
        assert post_code(client, code).headers["Location"] == f"/s/{token}"
    known = {c for found in cards["codes"].values() for c, _t in found}
    unknowns = [c for c in (short_codes.new_code() for _ in range(40)) if c not in known][:20]
    for code in unknowns:
        assert post_code(client, code).status_code == 200
    blocked = post_code(client, cards["codes"]["open"][26][0])
    assert blocked.status_code == 429 and "wait a quarter of an hour" in blocked.get_data(as_text=True)
    other = db.execute("SELECT count(*) FROM rate_limit WHERE key LIKE 'code-miss:%'").fetchone()[0]
    assert other == 1


def test_typos_do_not_count_as_misses(client, cards, db):
    code = cards["codes"]["open"][0][0]
    for _ in range(25):
        post_code(client, code[:-1] + next(c for c in short_codes.ALPHABET if c != code[-1]))
    assert post_code(client, code).status_code == 303
    assert db.execute("SELECT count(*) FROM rate_limit WHERE key LIKE 'code-miss:%'").fetchone()[0] == 0


def test_old_codes_work_unless_two_campaigns_share_them(client, cards, db):
    with write_transaction(db):
        first, second = cards["campaigns"]["open"], cards["campaigns"]["other"]
        for campaign, code, token in (
            (first, "ABCDEF", "legacy-1"),
            (first, "GHJKLM", "legacy-2"),
            (second, "GHJKLM", "legacy-3"),
        ):
            db.execute(
                "INSERT INTO invitation (campaign_id, token, short_code, created_at) "
                "VALUES (?, ?, ?, '2026-01-01T00:00:00Z')",
                [campaign, token, code],
            )
    assert post_code(client, "abcdef").headers["Location"] == "/s/legacy-1"
    assert post_code(client, "GHJKLM").status_code == 200  # ambiguous: leads nowhere


def test_open_link_codes_lead_to_the_open_survey_while_it_is_on(client, cards, db):
    campaign = cards["campaigns"]["open"]
    code, token = db.execute("SELECT open_code, open_token FROM campaign WHERE id = ?", [campaign]).fetchone()
    assert post_code(client, code).headers["Location"] == f"/o/{token}"
    with write_transaction(db):
        db.execute("UPDATE campaign SET open_link_enabled = 0 WHERE id = ?", [campaign])
    assert post_code(client, code).status_code == 200


def test_posting_without_the_form_token_is_refused(client, cards):
    assert client.post("/code", data={"code": cards["codes"]["open"][0][0]}).status_code == 400


def test_cards_and_poster_say_where_to_type_the_code(cards, signed_in, db, world):
    office = signed_in("admin@example.org")
    cards_page = office.get(f"/admin/campaigns/{world.campaign_a}/links/cards?lang=en").get_data(as_text=True)
    assert "No camera? Go to http://127.0.0.1:5000/code and type the code." in cards_page
    poster = office.get(f"/admin/campaigns/{world.campaign_a}/links/poster?lang=en").get_data(as_text=True)
    open_code = db.execute("SELECT open_code FROM campaign WHERE id = ?", [world.campaign_a]).fetchone()[0]
    assert open_code in poster and "/code" in poster
