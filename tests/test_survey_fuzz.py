"""Hypothesis-generated form bodies against the submit endpoint: never a 500, nothing partial."""

from __future__ import annotations

import re
import urllib.parse

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.app_support import NOW
from tests.survey_support import BENEFICIARIES, Respondent, freeze

FIELDS = [
    "q_recommend",
    "q_what_changed",
    "action",
    "lang",
    "csrf_token",
    "submission_id",
    "q_treated_with_respect",
    "dk_what_changed",
]
VALUES = st.one_of(
    st.sampled_from(
        [
            "0",
            "9",
            "10",
            "11",
            "-1",
            "dont_know",
            "submit",
            "next",
            "back",
            "save",
            "nl",
            "xx",
            "1e309",
            "nan",
            "",
            " ",
            "\x00",
            "\ud7ff",
            "‮",
            "<b>",
            "yes",
        ]
    ),
    st.text(max_size=40),
)
BODIES = st.dictionaries(
    st.one_of(st.sampled_from(FIELDS), st.text(max_size=12)), st.lists(VALUES, min_size=1, max_size=3), max_size=6
)


def test_generated_bodies_never_break_the_submit_endpoint(app, seed, db, monkeypatch):
    freeze(monkeypatch, NOW)
    campaign = seed.campaign(seed.enterprise())
    token = db.execute("SELECT open_token FROM campaign WHERE id = ?", [campaign]).fetchone()[0]
    respondent = Respondent(app.test_client(), f"/o/{token}")
    for number, answers in enumerate(BENEFICIARIES[:2], start=1):
        respondent.post(number, answers)

    def count_responses():
        return db.execute("SELECT COUNT(*) FROM response").fetchone()[0]

    page_fields = set(re.findall(r'name="([^"]+)"', respondent.get("/3").get_data(as_text=True)))

    @settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
    @given(body=BODIES, with_tokens=st.booleans(), with_answers=st.booleans())
    def check(body, with_tokens, with_answers):
        if not db.execute("SELECT 1 FROM draft").fetchone():
            for number, answers in enumerate(BENEFICIARIES[:2], start=1):
                respondent.post(number, answers)
        base = {**respondent.tokens(3), "action": "submit"} if with_tokens else {}
        base.update(BENEFICIARIES[2] if with_answers else {})
        encoded = urllib.parse.urlencode({**base, **body}, doseq=True)
        stored = count_responses()
        response = respondent.client.post(
            f"/o/{token}/3", data=encoded, content_type="application/x-www-form-urlencoded"
        )
        if (set(base) | set(body)) - page_fields:
            assert response.status_code == 400  # a field the page does not have: refused outright
        elif response.status_code == 200:  # not valid (which depends on the answers): shown again
            assert count_responses() == stored
        else:  # valid: submitted, or the draft saved and on to the next step
            assert response.status_code == 303, response.status_code
            assert re.search(rf"/o/{token}/(thanks|saved|[1-3])(\?lang=\w+)?$", response.headers["Location"])
        partial = db.execute(
            "SELECT r.id, COUNT(a.question_id) FROM response r LEFT JOIN answer a "
            "ON a.response_id = r.id GROUP BY r.id HAVING COUNT(a.question_id) < 11"
        )
        assert partial.fetchall() == []
        stray = db.execute("SELECT COUNT(*) FROM answer WHERE response_id NOT IN (SELECT id FROM response)")
        assert stray.fetchone()[0] == 0

    check()
    assert db.execute("SELECT COUNT(*) FROM response").fetchone()[0] > 0  # some bodies were valid
