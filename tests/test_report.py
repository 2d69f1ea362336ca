"""Valorisation report: printable page in FR, NL and EN with the same numbers as stored, evaluative
question, method summary, charts with alt text and the methodology appendix; PDF download."""

import re

import pytest

from tests.dashboard_support import ENTERPRISE, FEWER, OTHER, check_table, stored_cells, tables

TITLES = {
    "fr": "Rapport d'impact social",
    "nl": "Rapport over de maatschappelijke impact",
    "en": "Social impact report",
}
APPENDIX = {
    "fr": "Les petits groupes restent anonymes",
    "nl": "Kleine groepen blijven anoniem",
    "en": "Small groups stay anonymous",
}


def latest_campaign(db, enterprise, group):
    return db.execute(
        "SELECT c.id FROM campaign c WHERE c.enterprise_id = ? AND c.stakeholder_group = ? AND "
        "EXISTS (SELECT 1 FROM indicator_value v WHERE v.campaign_id = c.id) "
        "ORDER BY c.closes_at DESC LIMIT 1",
        [enterprise, group],
    ).fetchone()[0]


@pytest.mark.parametrize("language", ["fr", "nl", "en"])
def test_report_numbers_equal_stored_indicators_in_each_language(as_user, demo_db, language):
    campaign = latest_campaign(demo_db, ENTERPRISE, "workers")
    response = as_user("anna").get(f"/admin/enterprises/{ENTERPRISE}/report/{campaign}?lang={language}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and f'<html lang="{language}">' in html
    assert TITLES[language] in html and APPENDIX[language] in html
    assert "Qu&#39;est-ce qui change pour les personnes ?" in html
    assert (
        check_table(tables(html)["report-table"], stored_cells(demo_db, ENTERPRISE, language)["workers"], language) > 5
    )
    images = re.findall(r'<img src="([^"]+)" alt="([^"]+)"', html)
    # The wave's profile and NPS charts and the group's trend (indicators are in the table).
    assert len(images) == 3 and all(".svg?v=" in src for src, _alt in images)
    assert 'media="print"' in html


def test_report_of_a_suppressed_wave_shows_no_figure(as_user, demo_db):
    campaign = latest_campaign(demo_db, OTHER, "partners")
    html = as_user("bert").get(f"/admin/enterprises/{OTHER}/report/{campaign}?lang=nl").get_data(as_text=True)
    rows = tables(html)["report-table"]
    assert all(cells == [FEWER["nl"]] for _label, *cells in rows[1:])
    assert "<blockquote" not in html


def test_print_stylesheet_keeps_charts_and_tables_whole_on_a4(demo_app):
    css = demo_app.test_client().get("/static/print.css").get_data(as_text=True)
    assert "size: A4" in css and "break-inside: avoid" in css and "figure.chart" in css


@pytest.mark.parametrize("language", ["fr", "nl", "en"])
def test_pdf_download(as_user, demo_db, language):
    campaign = latest_campaign(demo_db, ENTERPRISE, "beneficiaries")
    response = as_user("anna").get(f"/admin/enterprises/{ENTERPRISE}/report/{campaign}.pdf?lang={language}")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF") and len(response.data) > 20_000  # text, table and PNG charts
    assert f"-{language}.pdf" in response.headers["Content-Disposition"]


def test_report_page_has_a_summary_and_testimonies_under_their_question(as_user, demo_db):
    campaign = latest_campaign(demo_db, ENTERPRISE, "beneficiaries")
    html = as_user("anna").get(f"/admin/enterprises/{ENTERPRISE}/report/{campaign}?lang=en").get_data(as_text=True)
    assert '<h2 id="r-glance">At a glance</h2>' in html and 'class="headline-value"' in html
    assert "Survey conducted from February\u00a024, 2026 to March\u00a024, 2026." in html
    quotes = html.split('id="r-quotes"', 1)[1].split('id="r-appendix"', 1)[0]
    questions = re.findall(r"<h3>(.*?)</h3>", quotes)
    assert len(questions) == len(set(questions)) >= 2  # each question once, its quotes below it
    assert quotes.index("<h3>") < quotes.index("<blockquote")
    assert "paper=letter" in html and "paper=a4" in html
