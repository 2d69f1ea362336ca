"""No differencing (product.md section 5): every published figure is rounded, whole numbers on
pages, charts, the report and the digest, one decimal at most in the API; counts of submissions
are per week, and no list of links tells a manager who answered."""

from __future__ import annotations

import re

import pytest

from pipeline.charts.sources import load_specs
from survey_app.core.config import load
from survey_app.mail.digest import compose
from survey_app.questionnaire.loader import load_framework
from survey_app.questionnaire.registry import FRAMEWORK_FILE, QUESTIONNAIRES_DIR
from survey_app.storage.db import write_transaction
from tests.app_support import NOW, store_benchmark
from tests.dashboard_support import ENTERPRISE, tables
from tests.test_report import latest_campaign

# A cell whose decimals would tell a reader the newest respondent's score.
EXACT = {"mean": 58.333333333, "ci_low": 45.544444, "ci_high": 71.122222, "delta": -11.666666, "bench_median": 61.76}


@pytest.fixture
def exact_cell(demo_db):
    """The workers' latest wave of enterprise 1: its first indicator gets figures with decimals."""
    campaign = latest_campaign(demo_db, ENTERPRISE, "workers")
    key = demo_db.execute(
        "SELECT key FROM indicator_value WHERE campaign_id = ? AND kind = 'indicator' AND suppressed = 0 "
        "ORDER BY key LIMIT 1",
        [campaign],
    ).fetchone()[0]
    with write_transaction(demo_db):
        demo_db.execute(
            "UPDATE indicator_value SET mean = ?, ci_low = ?, ci_high = ?, delta = ?, delta_p = 0.0312345 "
            "WHERE campaign_id = ? AND kind = 'indicator' AND key = ?",
            [*list(EXACT.values())[:4], campaign, key],
        )
        store_benchmark(demo_db, campaign, "indicator", key, [30.5, 50.25, EXACT["bench_median"], 70.75, 90.5])
    return campaign, key


def decimals(text: str) -> list[str]:
    """Numbers with a decimal part (58.3, 58,3) in a text."""
    return re.findall(r"\d+[.,]\d+", text)


def test_pages_and_report_show_whole_numbers(as_user, exact_cell):
    campaign, _key = exact_cell
    anna = as_user("anna")
    dashboard = anna.get(f"/admin/enterprises/{ENTERPRISE}/dashboard?lang=en").get_data(as_text=True)
    report = anna.get(f"/admin/enterprises/{ENTERPRISE}/report/{campaign}?lang=fr").get_data(as_text=True)
    for html, table in ((dashboard, "table-workers"), (report, "report-table")):
        rows = tables(html)[table]
        line = next(cells for cells in rows if cells[1:2] == ["58"])
        assert line[2].startswith("46") and line[2].endswith("71")  # 45.54 to 71.12
        assert "−12" in line[5]  # -11.67
        assert not [d for cells in rows for d in decimals(" ".join(cells[1:]))]


def test_the_api_serves_one_decimal_at_most_and_no_p_value(as_user, exact_cell):
    campaign, key = exact_cell
    body = as_user("anna").get(f"/api/enterprises/{ENTERPRISE}/indicators.json").get_json()
    [cell] = [r for r in body["indicators"] if r["campaign_id"] == campaign and r["key"] == key]
    assert (cell["mean"], cell["ci_low"], cell["ci_high"], cell["delta"], cell["bench_median"]) == (
        58.3,
        45.5,
        71.1,
        -11.7,
        61.8,
    )
    assert "delta_p" not in cell and 0 <= cell["favourable_percent"] <= 100
    for record in body["indicators"]:
        for name, value in record.items():
            if isinstance(value, float):
                assert round(value, 1) == value, (name, value)
    text = as_user("anna").get(f"/api/enterprises/{ENTERPRISE}/indicators.csv").get_data(as_text=True)
    assert "58.3" in text and "58.33" not in text and "delta_p" not in text


def test_charts_draw_whole_numbers(demo_db, exact_cell):
    framework = load_framework(QUESTIONNAIRES_DIR / FRAMEWORK_FILE)
    # Response rates are a count over a count, printed with one decimal everywhere: not scores.
    specs = [s for s in load_specs(demo_db, framework, [ENTERPRISE], {ENTERPRISE: ["en"]}, 5) if s.kind != "rates"]
    values = [
        v
        for spec in specs
        for v in (
            *(x for bar in spec.bars for x in (bar.value, bar.low, bar.high)),
            *(x for series in spec.series for x in series.values),
        )
        if v is not None
    ]
    assert values and all(float(v).is_integer() for v in values)
    assert not decimals(" ".join(spec.alt_text for spec in specs))


def test_the_digest_shows_whole_numbers(demo_db, demo_app):
    settings = load(None, {"database.path": demo_app.config["SETTINGS"]["database.path"], "server.secret_key": "x"})
    with write_transaction(demo_db):
        demo_db.execute("UPDATE indicator_value SET mean = mean + 0.333, delta = -11.666 WHERE suppressed = 0")
    run_id = demo_db.execute("SELECT MAX(id) FROM pipeline_run").fetchone()[0]
    manager = next(demo_db.query("SELECT id, email, language FROM user WHERE email = 'anna@example.org'"))
    mail = compose(demo_db, settings, manager, run_id, NOW)
    assert mail is not None and "−12 depuis la vague précédente" in mail.text
    # Response rates keep one decimal (a count over a count, shown as such on every surface);
    # the scores around them are whole numbers.
    scores = re.sub(r"taux de réponse [\d,]+\u202f?\xa0?%", "", mail.text.split("http")[0])
    assert "taux de réponse" in mail.text and not decimals(scores), scores


def test_submissions_are_counted_per_week_never_per_day(world, signed_in, db):
    with write_transaction(db):
        for i, week in enumerate(["2026-W09", "2026-W10", "2026-W10"]):
            db.execute(
                "INSERT INTO response (campaign_id, submission_id, language, link, submitted_week) "
                "VALUES (?, ?, 'fr', 'open', ?)",
                [world.campaign_a, f"w{i}", week],
            )
    page = signed_in("anna@example.org").get(f"/admin/campaigns/{world.campaign_a}").get_data(as_text=True)
    assert "Submissions per week" in page and "per day" not in page.replace("never per day", "")
    rows = re.findall(r"<tr><td>(Week of [^<]+)</td><td>.*?(\d+)</td></tr>", page)
    assert rows == [("Week of February 23, 2026", "1"), ("Week of March 2, 2026", "2")]


def test_printable_cards_do_not_tell_who_answered(world, signed_in, db):
    office = signed_in("anna@example.org")

    def codes():
        page = office.get(f"/admin/campaigns/{world.campaign_a}/links/cards").get_data(as_text=True)
        return re.findall(r'<section class="card" aria-label="([A-Z0-9]+)">', page)

    before = codes()
    with write_transaction(db):
        db.execute("UPDATE invitation SET answered = 1 WHERE token = ?", [world.links_a[1]])
    answered = db.execute("SELECT short_code FROM invitation WHERE token = ?", [world.links_a[1]]).fetchone()[0]
    assert len(before) == 3 and codes() == before and answered in before


def test_the_methodology_page_states_the_rounding(as_user):
    html = as_user("anna").get("/admin/methodology?lang=en").get_data(as_text=True)
    assert "whole numbers" in html and "one decimal at most" in html
