"""Fresh figures: a manager's "refresh now" for their own enterprise, the worker thread that runs
queued recomputes in the serving process, and the words the dashboard shows about them.

The button queues a request (pipeline/refresh_queue.py) and answers at once (303 back to the
dashboard): the run happens on the worker thread, under the pipeline lease. A manager may ask a
few times an hour per enterprise; requests that meet one already waiting are merged into it.
"""

from __future__ import annotations

import json
import logging
import threading
from typing import Any

from flask import Blueprint, Flask, abort, current_app, flash, g, redirect, url_for
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from sqlite_utils import Database

from pipeline import refresh_queue
from survey_app.accounts import audit
from survey_app.accounts.guards import login_required, require_sign_in
from survey_app.accounts.scoping import enterprise_or_404
from survey_app.core.timeutil import now_utc, parse_iso
from survey_app.storage import ratelimit
from survey_app.web.db import get_db

bp = Blueprint("refresh", __name__, url_prefix="/admin/enterprises/<int:enterprise_id>/refresh")
bp.before_request(require_sign_in)
log = logging.getLogger("vises.refresh")
PER_HOUR = 4  # manager refreshes per enterprise and hour: enough to check a wave, not to load the server
RETRY_SECONDS = 5.0  # while another run holds the lease, the worker looks again this often
RETRY_FOR = 30 * 60.0  # ...for at most a lease's lifetime; the scheduler's poll takes over after that


class RefreshForm(FlaskForm):
    """No fields: the button posts only its CSRF token."""


class Worker:
    """One background thread per serving process, started when a request is queued and ended
    when the queue is empty (no thread idles between refreshes)."""

    def __init__(self, app: Flask):
        self.app, self.settings = app, app.config["SETTINGS"]
        self.lock, self.wakeup = threading.Lock(), threading.Event()
        self.thread: threading.Thread | None = None

    def wake(self) -> threading.Thread:
        with self.lock:
            self.wakeup.set()
            if self.thread is None:
                self.thread = threading.Thread(target=self._work, name="vises-refresh", daemon=True)
                self.app.extensions["vises.refresh_thread"] = self.thread
                self.thread.start()
            return self.thread

    def _work(self) -> None:
        waited = 0.0
        while True:
            self.wakeup.clear()
            try:
                left = refresh_queue.run_queued(self.settings, now_utc)
            except Exception:  # job boundary: the run log and the request say it failed
                log.exception("queued refresh failed")
                left = 0
            with self.lock:
                if (left == 0 and not self.wakeup.is_set()) or waited >= RETRY_FOR:
                    self.thread = None
                    return
            self.wakeup.wait(RETRY_SECONDS)
            waited += RETRY_SECONDS


def wake(app: Flask | None = None) -> threading.Thread:
    """Have this process's worker look at the queue now."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    worker = app.extensions.get("vises.refresh_worker")
    if worker is None:
        worker = app.extensions["vises.refresh_worker"] = Worker(app)
    return worker.wake()


STEPS = {  # the last step the run reported -> what it is doing now
    "": lambda: _("planning which campaigns to recompute"),
    "planned": lambda: _("computing the indicators"),
    "computing": lambda: _("computing the indicators"),
    "read and computed": lambda: _("comparing with earlier waves and similar enterprises"),
    "compared": lambda: _("saving the results"),
    "saved": lambda: _("preparing the report charts"),
    "charts": lambda: _("finishing"),
    "done": lambda: _("finishing"),
}


def status(db: Database, enterprise_id: int) -> dict[str, Any] | None:
    """The latest request covering this enterprise that is waiting or running, in words."""
    row = db.execute(
        "SELECT status, requested_at, started_at, step FROM refresh_request WHERE status IN ('queued', 'running') "
        "AND (enterprise_id IS NULL OR enterprise_id = ?) ORDER BY id DESC LIMIT 1",
        [enterprise_id],
    ).fetchone()
    if row is None:
        return None
    state, requested, started, step = row
    if state == "queued":
        return {
            "running": False,
            "text": _("A refresh was asked for at %(time)s: it starts shortly.", time=_time(requested)),
        }
    name = json.loads(step)["step"] if step else ""
    doing = STEPS.get(name, STEPS[""])()
    return {"running": True, "text": _("Refresh running since %(time)s: %(step)s.", time=_time(started), step=doing)}


def _time(text: str) -> str:
    return format_datetime(parse_iso(text), "HH:mm")


@bp.post("")
@login_required
def request_refresh(enterprise_id: int):
    enterprise_or_404(enterprise_id)
    if not RefreshForm().validate_on_submit():
        abort(400)
    db, now = get_db(), now_utc()
    target = url_for("dashboard.view", enterprise_id=enterprise_id) + "#freshness"
    if db.execute("SELECT 1 FROM campaign WHERE enterprise_id = ? LIMIT 1", [enterprise_id]).fetchone() is None:
        flash(_("There is nothing to compute yet: create a campaign first."))
        return redirect(target, code=303)
    if not ratelimit.allow(db, f"refresh:{enterprise_id}", PER_HOUR, 3600, now):
        flash(_("The figures were refreshed several times this hour: please try again later."), "error")
        return redirect(target, code=303)
    refresh_queue.enqueue(db, now, "manager", enterprise_id, g.user["id"])
    audit.record("pipeline.refresh", "enterprise", enterprise_id, enterprise_id)
    wake()
    flash(_("The refresh has started: the new figures appear here in a few moments."))
    return redirect(target, code=303)
