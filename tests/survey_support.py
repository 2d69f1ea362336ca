"""Helpers of the respondent tests: a client that reads tokens from pages and posts them back."""

from __future__ import annotations

import re
from typing import Any

CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
SUBMISSION = re.compile(r'name="submission_id" type="hidden" value="([^"]+)"')

# Complete, valid answers per page (raw values as a browser posts them).
BENEFICIARIES = [
    {"q_treated_with_respect": "5", "q_fits_my_needs": "4", "q_easy_to_access": "dont_know"},
    {
        "q_feel_confident": "4",
        "q_manage_on_my_own": "3",
        "q_learned_useful_things": "5",
        "q_followed_training": "yes",
        "q_training_useful": "4",
        "q_people_to_count_on": "2",
        "q_often_alone": "1",
    },
    {"q_recommend": "9", "q_what_changed": "J'ai retrouvé du travail <b>enfin</b> & confiance."},
]
WORKERS = [
    {
        "q_work_is_useful": "5",
        "q_proud_of_work": "4",
        "q_opinion_counts": "3",
        "q_decided_without_us": "2",
        "q_colleagues_help": "5",
        "q_place_for_everyone": "dont_know",
    },
    {"q_training_access": "4", "q_had_training": "no", "q_more_confident": "4"},
    {"q_recommend": "10", "q_what_changed": ""},
]


class Respondent:
    """Drives one survey link through a Flask test client, as a browser would."""

    def __init__(self, client, path: str):
        self.client, self.path = client, path
        self.last_html = ""

    def get(self, suffix: str = "", **kw: Any):
        response = self.client.get(self.path + suffix, **kw)
        self.last_html = response.get_data(as_text=True)
        return response

    def tokens(self, number: int) -> dict[str, str]:
        html = self.get(f"/{number}").get_data(as_text=True)
        found = {"csrf_token": CSRF.search(html).group(1)} if CSRF.search(html) else {}
        if SUBMISSION.search(html):
            found["submission_id"] = SUBMISSION.search(html).group(1)
        return found

    def post(
        self,
        number: int,
        answers: dict[str, Any],
        action: str = "next",
        tokens: dict[str, str] | None = None,
        **extra: Any,
    ):
        data = {**(tokens if tokens is not None else self.tokens(number)), **answers, **extra}
        if action:
            data["action"] = action
        response = self.client.post(f"{self.path}/{number}", data=data)
        self.last_html = response.get_data(as_text=True)
        return response

    def complete(self, pages: list[dict[str, Any]]):
        """Answer every page and submit; returns the final response."""
        for number, answers in enumerate(pages, start=1):
            last = number == len(pages)
            response = self.post(number, answers, "submit" if last else "next")
            assert response.status_code == 303, self.last_html[:2000]
        return response


def responses(db) -> list[dict[str, Any]]:
    columns = ("id", "campaign_id", "language", "link", "channel", "submitted_week")
    rows = db.execute(f"SELECT {', '.join(columns)} FROM response ORDER BY id")
    return [dict(zip(columns, r)) for r in rows]


def answers_of(db, response_id: int) -> dict[str, tuple]:
    rows = db.execute(
        "SELECT question_id, value_num, value_text, dont_know FROM answer WHERE response_id = ?", [response_id]
    )
    return {r[0]: tuple(r[1:]) for r in rows}


def freeze(monkeypatch, moment) -> None:
    """Fix the app's clock (timeutil.now_utc is its only reader); safe with server threads."""
    monkeypatch.setattr("survey_app.core.timeutil.now_utc", lambda: moment)


def checked(html: str, input_id: str) -> bool:
    """Is the radio or checkbox with this id rendered as checked?"""
    tag = re.search(rf'<input[^>]*\bid="{re.escape(input_id)}"[^>]*>', html)
    return bool(tag and re.search(r"\bchecked\b", tag.group(0)))
