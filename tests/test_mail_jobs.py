"""The scheduler runs the mail jobs the CLI hands it: outbox delivery every 30 seconds, due
reminders every 5 minutes, retention daily; a failing job is logged and the scheduler goes on."""

import logging

from apscheduler.schedulers.background import BackgroundScheduler

from pipeline.scheduler import configure
from survey_app.cli import periodic_jobs
from survey_app.mail.jobs import PERIODIC, deliver_job


def test_the_scheduler_gets_the_mail_jobs_from_the_cli(app):
    assert periodic_jobs() == PERIODIC
    scheduler = configure(BackgroundScheduler(), app.config["SETTINGS"], periodic=periodic_jobs())
    jobs = {job.id: job for job in scheduler.get_jobs()}
    assert {"weekly-refresh", "catch-up", "deliver-outbox", "queue-reminders", "mail-housekeeping"} <= set(jobs)
    assert jobs["deliver-outbox"].trigger.interval.total_seconds() == 30
    assert jobs["queue-reminders"].trigger.interval.total_seconds() == 300
    assert jobs["mail-housekeeping"].trigger.interval.total_seconds() == 86400


def test_a_failing_job_is_logged_and_raises_nothing(app, caplog):
    broken = app.config["SETTINGS"].override({"database.path": "/proc/no/such/dir/vises.db"})
    with caplog.at_level(logging.ERROR, logger="vises.mail"):
        deliver_job(broken)
    assert "deliver-outbox failed" in caplog.text
