"""The worker that builds export jobs (storage/export_jobs.py) inside the serving process.

One thread per process takes jobs from a bounded queue and builds them one at a time, so a view
queues a job and answers at once: no request waits on openpyxl (about 30,000 cells a second, a
minute for 100,000 responses) and no server thread is held. The thread shares the interpreter
with the server's threads, so a large export slows other pages a little while it is built,
never stops them. A full queue refuses new jobs (the view says so); a job whose process dies
is reported failed after storage.export_jobs.STALE_AFTER. When the server stops, stop() ends the
job being built at its next progress check and reports it, and the jobs still queued, failed at
once (the requester starts them again), so that no job waits for a thread that is gone.
"""

from __future__ import annotations

import csv
import queue
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from flask import Flask

from survey_app.core import timeutil
from survey_app.core.config import Settings, instance_folder
from survey_app.questionnaire.model import Question
from survey_app.questionnaire.scoring import Scoring
from survey_app.results import exports
from survey_app.storage import export_jobs
from survey_app.storage.db import connect
from survey_app.storage.export_jobs import JobSpec

MAX_WAITING = 4  # jobs queued per process behind the one being built
PROGRESS_EVERY = 2_000  # rows between two progress updates (one small write each)
STOP_WAIT = 2.0  # seconds stop() waits for the job being built to notice and clean up


class Stopped(Exception):
    """The server is stopping: the job being built ends unfinished (and is reported failed)."""


@dataclass(frozen=True)
class Job:
    id: int
    file_name: str
    spec: JobSpec
    questions: tuple[Question, ...]
    scorings: tuple[Scoring, ...] = ()  # per-response scores of validated instruments, as the stream


def export_folder(settings: Settings) -> Path:
    return instance_folder(settings) / "exports"  # `vises purge` deletes expired files there too


class ExportWorker:
    """The export thread of one process (started on first use, so after gunicorn forks)."""

    def __init__(self, app: Flask):
        self._app, self._lock = app, threading.Lock()
        self._queue: queue.Queue[Job] = queue.Queue(maxsize=MAX_WAITING)
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()

    def submit(self, job: Job) -> bool:
        """Queue `job`; False when the queue is full (try again later) or the server is stopping."""
        if self._stopping.is_set():
            return False
        try:
            self._queue.put_nowait(job)
        except queue.Full:
            return False
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._work, name="vises-exports", daemon=True)
                self._thread.start()
        return True

    def join(self) -> None:
        """Wait until every job queued so far is built (or failed)."""
        self._queue.join()

    def stop(self, wait: float = STOP_WAIT) -> None:
        """End with the server: the job being built stops at its next progress check, queued jobs
        are reported failed. The thread is a daemon, so a job slow to notice never holds the exit."""
        self._stopping.set()
        settings = self._app.config["SETTINGS"]
        while True:
            try:
                job = self._queue.get_nowait()
            except queue.Empty:
                break
            fail_unstarted(settings, job)
            self._queue.task_done()
        with self._lock:
            thread = self._thread
        if thread is not None:
            thread.join(wait)

    def _work(self) -> None:
        while not self._stopping.is_set():
            try:
                job = self._queue.get(timeout=0.5)
            except queue.Empty:
                continue
            try:
                with self._app.app_context():  # labels are translated with Flask-Babel
                    build(self._app.config["SETTINGS"], job, self._stopping)
            except Stopped:
                self._app.logger.warning("export job %s stopped with the server", job.id)
            except Exception:
                self._app.logger.exception("export job %s failed", job.id)
            finally:
                self._queue.task_done()


def fail_unstarted(settings: Settings, job: Job) -> None:
    db = connect(settings.database.path)
    try:
        export_jobs.fail(db, job.id, timeutil.now_utc(), timedelta(hours=settings.retention.export_file_hours))
    finally:
        db.close()


def build(settings: Settings, job: Job, stopping: threading.Event | None = None) -> None:
    """Write the job's file (as NAME.part, renamed when complete) and record its progress and end;
    raises Stopped (the job recorded failed, no file left) once `stopping` is set."""
    folder, keep = export_folder(settings), timedelta(hours=settings.retention.export_file_hours)
    folder.mkdir(parents=True, exist_ok=True)
    final = folder / job.file_name
    part = final.with_name(final.name + ".part")
    db = connect(settings.database.path)
    try:
        export_jobs.purge_expired(db, folder, timeutil.now_utc())
        export_jobs.start(db, job.id, timeutil.now_utc())

        def report(done: int) -> None:
            if stopping is not None and stopping.is_set():
                raise Stopped
            export_jobs.progress(db, job.id, done, timeutil.now_utc())

        counter = RowCounter(report)
        spec = job.spec
        table = exports.streamed_rows(  # under the export policy, as the streamed CSV
            settings.database.path,
            spec.campaign_id,
            list(job.questions),
            spec.language,
            spec.labels,
            settings.privacy.min_group_size,
            job.scorings,
        )
        if spec.kind == "xlsx":
            exports.save_xlsx(counter.count(table), part)
        else:
            with part.open("w", encoding="utf-8", newline="") as out:
                out.write("\ufeff")  # as the streamed CSV: spreadsheets then read UTF-8 accents right
                csv.writer(out).writerows(counter.count(table))
        part.rename(final)
        export_jobs.finish(db, job.id, final.stat().st_size, counter.rows, timeutil.now_utc(), keep)
    except Exception:  # Stopped included
        part.unlink(missing_ok=True)
        export_jobs.fail(db, job.id, timeutil.now_utc(), keep)
        raise
    finally:
        db.close()


class RowCounter:
    """Counts the response rows of a table (the header aside) as they pass, reporting every so often."""

    def __init__(self, report: Callable[[int], None]):
        self.report, self.rows = report, 0

    def count(self, table: Iterator[list]) -> Iterator[list]:
        yield next(table)  # the header
        for row in table:
            self.rows += 1
            if self.rows % PROGRESS_EVERY == 0:
                self.report(self.rows)
            yield row
