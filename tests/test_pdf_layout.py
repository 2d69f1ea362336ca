"""The PDF page: the embedded font is found (Debian's, or matplotlib's copy), and its absence is an
error that names the package to install; PNG sizes are read from the file's header."""

import pytest

from survey_app.results import pdf_layout


def test_a_missing_font_names_the_debian_package(monkeypatch, tmp_path):
    monkeypatch.setattr(pdf_layout, "FONT_DIRS", (tmp_path / "none", tmp_path / "neither"))
    with pytest.raises(pdf_layout.FontMissing, match="fonts-dejavu-core"):
        pdf_layout.Page("a4", "fr", "title", "%(page)s/%(pages)s")


def test_the_font_is_found_and_both_papers_are_offered():
    assert (pdf_layout.font_dir() / "DejaVuSans.ttf").is_file()
    for paper, width in (("a4", 210), ("letter", 215.9)):
        page = pdf_layout.Page(paper, "nl", "title", "%(page)s/%(pages)s")
        assert round(page.w, 1) == width and round(page.width, 1) == round(width - 2 * pdf_layout.MARGIN, 1)


def test_png_size_comes_from_the_header():
    header = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + (640).to_bytes(4, "big") + (450).to_bytes(4, "big")
    assert pdf_layout.png_size(header) == (640, 450)
