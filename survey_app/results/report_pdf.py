"""The valorisation report as a PDF, with fpdf2 (pure Python: installs from PyPI on any machine).

WeasyPrint would print the HTML page itself, but it needs Pango and other system libraries, so
the PDF is laid out here from the same prepared context as the page (report.py): a cover (the
enterprise, the evaluative question, the period), a one-page summary of headline figures, the
charts at full width, the indicator table, answers, testimonies under their question, and the
method in plain words. A4 or Letter (setting report.paper, or ?paper=letter).
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

from sqlite_utils import Database

from pipeline.charts import ensure_chart
from survey_app.core.catalogs import translator
from survey_app.core.config import Settings
from survey_app.core.typography import quoted
from survey_app.results import pdf_sections
from survey_app.results.data import DRAW_LOCK
from survey_app.results.pdf_layout import FONT, GREEN, GREY, LIGHT, MARGIN, NAVY, Page

CARD_GAP, CARD_PADDING = 6.0, 4.0
SUMMARY_QUOTES = 3  # one quote of each of the first questions


def chart_png(db: Database, settings: Settings, enterprise_id: int, name: str, language: str) -> bytes | None:
    """A chart's PNG, through the pipeline's own function (drawn on request, cached by its inputs)."""
    with DRAW_LOCK:
        found = ensure_chart(db, settings, enterprise_id, name, language, "png")
    return found[0].read_bytes() if found is not None and found[0].exists() else None


def cover(pdf: Page, context: dict[str, Any], _: Callable[[str], str]) -> None:
    enterprise, campaign, section = context["enterprise"], context["campaign"], context["section"]
    subtitle = f"{section['group_label']} · {section['title']}"
    name_lines = round(pdf.lines_height(enterprise["name"], pdf.width, 26, "B") / 13)
    band = 32 + 12 * name_lines + pdf.lines_height(subtitle, pdf.width, 13) + 14
    pdf.set_fill_color(*NAVY)
    pdf.rect(0, 0, pdf.w, band, style="F")
    pdf.set_text_color(255, 255, 255)
    pdf.set_xy(MARGIN, 22)
    pdf.set_font(FONT, "B", 11)
    pdf.cell(pdf.width, 6, pdf.typeset(_("Social impact report")).upper(), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font(FONT, "B", 26)
    pdf.multi_cell(pdf.width, 12, pdf.typeset(enterprise["name"]), new_x="LMARGIN", new_y="NEXT", align="L")
    pdf.set_font(FONT, size=13)
    pdf.multi_cell(pdf.width, 6.5, pdf.typeset(subtitle), new_x="LMARGIN", new_y="NEXT", align="L")
    pdf.set_text_color(0, 0, 0)
    pdf.set_y(band + 24)
    if campaign["evaluative_question"]:
        pdf.paragraph(_("Evaluative question"), "B", 10, NAVY)
        top = pdf.get_y()
        pdf.set_x(MARGIN + 6)
        pdf.set_font(FONT, "I", 16)
        text = pdf.typeset(quoted(campaign["evaluative_question"], pdf.language))
        pdf.multi_cell(pdf.width - 6, 8, text, new_x="LMARGIN", new_y="NEXT", align="L")
        pdf.set_fill_color(*GREEN)
        pdf.rect(MARGIN, top, 1.6, pdf.get_y() - top, style="F")
        pdf.ln(10)
    pdf.paragraph(context["period"], size=11)
    pdf.set_y(pdf.h - 48)
    pdf.set_draw_color(*GREY)
    pdf.line(MARGIN, pdf.get_y(), pdf.w - MARGIN, pdf.get_y())
    pdf.ln(4)
    if context["computed_on"]:
        pdf.paragraph(context["computed_on"], size=9, colour=GREY)
    pdf.paragraph(
        _("VISES – valuing the social impact of social and solidarity economy enterprises."), size=9, colour=GREY
    )


def _card_height(pdf: Page, card: dict[str, Any], width: float) -> float:
    inner = width - 2 * CARD_PADDING
    value = pdf.lines_height(card["value"], inner, 11, "BI") if card["suppressed"] else 11.5
    height = value + pdf.lines_height(card["label"], inner, 10, "B")
    height += sum(pdf.lines_height(d, inner, 8.5) for d in card["details"])
    return height + 2 * CARD_PADDING


def _card(pdf: Page, card: dict[str, Any], x: float, y: float, width: float, height: float) -> None:
    pdf.set_fill_color(*LIGHT)
    pdf.rect(x, y, width, height, style="F")
    pdf.set_fill_color(*(GREY if card["suppressed"] else GREEN))
    pdf.rect(x, y, 1.4, height, style="F")
    inner = width - 2 * CARD_PADDING
    pdf.set_xy(x + CARD_PADDING, y + CARD_PADDING)
    value_size = 11 if card["suppressed"] else 22
    pdf.set_font(FONT, "BI" if card["suppressed"] else "B", value_size)
    pdf.set_text_color(*NAVY)
    if card["suppressed"] or not card["unit"]:
        pdf.multi_cell(inner, value_size * 0.5, pdf.typeset(card["value"]), new_x="LEFT", new_y="NEXT", align="L")
    else:  # the figure large, its unit small on the same baseline
        value = pdf.typeset(card["value"])
        pdf.cell(pdf.get_string_width(value) + 1.5, 11, value)
        pdf.set_font(FONT, size=9)
        pdf.set_xy(pdf.get_x(), y + CARD_PADDING + 2.6)
        pdf.cell(inner - pdf.get_x() + x + CARD_PADDING, 8, pdf.typeset(card["unit"]))
        pdf.set_xy(x + CARD_PADDING, y + CARD_PADDING + 11.5)
    pdf.set_text_color(0, 0, 0)
    pdf.set_font(FONT, "B", 10)
    pdf.multi_cell(inner, 5, pdf.typeset(card["label"]), new_x="LEFT", new_y="NEXT", align="L")
    pdf.set_font(FONT, size=8.5)
    pdf.set_text_color(*GREY)
    for detail in card["details"]:
        pdf.multi_cell(inner, 4.25, pdf.typeset(detail), new_x="LEFT", new_y="NEXT", align="L")
    pdf.set_text_color(0, 0, 0)


def summary(pdf: Page, context: dict[str, Any], _: Callable[[str], str]) -> None:
    """One page: the headline figures as cards, two by row, and how the results were collected."""
    pdf.add_page()
    pdf.heading(_("At a glance"), 16)
    width = (pdf.width - CARD_GAP) / 2
    cards = context["headlines"]
    for start in range(0, len(cards), 2):
        pair = cards[start : start + 2]
        height = max(_card_height(pdf, card, width) for card in pair)
        if pdf.will_page_break(height):
            pdf.add_page()
        y = pdf.get_y()
        for column, card in enumerate(pair):
            _card(pdf, card, MARGIN + column * (width + CARD_GAP), y, width, height)
        pdf.set_xy(MARGIN, y + height + CARD_GAP)
    pdf.heading(_("How the results were collected"), 12)
    pdf.paragraph(context["summary"], size=9.5)
    if context.get("channels"):  # the share of each channel: interviews tend to be more positive
        pdf.paragraph(context["channels"], size=9.5)
    highlights = [group["quotes"][0] for group in context["testimony_groups"]][:SUMMARY_QUOTES]
    height = sum(pdf.lines_height(quoted(q["text"], pdf.language), pdf.width - 5, 9.5, "I") + 2.5 for q in highlights)
    if highlights and not pdf.will_page_break(height + 20):  # the summary stays on one page
        pdf.heading(_("In their words"), 12, space_after=0)
        pdf_sections.quotes(pdf, highlights)


def build(context: dict[str, Any], settings: Settings, db: Database, paper: str) -> io.BytesIO:
    """The report of one wave as PDF bytes, from the same context as the HTML page."""
    section, enterprise, language = context["section"], context["enterprise"], context["language"]
    _ = translator(language).gettext
    running = f"{enterprise['name']} · {section['group_label']} · {section['title']}"
    pdf = Page(paper, language, running, _("Page %(page)s of %(pages)s"))
    pdf.set_title(pdf.typeset(f"{_('Social impact report')} – {running}"))
    pdf.set_author(enterprise["name"])
    pdf.add_page()
    cover(pdf, context, _)
    summary(pdf, context, _)
    pdf.add_page()
    pdf.heading(_("Results"), 16)
    shown = any(not row["suppressed"] for row in section["rows"])
    if not shown:  # charts of this wave would be empty: say why instead of drawing them
        pdf.paragraph(_("No figure of this wave can be shown: %(note)s.") % {"note": context["fewer_than"]}, "I")
    charts = section["charts"] if shown else []
    for chart in [*charts, *([context["trend"]] if context["trend"] else [])]:
        image = chart_png(db, settings, enterprise["id"], chart["name"], language)
        if image is not None:
            pdf.image_full_width(image, chart["alt"], chart["title"])
    pdf.heading(_("Indicators"), 14, space_after=70)
    pdf_sections.indicator_table(pdf, section["rows"], _)
    if section["published"]:
        pdf.heading(_("Validated instruments: published scores"), 14, space_after=30)
        pdf_sections.published_scores(pdf, section["published"], _)
    if context["distance"]:
        pdf.heading(_("Distance travelled"), 14, space_after=50)
        pdf_sections.distance(pdf, context["distance"], _)
    if section["custom"]:
        pdf.heading(_("Answers to multiple-choice and own questions"), 14, space_after=30)
        pdf_sections.custom_answers(pdf, section["custom"], _)
    pdf.heading(_("Testimonies"), 14, space_after=30)
    pdf_sections.testimonies(pdf, context["testimony_groups"], _)
    pdf.add_page()
    pdf.heading(_("Methodology"), 16)
    pdf_sections.methodology(pdf, context["methodology"])
    return io.BytesIO(bytes(pdf.output()))
