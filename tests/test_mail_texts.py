"""The invitation and reminder texts of a campaign: previewed and edited per language before
sending, autoescaped in the HTML mail, placeholders checked, and used at delivery."""

import re

import pytest
from freezegun import freeze_time

from survey_app.mail import invitations
from survey_app.mail.delivery import deliver
from tests.app_support import NOW, BackOfficeClient, sign_in

BODY = "Bonjour <b>vous</b>,\n\n{enterprise} vous demande votre avis avant le {closes}.\n\n{link}\n\nOu ici : {link}"


@pytest.fixture
def mail_app(make_app, mail_settings):
    return make_app(**mail_settings)


@pytest.fixture
def office(mail_app, world):
    client = mail_app.test_client()
    with freeze_time(NOW):
        assert sign_in(client, "anna@example.org").status_code == 303
    office = BackOfficeClient(client)
    office.url = f"/admin/campaigns/{world.campaign_a}/texts"
    return office


def edit(office, kind="invitation", language="fr", **data):
    with freeze_time(NOW):
        return office.post(f"{office.url}/{kind}/{language}", data)


def test_the_default_text_is_previewed_in_each_language(office):
    with freeze_time(NOW):
        listing = office.get(office.url + "/").get_data(as_text=True)
        page = office.get(office.url + "/reminder/nl").get_data(as_text=True)
    assert listing.count("Default text") == 6  # invitation and reminder in fr, nl, en
    assert 'id="preview-subject">Herinnering: Atelier A wil graag je mening<' in page
    assert "http://127.0.0.1:5000/s/EXAMPLE?lang=nl" in page and "srcdoc=" in page


def test_preview_shows_the_typed_text_without_saving_it(office, db):
    page = edit(office, subject="Votre avis compte, {enterprise}", body=BODY, show="y").get_data(as_text=True)
    assert 'id="preview-subject">Votre avis compte, Atelier A<' in page
    assert db.execute("SELECT count(*) FROM campaign_mail_text").fetchone()[0] == 0
    preview = re.search(r'<pre class="mail-preview-text" id="preview-text">(.*?)</pre>', page, re.S).group(1)
    assert "Atelier A vous demande votre avis avant le" in preview
    assert "&lt;b&gt;vous&lt;/b&gt;" in preview  # typed markup stays text


def test_a_saved_text_is_the_one_delivered_and_its_markup_is_escaped(office, mail_app, world, db, smtp_server):
    assert edit(office, subject="Votre avis compte, {enterprise}", body=BODY, save="y").status_code == 303
    invitations.add_addresses(db, world.campaign_a, ["a@example.org"], "fr", NOW)
    invitations.queue(db, world.campaign_a, "invitation", NOW)
    deliver(db, mail_app.config["SETTINGS"], NOW)
    message = smtp_server.to("a@example.org")[0]
    assert message["Subject"] == "Votre avis compte, Atelier A"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "Bonjour <b>vous</b>," in text and "Ou ici : http://127.0.0.1:5000/s/" in text
    assert "Bonjour &lt;b&gt;vous&lt;/b&gt;," in html and "<b>" not in html
    assert html.count('href="http://127.0.0.1:5000/s/') == 2  # the button and the inline link
    assert "Répondre à l'enquête" in html  # {link} alone on its line is the button
    with freeze_time(NOW):
        listing = office.get(office.url + "/").get_data(as_text=True)
    assert listing.count("Edited for this campaign") == 1


def test_a_text_without_the_link_or_with_an_unknown_placeholder_is_refused(office, db):
    page = edit(office, subject="Avis", body="Bonjour, répondez vite.", save="y").get_data(as_text=True)
    assert "The text needs the {link} placeholder" in page
    page = edit(office, subject="Avis {nom}", body="Bonjour {prenom}, {link}", save="y").get_data(as_text=True)
    assert "Unknown placeholder: {nom}." in page and "Unknown placeholder: {prenom}." in page
    assert db.execute("SELECT count(*) FROM campaign_mail_text").fetchone()[0] == 0


def test_back_to_the_default_text(office, world, db):
    edit(office, subject="Avis", body=BODY, save="y")
    with freeze_time(NOW):
        response = office.post(f"{office.url}/invitation/fr/reset")
    assert response.status_code == 303
    assert db.execute("SELECT count(*) FROM campaign_mail_text").fetchone()[0] == 0
    assert [r["action"] for r in db.query("SELECT action FROM audit_log WHERE action LIKE 'campaign.texts%'")] == [
        "campaign.texts_edit",
        "campaign.texts_reset",
    ]


def test_a_language_the_campaign_does_not_offer_is_a_404(office, seed, db):
    with freeze_time(NOW):
        assert office.get(office.url + "/invitation/de").status_code == 404


def test_the_next_wave_starts_with_the_same_texts_and_plan(office, world, db):
    from survey_app.mail import reminders

    reminders.save_plan(db, world.campaign_a, reminders.Plan(1, 10, 3))
    edit(office, subject="Avis {enterprise}", body=BODY, save="y")
    with freeze_time(NOW):
        copy = office.post(f"/admin/campaigns/{world.campaign_a}/duplicate")
    new_id = int(copy.headers["Location"].split("/")[-2])
    assert reminders.plan_of(db, new_id) == reminders.Plan(1, 10, 3)
    assert db.execute(
        "SELECT subject FROM campaign_mail_text WHERE campaign_id = ? AND kind = 'invitation' AND language = 'fr'",
        [new_id],
    ).fetchone() == ("Avis {enterprise}",)
