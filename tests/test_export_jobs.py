"""Exports prepared in the background: the request that asks returns at once, the export page
shows progress then the link; large CSV exports are prepared too; a file is for its requester and
the campaign's managers only; a full queue refuses politely; files expire and are deleted."""

from __future__ import annotations

import csv
import io
import threading
from datetime import timedelta

import pytest

from survey_app.accounts.users import create_user
from survey_app.backoffice import exports as export_views
from survey_app.core.timeutil import now_utc
from survey_app.results import export_worker
from survey_app.storage import export_jobs
from survey_app.storage.db import write_transaction
from tests.app_support import NOW, PASSWORD
from tests.export_helpers import JOB_LINK, prepared_file, ready_link, start_export
from tests.test_exports import add_responses


@pytest.fixture
def campaign(world, db):
    with write_transaction(db):  # its respondents were told that answers may be exported
        db.execute("UPDATE campaign SET responses_exportable = 1 WHERE id = ?", [world.campaign_a])
    add_responses(db, world.campaign_a, 6, text="Merci")
    return world.campaign_a


@pytest.fixture
def held(app, monkeypatch):
    """Builds wait until the test lets them go (what a long export looks like)."""
    release, real = threading.Event(), export_worker.build

    def waiting(settings, job, stopping=None):
        release.wait(timeout=30)
        real(settings, job, stopping)

    monkeypatch.setattr(export_worker, "build", waiting)
    yield release
    release.set()
    if "vises.export_worker" in app.extensions:
        app.extensions["vises.export_worker"].join()  # nothing left running after the test


def page_of(office, campaign) -> str:
    return office.get(f"/admin/campaigns/{campaign}/export/").get_data(as_text=True)


def test_the_request_returns_at_once_and_the_page_shows_progress_then_the_link(campaign, db, signed_in, held):
    anna = signed_in("anna@example.org")
    response = start_export(anna, campaign, "xlsx")
    assert response.status_code == 303 and response.location.endswith(f"/admin/campaigns/{campaign}/export/")
    page = page_of(anna, campaign)  # the build is still waiting: the page says so and reloads itself
    assert "Being prepared: 0 of 6 responses." in page and '<meta http-equiv="refresh" content="5">' in page
    held.set()
    link = ready_link(anna, campaign)
    download = anna.get(link)
    assert download.status_code == 200 and download.headers["Content-Disposition"].endswith("responses.xlsx")
    assert '<meta http-equiv="refresh"' not in page_of(anna, campaign)


def test_a_large_csv_is_prepared_rather_than_streamed(campaign, db, signed_in, monkeypatch):
    monkeypatch.setattr(export_views, "STREAM_LIMIT", 5)
    anna = signed_in("anna@example.org")
    streamed = anna.get(f"/admin/campaigns/{campaign}/export/responses.csv?language=en")
    assert streamed.status_code == 303 and streamed.location.endswith(f"/campaigns/{campaign}/export/")
    assert "Prepare a CSV file" in page_of(anna, campaign)
    body = prepared_file(anna, campaign, "csv").get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(body.lstrip("\ufeff"))))
    assert len(rows) == 6 and rows[0]["what_changed"] == "Merci"


def test_a_file_is_for_its_requester_and_the_campaigns_managers(app, world, campaign, db, signed_in):
    with write_transaction(db):
        create_user(db, "other.admin@example.org", PASSWORD, "admin", "en", NOW)
    admin = signed_in("admin@example.org")
    assert start_export(admin, campaign, "xlsx").status_code == 303
    link = ready_link(admin, campaign)
    assert admin.get(link).status_code == 200
    assert signed_in("anna@example.org").get(link).status_code == 200  # a manager of the campaign
    other = signed_in("other.admin@example.org").get(link)
    assert other.status_code == 200 and "prepared for someone else" in other.get_data(as_text=True)
    assert not JOB_LINK.search(page_of(signed_in("other.admin@example.org"), campaign))  # not listed either
    assert signed_in("bert@example.org").get(link).status_code == 404  # another enterprise


def test_a_full_queue_refuses_new_exports_politely(campaign, db, signed_in, held):
    anna = signed_in("anna@example.org")
    for _ in range(1 + export_worker.MAX_WAITING):  # one being built, the others waiting
        assert start_export(anna, campaign, "xlsx").status_code == 303
    refused = anna.client.get(start_export(anna, campaign, "xlsx").location).get_data(as_text=True)
    assert "Several exports are being prepared already" in refused
    states = [r[0] for r in db.execute("SELECT state FROM export_job ORDER BY id")]
    assert states[-1] == "failed" and len(states) == 2 + export_worker.MAX_WAITING


def test_files_expire_and_are_deleted(app, campaign, db, signed_in):
    anna = signed_in("anna@example.org")
    assert start_export(anna, campaign, "csv").status_code == 303
    link = ready_link(anna, campaign)
    folder = export_worker.export_folder(app.config["SETTINGS"])
    assert len(list(folder.iterdir())) == 1
    later = now_utc() + timedelta(hours=app.config["SETTINGS"].retention.export_file_hours, minutes=1)
    assert export_jobs.purge_expired(db, folder, later) == 1
    assert list(folder.iterdir()) == [] and db.execute("SELECT COUNT(*) FROM export_job").fetchone()[0] == 0
    assert "it expired" in anna.get(link).get_data(as_text=True)


def test_a_job_whose_process_stopped_shows_as_failed(campaign, db, signed_in, world):
    spec = export_jobs.JobSpec(campaign, world.manager_a, "xlsx", "en", False)
    export_jobs.create(db, spec, 6, now_utc() - export_jobs.STALE_AFTER - timedelta(minutes=1))
    page = page_of(signed_in("anna@example.org"), campaign)
    assert "Failed. Please try again" in page and '<meta http-equiv="refresh"' not in page


def test_stopping_the_server_fails_queued_jobs_at_once_and_ends_the_thread(app, campaign, db, signed_in, held):
    anna = signed_in("anna@example.org")
    for _ in range(2):  # the first is taken by the thread (held), the second waits in the queue
        assert start_export(anna, campaign, "xlsx").status_code == 303
    worker = app.extensions["vises.export_worker"]
    worker.stop(wait=0)
    states = [r[0] for r in db.execute("SELECT state FROM export_job ORDER BY id")]
    assert states[1] == "failed"  # not left "waiting" for a thread that is gone
    assert start_export(anna, campaign, "xlsx").status_code == 303
    assert db.execute("SELECT state FROM export_job ORDER BY id DESC").fetchone()[0] == "failed"
    held.set()
    worker._thread.join(timeout=10)
    assert not worker._thread.is_alive()


def test_a_job_being_built_stops_at_its_next_progress_check(app, campaign, db, world, monkeypatch):
    monkeypatch.setattr(export_worker, "PROGRESS_EVERY", 2)
    spec = export_jobs.JobSpec(campaign, world.manager_a, "csv", "en", False)
    job_id = export_jobs.create(db, spec, 6, now_utc())
    row = export_jobs.get(db, campaign, job_id, now_utc())
    job = export_worker.Job(job_id, row["file_name"], spec, ())
    stopping = threading.Event()
    stopping.set()
    with app.app_context(), pytest.raises(export_worker.Stopped):
        export_worker.build(app.config["SETTINGS"], job, stopping)
    assert db.execute("SELECT state FROM export_job WHERE id = ?", [job_id]).fetchone()[0] == "failed"
    assert list(export_worker.export_folder(app.config["SETTINGS"]).iterdir()) == []  # no part file left
