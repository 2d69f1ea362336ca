"""Fresh figures: a manager's refresh updates the dashboard within one run; a closed campaign's
figures appear without an admin (closed by hand, or by its date through the scheduler's poll);
requests are merged, rate limited, shown with their progress, and survive a busy lease."""

from __future__ import annotations

from datetime import timedelta

import pytest

from pipeline import lease, refresh_queue, runner, scheduler
from pipeline.runner import RunRequest, run_pipeline
from pipeline.sample.responses import add_responses
from survey_app.core import config
from survey_app.results import refresh
from tests.app_support import NOW, Seeder
from tests.dashboard_support import ENTERPRISE, OTHER, tables

ANSWERS = {"treated_with_respect": 5}  # the "Respect" indicator of beneficiaries


def latest_closed(db, enterprise_id, group):
    return db.execute(
        "SELECT id FROM campaign WHERE enterprise_id = ? AND stakeholder_group = ? ORDER BY closes_at DESC LIMIT 1",
        [enterprise_id, group],
    ).fetchone()[0]


def answers_cell(html, group, label):
    """The 'Answers (n)' cell of one row of a group's indicator table."""
    row = next(r for r in tables(html)[f"table-{group}"] if r[0] == label)
    return row[3]


def finish(app):
    """Wait for the serving process's worker thread, as a browser would wait and reload."""
    app.extensions["vises.refresh_thread"].join(120)
    assert not app.extensions["vises.refresh_thread"].is_alive()


def test_a_managers_refresh_updates_the_dashboard_within_one_run(demo_app, demo_db, as_user):
    anna = as_user("anna")
    url = f"/admin/enterprises/{ENTERPRISE}/dashboard?lang=en"
    before = anna.get(url).get_data(as_text=True)
    n_before = int(answers_cell(before, "beneficiaries", "Respect"))
    assert "Recompute the figures now" in before
    add_responses(demo_db, latest_closed(demo_db, ENTERPRISE, "beneficiaries"), [ANSWERS] * 6)
    runs_before = demo_db.execute("SELECT COUNT(*) FROM pipeline_run").fetchone()[0]

    response = anna.post(f"/admin/enterprises/{ENTERPRISE}/refresh")
    assert response.status_code == 303 and response.headers["Location"].endswith("/dashboard#freshness")
    finish(demo_app)

    after = anna.get(url).get_data(as_text=True)
    assert int(answers_cell(after, "beneficiaries", "Respect")) == n_before + 6
    runs = list(demo_db.query("SELECT id, trigger, scope, status FROM pipeline_run WHERE id > ?", [runs_before]))
    ours = [r for r in runs if r["scope"] == "enterprise:atelier-jeunes-pousses"]
    assert [(r["trigger"], r["status"]) for r in ours] == [("manual", "success")]  # one run
    request = next(demo_db.query("SELECT status, run_id FROM refresh_request WHERE reason = 'manager'"))
    assert request == {"status": "done", "run_id": ours[0]["id"]}
    # The demo's open third waves closed (by the clock) since its run: their closing joined the queue,
    # Atelier's merged into the manager's request, another enterprise's got a run of its own.
    assert {r["scope"] for r in runs} == {"enterprise:atelier-jeunes-pousses", "enterprise:leerwerkplaats-de-brug"}
    assert "The refresh has started" in after  # the flash, once


def test_refreshes_are_merged_rate_limited_and_scoped(demo_db, as_user, monkeypatch):
    monkeypatch.setattr(refresh, "wake", lambda app=None: None)  # keep the requests waiting
    anna = as_user("anna")
    for _ in range(refresh.PER_HOUR):
        assert anna.post(f"/admin/enterprises/{ENTERPRISE}/refresh").status_code == 303
    assert demo_db.execute("SELECT COUNT(*) FROM refresh_request").fetchone()[0] == 1  # merged while waiting
    page = anna.client.get(f"/admin/enterprises/{ENTERPRISE}/dashboard?lang=en").get_data(as_text=True)
    assert "A refresh was asked for at" in page and "Recompute the figures now" not in page
    anna.post(f"/admin/enterprises/{ENTERPRISE}/refresh")
    page = anna.client.get(f"/admin/enterprises/{ENTERPRISE}/dashboard?lang=en").get_data(as_text=True)
    assert "refreshed several times this hour" in page
    assert anna.post(f"/admin/enterprises/{OTHER}/refresh").status_code == 404  # not her enterprise
    assert anna.post(f"/admin/enterprises/{ENTERPRISE}/refresh", csrf=False).status_code == 400


def test_the_dashboard_shows_progress_and_the_time_of_the_figures(demo_db, as_user):
    anna = as_user("anna")
    request_id = refresh_queue.enqueue(demo_db, NOW, "manager", ENTERPRISE)
    taken = refresh_queue.claim(demo_db, lease.new_holder(), NOW + timedelta(minutes=1))
    assert taken.ids == (request_id,) and taken.enterprise_slug == "atelier-jeunes-pousses"
    demo_db.execute('UPDATE refresh_request SET step = \'{"step": "planned"}\'')
    page = anna.get(f"/admin/enterprises/{ENTERPRISE}/dashboard?lang=en").get_data(as_text=True)
    assert "Indicators computed on Wednesday 4 March 2026 at 11:00" in page  # the time of the figures shown
    assert "Refresh running since 11:01: computing the indicators." in page
    assert "Recompute the figures now" not in page


def test_a_campaign_closed_by_hand_gets_its_figures_without_an_admin(app, db, world, signed_in):
    """Answers come in after the last run; the manager closes the campaign; its worker computes it."""
    seed = Seeder(db)
    campaign = seed.campaign(world.enterprise_a, title="Open wave", closes_at=NOW + timedelta(days=3650))
    run_pipeline(db, app.config["SETTINGS"], NOW, RunRequest(trigger="schedule", charts=False))
    add_responses(db, campaign, [ANSWERS] * 7)
    anna = signed_in("anna@example.org")
    url = f"/admin/enterprises/{world.enterprise_a}/dashboard?lang=en&wave={campaign}"
    respect = next(r for r in tables(anna.get(url).get_data(as_text=True))["table-beneficiaries"] if r[0] == "Respect")
    assert respect[1:] == ["fewer than 5 answers"]  # computed before the answers came in

    assert anna.post(f"/admin/campaigns/{campaign}/close", {"confirmed": "yes"}).status_code == 303
    finish(app)

    html = anna.get(url).get_data(as_text=True)
    assert "Open wave" in html and answers_cell(html, "beneficiaries", "Respect") == "7"
    request = next(db.query("SELECT reason, status, run_id FROM refresh_request WHERE campaign_id = ?", [campaign]))
    assert request["reason"] == "campaign-closed" and request["status"] == "done"
    run = next(db.query("SELECT trigger, scope, full FROM pipeline_run WHERE id = ?", [request["run_id"]]))
    assert run == {"trigger": "manual", "scope": "enterprise:atelier-a", "full": 1}


@pytest.fixture
def queue_settings(pipeline_db, monkeypatch):
    monkeypatch.setattr(runner, "render_charts", lambda *args: 0)
    path = pipeline_db.conn.execute("PRAGMA database_list").fetchone()[2]
    return config.validate({"database.path": path}, "tests")


def test_a_campaign_closing_by_date_is_queued_once_and_run_by_the_poll(pipeline_db, queue_settings):
    seed = Seeder(pipeline_db)
    enterprise = seed.enterprise()
    campaign = seed.campaign(enterprise, closes_at=NOW + timedelta(hours=1))
    run_pipeline(pipeline_db, queue_settings, NOW, RunRequest(trigger="schedule", charts=False))
    add_responses(pipeline_db, campaign, [ANSWERS] * 5)
    later = NOW + timedelta(hours=2)
    assert refresh_queue.queue_closed_campaigns(pipeline_db, later) == 1
    assert refresh_queue.queue_closed_campaigns(pipeline_db, later) == 0  # once, however many pollers
    scheduler.run_refresh_queue(queue_settings, clock=lambda: later)
    assert next(pipeline_db.query("SELECT status FROM refresh_request"))["status"] == "done"
    row = pipeline_db.execute(
        "SELECT n FROM indicator_value WHERE campaign_id = ? AND key = 'respect'", [campaign]
    ).fetchone()
    assert row[0] == 5


def test_claims_merge_one_enterprise_and_requeue_abandoned_work(pipeline_db):
    seed = Seeder(pipeline_db)
    first, second = seed.enterprise("Un"), seed.enterprise("Deux")
    closing = seed.campaign(first)
    a = refresh_queue.enqueue(pipeline_db, NOW, "manager", first)
    b = refresh_queue.enqueue(pipeline_db, NOW, "campaign-closed", first, campaign_id=closing)
    c = refresh_queue.enqueue(pipeline_db, NOW, "manager", second)
    taken = refresh_queue.claim(pipeline_db, "here:1:1:x", NOW)
    assert taken.ids == (a, b) and taken.full  # a closed campaign is recomputed from its answers
    pipeline_db.execute("UPDATE refresh_request SET holder = 'elsewhere:999999999:1:x' WHERE id = ?", [a])
    assert refresh_queue.claim(pipeline_db, "here:2:1:y", NOW).ids == (c,)
    assert refresh_queue.claim(pipeline_db, "here:3:1:z", NOW + lease.TTL + timedelta(minutes=1)).ids == (a, b)
    assert refresh_queue.enqueue(pipeline_db, NOW, "admin") != a  # nothing waits: a new global request


def test_a_busy_lease_leaves_the_request_waiting(pipeline_db, queue_settings):
    seed = Seeder(pipeline_db)
    enterprise = seed.enterprise()
    seed.campaign(enterprise)
    refresh_queue.enqueue(pipeline_db, NOW, "manager", enterprise)
    assert lease.acquire(pipeline_db, "weekly-run-elsewhere", NOW)
    assert refresh_queue.run_next(pipeline_db, queue_settings, lambda: NOW, "me") is False
    assert refresh_queue.waiting(pipeline_db) == 1
    lease.release(pipeline_db, "weekly-run-elsewhere")
    assert refresh_queue.run_next(pipeline_db, queue_settings, lambda: NOW, "me") is True
    assert refresh_queue.run_next(pipeline_db, queue_settings, lambda: NOW, "me") is None


def test_the_scheduler_polls_the_queue(queue_settings):
    sched = scheduler.configure(scheduler._scheduler(scheduler.BackgroundScheduler, queue_settings), queue_settings)
    sched.start(paused=True)
    try:
        job = sched.get_job("refresh-queue")
        assert job is not None and job.trigger.interval == timedelta(seconds=scheduler.QUEUE_POLL_SECONDS)
    finally:
        sched.shutdown(wait=False)
