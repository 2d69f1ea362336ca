"""Error summaries of the back office name each field and link to it (a list of checkboxes through
its first box); the summary comes first in the main content and takes focus (autofocus)."""

from __future__ import annotations

import re


def summary_links(html: str) -> list[tuple[str, str]]:
    summary = re.search(r'<div class="error-summary"[^>]*autofocus[^>]*>(.*?)</div>', html, re.S).group(1)
    return re.findall(r'<a href="#([^"]+)">(.*?)</a>', summary)


def test_account_form_errors_name_their_fields(signed_in):
    html = signed_in("admin@example.org").post("/admin/accounts/new", {"language": "fr"}).get_data(as_text=True)
    assert summary_links(html) == [("email", "E-mail address: This field is required.")]
    assert 'id="email"' in html and html.index("error-summary") < html.index('<form method="post" novalidate')


def test_campaign_form_errors_name_fields_and_custom_questions(signed_in, world):
    office = signed_in("anna@example.org")
    data = {
        "title": "",
        "stakeholder_group": "beneficiaries",
        "questionnaire": "latest",
        "timezone": "Europe/Brussels",
        "languages": "fr",
        "custom-0-type": "agree5",
        "custom-0-text_fr": "",
    }
    html = office.post(f"/admin/enterprises/{world.enterprise_a}/campaigns/new", data).get_data(as_text=True)
    links = dict(summary_links(html))
    assert links["title"] == "Title: This field is required."
    assert links["opens_at"].startswith("Opens on: ")
    assert links["custom-0-text_fr"].startswith("Custom question 1, Question in French: ")
    assert all(": " in message for message in links.values())


def test_links_form_errors_are_shown_on_the_page_with_a_summary(signed_in, world, db):
    office = signed_in("anna@example.org")
    html = office.post(f"/admin/campaigns/{world.campaign_a}/links/generate", {"count": "0"}).get_data(as_text=True)
    assert summary_links(html) == [
        ("count", "Number of personal links to create: The number of personal links must be between 1 and 10000.")
    ]
    html = office.post(f"/admin/campaigns/{world.campaign_a}/links/revoke", {"codes": "NOPE999"}).get_data(as_text=True)
    assert summary_links(html) == [
        ("codes", "Codes of the links to revoke: None of these codes is a link of this campaign: NOPE999")
    ]
    assert db.execute("SELECT count(revoked_at) FROM invitation").fetchone()[0] == 0


def test_address_form_errors_are_shown_on_the_page_with_a_summary(signed_in, world):
    office = signed_in("anna@example.org")
    url = f"/admin/campaigns/{world.campaign_a}/invitations/add"
    response = office.post(url, {"addresses": "", "language": "fr"})
    assert response.status_code == 200
    assert summary_links(response.get_data(as_text=True)) == [
        ("addresses", "E-mail addresses: Paste addresses or choose a file.")
    ]
