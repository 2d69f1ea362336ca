"""The report's body in the PDF: the indicator table, published scores of validated instruments,
answers to multiple-choice and own questions,
testimonies grouped under their question, and the methodology.

Tables are left-aligned (numbers right-aligned, in tabular figures): never justified, so cells
have no gaps between words. A heading row repeats on each page a table runs onto.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fpdf.enums import TableBordersLayout
from fpdf.fonts import FontFace

from survey_app.core.typography import quoted
from survey_app.results.pdf_layout import FONT, GREEN, GREY, LIGHT, MARGIN, NAVY, Page

INDICATOR_COLUMNS = (0.25, 0.08, 0.12, 0.1, 0.1, 0.19, 0.16)  # shares of the text width
INDICATOR_ALIGN = ("LEFT", "RIGHT", "RIGHT", "RIGHT", "RIGHT", "LEFT", "LEFT")
HEADINGS = FontFace(family=FONT, emphasis="BOLD", color=NAVY, fill_color=LIGHT, size_pt=7.5)
DIMENSION = FontFace(family=FONT, emphasis="BOLD", fill_color=(246, 248, 251))
SUPPRESSED = FontFace(family=FONT, emphasis="ITALICS", color=GREY)


def _table(pdf: Page, widths: tuple[float, ...], align: tuple[str, ...], share: float = 1.0):
    pdf.set_fill_color(255, 255, 255)  # rows without a style of their own take the current fill colour
    return pdf.table(
        col_widths=tuple(w * pdf.width * share for w in widths),
        width=pdf.width * share,
        align="LEFT",
        text_align=align,
        line_height=3.9,
        padding=(1.2, 1.2, 1.2, 1.2),
        borders_layout=TableBordersLayout.HORIZONTAL_LINES,
        headings_style=HEADINGS,
        first_row_as_headings=True,
    )


def indicator_table(pdf: Page, rows: list[dict[str, Any]], _: Callable[[str], str]) -> None:
    headings = (
        _("Indicator"),
        _("Score (0-100)"),
        _("%(pct)d%% confidence interval") % {"pct": 95},
        _("Answers (n)"),
        _("Favourable share"),
        _("Change since the previous wave"),
        _("Compared with similar enterprises"),
    )
    pdf.set_font(FONT, size=7.5)
    with _table(pdf, INDICATOR_COLUMNS, INDICATOR_ALIGN) as table:
        header = table.row()
        for text in headings:
            header.cell(pdf.typeset(text))
        for row in rows:
            line = table.row(style=DIMENSION if row["kind"] == "dimension" else None)
            line.cell(pdf.typeset(row["label"]))
            if row["suppressed"]:
                line.cell(pdf.typeset(row["note"]), colspan=6, style=SUPPRESSED, align="LEFT")
                continue
            cells = (row["mean"], row["interval"], row["n"], row["favourable"], row["delta"], row["benchmark"])
            for text in cells:
                line.cell(pdf.typeset(text))
    pdf.ln(4)


def custom_answers(pdf: Page, custom: list[dict[str, Any]], _: Callable[[str], str]) -> None:
    for question in custom:
        if pdf.will_page_break(24 + 6.5 * (len(question["options"]) + 1)):  # a short table is never cut
            pdf.add_page()
        pdf.paragraph(question["label"], "B", 10)
        if question["suppressed"]:
            pdf.paragraph(question["note"], "I", 9.5, GREY)
            continue
        summary = _("%(n)s answers") % {"n": question["n"]}
        if question["mean"]:
            summary += " · " + _("score %(score)s out of 100") % {"score": question["mean"]}
        pdf.paragraph(summary, size=9, colour=GREY)
        pdf.set_font(FONT, size=8.5)
        with _table(pdf, (0.6, 0.2, 0.2), ("LEFT", "RIGHT", "RIGHT"), share=0.75) as table:
            header = table.row()
            for text in (_("Answer"), _("Number"), _("Share")):
                header.cell(pdf.typeset(text))
            for option in question["options"]:
                line = table.row()
                for text in (option["label"], option["count"], option["share"]):
                    line.cell(pdf.typeset(text))
        pdf.ln(4)


def published_scores(pdf: Page, published: list[dict[str, Any]], _: Callable[[str], str]) -> None:
    """Each validated instrument's published score, its band shares and the screening words."""
    for score in published:
        if pdf.will_page_break(24 + 6.5 * (len(score.get("bands", ())) + 1)):  # a short table is never cut
            pdf.add_page()
        pdf.paragraph(score["label"], "B", 10)
        if score["suppressed"]:
            pdf.paragraph(f"{score['name']}: {score['note']}", "I", 9.5, GREY)
            continue
        pdf.paragraph(score["headline"], "B", 9.5, NAVY)
        pdf.paragraph(" ".join(t for t in (score["details"], score["direction"], score["net"]) if t), size=9)
        if score["bands"]:
            pdf.set_font(FONT, size=8.5)
            with _table(pdf, (0.7, 0.3), ("LEFT", "RIGHT"), share=0.75) as table:
                header = table.row()
                for text in (_("Band"), _("Share of respondents")):
                    header.cell(pdf.typeset(text))
                for band in score["bands"]:
                    line = table.row()
                    for text in (band["label"], band["share"]):
                        line.cell(pdf.typeset(text))
            pdf.paragraph(score["screening"], "I", 9, GREY)
        pdf.ln(3)


def testimonies(pdf: Page, groups: list[dict[str, Any]], _: Callable[[str], str]) -> None:
    """Each question's text, then its quotes in the report language's quotation marks."""
    if not groups:
        pdf.paragraph(_("No testimony for this wave."), "I")
        return
    for group in groups:
        first = group["quotes"][0]["text"]
        question_height = pdf.lines_height(group["question"], pdf.width, 10, "B")
        if pdf.will_page_break(question_height + pdf.lines_height(quoted(first, pdf.language), pdf.width, 9.5) + 8):
            pdf.add_page()
        pdf.paragraph(group["question"], "B", 10, NAVY)
        quotes(pdf, group["quotes"])
        pdf.ln(2)


def quotes(pdf: Page, found: list[dict[str, Any]], indent: float = 5.0) -> None:
    """Quotes in italics, each with a bar in the margin; a quote is never cut across two pages."""
    for quote in found:
        text = pdf.typeset(quoted(quote["text"], pdf.language))
        height = pdf.lines_height(text, pdf.width - indent, 9.5, "I")
        if pdf.will_page_break(height + 2):
            pdf.add_page()
        top = pdf.get_y()
        pdf.set_x(MARGIN + indent)
        pdf.set_font(FONT, "I", 9.5)
        pdf.multi_cell(pdf.width - indent, 4.75, text, new_x="LMARGIN", new_y="NEXT", align="L")
        pdf.set_draw_color(*GREEN)
        pdf.set_line_width(0.8)
        pdf.line(MARGIN + 1.2, top + 0.3, MARGIN + 1.2, pdf.get_y() - 0.3)
        pdf.set_line_width(0.2)
        pdf.set_draw_color(0, 0, 0)
        pdf.ln(2.5)


def methodology(pdf: Page, sections: list[tuple[str, str]]) -> None:
    for heading, paragraph in sections:
        if pdf.will_page_break(pdf.lines_height(heading, pdf.width, 10, "B") + 14):
            pdf.add_page()
        pdf.paragraph(heading, "B", 10, NAVY)
        pdf.paragraph(paragraph, size=9.5)


DISTANCE_COLUMNS = (0.22, 0.08, 0.08, 0.1, 0.14, 0.16, 0.22)
DISTANCE_ALIGN = ("LEFT", "RIGHT", "RIGHT", "RIGHT", "RIGHT", "LEFT", "LEFT")


def distance(pdf: Page, sections: list[dict[str, Any]], _: Callable[[str], str]) -> None:
    """Distance travelled: one table per pair of waves (the same words as the dashboard)."""
    headings = (
        _("Indicator"),
        _("Before"),
        _("After"),
        _("Mean change"),
        _("%(pct)d%% confidence interval") % {"pct": 95},
        _("Paired test"),
        _("People whose score changed by 10 points or more"),
    )
    for d in sections:
        pdf.paragraph(d["title"], "B", 10, NAVY)
        if d["summary"]:
            pdf.paragraph(d["summary"], size=9)
        pdf.set_font(FONT, size=7.5)
        with _table(pdf, DISTANCE_COLUMNS, DISTANCE_ALIGN) as table:
            header = table.row()
            for text in headings:
                header.cell(pdf.typeset(text))
            for row in d["rows"]:
                line = table.row()
                line.cell(pdf.typeset(row["label"]))
                if row["suppressed"]:
                    line.cell(pdf.typeset(row["note"]), colspan=6, style=SUPPRESSED, align="LEFT")
                    continue
                cells = (row["before"], row["after"], row["change"], row["interval"], row["test"], row["shares"])
                for text in cells:
                    line.cell(pdf.typeset("–" if text is None else str(text)))
        pdf.ln(2)
        pdf.paragraph(d["caveat"], "I", 8.5, GREY)
        pdf.ln(3)
