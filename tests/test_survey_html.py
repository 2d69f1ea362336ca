"""Survey pages are valid, light and self-contained: balanced tags, unique ids, labels for inputs,
no external resources, a question page under 50 kB (HTML + CSS + script)."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from tests.app_support import NOW
from tests.survey_support import BENEFICIARIES, Respondent, freeze

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class Checker(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack, self.ids, self.problems = [], [], []
        self.labels_for, self.inputs, self.described = set(), [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.append(attrs["id"])
        if tag == "label" and "for" in attrs:
            self.labels_for.add(attrs["for"])
        if tag in ("input", "textarea", "select") and attrs.get("type") not in ("hidden", "submit"):
            self.inputs.append(attrs.get("id"))
        self.described += (attrs.get("aria-describedby") or "").split()
        for name in ("src", "href", "action"):
            if (attrs.get(name) or "").startswith(("http:", "https:", "//")):
                self.problems.append(f"external resource {attrs[name]}")
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.problems.append(f"unexpected </{tag}> with open {self.stack[-3:]}")
        else:
            self.stack.pop()


def check(html: str) -> Checker:
    checker = Checker()
    checker.feed(html)
    checker.close()
    assert html.startswith("<!doctype html>")
    assert not checker.problems and not checker.stack, (checker.problems, checker.stack)
    assert len(checker.ids) == len(set(checker.ids)), "duplicate ids"
    assert set(checker.inputs) <= checker.labels_for, "input without label"
    assert set(checker.described) <= set(checker.ids), "aria-describedby to a missing id"
    return checker


@pytest.fixture
def respondent(app, seed, monkeypatch):
    freeze(monkeypatch, NOW)
    token = seed.links(seed.campaign(seed.enterprise(name="<Coop & Co>")), 1)[0]
    return Respondent(app.test_client(), f"/s/{token}")


@pytest.mark.parametrize("language", ["fr", "nl", "en"])
def test_every_page_type_is_valid_html(respondent, language):
    check(respondent.get(f"?lang={language}").get_data(as_text=True))
    for number in (1, 2, 3):
        check(respondent.get(f"/{number}").get_data(as_text=True))
        check(respondent.post(number, {}).get_data(as_text=True))  # with errors
        respondent.post(number, BENEFICIARIES[number - 1], "next" if number < 3 else "save")
    check(respondent.get("/saved").get_data(as_text=True))
    respondent.post(3, BENEFICIARIES[2], "submit")
    check(respondent.get("/thanks").get_data(as_text=True))
    check(respondent.get("").get_data(as_text=True))  # already answered


def test_enterprise_name_is_escaped(respondent):
    html = respondent.get("?lang=en").get_data(as_text=True)
    assert "&lt;Coop &amp; Co&gt;" in html and "<Coop" not in html


def test_question_page_weighs_under_50_kB(respondent):
    page = respondent.get("/2")
    css = respondent.client.get("/static/app.css")
    script = respondent.client.get("/static/survey.js")
    total = len(page.data) + len(css.data) + len(script.data)
    assert total < 50_000, total
