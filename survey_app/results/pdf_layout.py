"""The PDF page and its building blocks (fpdf2): paper sizes, the embedded font, running header
and footer, headings that never end a page, left-aligned paragraphs, figure boxes and images.

Text is set in DejaVu Sans, embedded (a Unicode TrueType font: é, ë, ő, « », −). Debian ships it
in fonts-dejavu-core; matplotlib carries a copy too, used when the system one is missing.
Every string drawn goes through `typeset` first, so French spacing and quotes are those of print.
"""

from __future__ import annotations

import io
import struct
from pathlib import Path

import matplotlib
from fpdf import FPDF

from survey_app.core.errors import VisesError
from survey_app.core.typography import typeset
from survey_app.results.paper_sizes import PAPERS

FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"), Path(matplotlib.get_data_path()) / "fonts" / "ttf")
FONT_FILES = {
    "": "DejaVuSans.ttf",
    "B": "DejaVuSans-Bold.ttf",
    "I": "DejaVuSans-Oblique.ttf",
    "BI": "DejaVuSans-BoldOblique.ttf",
}

MARGIN, TOP, BOTTOM = 20.0, 20.0, 20.0  # mm; the footer sits inside the bottom margin
NAVY, GREEN, GREY, LIGHT = (18, 53, 91), (11, 107, 58), (74, 74, 74), (238, 243, 248)
FONT = "DejaVu"


class FontMissing(VisesError):
    """No DejaVu Sans font file to embed in the PDF."""


def font_dir() -> Path:
    for folder in FONT_DIRS:
        if all((folder / name).is_file() for name in FONT_FILES.values()):
            return folder
    raise FontMissing(
        "The PDF report embeds the DejaVu Sans font, found in none of "
        f"{', '.join(str(f) for f in FONT_DIRS)}. Fix: install the Debian package fonts-dejavu-core "
        "(apt-get install fonts-dejavu-core)."
    )


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height in pixels, read from the PNG header (IHDR comes first)."""
    width, height = struct.unpack(">II", data[16:24])
    return width, height


class Page(FPDF):
    """A report page: running title at the top and page numbers at the bottom, except on the cover."""

    def __init__(self, paper: str, language: str, running_title: str, page_words: str) -> None:
        super().__init__(format=PAPERS[paper])
        self.language, self.running_title, self.page_words = language, running_title, page_words
        folder = font_dir()
        for style, name in FONT_FILES.items():
            self.add_font(FONT, style, str(folder / name))
        self.set_margins(MARGIN, TOP, MARGIN)
        self.set_auto_page_break(True, margin=BOTTOM)
        self.set_lang(language)
        self.set_text_color(0, 0, 0)
        self.set_font(FONT, size=10)

    @property
    def width(self) -> float:
        return self.w - 2 * MARGIN

    def header(self) -> None:
        if self.page_no() == 1:
            return
        self.set_y(10)
        self.set_font(FONT, size=7.5)
        self.set_text_color(*GREY)
        self.cell(
            self.width, 4, self.fitted(self.typeset(self.running_title), self.width - 2 * self.c_margin), align="L"
        )
        self.set_text_color(0, 0, 0)
        self.set_y(TOP)

    def footer(self) -> None:
        if self.page_no() == 1:
            return
        self.set_y(-13)
        self.set_font(FONT, size=7.5)
        self.set_text_color(*GREY)
        self.cell(self.width, 4, self.page_words % {"page": self.page_no(), "pages": "{nb}"}, align="R")
        self.set_text_color(0, 0, 0)

    def fitted(self, value: str, width: float) -> str:
        """`value` in the current font, shortened with an ellipsis to fit on one line of `width` mm."""
        if self.get_string_width(value) <= width:
            return value
        while value and self.get_string_width(value + "…") > width:
            value = value[:-1]
        return value.rstrip() + "…"

    def typeset(self, value: str) -> str:
        return typeset(value, self.language)

    def heading(self, value: str, size: float = 14, space_after: float = 20) -> None:
        """A heading kept with at least `space_after` mm of what follows it."""
        if self.will_page_break(8 + space_after):
            self.add_page()
        self.ln(3)
        self.set_font(FONT, "B", size)
        self.set_text_color(*NAVY)
        self.multi_cell(self.width, size * 0.5, self.typeset(value), new_x="LMARGIN", new_y="NEXT", align="L")
        self.set_text_color(0, 0, 0)
        self.ln(1.5)

    def paragraph(self, value: str, style: str = "", size: float = 10, colour: tuple = (0, 0, 0)) -> None:
        self.set_font(FONT, style, size)
        self.set_text_color(*colour)
        self.multi_cell(self.width, size * 0.5, self.typeset(value), new_x="LMARGIN", new_y="NEXT", align="L")
        self.set_text_color(0, 0, 0)
        self.ln(1.5)

    def lines_height(self, value: str, width: float, size: float, style: str = "") -> float:
        """Height a left-aligned text takes in a box `width` mm wide, without drawing it."""
        self.set_font(FONT, style, size)
        lines = self.multi_cell(width, size * 0.5, self.typeset(value), dry_run=True, output="LINES")
        assert isinstance(lines, list)  # output="LINES" returns the lines alone
        return len(lines) * size * 0.5

    def image_full_width(self, data: bytes, alt: str, title: str) -> None:
        """A PNG as wide as the text (its own proportions, never cut: a tall one is scaled to fit a page)."""
        pixels_w, pixels_h = png_size(data)
        width = self.width
        height = width * pixels_h / pixels_w
        room = self.h - TOP - BOTTOM - 4
        if height > room:
            width, height = width * room / height, room
        if self.will_page_break(height + 4):
            self.add_page()
        x = MARGIN + (self.width - width) / 2
        self.image(io.BytesIO(data), x=x, w=width, h=height, alt_text=alt, title=title)
        self.ln(4)
