"""The valorisation report as a PDF, with fpdf2 (pure Python: installs from PyPI on any machine).

WeasyPrint would print the HTML page itself, but it needs Pango and other system libraries, so
the PDF is laid out here from the same prepared context as the page. Text uses the DejaVu Sans
font shipped inside matplotlib (Unicode: é, ë, ő...); charts are the pipeline's PNG files.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import matplotlib
from fpdf import FPDF
from sqlite_utils import Database

from pipeline.charts import ensure_chart
from survey_app.core.catalogs import translator
from survey_app.core.config import Settings
from survey_app.results.data import DRAW_LOCK

FONTS = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
WIDTH = 180  # printable width of A4 (210 mm) with 15 mm margins
CHART_HEIGHT = WIDTH * 450 / 800  # charts are drawn 800 x 450
COLUMNS = (44, 18, 26, 14, 18, 30, 30)


class Report(FPDF):
    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("DejaVu", size=8)
        self.cell(0, 6, f"{self.page_no()}", align="C")


def _pdf() -> Report:
    pdf = Report(format="A4")
    pdf.set_margins(15, 15, 15)
    pdf.set_auto_page_break(True, margin=18)
    pdf.add_font("DejaVu", "", str(FONTS / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONTS / "DejaVuSans-Bold.ttf"))
    pdf.add_font("DejaVu", "I", str(FONTS / "DejaVuSans-Oblique.ttf"))
    pdf.add_page()
    return pdf


def _heading(pdf: FPDF, text: str, size: int = 13) -> None:
    if pdf.will_page_break(20):  # never leave a heading alone at the bottom of a page
        pdf.add_page()
    pdf.ln(3)
    pdf.set_font("DejaVu", "B", size)
    pdf.multi_cell(WIDTH, 7, text, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", size=10)


def _text(pdf: FPDF, text: str, style: str = "") -> None:
    pdf.set_font("DejaVu", style, 10)
    pdf.multi_cell(WIDTH, 5.5, text, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(1)


def _chart(
    pdf: FPDF, db: Database, settings: Settings, enterprise_id: int, chart: dict[str, str], language: str
) -> None:
    with DRAW_LOCK:
        found = ensure_chart(db, settings, enterprise_id, chart["name"], language, "png")
    if found is None or not found[0].exists():
        return
    if pdf.will_page_break(CHART_HEIGHT + 4):  # a chart is never cut across two pages
        pdf.add_page()
    pdf.image(str(found[0]), w=WIDTH, h=CHART_HEIGHT, alt_text=chart["alt"], title=chart["title"])
    pdf.ln(3)


def _indicator_table(pdf: FPDF, rows: list[dict[str, Any]], _: Callable[[str], str]) -> None:
    pdf.set_font("DejaVu", size=7.5)
    headings = (
        _("Indicator"),
        _("Score (0-100)"),
        _("%(pct)d%% confidence interval") % {"pct": 95},
        _("Answers (n)"),
        _("Favourable share"),
        _("Change since the previous wave"),
        _("Compared with similar enterprises"),
    )
    with pdf.table(col_widths=COLUMNS, width=WIDTH, line_height=4.2, first_row_as_headings=True) as table:
        header = table.row()
        for text in headings:
            header.cell(text)
        for row in rows:
            line = table.row()
            line.cell(row["label"])
            cells = (
                [row["note"], "", "", "", "", ""]
                if row["suppressed"]
                else [row["mean"], row["interval"], row["n"], row["favourable"], row["delta"], row["benchmark"]]
            )
            for text in cells:
                line.cell(text)
    pdf.ln(3)


def _custom(pdf: FPDF, custom: list[dict[str, Any]]) -> None:
    for question in custom:
        _text(pdf, question["label"], "B")
        if question["suppressed"]:
            _text(pdf, question["note"], "I")
            continue
        _text(pdf, "; ".join(f"{o['label']}: {o['count']} ({o['share']})" for o in question["options"]))


def build(context: dict[str, Any], settings: Settings, db: Database) -> io.BytesIO:
    """The report of one wave as PDF bytes, from the same context as the HTML page."""
    section, enterprise, language = context["section"], context["enterprise"], context["language"]
    _ = translator(language).gettext
    pdf = _pdf()
    pdf.set_title(f"{enterprise['name']} – {section['title']}")
    pdf.set_lang(language)
    _heading(pdf, _("Social impact report"), 16)
    _text(pdf, f"{enterprise['name']} · {section['group_label']} · {section['title']}", "B")
    if context["campaign"]["evaluative_question"]:
        _heading(pdf, _("Evaluative question"))
        _text(pdf, context["campaign"]["evaluative_question"], "I")
    _heading(pdf, _("How the results were collected"))
    _text(pdf, context["summary"])
    if context.get("channels"):
        _text(pdf, context["channels"])
    _heading(pdf, _("Results"))
    for chart in [*section["charts"], *([context["trend"]] if context["trend"] else [])]:
        _chart(pdf, db, settings, enterprise["id"], chart, language)
    _heading(pdf, _("Indicators"))
    _indicator_table(pdf, section["rows"], _)
    if section["custom"]:
        _heading(pdf, _("Answers to multiple-choice and own questions"))
        _custom(pdf, section["custom"])
    _heading(pdf, _("Testimonies"))
    for quote in section["testimonies"] or [{"text": _("No testimony for this wave."), "question": ""}]:
        _text(pdf, f"“{quote['text']}”" if quote["question"] else quote["text"], "I")
    _heading(pdf, _("Methodology"))
    for heading, paragraph in context["methodology"]:
        _text(pdf, heading, "B")
        _text(pdf, paragraph)
    return io.BytesIO(bytes(pdf.output()))
