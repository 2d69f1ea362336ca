"""The paper questionnaire as a PDF (fpdf2): A4, large type (14 pt), a tick box (☐) before every
answer, the short code of a personal card in a box at the top right of every page (an empty box
for the open version), questions never cut across two pages.

The font is DejaVu Sans: Debian's fonts-dejavu-core when installed, else the copy shipped inside
matplotlib (the same font); both hold the box glyphs and every accent of French and Dutch.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path

import matplotlib
from fpdf import FPDF

from survey_app.assisted.paper_content import PaperQuestion, PaperQuestionnaire

FONT_FOLDERS = (Path("/usr/share/fonts/truetype/dejavu"), Path(matplotlib.get_data_path()) / "fonts" / "ttf")
BOX = "☐"
MARGIN, WIDTH = 18.0, 174.0  # A4 is 210 mm wide
TEXT, SMALL, LINE = 14, 11, 7.0
CODE_BOX = (147.0, 8.0, 45.0, 15.0)  # x, y, width, height in mm


def _font(name: str) -> str:
    for folder in FONT_FOLDERS:
        if (folder / name).exists():
            return str(folder / name)
    raise FileNotFoundError(f"{name}: install fonts-dejavu-core")


class PaperForm(FPDF):
    code = ""
    labels: PaperQuestionnaire
    first_page = 1

    def header(self) -> None:
        x, y, w, h = CODE_BOX
        self.set_draw_color(0)
        self.set_line_width(0.5)
        self.rect(x, y, w, h)
        self.set_xy(x + 1.5, y + 0.8)
        self.set_font("DejaVu", size=8)
        self.cell(w - 3, 3.5, self.labels.code_label)
        if self.code:
            self.set_xy(x, y + 4.5)
            self.set_font("DejaVuMono", "B", 16)
            self.cell(w, 9, self.code, align="C")
        self.set_xy(MARGIN, 28)

    def footer(self) -> None:
        self.set_y(-14)
        self.set_font("DejaVu", size=SMALL)
        self.cell(0, 6, self.labels.page_label % {"number": self.page_no() - self.first_page + 1}, align="C")


def _document(labels: PaperQuestionnaire) -> PaperForm:
    pdf = PaperForm(format="A4")
    pdf.labels = labels
    pdf.set_margins(MARGIN, 28, MARGIN)
    pdf.set_auto_page_break(True, margin=20)
    pdf.add_font("DejaVu", "", _font("DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", _font("DejaVuSans-Bold.ttf"))
    pdf.add_font("DejaVuMono", "B", _font("DejaVuSansMono-Bold.ttf"))
    pdf.set_title(labels.title)
    return pdf


def _text(pdf: FPDF, text: str, size: float = TEXT, style: str = "", line: float = LINE) -> None:
    pdf.set_font("DejaVu", style, size)
    pdf.multi_cell(WIDTH, line, text, align="L", new_x="LMARGIN", new_y="NEXT")


def _height(pdf: FPDF, question: PaperQuestion) -> float:
    """Room a question needs, so it starts on a new page rather than being cut."""
    pdf.set_font("DejaVu", "B", TEXT)
    lines = pdf.multi_cell(WIDTH, LINE, question.text, align="L", dry_run=True, output="LINES")
    assert isinstance(lines, list)  # output="LINES" gives the lines the text would take
    height = len(lines) * LINE + 4 + (LINE if question.hint or question.condition else 0)
    if question.kind in ("choice", "multiple"):
        height += (len(question.options) + bool(question.dont_know)) * 9
    elif question.kind == "scale11":
        height += 26 + (9 if question.dont_know else 0)
    elif question.kind == "text":
        height += 40
    elif question.kind == "number":
        height += 16
    return height


def _box_line(pdf: FPDF, label: str) -> None:
    pdf.set_x(MARGIN + 4)
    pdf.set_font("DejaVu", size=18)
    pdf.cell(10, 9, BOX)
    pdf.set_font("DejaVu", size=TEXT)
    pdf.multi_cell(WIDTH - 14, 9, label, align="L", new_x="LMARGIN", new_y="NEXT")


def _scale11(pdf: FPDF, question: PaperQuestion) -> None:
    cell = WIDTH / 11
    pdf.set_font("DejaVu", "B", TEXT)
    for value in question.options:
        pdf.cell(cell, 7, value, align="C")
    pdf.ln(7)
    pdf.set_font("DejaVu", size=20)
    for _value in question.options:
        pdf.cell(cell, 10, BOX, align="C")
    pdf.ln(10)
    if question.end_labels:
        pdf.set_font("DejaVu", size=SMALL)
        pdf.cell(WIDTH / 2, 6, question.end_labels[0])
        pdf.cell(WIDTH / 2, 6, question.end_labels[1], align="R")
        pdf.ln(7)


def _answer_space(pdf: FPDF, height: float) -> None:
    pdf.set_line_width(0.3)
    pdf.rect(MARGIN + 4, pdf.get_y() + 1, WIDTH - 8, height)
    pdf.ln(height + 3)


def _question(pdf: FPDF, question: PaperQuestion) -> None:
    if pdf.will_page_break(_height(pdf, question)):
        pdf.add_page()
    if question.number is None:
        _text(pdf, question.text, style="")
        pdf.ln(3)
        return
    _text(pdf, f"{question.number}. {question.text}", style="B")
    for note in filter(None, (question.hint, question.condition)):
        _text(pdf, note, SMALL, line=6)
    if question.kind in ("choice", "multiple"):
        for label in question.options:
            _box_line(pdf, label)
    elif question.kind == "scale11":
        _scale11(pdf, question)
    else:
        _answer_space(pdf, 34 if question.kind == "text" else 12)
    if question.dont_know:
        _box_line(pdf, question.dont_know)
    pdf.ln(4)


def _one_form(pdf: PaperForm, labels: PaperQuestionnaire, code: str) -> None:
    pdf.code = code
    pdf.add_page()
    pdf.first_page = pdf.page_no()
    _text(pdf, labels.enterprise, SMALL)
    _text(pdf, labels.title, 20, "B", 9)
    pdf.ln(2)
    _text(pdf, labels.intro)
    pdf.ln(2)
    for line in labels.instructions:
        _text(pdf, f"• {line}")
    for title, intro, questions in labels.sections:
        if pdf.will_page_break(30):
            pdf.add_page()
        pdf.ln(4)
        _text(pdf, title, 16, "B", 8)
        if intro:  # a validated instrument's published instructions
            _text(pdf, intro)
        pdf.ln(2)
        for question in questions:
            _question(pdf, question)
    _text(pdf, labels.closing, style="B")


def build(labels: PaperQuestionnaire, codes: Sequence[str] = ("",)) -> io.BytesIO:
    """One questionnaire per code (an empty code: the open version, with an empty code box)."""
    pdf = _document(labels)
    for code in codes:
        _one_form(pdf, labels, code)
    return io.BytesIO(bytes(pdf.output()))
