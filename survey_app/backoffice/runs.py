"""Run log page and "refresh now" button for federation admins.

The button queues a refresh of every enterprise (pipeline/refresh_queue.py) and answers at once
(303 back to the log): the run happens on the serving process's worker thread (or the scheduler's
poll), since a full run can take minutes, longer than any request should. The database lease
keeps it from overlapping with the weekly run or a second click.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, g, redirect, render_template, url_for
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from sqlite_utils import Database

from pipeline import lease, refresh_queue
from pipeline.runlog import recent_runs
from survey_app.accounts import audit
from survey_app.accounts.guards import admin_required
from survey_app.core.timeutil import now_utc, parse_iso
from survey_app.results import refresh as refresh_worker
from survey_app.web.db import get_db

bp = Blueprint("runs", __name__, url_prefix="/admin/runs")


class RefreshForm(FlaskForm):
    """No fields: the form exists for its CSRF token."""


def requests_of(db: Database, run_ids: list[int]) -> dict[int, dict[str, Any]]:
    """Why each queued run ran: the first request it served, with its enterprise and campaign."""
    if not run_ids:
        return {}
    found: dict[int, dict[str, Any]] = {}
    for row in db.query(
        "SELECT r.run_id, r.reason, e.name AS enterprise, c.title AS campaign FROM refresh_request r "
        "LEFT JOIN enterprise e ON e.id = r.enterprise_id LEFT JOIN campaign c ON c.id = r.campaign_id "
        f"WHERE r.run_id IN ({', '.join('?' * len(run_ids))}) ORDER BY r.id",
        run_ids,
    ):
        found.setdefault(row["run_id"], row)
    return found


def _started_by(run: dict[str, Any], request: dict[str, Any] | None, first_success: int | None) -> str:
    if request and request["reason"] == "manager":
        return _("A manager's refresh")
    if request and request["reason"] == "campaign-closed":
        return _("Campaign closed: %(title)s", title=request["campaign"] or "–")
    if run["trigger"] == "catch-up" and (first_success is None or run["id"] <= first_success):
        return _("First computation after installation")  # nothing to catch up on yet
    triggers = {
        "schedule": _("Weekly schedule"),
        "catch-up": _("Catch-up after a missed week"),
        "manual": _("Refresh button"),
        "cli": _("Command line"),
    }
    return triggers.get(run["trigger"], run["trigger"])


def _row(run: dict[str, Any], request: dict[str, Any] | None, first_success: int | None) -> dict[str, Any]:
    """Labels and local times (Babel, page language) prepared here, so the template only prints."""

    def local(text: str | None) -> str:
        return format_datetime(parse_iso(text), "short") if text else "–"

    statuses = {"running": _("Running"), "success": _("Succeeded"), "failed": _("Failed")}
    counts = run["counts"]
    scope = run["scope"]
    return {
        "id": run["id"],
        "trigger": _started_by(run, request, first_success),
        "scope": _("every enterprise") if scope == "all" else (request or {}).get("enterprise") or scope,
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
    runs = recent_runs(db, 50)
    first = db.execute("SELECT MIN(id) FROM pipeline_run WHERE status = 'success' AND scope = 'all'").fetchone()[0]
    requests = requests_of(db, [run["id"] for run in runs])
    rows = [_row(run, requests.get(run["id"]), first) for run in runs]
    busy = lease.current(db) is not None or refresh_queue.waiting(db) > 0
    return render_template("runs/index.html", runs=rows, form=RefreshForm(), busy=busy)


@bp.post("/refresh")
@admin_required
def refresh():
    if RefreshForm().validate_on_submit():
        refresh_queue.enqueue(get_db(), now_utc(), "admin", user_id=g.user["id"])
        audit.record("pipeline.refresh")
        refresh_worker.wake()
        flash(_("The refresh has started. Reload this page to follow it."))
    return redirect(url_for("runs.index"), code=303)
