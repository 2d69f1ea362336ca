"""Run log page and "refresh now" button for federation admins.

The button starts a run in a background thread and answers at once (303 back to the log): a
full run can take minutes, longer than any request should. The database lease keeps it from
overlapping with the weekly run or a second click.
"""

from __future__ import annotations

import logging
import threading
from typing import Any
from zoneinfo import ZoneInfo

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_wtf import FlaskForm

from pipeline import lease
from pipeline.runlog import recent_runs
from pipeline.runner import RunRequest, run_pipeline
from survey_app.accounts import audit
from survey_app.accounts.guards import admin_required
from survey_app.core.config import Settings
from survey_app.core.timeutil import now_utc, parse_iso
from survey_app.storage.db import connect
from survey_app.web.db import get_db

bp = Blueprint("runs", __name__, url_prefix="/admin/runs")
log = logging.getLogger("vises.runs")


class RefreshForm(FlaskForm):
    """No fields: the form exists for its CSRF token."""


def refresh_in_background(settings: Settings) -> threading.Thread:
    """Start a manual run on its own connection in a daemon thread; return the thread."""

    def work() -> None:
        db = connect(settings.database.path)
        try:
            run_pipeline(db, settings, now_utc(), RunRequest(trigger="manual"), clock=now_utc)
        except Exception:  # job boundary: the run log already says it failed
            log.exception("manual pipeline run failed")
        finally:
            db.close()

    thread = threading.Thread(target=work, name="vises-refresh", daemon=True)
    thread.start()
    return thread


def _row(run: dict[str, Any], tz: ZoneInfo) -> dict[str, Any]:
    """Labels and local times prepared here, so the template only prints."""

    def local(text: str | None) -> str:
        return parse_iso(text).astimezone(tz).strftime("%Y-%m-%d %H:%M") if text else "–"

    triggers = {
        "schedule": _("Weekly schedule"),
        "catch-up": _("Catch-up after a missed week"),
        "manual": _("Refresh button"),
        "cli": _("Command line"),
    }
    statuses = {"running": _("Running"), "success": _("Succeeded"), "failed": _("Failed")}
    counts = run["counts"]
    return {
        "id": run["id"],
        "trigger": triggers.get(run["trigger"], run["trigger"]),
        "status": statuses.get(run["status"], run["status"]),
        "status_code": run["status"],
        "full": run["full"],
        "started": local(run["started_at"]),
        "finished": local(run["finished_at"]),
        "recomputed": counts.get("recomputed"),
        "responses": counts.get("responses"),
        "error": run["error"],
    }


@bp.get("/")
@admin_required
def index():
    db = get_db()
    tz = ZoneInfo(current_app.config["SETTINGS"]["i18n.timezone"])
    runs = [_row(run, tz) for run in recent_runs(db, 50)]
    return render_template("runs/index.html", runs=runs, form=RefreshForm(), busy=lease.current(db) is not None)


@bp.post("/refresh")
@admin_required
def refresh():
    if RefreshForm().validate_on_submit():
        audit.record("pipeline.refresh")
        current_app.extensions["vises.refresh_thread"] = refresh_in_background(current_app.config["SETTINGS"])
        flash(_("The refresh has started. Reload this page to follow it."))
    return redirect(url_for("runs.index"), code=303)
