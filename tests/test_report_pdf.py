"""The PDF report read back with poppler (Debian poppler-utils): pages rendered to PNG (kept in
test-artifacts/), page count, every word inside the page box minus margins, fonts embedded, the
cover and the summary on pages 1 and 2, in French, Dutch and English, on A4 and Letter."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from html import unescape

import pytest

from survey_app.results.pdf_layout import MARGIN
from survey_app.storage.db import write_transaction
from tests.app_support import ARTIFACTS
from tests.dashboard_support import ENTERPRISE, OTHER
from tests.test_report import latest_campaign

TOOLS = ("pdftoppm", "pdftotext", "pdffonts", "pdfinfo")
MM = 72 / 25.4  # points per millimetre
SIZES = {"a4": (595.28, 841.89), "letter": (612.0, 792.0)}
COVER = {"fr": "Question évaluative", "nl": "Evaluatievraag", "en": "Evaluative question"}
SUMMARY = {"fr": "L’essentiel", "nl": "In het kort", "en": "At a glance"}
METHOD = {"fr": "Méthodologie", "nl": "Methodologie", "en": "Methodology"}


@pytest.fixture(autouse=True)
def poppler():
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    if missing and os.environ.get("VISES_REQUIRE_BROWSER"):  # CI installs poppler-utils (.ci/run)
        pytest.fail(f"poppler-utils missing: {', '.join(missing)}")
    if missing:
        pytest.skip("poppler-utils is not installed (apt-get install poppler-utils)")


def run(*command: str) -> str:
    return subprocess.run(command, check=True, capture_output=True, text=True).stdout


def download(client, enterprise: int, campaign: int, language: str, tmp_path, paper: str = "a4"):
    response = client.get(f"/admin/enterprises/{enterprise}/report/{campaign}.pdf?lang={language}&paper={paper}")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    path = tmp_path / f"report-{language}-{paper}.pdf"
    path.write_bytes(response.data)
    return path


def page_count(path) -> int:
    return int(re.search(r"^Pages:\s+(\d+)", run("pdfinfo", str(path)), re.M).group(1))


def words(path) -> list[tuple[int, float, float, float, float, str]]:
    """(page, xMin, yMin, xMax, yMax, text) of every word, in points."""
    found = []
    for number, page in enumerate(run("pdftotext", "-bbox", str(path), "-").split("<page ")[1:], start=1):
        for match in re.finditer(
            r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>', page
        ):
            found.append((number, *map(float, match.groups()[:4]), unescape(match.group(5))))
    return found


def page_text(path, page: int) -> str:
    return run("pdftotext", "-f", str(page), "-l", str(page), str(path), "-")


def check_inside_margins(path, paper: str) -> None:
    """Text stays between the side margins; only the running header and page numbers enter the top
    and bottom margins, and never closer than 8 mm to the edge."""
    width, height = SIZES[paper]
    tolerance = 0.5 * MM
    outside = [
        w
        for w in words(path)
        if w[1] < MARGIN * MM - tolerance
        or w[3] > width - MARGIN * MM + tolerance
        or w[2] < 8 * MM
        or w[4] > height - 8 * MM
    ]
    assert outside == []


def check_fonts(path) -> None:
    rows = run("pdffonts", str(path)).splitlines()[2:]
    assert rows, "no font in the PDF"
    for row in rows:
        name, emb = row.split()[0], row.split()[-5]
        assert "DejaVuSans" in name and emb == "yes", row


def render_pages(path, name: str, pages: int) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    prefix = ARTIFACTS / name
    for old in ARTIFACTS.glob(f"{name}-*.png"):
        old.unlink()
    run("pdftoppm", "-r", "50", "-png", str(path), str(prefix))
    rendered = sorted(ARTIFACTS.glob(f"{name}-*.png"))
    assert len(rendered) == pages and all(p.stat().st_size > 2_000 for p in rendered)


@pytest.mark.parametrize("language", ["fr", "nl", "en"])
def test_pdf_pages_fonts_and_margins_in_each_language(as_user, demo_db, tmp_path, language):
    campaign = latest_campaign(demo_db, ENTERPRISE, "beneficiaries")
    path = download(as_user("anna"), ENTERPRISE, campaign, language, tmp_path)
    pages = page_count(path)
    assert 5 <= pages <= 9
    render_pages(path, f"report-pdf-{language}", pages)
    check_inside_margins(path, "a4")
    check_fonts(path)
    cover, summary = page_text(path, 1), page_text(path, 2)
    assert "Atelier Jeunes Pousses" in cover and COVER[language] in cover
    assert "Indicateurs" not in cover and SUMMARY[language] in summary
    # The method closes the report; with every rule written out it may take the last two pages.
    assert METHOD[language] in page_text(path, pages - 1) + page_text(path, pages)


def test_french_pdf_has_french_typography(as_user, demo_db, tmp_path):
    campaign = latest_campaign(demo_db, ENTERPRISE, "beneficiaries")
    text = run("pdftotext", str(download(as_user("anna"), ENTERPRISE, campaign, "fr", tmp_path)), "-")
    # pdftotext prints no-break spaces as spaces; that they do not break shows in the lines below.
    assert "« Qu’est-ce qui change pour les personnes ? »" in text
    assert "“" not in text and '"' not in text and "'" not in text
    assert "du 24 février 2026 au 24 mars 2026" in text
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    assert [line for line in lines if line[0] in "?!;:»%" or line.endswith("«")] == []


def test_letter_paper_and_a_suppressed_wave(as_user, demo_db, tmp_path):
    campaign = latest_campaign(demo_db, OTHER, "partners")
    path = download(as_user("bert"), OTHER, campaign, "nl", tmp_path, paper="letter")
    assert re.search(r"Page size:\s+612 x 792 pts", run("pdfinfo", str(path)))
    check_inside_margins(path, "letter")
    check_fonts(path)
    render_pages(path, "report-pdf-letter-nl", page_count(path))
    assert "minder dan 5 antwoorden" in run("pdftotext", str(path), "-")


def test_long_names_and_questions_stay_inside_the_page(as_user, demo_db, tmp_path):
    name = "Coopérative d’insertion socioprofessionnelle « Les Ateliers Solidaires du Grand Quartier Nord-Est »"
    question = "Dans quelle mesure notre accompagnement renforce-t-il l’autonomie et les liens sociaux ? " * 3
    with write_transaction(demo_db):
        demo_db.execute("UPDATE enterprise SET name = ? WHERE id = ?", [name, ENTERPRISE])
        demo_db.execute("UPDATE campaign SET evaluative_question = ? WHERE enterprise_id = ?", [question, ENTERPRISE])
    campaign = latest_campaign(demo_db, ENTERPRISE, "beneficiaries")
    path = download(as_user("anna"), ENTERPRISE, campaign, "fr", tmp_path)
    check_inside_margins(path, "a4")
    assert "Quartier Nord-Est »" in page_text(path, 1) and "…" in page_text(path, 2).splitlines()[0]
