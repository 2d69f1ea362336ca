"""Results by channel: scores of answers given alone, to an interviewer or on paper, side by side,
suppressed as a whole row when a channel is small (no derivation by subtraction from the total);
the report states each channel's share."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from pipeline.sample.responses import add_responses
from survey_app.results.channels import breakdown
from tests.dashboard_support import ENTERPRISE
from tests.test_report import latest_campaign


def add(db, campaign, count, channel, value):
    ids = add_responses(db, campaign, [{"feel_confident": value, "manage_on_my_own": value}] * count)
    assert isinstance(value, int)
    db.execute(f"UPDATE response SET channel = ? WHERE id IN ({', '.join('?' * len(ids))})", [channel, *ids])


@pytest.fixture
def campaign(world, app):
    return world.campaign_a


def beneficiaries(app):
    return app.extensions["vises.registry"].get("beneficiaries", 1)


def test_a_small_channel_suppresses_the_whole_row(db, app, campaign):
    add(db, campaign, 6, "self", 4)
    add(db, campaign, 3, "interview", 5)
    result = breakdown(db, campaign, beneficiaries(app), 5)
    row = next(r for r in result.rows if r.indicator == "self_confidence")
    assert row.reason == "small_group" and row.means == {}
    assert result.counts == {"self": 6, "interview": 3} and result.share("interview") == 33


def test_channels_large_enough_are_shown_side_by_side(db, app, campaign):
    add(db, campaign, 6, "self", 3)
    add(db, campaign, 5, "interview", 5)
    add(db, campaign, 5, "paper", 4)
    row = next(r for r in breakdown(db, campaign, beneficiaries(app), 5).rows if r.indicator == "self_confidence")
    assert row.reason is None and row.means == {"self": 50, "interview": 100, "paper": 75}


def test_one_channel_only_has_nothing_to_compare(db, app, campaign):
    add(db, campaign, 8, "self", 3)
    row = next(r for r in breakdown(db, campaign, beneficiaries(app), 5).rows if r.indicator == "self_confidence")
    assert row.reason == "one_channel"


def test_the_page_suppresses_below_the_threshold(db, world, signed_in, campaign):
    add(db, campaign, 6, "self", 4)
    add(db, campaign, 2, "paper", 5)
    page = signed_in("anna@example.org").get(f"/admin/campaigns/{campaign}/by-channel/").get_data(as_text=True)
    assert "a channel has fewer than 5 answers" in page and '<td class="num">' not in page
    assert "25 %" in page and "75 %" in page  # shares of responses: counts, no answer
    assert signed_in("bert@example.org").get(f"/admin/campaigns/{campaign}/by-channel/").status_code == 404


def test_the_report_states_the_share_of_each_channel(as_user, demo_db, tmp_path):
    campaign = latest_campaign(demo_db, ENTERPRISE, "workers")
    total = demo_db.execute("SELECT count(*) FROM response WHERE campaign_id = ?", [campaign]).fetchone()[0]
    demo_db.execute(
        "UPDATE response SET channel = 'interview' WHERE id IN "
        "(SELECT id FROM response WHERE campaign_id = ? ORDER BY id LIMIT ?)",
        [campaign, total // 4],
    )
    office = as_user("anna")
    html = office.get(f"/admin/enterprises/{ENTERPRISE}/report/{campaign}?lang=en").get_data(as_text=True)
    interview = round(100 * (total // 4) / total)
    sentence = f"Of the {total} answers, {100 - interview} % were given by the respondents alone, {interview} % to an"
    assert sentence in html and "tend to be more positive" in html
    if shutil.which("pdftotext"):
        pdf = tmp_path / "report.pdf"
        pdf.write_bytes(office.get(f"/admin/enterprises/{ENTERPRISE}/report/{campaign}.pdf?lang=en").get_data())
        text = " ".join(subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout.split())
        assert sentence in text
