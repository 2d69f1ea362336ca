"""Helpers of the dashboard, report, API, federation and digest tests: the demo's enterprises and
accounts (tests/demo_fixtures.py builds them), HTML tables read back, and stored indicator rows
checked against what a page shows."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from babel.numbers import format_decimal, format_percent

from survey_app.core.published import whole
from survey_app.core.timeutil import iso_utc, now_utc
from survey_app.questionnaire.loader import load_framework
from survey_app.questionnaire.model import translate
from survey_app.questionnaire.registry import FRAMEWORK_FILE, QUESTIONNAIRES_DIR

ENTERPRISE, OTHER = 1, 2
USERS = {
    "admin": ("admin@example.org", "admin", "en", []),
    "anna": ("anna@example.org", "manager", "fr", [ENTERPRISE]),
    "bert": ("bert@example.org", "manager", "nl", [OTHER]),
}
PNG = b"\x89PNG\r\n\x1a\n"
FEWER = {"fr": "moins de 5 réponses", "nl": "minder dan 5 antwoorden", "en": "fewer than 5 answers"}
NPS_LABEL = "Net Promoter Score"


def stored_cells(db, enterprise_id, language):
    """{group: {label: stored row}} for the wave the dashboard opens on: each stakeholder group's latest
    closed wave with results (the demo's open third wave is one click away)."""
    framework = load_framework(QUESTIONNAIRES_DIR / FRAMEWORK_FILE)
    labels = {
        **{("dimension", d.id): translate(d.label, language) for d in framework.dimensions},
        **{("indicator", i.id): translate(i.label, language) for i in framework.indicators},
    }
    latest = {}
    for row in db.query(
        "SELECT DISTINCT c.id, c.stakeholder_group FROM campaign c JOIN indicator_value v "
        "ON v.campaign_id = c.id WHERE c.enterprise_id = ? AND (c.closed_at IS NOT NULL OR c.closes_at <= ?) "
        "ORDER BY c.closes_at, c.id",
        [enterprise_id, iso_utc(now_utc())],  # the page tells open from closed by the clock, so do we
    ):
        latest[row["stakeholder_group"]] = row["id"]
    return {
        group: {
            labels.get((r["kind"], r["key"]), NPS_LABEL): r
            for r in db.query("SELECT * FROM indicator_value WHERE campaign_id = ?", [campaign])
        }
        for group, campaign in latest.items()
    }


def check_table(rows, stored, language):
    """Each line of an indicator table against its stored row; returns how many figures were checked."""
    checked = 0
    assert len(rows) - 1 == len(stored)  # header + one line per stored cell
    for label, *cells in rows[1:]:
        row = stored[label]
        if row["suppressed"]:
            assert cells == [FEWER[language]]
            continue
        # Published figures are whole numbers (core/published.py): no decimal to difference.
        if label == NPS_LABEL:
            assert cells[0] == format_decimal(whole(row["mean"]), "+0;−0", locale=language)
        else:
            assert cells[0] == format_decimal(whole(row["mean"]), "0", locale=language)
        assert cells[2] == str(row["n"])
        if row["ci_low"] is not None:
            low, high = (format_decimal(whole(v), "0", locale=language) for v in (row["ci_low"], row["ci_high"]))
            assert cells[1].startswith(low) and cells[1].endswith(high)
        if row["favourable_share"] is not None:
            assert cells[3] == " ".join(format_percent(row["favourable_share"], locale=language).split())
        if row["delta"] is not None:
            assert format_decimal(whole(row["delta"]), "+0;−0", locale=language) in cells[4]
        assert not any(c[:1].isdigit() and ("." in c or "," in c) for c in cells[:3])
        checked += 1
    return checked


def csrf_token(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


class _Tables(HTMLParser):
    """Cell texts of every <table id=...> in a page: {table id: [[cell, ...], ...]}."""

    def __init__(self):
        super().__init__()
        self.tables, self.current, self.row, self.cell = {}, None, None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and attrs.get("id"):
            self.current = self.tables.setdefault(attrs["id"], [])
        elif tag == "tr" and self.current is not None:
            self.row = []
        elif tag in ("td", "th") and self.row is not None:
            self.cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self.cell is not None:
            self.row.append(" ".join("".join(self.cell).split()))
            self.cell = None
        elif tag == "tr" and self.row is not None:
            self.current.append(self.row)
            self.row = None
        elif tag == "table":
            self.current = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


def tables(html: str) -> dict[str, list[list[str]]]:
    parser = _Tables()
    parser.feed(html)
    return parser.tables
