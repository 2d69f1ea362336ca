"""Testimonies: a quote hidden by the manager disappears from the report (HTML and PDF) but stays
in the data and on the dashboard; hiding is a POST with a CSRF token, never a GET."""

import shutil
import subprocess

import pytest

from survey_app.storage.db import write_transaction
from tests.dashboard_support import ENTERPRISE

CAMPAIGN = 2
QUOTE = "Une phrase unique pour ce test, avec <b>du balisage</b> & des accents."


@pytest.fixture
def quote(demo_db):
    """One testimony of campaign 2 with a text found nowhere else."""
    row = demo_db.execute(
        "SELECT response_id, question_id FROM testimony WHERE campaign_id = ? LIMIT 1", [CAMPAIGN]
    ).fetchone()
    with write_transaction(demo_db):
        demo_db.execute("UPDATE testimony SET text = ? WHERE response_id = ? AND question_id = ?", [QUOTE, *row])
    base = f"/admin/enterprises/{ENTERPRISE}/testimonies/{row[0]}/{row[1]}"
    return {"response_id": row[0], "question_id": row[1], "hide": base + "/hide", "show": base + "/show"}


ESCAPED = "Une phrase unique pour ce test, avec &lt;b&gt;du balisage&lt;/b&gt; &amp; des accents."
REPORT = f"/admin/enterprises/{ENTERPRISE}/report/{CAMPAIGN}?lang=fr"


def test_hidden_testimony_leaves_the_report_but_stays_in_the_data(as_user, demo_db, quote):
    client = as_user("anna")
    assert ESCAPED in client.get(REPORT).get_data(as_text=True)
    response = client.post(quote["hide"])
    assert response.status_code == 303 and response.headers["Location"].endswith(
        f"/admin/enterprises/{ENTERPRISE}/dashboard#t{quote['response_id']}-{quote['question_id']}"
    )
    assert ESCAPED not in client.get(REPORT).get_data(as_text=True)
    assert (
        demo_db.execute(
            "SELECT text FROM testimony WHERE response_id = ? AND question_id = ?",
            [quote["response_id"], quote["question_id"]],
        ).fetchone()[0]
        == QUOTE
    )
    hidden = demo_db.execute("SELECT hidden_by FROM testimony_hidden").fetchall()
    assert len(hidden) == 1
    assert ESCAPED not in client.get(REPORT.replace("lang=fr", "lang=nl")).get_data(as_text=True)
    assert client.post(quote["show"]).status_code == 303
    assert ESCAPED in client.get(REPORT).get_data(as_text=True)
    assert demo_db.execute("SELECT COUNT(*) FROM testimony_hidden").fetchone()[0] == 0


def test_hidden_testimony_is_marked_on_the_dashboard(as_user, demo_db):
    client = as_user("anna")
    row = demo_db.execute(
        "SELECT t.response_id, t.question_id, t.text FROM testimony t JOIN campaign c ON "
        "c.id = t.campaign_id WHERE c.enterprise_id = ? ORDER BY c.closes_at DESC LIMIT 1",
        [ENTERPRISE],
    ).fetchone()
    client.post(f"/admin/enterprises/{ENTERPRISE}/testimonies/{row[0]}/{row[1]}/hide")
    html = client.get(f"/admin/enterprises/{ENTERPRISE}/dashboard?lang=en").get_data(as_text=True)
    item = html[html.index(f'id="t{row[0]}-{row[1]}"') :]
    item = item[: item.index("</li>")]
    assert "Hidden from the report" in item and "Show in the report again" in item


def test_hiding_needs_a_post_with_csrf(as_user, demo_db, quote):
    client = as_user("anna")
    assert client.get(quote["hide"]).status_code == 405
    assert client.post(quote["hide"], csrf=False).status_code == 400
    assert demo_db.execute("SELECT COUNT(*) FROM testimony_hidden").fetchone()[0] == 0


def test_hidden_testimony_is_left_out_of_the_pdf(as_user, quote, tmp_path):
    """Read back from the PDF itself (poppler's pdftotext), before and after hiding the quote."""
    if shutil.which("pdftotext") is None:
        pytest.skip("poppler-utils is not installed (apt-get install poppler-utils)")
    client = as_user("anna")

    def pdf_text() -> str:
        response = client.get(f"/admin/enterprises/{ENTERPRISE}/report/{CAMPAIGN}.pdf?lang=fr")
        assert response.status_code == 200 and response.data.startswith(b"%PDF")
        path = tmp_path / "report.pdf"
        path.write_bytes(response.data)
        text = subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True, text=True).stdout
        return " ".join(text.split())

    assert "Une phrase unique pour ce test" in pdf_text()
    client.post(quote["hide"])
    assert "Une phrase unique pour ce test" not in pdf_text()
