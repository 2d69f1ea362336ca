"""Public valorisation page: published only when the manager opts in, at an unguessable address;
shows headline figures, the evaluative question, the enterprise's words and the chosen
testimonies (never a hidden one); nothing suppressed, no back-office link; noindex unless allowed;
revoked at once after a confirmation step."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

import pytest

from survey_app.storage.db import write_transaction
from tests.dashboard_support import ENTERPRISE, OTHER
from tests.test_report import latest_campaign

CAMPAIGN = 2  # a wave of enterprise 1 with testimonies
QUOTE = "Une phrase unique pour la page publique."
OTHER_QUOTE = "Une autre phrase, que personne n'a choisie."


@pytest.fixture
def quotes(demo_db):
    """Two testimonies of campaign 2 with texts found nowhere else: (response_id, question_id) pairs."""
    rows = demo_db.execute(
        "SELECT response_id, question_id FROM testimony WHERE campaign_id = ? ORDER BY response_id LIMIT 2", [CAMPAIGN]
    ).fetchall()
    with write_transaction(demo_db):
        for (response, question), text in zip(rows, (QUOTE, OTHER_QUOTE)):
            demo_db.execute(
                "UPDATE testimony SET text = ? WHERE response_id = ? AND question_id = ?", [text, response, question]
            )
    return [tuple(r) for r in rows]


@pytest.fixture
def visitor(demo_app):
    """A browser that has never signed in."""
    return demo_app.test_client()


def publish(client, url: str) -> str:
    """Opt in on the management page; return the public address's path."""
    response = client.post(url, {"consent": "y"})
    assert response.status_code == 303
    html = client.get(url).get_data(as_text=True)
    return re.search(r'id="public-url" href="http://127\.0\.0\.1:5000(/p/[^"]+)"', html).group(1)


def test_nothing_is_public_before_the_manager_opts_in(as_user, demo_db):
    client = as_user("anna")
    url = f"/admin/campaigns/{CAMPAIGN}/public-page?lang=en"
    html = client.get(url).get_data(as_text=True)
    assert "I want to publish these results on a public page" in html and "/p/" not in html
    refused = client.post(url, {})
    assert refused.status_code == 200 and "Tick the box to publish the page." in refused.get_data(as_text=True)
    assert demo_db.execute("SELECT count(*) FROM public_page").fetchone()[0] == 0
    path = publish(client, url)
    token = path.removeprefix("/p/")
    assert len(token) >= 22  # 16 bytes from secrets: 128 bits
    assert demo_db.execute("SELECT count(*) FROM public_page WHERE revoked_at IS NULL").fetchone()[0] == 1
    publish(client, url)  # publishing again keeps the one address
    assert demo_db.execute("SELECT token FROM public_page").fetchall() == [(token,)]


def test_page_shows_chosen_testimonies_words_and_figures_without_back_office(as_user, demo_db, quotes, visitor):
    manager = as_user("anna")
    url = f"/admin/campaigns/{CAMPAIGN}/public-page?lang=fr"
    path = publish(manager, url)
    chosen = f"{quotes[0][0]}:{quotes[0][1]}"
    saved = manager.post(url, {"own_words": "Notre mission.\r\n\r\nNos <b>chantiers</b>.", "quotes": [chosen]})
    assert saved.status_code == 303
    response = visitor.get(path + "?lang=fr")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert QUOTE in html and OTHER_QUOTE.replace("'", "&#39;") not in html and OTHER_QUOTE not in html
    assert "<p>Notre mission.</p>" in html and "Nos &lt;b&gt;chantiers&lt;/b&gt;." in html
    assert "Qu&#39;est-ce qui change pour les personnes" in html  # the evaluative question
    mean = demo_db.execute(
        "SELECT mean FROM indicator_value WHERE campaign_id = ? AND kind = 'dimension' AND suppressed = 0 LIMIT 1",
        [CAMPAIGN],
    ).fetchone()[0]
    shown = int(Decimal(repr(mean)).quantize(Decimal(1), rounding=ROUND_HALF_UP))  # whole numbers, halves up
    assert re.search(rf"\b{shown}\b", html) and not re.search(rf"\b{shown},\d", html)
    assert "/admin" not in html and "/login" not in html and "csrf" not in html and "<img" not in html
    assert '<meta name="robots" content="noindex">' in html and response.headers["X-Robots-Tag"] == "noindex"


def test_a_quote_hidden_from_the_report_never_shows(as_user, quotes, visitor):
    manager = as_user("anna")
    url = f"/admin/campaigns/{CAMPAIGN}/public-page?lang=fr"
    path = publish(manager, url)
    manager.post(url, {"quotes": [f"{r}:{q}" for r, q in quotes]})
    assert QUOTE in visitor.get(path).get_data(as_text=True)
    hide = f"/admin/enterprises/{ENTERPRISE}/testimonies/{quotes[0][0]}/{quotes[0][1]}/hide"
    assert manager.post(hide).status_code == 303
    html = visitor.get(path).get_data(as_text=True)
    assert QUOTE not in html and OTHER_QUOTE.replace("'", "&#39;") in html
    assert QUOTE not in manager.get(url).get_data(as_text=True)  # no longer offered either


def test_indexing_allowed_by_the_manager(as_user, visitor):
    manager = as_user("anna")
    url = f"/admin/enterprises/{ENTERPRISE}/public-page"
    path = publish(manager, url)
    assert manager.post(url, {"allow_indexing": "y"}).status_code == 303
    response = visitor.get(path)
    assert response.status_code == 200 and "X-Robots-Tag" not in response.headers
    assert 'name="robots"' not in response.get_data(as_text=True)


def test_revoking_asks_first_then_takes_the_page_down_at_once(as_user, demo_db, visitor):
    manager = as_user("anna")
    url = f"/admin/enterprises/{ENTERPRISE}/public-page?lang=en"
    path = publish(manager, url)
    assert visitor.get(path).status_code == 200
    asked = manager.post(f"/admin/enterprises/{ENTERPRISE}/public-page/revoke?lang=en")
    assert asked.status_code == 200 and "Take the public page down?" in asked.get_data(as_text=True)
    assert visitor.get(path).status_code == 200
    done = manager.post(f"/admin/enterprises/{ENTERPRISE}/public-page/revoke", {"confirmed": "yes"})
    assert done.status_code == 303
    assert visitor.get(path).status_code == 404
    assert demo_db.execute("SELECT count(*) FROM public_page WHERE revoked_at IS NOT NULL").fetchone()[0] == 1
    again = publish(manager, url)  # a new page gets a new address; the old one stays dead
    assert again != path and visitor.get(path).status_code == 404 and visitor.get(again).status_code == 200


def test_a_suppressed_wave_shows_no_figure_and_no_quote(as_user, demo_db, visitor):
    manager = as_user("bert")
    campaign = latest_campaign(demo_db, OTHER, "partners")
    url = f"/admin/campaigns/{campaign}/public-page?lang=nl"
    path = publish(manager, url)
    # Even a quote forced into the choice stays out: the group is under the threshold.
    response_id = demo_db.execute("SELECT id FROM response WHERE campaign_id = ? LIMIT 1", [campaign]).fetchone()[0]
    page_id = demo_db.execute("SELECT id FROM public_page").fetchone()[0]
    with write_transaction(demo_db):
        demo_db.execute("INSERT INTO public_page_quote VALUES (?, ?, 'what_changed')", [page_id, response_id])
        demo_db.execute(
            "INSERT OR REPLACE INTO testimony (response_id, question_id, campaign_id, language, text, run_id) "
            "VALUES (?, 'what_changed', ?, 'nl', 'Geheim citaat', 1)",
            [response_id, campaign],
        )
    html = visitor.get(path + "?lang=nl").get_data(as_text=True)
    assert "minder dan 5 antwoorden" in html
    assert "Geheim citaat" not in html and "<blockquote" not in html
    main = html.split('<main id="main"', 1)[1].split('<section class="appendix-public"', 1)[0]
    submitted = demo_db.execute("SELECT submitted FROM campaign_summary WHERE campaign_id = ?", [campaign]).fetchone()
    # The response rate counts people invited and answering, not answers: it is shown for every wave.
    main = re.sub(r"\d+(?:,\d+)?[\s\u00a0\u202f]*%", "", main)
    figures = set(re.findall(r"\d+(?:,\d+)?", main)) - {str(submitted[0]), "5", "2025", "2026"}
    assert {f for f in figures if not re.fullmatch(r"\d{1,2}", f)} == set()  # days of the period only


def test_unknown_and_overlong_tokens_answer_404(visitor):
    assert visitor.get("/p/not-a-token").status_code == 404
    assert visitor.get("/p/" + "x" * 500).status_code == 404


def test_another_enterprise_cannot_manage_the_page(as_user):
    assert as_user("bert").get(f"/admin/enterprises/{ENTERPRISE}/public-page").status_code == 404
    assert as_user("bert").post(f"/admin/campaigns/{CAMPAIGN}/public-page", {"consent": "y"}).status_code == 404
