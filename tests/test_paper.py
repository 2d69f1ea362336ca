"""Paper questionnaires: the PDF rendered to PNG with pdftoppm (poppler-utils), read back with
pdftotext: its pages, one tick box per answer, the short code of a personal link in the corner
of every page (an empty, framed box in the open version), the questionnaire's language."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image

from survey_app.assisted.paper_pdf import BOX, CODE_BOX
from tests.survey_support import BENEFICIARIES

MM = 72 / 25.4  # PDF points per millimetre
BENEFICIARY_BOXES = 9 * (5 + 1) + (2 + 1) + (11 + 1)  # nine agree5, a yes/no, a 0-10: each with "don't know"


@pytest.fixture(autouse=True)
def _poppler():
    """CI installs poppler-utils (.ci/run) and sets VISES_REQUIRE_BROWSER: there the test must run."""
    if not (shutil.which("pdftoppm") and shutil.which("pdftotext")):
        if os.environ.get("VISES_REQUIRE_BROWSER"):
            pytest.fail("pdftoppm/pdftotext are missing: apt-get install poppler-utils")
        pytest.skip("poppler-utils is not installed (apt-get install poppler-utils)")


def text(pdf: Path, *args: str) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", *args, str(pdf), "-"], capture_output=True, check=True, text=True
    ).stdout


def corner(pdf: Path, page: int) -> str:
    """The text inside the code box of one page."""
    x, y, w, h = (round(v * MM) for v in CODE_BOX)
    return text(pdf, "-f", str(page), "-l", str(page), "-x", str(x), "-y", str(y), "-W", str(w), "-H", str(h)).split()


def pages_as_png(pdf: Path, folder: Path) -> list[Path]:
    subprocess.run(["pdftoppm", "-r", "40", "-png", str(pdf), str(folder / "page")], check=True)
    return sorted(folder.glob("page-*.png"))


def download(office, url: str, tmp_path: Path, name: str) -> Path:
    response = office.get(url)
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    path = tmp_path / name
    path.write_bytes(response.get_data())
    return path


def ink(image: Image.Image, box: tuple[float, float, float, float]) -> int:
    """Dark pixels inside a box given in millimetres of the A4 page."""
    scale = image.width / 210
    left, top, width, height = (round(v * scale) for v in box)
    region = image.convert("L").crop((left, top, left + width, top + height))
    return sum(1 for value in region.tobytes() if value < 160)


def test_the_box_count_matches_the_questionnaire(app):
    questionnaire = app.extensions["vises.registry"].get("beneficiaries", 1)
    choices = [q for q in questionnaire.questions if q.type not in ("text", "number", "note")]
    assert sum(len(q.choices()) + q.dont_know for q in choices) == BENEFICIARY_BOXES


def test_open_version_has_pages_boxes_and_an_empty_code_box(world, signed_in, tmp_path):
    office = signed_in("anna@example.org")
    pdf = download(office, f"/admin/campaigns/{world.campaign_a}/paper/fr.pdf", tmp_path, "open.pdf")
    pngs = pages_as_png(pdf, tmp_path)
    assert 3 <= len(pngs) <= 8
    body = text(pdf)
    assert body.count(BOX) == BENEFICIARY_BOXES
    assert "Dans l'entreprise, on me traite avec respect." in body and "Tout à fait d'accord" in body
    assert "Page 1" in body and f"Page {len(pngs)}" in body
    assert all(corner(pdf, n) == ["Code"] for n in range(1, len(pngs) + 1))
    first = Image.open(pngs[0])
    x, y, w, h = CODE_BOX
    assert ink(first, (x, y - 1, w, 2)) > 20  # the frame's top edge is drawn...
    assert ink(first, (x + 3, y + 5, w - 6, h - 7)) == 0  # ...and left empty for the open version


def test_personal_versions_carry_each_code_on_every_page_answered_or_not(world, db, signed_in, tmp_path):
    office = signed_in("anna@example.org")
    # An answered link is printed too: leaving it out would tell the manager who answered.
    db.execute("UPDATE invitation SET answered = 1 WHERE token = ?", [world.links_a[0]])
    db.execute("UPDATE invitation SET revoked_at = '2026-03-01T00:00:00Z' WHERE token = ?", [world.links_a[1]])
    codes = [
        r[0]
        for r in db.execute(
            "SELECT short_code FROM invitation WHERE campaign_id = ? AND revoked_at IS NULL ORDER BY id",
            [world.campaign_a],
        )
    ]
    pdf = download(office, f"/admin/campaigns/{world.campaign_a}/paper/nl/cards.pdf", tmp_path, "cards.pdf")
    pngs = pages_as_png(pdf, tmp_path)
    per_form = len(pngs) // len(codes)
    assert len(codes) == 2 and len(pngs) == per_form * len(codes)
    for index, code in enumerate(codes):
        for page in range(index * per_form + 1, (index + 1) * per_form + 1):
            assert corner(pdf, page) == ["Code", code]
        assert ink(Image.open(pngs[index * per_form]), (CODE_BOX[0] + 3, CODE_BOX[1] + 5, CODE_BOX[2] - 6, 8)) > 20
    body = text(pdf)
    assert body.count(BOX) == BENEFICIARY_BOXES * len(codes)
    assert "In de organisatie word ik met respect behandeld." in body and "Helemaal akkoord" in body
    assert "Pagina 1" in body


def test_paper_links_on_the_links_page_and_refusals(world, db, signed_in):
    office = signed_in("anna@example.org")
    page = office.get(f"/admin/campaigns/{world.campaign_a}/links/").get_data(as_text=True)
    assert f"/admin/campaigns/{world.campaign_a}/paper/fr.pdf" in page
    assert f"/admin/campaigns/{world.campaign_a}/paper/fr/cards.pdf?sheet=1" in page
    assert office.get(f"/admin/campaigns/{world.campaign_a}/paper/de.pdf").status_code == 404
    db.execute("UPDATE invitation SET revoked_at = '2026-03-01T00:00:00Z' WHERE campaign_id = ?", [world.campaign_a])
    assert office.get(f"/admin/campaigns/{world.campaign_a}/paper/fr/cards.pdf").status_code == 404


def test_an_instrument_page_keeps_its_published_instructions_on_paper_and_on_screen(
    app, seed, db, signed_in, world, tmp_path, at_now
):
    campaign = seed.campaign(world.enterprise_a, languages=("fr",), instruments=(("who5", 1),), title="Bien-être")
    office = signed_in("anna@example.org")
    body = " ".join(text(download(office, f"/admin/campaigns/{campaign}/paper/fr.pdf", tmp_path, "who5.pdf")).split())
    instructions = "Veuillez indiquer, pour chacune des cinq affirmations"
    assert instructions in body and "Tout le temps" in body
    entry = office.get(f"/admin/campaigns/{campaign}/entry/answers?channel=paper&language=fr").get_data(as_text=True)
    assert instructions in entry
    token = seed.links(campaign, 1)[0]
    client = app.test_client()
    questionnaire = app.extensions["vises.registry"].get("beneficiaries", 1)
    first_item = len(questionnaire.questions) + 1  # the instrument's page comes after the questionnaire's
    db.execute(
        "INSERT INTO draft (campaign_id, invitation_id, answers, page, language, mode, updated_at) "
        "SELECT ?, id, ?, 3, 'fr', 'easy', '2026-03-04T10:00:00Z' FROM invitation WHERE token = ?",
        [campaign, json.dumps({k[2:]: v for page in BENEFICIARIES for k, v in page.items()}), token],
    )
    screen = client.get(f"/s/{token}/easy/{first_item}?lang=fr").get_data(as_text=True)
    assert instructions in screen
