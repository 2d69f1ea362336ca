"""The manager's follow-up series pages: create (method, code questions), add waves in order, scoping,
end and erase with a confirmation step (the key file and every link go; the answers stay)."""

from __future__ import annotations

from datetime import timedelta

from survey_app.domain import series
from survey_app.domain.series_codes import LinkHashes
from tests.app_support import NOW


def test_a_manager_creates_a_series_of_their_enterprise_with_code_questions(world, signed_in, db):
    anna = signed_in("anna@example.org")
    page = anna.get("/admin/series/").get_data(as_text=True)
    assert "Atelier A" in page and "Bakkerij B" not in page and "Series B" not in page
    data = {"enterprise": world.enterprise_a, "name": "Parcours", "stakeholder_group": "beneficiaries"}
    few = anna.post("/admin/series/", {**data, "method": "questions", "questions": ["mother_initial"]})
    assert few.status_code == 200 and "Choose between 3 and 5 questions." in few.get_data(as_text=True)
    chosen = ["mother_initial", "birth_month", "older_siblings"]
    created = anna.post("/admin/series/", {**data, "method": "questions", "questions": chosen})
    assert created.status_code == 303
    row = db.execute("SELECT enterprise_id, method, questions FROM series WHERE name = 'Parcours'").fetchone()
    assert tuple(row) == (world.enterprise_a, "questions", "mother_initial birth_month older_siblings")


def test_another_enterprise_cannot_be_chosen(world, signed_in, db):
    anna = signed_in("anna@example.org")
    data = {"enterprise": world.enterprise_b, "name": "X", "stakeholder_group": "beneficiaries", "method": "card"}
    assert anna.post("/admin/series/", data).status_code == 200  # not a choice: the form is shown again
    assert db.execute("SELECT COUNT(*) FROM series WHERE name = 'X'").fetchone()[0] == 0


def test_waves_are_added_in_order_from_the_same_enterprise_and_group(world, signed_in, seed, db):
    later = seed.campaign(world.enterprise_a, title="Six months", opens_at=NOW)
    workers = seed.campaign(world.enterprise_a, group="workers", title="Workers", opens_at=NOW)
    anna = signed_in("anna@example.org")
    url = f"/admin/series/{world.series_a}"
    page = anna.get(url).get_data(as_text=True)
    assert "Campaign A" in page and "Six months" in page and "Workers" not in page
    assert anna.post(url, {"campaign": world.campaign_a}).status_code == 303
    assert anna.post(url, {"campaign": later}).status_code == 303
    assert anna.post(url, {"campaign": workers}).status_code == 200
    assert [w["id"] for w in series.waves(db, world.series_a)] == [world.campaign_a, later]
    campaign_page = anna.get(f"/admin/campaigns/{later}").get_data(as_text=True)
    assert f'href="/admin/series/{world.series_a}">Series A</a> (wave 2)' in campaign_page


def test_ending_then_erasing_destroys_the_key_and_every_link(world, signed_in, seed, db, tmp_path):
    record = {"id": world.series_a, "enterprise_id": world.enterprise_a, "stakeholder_group": "beneficiaries"}
    series.add_wave(db, record, world.campaign_a)
    key_file = tmp_path / "series-keys" / f"{world.series_a}.key"
    from survey_app.domain import series_keys

    series_keys.load_or_create(tmp_path, world.series_a)
    response_id = db.execute(
        "INSERT INTO response (campaign_id, submission_id, language, link, channel, submitted_week) "
        "VALUES (?, 'x' || hex(randomblob(8)), 'fr', 'personal', 'self', '2026-W10')",
        [world.campaign_a],
    ).lastrowid
    series.store_link(db, world.series_a, response_id, LinkHashes("f" * 64, ("a" * 64,)))
    anna = signed_in("anna@example.org")
    url = f"/admin/series/{world.series_a}"
    assert anna.post(f"{url}/erase", {"confirmed": "yes"}).headers["Location"] == url  # only once ended
    assert key_file.exists()
    ask = anna.post(f"{url}/end")
    assert ask.status_code == 200 and "End the series?" in ask.get_data(as_text=True)
    assert anna.post(f"{url}/end", {"confirmed": "yes"}).status_code == 303
    ask = anna.post(f"{url}/erase")
    assert "This cannot be undone." in ask.get_data(as_text=True) and key_file.exists()
    assert anna.post(f"{url}/erase", {"confirmed": "yes"}).status_code == 303
    assert not key_file.exists()
    assert db.execute("SELECT COUNT(*) FROM series_link").fetchone()[0] == 0
    assert db.execute("SELECT COUNT(*) FROM series_link_mask").fetchone()[0] == 0
    assert db.execute("SELECT COUNT(*) FROM response WHERE id = ?", [response_id]).fetchone()[0] == 1
    assert db.execute("SELECT state FROM series WHERE id = ?", [world.series_a]).fetchone()[0] == "erased"
    assert series.wave_of(db, world.campaign_a) is None


def test_another_enterprise_series_is_a_404(world, signed_in):
    anna = signed_in("anna@example.org")
    assert anna.get(f"/admin/series/{world.series_b}").status_code == 404
    assert anna.post(f"/admin/series/{world.series_b}/end", {"confirmed": "yes"}).status_code == 404


def test_campaign_opening_before_the_last_wave_is_not_offered(world, seed, db):
    record = {"id": world.series_a, "enterprise_id": world.enterprise_a, "stakeholder_group": "beneficiaries"}
    assert series.add_wave(db, record, world.campaign_a)
    earlier = seed.campaign(world.enterprise_a, title="Earlier", opens_at=NOW - timedelta(days=30))
    assert not series.add_wave(db, record, earlier)
