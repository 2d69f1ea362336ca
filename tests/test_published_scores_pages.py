"""Published scores of validated instruments on every surface: the dashboard, the report (HTML and
PDF), the API (JSON and CSV) show each instrument's score with its name and range, band shares and
"screening information, not a diagnosis", rounded on the score's own range (core/published.py), in
FR/NL/EN; an instrument behind fewer than min_group_size respondents shows no figure anywhere.
"""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
from datetime import timedelta

import pytest
from babel.numbers import format_percent

from pipeline.runner import run_pipeline
from pipeline.sample.responses import add_responses
from survey_app.core.published import on_scale, scale_decimals
from tests.app_support import NOW

WINDOW = {"opens_at": NOW - timedelta(days=40), "closes_at": NOW - timedelta(days=10)}
WHO5 = ("who5_cheerful", "who5_calm", "who5_active", "who5_rested", "who5_interesting")
UCLA3 = ("ucla3_companionship", "ucla3_left_out", "ucla3_isolated")
# WHO-5 raw x 4: 100, 52, 48, 28, 0, 80 -> mean 51.33, bands very_low 2/6, poor 1/6, not_poor 3/6.
WHO5_SETS = [(5, 5, 5, 5, 5), (3, 3, 3, 2, 2), (3, 3, 2, 2, 2), (2, 2, 1, 1, 1), (0, 0, 0, 0, 0), (4, 4, 4, 4, 4)]
# UCLA-3 sums 3, 4, 6, 9, 5, 5 -> mean 5.33; lonely (6-9) 2/6.
UCLA3_SETS = [(1, 1, 1), (1, 1, 2), (2, 2, 2), (3, 3, 3), (2, 2, 1), (1, 2, 2)]


pytestmark = pytest.mark.usefixtures("no_charts")  # conftest: the chart hook is skipped


@pytest.fixture
def waves(app, db, world, seed):
    """A closed wave of enterprise A with WHO-5 and UCLA-3 (six respondents), and one with WHO-5
    answered by three (fewer than min_group_size = 5)."""
    ucla3_ids = [q.id for q in app.extensions["vises.registry"].instrument("ucla3").questions]
    assert tuple(ucla3_ids) == UCLA3
    shown = seed.campaign(
        world.enterprise_a, languages=("en",), instruments=(("who5", 1), ("ucla3", 1)), title="With scales", **WINDOW
    )
    answers = [{**dict(zip(WHO5, w)), **dict(zip(UCLA3, u))} for w, u in zip(WHO5_SETS, UCLA3_SETS)]
    add_responses(db, shown, answers)
    small = seed.campaign(
        world.enterprise_a, "workers", languages=("en",), instruments=(("who5", 1),), title="Small", **WINDOW
    )
    add_responses(db, small, [dict(zip(WHO5, w)) for w in WHO5_SETS[:3]])
    run_pipeline(db, app.config["SETTINGS"], NOW)
    return {"shown": shown, "small": small}


def test_scale_rounding_is_never_finer_than_a_hundredth_of_the_range():
    assert (scale_decimals(0, 100), scale_decimals(10, 40), scale_decimals(3, 9), scale_decimals(0, 10)) == (0, 0, 1, 1)
    assert (on_scale(51.333, 0, 100), on_scale(5.3333, 3, 9), on_scale(5.25, 3, 9, api=True)) == (51, 5.3, 5.25)


@pytest.mark.parametrize(
    "language, who5, ucla3, screening",
    [
        ("en", "WHO-5 percentage score (0 to 100): 51", "UCLA loneliness score (3 to 9): 5.3", "not a diagnosis"),
        ("fr", "Score WHO-5 en pourcentage (0 à 100) : 51", "(3 à 9) : 5,3", "pas un diagnostic"),
        ("nl", "WHO-5-score in procent (0 tot 100): 51", "(3 tot 9): 5,3", "geen diagnose"),
    ],
)
def test_the_dashboard_shows_published_scores_and_band_shares(
    signed_in, world, waves, language, who5, ucla3, screening
):
    url = f"/admin/enterprises/{world.enterprise_a}/dashboard?lang={language}&wave={waves['shown']}"
    html = signed_in("anna@example.org").get(url)
    page = " ".join(html.get_data(as_text=True).split())
    assert who5 in page and ucla3 in page and screening in page
    for share in (2 / 6, 1 / 6):  # in "very low well-being" (and lonely), in "poor well-being"
        assert " ".join(format_percent(share, locale=language).split()) in page


def test_a_small_wave_shows_no_published_figure(signed_in, world, waves, db):
    assert db.execute(
        "SELECT suppressed, published_mean FROM indicator_value WHERE campaign_id = ? AND key = 'who5'",
        [waves["small"]],
    ).fetchone() == (1, None)
    assert db.execute("SELECT COUNT(*) FROM indicator_band WHERE campaign_id = ?", [waves["small"]]).fetchone()[0] == 0
    client = signed_in("anna@example.org")
    page = client.get(f"/admin/enterprises/{world.enterprise_a}/report/{waves['small']}?lang=en").get_data(as_text=True)
    assert "WHO-5 percentage score (0 to 100): fewer than 5 answers" in " ".join(page.split())
    assert "Share of respondents" not in page  # no band table


def test_the_report_shows_published_scores_and_names_the_instruments(signed_in, world, waves):
    client = signed_in("anna@example.org")
    page = client.get(f"/admin/enterprises/{world.enterprise_a}/report/{waves['shown']}?lang=en").get_data(as_text=True)
    text = " ".join(page.split())
    assert "Validated instruments: published scores" in text
    assert "WHO-5 percentage score (0 to 100): 51" in text and "95% confidence interval" in text
    assert "A higher score is less favourable." in text  # UCLA-3: lonelier is worse
    assert "possible scores 3 to 9." in text  # the range as published, without decimals
    assert "Topp, C. W." in text  # the methodology appendix cites the campaign's instruments


def test_the_pdf_report_shows_published_scores(signed_in, world, waves, tmp_path):
    if shutil.which("pdftotext") is None:
        pytest.skip("poppler-utils is not installed (apt-get install poppler-utils)")
    response = signed_in("anna@example.org").get(
        f"/admin/enterprises/{world.enterprise_a}/report/{waves['shown']}.pdf?lang=fr"
    )
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    path = tmp_path / "report.pdf"
    path.write_bytes(response.data)
    text = " ".join(
        subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True, text=True).stdout.split()
    )
    assert "Score WHO-5 en pourcentage (0 à 100) : 51" in text
    assert "pas un diagnostic" in text


def test_the_api_serves_published_scores(signed_in, world, waves):
    client = signed_in("anna@example.org")
    data = client.get(f"/api/enterprises/{world.enterprise_a}/indicators.json?lang=en").get_json()
    cells = {(r["campaign_id"], r["key"]): r for r in data["indicators"]}
    who5 = cells[(waves["shown"], "who5")]["published_score"]
    assert who5["name"] == "WHO-5 percentage score (0 to 100)"
    assert (who5["low"], who5["high"], who5["higher_is_better"], who5["mean"]) == (0, 100, True, 51.3)
    assert [(b["band"], b["percent"]) for b in who5["bands"]] == [
        ("very_low", 33.3),
        ("poor", 16.7),
        ("not_poor", 50.0),
    ]
    ucla3 = cells[(waves["shown"], "ucla3")]
    assert (ucla3["published_score"]["mean"], ucla3["published_score"]["higher_is_better"]) == (5.33, False)
    assert ucla3["favourable_percent"] == pytest.approx(100 * 2 / 6, abs=0.05)  # scores 3 and 4: the low end
    small = cells[(waves["small"], "who5")]
    assert small["suppressed"] == "min_group_size" and "published_score" not in small
    assert cells[(waves["shown"], "respect")].get("published_score") is None  # undeclared: none
    csv_text = client.get(f"/api/enterprises/{world.enterprise_a}/indicators.csv?lang=en").get_data(as_text=True)
    rows = {(r["campaign_id"], r["key"]): r for r in csv.DictReader(io.StringIO(csv_text.lstrip("\ufeff")))}
    line = rows[(str(waves["shown"]), "who5")]
    assert (line["score_name"], line["score_mean"], line["score_low"], line["score_high"]) == (
        "WHO-5 percentage score (0 to 100)", "51.3", "0.0", "100.0"
    )  # fmt: skip
    assert line["score_bands"] == "very_low 33.3%; poor 16.7%; not_poor 50.0%"
