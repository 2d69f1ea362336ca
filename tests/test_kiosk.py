"""Kiosk links on a shared tablet: a fresh person key at each start, pages without a current person
go to the start, an idle draft is cleared (server side), the thank-you page returns to the start,
a ceiling of responses per hour, all of it managed on the links page."""

from __future__ import annotations

from datetime import timedelta

import pytest

from survey_app.domain.kiosks import add_kiosk
from survey_app.storage.db import write_transaction
from tests.app_support import NOW
from tests.survey_support import BENEFICIARIES, CSRF, SUBMISSION, responses


class Clock:
    def __init__(self, monkeypatch):
        self.now = NOW
        monkeypatch.setattr("survey_app.core.timeutil.now_utc", lambda: self.now)


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch)


@pytest.fixture
def tablet(app, seed, db, clock):
    """A kiosk (ceiling 2 per hour) of an open beneficiaries campaign, and a browser on it."""
    campaign = seed.campaign(seed.enterprise())
    with write_transaction(db):
        kiosk_id = add_kiosk(db, campaign, "Accueil", 2, NOW)
    token = db.execute("SELECT token FROM kiosk WHERE id = ?", [kiosk_id]).fetchone()[0]
    return {"path": f"/k/{token}", "client": app.test_client(), "campaign": campaign, "id": kiosk_id}


def start(tablet, mode="standard"):
    page = tablet["client"].get(tablet["path"]).get_data(as_text=True)
    found = CSRF.search(page)  # a full tablet shows no Start button: reuse the session's token
    tablet["csrf"] = found.group(1) if found else tablet["csrf"]
    return tablet["client"].post(f"{tablet['path']}/start", data={"csrf_token": tablet["csrf"], "mode": mode})


def answer(tablet, number, answers, action="next"):
    page = tablet["client"].get(f"{tablet['path']}/{number}").get_data(as_text=True)
    data = {"csrf_token": CSRF.search(page).group(1), "action": action, **answers}
    if SUBMISSION.search(page):
        data["submission_id"] = SUBMISSION.search(page).group(1)
    return tablet["client"].post(f"{tablet['path']}/{number}", data=data)


def complete(tablet):
    for number, answers in enumerate(BENEFICIARIES, start=1):
        response = answer(tablet, number, answers, "submit" if number == len(BENEFICIARIES) else "next")
    return response


def test_each_start_gives_a_new_person_and_drops_the_previous_draft(tablet, db):
    assert tablet["client"].get(f"{tablet['path']}/1").headers["Location"] == tablet["path"]  # nobody started
    first = start(tablet)
    assert first.status_code == 303 and first.headers["Location"] == f"{tablet['path']}/1"
    cookie = first.headers["Set-Cookie"]
    assert "vises_kiosk=" in cookie and "Path=/k/" in cookie and "HttpOnly" in cookie
    answer(tablet, 1, BENEFICIARIES[0])
    assert db.execute("SELECT kiosk_id, page FROM draft").fetchall() == [(tablet["id"], 0)]
    second = start(tablet)  # the next person presses Start: the first one's answers are gone
    assert second.headers["Set-Cookie"] != cookie
    (answers,) = db.execute("SELECT answers FROM draft").fetchone()
    assert answers == "{}"
    page = tablet["client"].get(f"{tablet['path']}/1")
    assert page.status_code == 200 and "checked" not in page.get_data(as_text=True)
    assert page.headers["Cache-Control"] == "no-store"


def test_sending_forgets_the_person_and_the_thank_you_page_returns_to_the_start(tablet, db, app):
    start(tablet)
    sent = complete(tablet)
    assert sent.status_code == 303 and sent.headers["Location"] == f"{tablet['path']}/thanks"
    assert "vises_kiosk=;" in sent.headers["Set-Cookie"] and "Max-Age=0" in sent.headers["Set-Cookie"]
    (stored,) = responses(db)
    assert (stored["link"], stored["channel"]) == ("open", "self")
    thanks = tablet["client"].get(f"{tablet['path']}/thanks").get_data(as_text=True)
    seconds = app.config["SETTINGS"]["kiosk.thanks_seconds"]
    assert f'<meta http-equiv="refresh" content="{seconds};url={tablet["path"]}">' in thanks
    # Back to a page of the survey: the server has no person any more, so it shows the start.
    for number in (1, 2, 3):
        assert tablet["client"].get(f"{tablet['path']}/{number}").headers["Location"] == tablet["path"]
    assert db.execute("SELECT count(*) FROM draft").fetchone()[0] == 0


def test_an_idle_draft_is_cleared_by_the_server(tablet, db, clock, app):
    settings = app.config["SETTINGS"]
    start(tablet)
    answer(tablet, 1, BENEFICIARIES[0])
    page = tablet["client"].get(f"{tablet['path']}/2").get_data(as_text=True)
    idle_url = f"{tablet['path']}/idle"
    assert (
        f'<noscript><meta http-equiv="refresh" content="{settings["kiosk.idle_seconds"]};url={idle_url}"></noscript>'
        in page
    )
    assert 'id="kiosk-timer"' in page and "Save and continue later" not in page
    idle = tablet["client"].get(idle_url).get_data(as_text=True)
    assert f'content="{settings["kiosk.warning_seconds"]};url={tablet["path"]}/cleared"' in idle
    clock.now = NOW + timedelta(seconds=settings["kiosk.idle_seconds"] + settings["kiosk.warning_seconds"] + 1)
    later = tablet["client"].get(f"{tablet['path']}/2")
    assert later.status_code == 303 and later.headers["Location"] == f"{tablet['path']}/cleared"
    assert "vises_kiosk=;" in later.headers["Set-Cookie"]
    assert db.execute("SELECT count(*) FROM draft").fetchone()[0] == 0
    cleared = tablet["client"].get(f"{tablet['path']}/cleared").get_data(as_text=True)
    assert "Nothing was sent" in cleared or "Rien n'a été envoyé" in cleared


def test_a_draft_saved_recently_is_kept(tablet, db, clock, app):
    settings = app.config["SETTINGS"]
    start(tablet)
    clock.now = NOW + timedelta(seconds=settings["kiosk.idle_seconds"])
    answer(tablet, 1, BENEFICIARIES[0])  # saving restarts the idle clock
    clock.now += timedelta(seconds=settings["kiosk.idle_seconds"])
    assert tablet["client"].get(f"{tablet['path']}/2").status_code == 200


def test_the_hourly_ceiling_stops_a_tablet_until_the_next_hour(tablet, db, clock, signed_in, world):
    for _ in range(2):
        start(tablet)
        complete(tablet)
    assert len(responses(db)) == 2
    page = tablet["client"].get(tablet["path"]).get_data(as_text=True)
    assert "many answers this hour" in page or "beaucoup de réponses" in page
    assert start(tablet).status_code == 429
    clock.now = NOW + timedelta(hours=1)
    assert start(tablet).status_code == 303
    complete(tablet)
    assert len(responses(db)) == 3


def test_a_person_who_started_before_the_ceiling_cannot_send_beyond_it(tablet, db, app):
    start(tablet)
    second = {**tablet, "client": app.test_client()}  # the same kiosk link open on a second device
    for _ in range(2):
        start(second)
        complete(second)
    for number, answers in enumerate(BENEFICIARIES[:-1], start=1):
        answer(tablet, number, answers)
    refused = answer(tablet, 3, BENEFICIARIES[2], "submit")
    assert refused.status_code == 429 and len(responses(db)) == 2
    assert "beaucoup de réponses cette heure-ci" in refused.get_data(as_text=True)
    assert db.execute("SELECT count(*) FROM draft").fetchone()[0] == 1  # the answers are kept, not sent


def test_managers_add_and_remove_tablets_and_see_the_hourly_count(world, db, signed_in, at_now):
    office = signed_in("anna@example.org")
    added = office.post(f"/admin/campaigns/{world.campaign_a}/kiosks/", {"name": "Accueil", "hourly_limit": "12"})
    assert added.status_code == 303
    kiosk_id, token, limit = db.execute("SELECT id, token, hourly_limit FROM kiosk").fetchone()
    page = office.get(f"/admin/campaigns/{world.campaign_a}/links/").get_data(as_text=True)
    assert f"/k/{token}" in page and "0 / 12" in page
    assert (
        office.post(f"/admin/campaigns/{world.campaign_a}/kiosks/", {"name": "", "hourly_limit": "0"}).status_code
        == 303
    )
    assert db.execute("SELECT count(*) FROM kiosk").fetchone()[0] == 1
    assert office.client.get(f"/k/{token}").status_code == 200
    removed = office.post(f"/admin/campaigns/{world.campaign_a}/kiosks/{kiosk_id}/remove", {})
    assert removed.status_code == 303
    assert office.client.get(f"/k/{token}").status_code == 404
    other = signed_in("bert@example.org")
    assert (
        other.post(f"/admin/campaigns/{world.campaign_a}/kiosks/", {"name": "X", "hourly_limit": "5"}).status_code
        == 404
    )


def test_a_tablet_can_start_in_easy_mode(tablet, db, app):
    started = start(tablet, "easy")
    assert started.headers["Location"] == f"{tablet['path']}/easy/1"
    assert db.execute("SELECT mode FROM draft").fetchone() == ("easy",)
    page = tablet["client"].get(f"{tablet['path']}/easy/1").get_data(as_text=True)
    assert 'id="kiosk-timer"' in page and "Save and continue later" not in page and "Enregistrer" not in page
    other = app.test_client()  # a browser that never pressed Start
    assert other.get(f"{tablet['path']}/easy/1").headers["Location"] == tablet["path"]


def test_a_tablet_of_another_enterprise_is_out_of_reach(world, db, signed_in, at_now):
    office, other = signed_in("anna@example.org"), signed_in("bert@example.org")
    assert (
        office.post(f"/admin/campaigns/{world.campaign_a}/kiosks/", {"name": "Hall", "hourly_limit": "5"}).status_code
        == 303
    )
    hall = db.execute("SELECT id FROM kiosk WHERE name = 'Hall'").fetchone()[0]
    # Bert's own campaign in the URL does not reach Anna's tablet.
    assert other.post(f"/admin/campaigns/{world.campaign_b}/kiosks/{hall}/remove", {}).status_code == 303
    assert db.execute("SELECT removed_at FROM kiosk WHERE id = ?", [hall]).fetchone() == (None,)
