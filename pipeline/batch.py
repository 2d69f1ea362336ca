"""The scoring batch at the start of a run: the responses above the watermark in chunks, on two
cores when there are many, then the campaigns to rebuild from their raw answers.

Chunks land in id order: the watermark only ever moves past responses whose scores are stored.
But a chunk's read half (sums.read_range, four fifths of its cost) takes no lock, so from
`HELPER_FROM` chunks on (a `--full` rebuild, a large import) a helper process, on a connection of
its own, claims the next chunk whenever it is free, reads it while this process lands the one
below, then lands its own in turn. It has to be a process: two threads of one process, each with
its own connection, ran SQLite's statements no faster than one (docs/performance.md). If the helper
cannot start or stops half-way, this process scores the chunks it left, so the batch ends the same.
Between its chunks, and while it waits for the helper's chunk to land, this process does other
work of the run (`idle`: a `--full` computes the waves whose responses all landed, prefetch.py).
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import pickle
import re
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from multiprocessing.process import BaseProcess
from pathlib import Path

from sqlite_utils import Database

from pipeline import scoring, sums
from pipeline.turns import Turns
from survey_app.storage.db import connect, write_transaction

CHUNK = 20_000  # responses per chunk: its write half holds the write lock for about a tenth of a second
TAIL_CHUNKS = 2  # from HELPER_FROM chunks on, the last two chunks are scored in quarters
HELPER_FROM = 4  # chunks; below that, starting a process (about half a second) costs more than it saves
REBUILD_ONE_BY_ONE = 50  # above this many stale campaigns (and a tenth of them), rescore everything in chunks
Progress = Callable[[int, int], None]
# A small step of other work, given the batch's watermark and how far it landed; whether more is ready.
Idle = Callable[[int, int], bool]
Ranges = Sequence[tuple[int, int]]
Tables = list[tuple[str, str, list[tuple]]]  # name, definition, rows
log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Scored:
    """What a scoring batch did: responses scored in chunks, campaigns rebuilt, the new watermark."""

    responses: int
    rebuilt: int
    watermark: int


def score_new(
    db: Database, plans: dict[int, str], progress: Progress | None = None, helper: bool = True, idle: Idle | None = None
) -> Scored:
    """Score the responses above the watermark in chunks, then rebuild stale or re-planned campaigns.
    `helper`: whether a large batch may use a second process (settings: schedule.scoring_helper);
    `idle(watermark, landed)` is called between chunks and while this process waits for the helper."""
    low, top = sums.watermark(db), db.execute("SELECT COALESCE(MAX(id), 0) FROM response").fetchone()[0]
    ranges = [(start, min(top, start + CHUNK)) for start in range(low, top, CHUNK)]
    if len(ranges) >= HELPER_FROM:  # with the helper or not, so that both land the same chunks
        ranges = _finer_tail(ranges)
    report = progress or (lambda done, total: None)
    path = _file_of(db)
    if helper and path and len(ranges) >= HELPER_FROM and (os.cpu_count() or 1) >= 2:
        scored = _with_helper(db, path, ranges, lambda done: report(done, top), top, idle)
    else:
        scored = 0
        for start, end in ranges:
            scored += sums.score_range(db, start, end)
            report(scored, top)
    low = max(low, top)
    stale = {r[0] for r in db.execute("SELECT campaign_id FROM score_stale")} | replanned(db, plans)
    scored_campaigns = db.execute("SELECT COUNT(*) FROM score_campaign").fetchone()[0]
    if len(stale) > max(REBUILD_ONE_BY_ONE, scored_campaigns // 10):  # e.g. new scoring rules: rescore in chunks
        sums.reset(db)
        with write_transaction(db):
            db.execute(
                "UPDATE score_campaign SET plan = COALESCE((SELECT plan FROM temp.pipeline_campaign p "
                "WHERE p.campaign_id = score_campaign.campaign_id), plan)"
            )
        again = score_new(db, plans, progress, helper, idle)
        return Scored(scored + again.responses, len(stale), again.watermark)
    for campaign_id in sorted(stale):
        sums.rebuild_campaign(db, campaign_id, plans.get(campaign_id), low)
    return Scored(scored, len(stale), low)


def _finer_tail(ranges: Ranges) -> list[tuple[int, int]]:
    """The ranges with the last TAIL_CHUNKS cut in quarters: at the end one process reads the last
    chunk while the other has nothing left, and a quarter of a chunk idles a core a quarter as long."""
    head, tail = list(ranges[:-TAIL_CHUNKS]), ranges[-TAIL_CHUNKS:]
    step = max(1, CHUNK // 4)
    return head + [(start, min(high, start + step)) for low, high in tail for start in range(low, high, step)]


def pending(db: Database) -> bool:
    """Whether a batch has anything to do: responses above the watermark, or campaigns marked stale."""
    return bool(
        db.execute(
            "SELECT EXISTS (SELECT 1 FROM response WHERE id > (SELECT watermark FROM score_watermark)) "
            "OR EXISTS (SELECT 1 FROM score_stale)"
        ).fetchone()[0]
    )


def replanned(db: Database, plans: dict[int, str]) -> set[int]:
    """Scored campaigns whose plan is not the one given: what is counted for them changed."""
    stored = db.execute("SELECT campaign_id, plan FROM score_campaign")
    return {cid for cid, plan in stored if plans.get(cid, plan) != plan}


def _file_of(db: Database) -> str:
    """The main database's file ('' for an in-memory database, which a second process cannot open)."""
    return next((row[2] for row in db.execute("PRAGMA database_list") if row[1] == "main"), "")


def _with_helper(
    db: Database, path: str, ranges: Ranges, report: Callable[[int], None], top: int, idle: Idle | None
) -> int:
    """Score the ranges with a helper process; this process lands its own chunks and reports progress."""
    context = multiprocessing.get_context("spawn")  # never fork: the caller may run threads (scheduler, server)
    turns = Turns(context)

    def step() -> bool:  # one step of `idle`, told how far the chunks landed
        landed = int(turns.landed.value)
        return bool(idle and idle(top, ranges[landed - 1][1] if landed else ranges[0][0]))

    # The tables go through a file, not the process's arguments: those are written to a pipe that a
    # child dying at start-up would never drain, and this process would wait on it for ever.
    with tempfile.TemporaryDirectory(prefix="vises-scoring-") as scratch:
        tables = Path(scratch) / "tables.pickle"
        tables.write_bytes(pickle.dumps(temp_tables(db)))
        helper = context.Process(
            target=help_score,
            args=(path, str(tables), ranges, turns, os.getpid()),
            name="vises-scoring-helper",
            daemon=True,
        )
        try:
            helper.start()
        except OSError as exc:  # no process to be had: score alone
            log.warning("scoring helper did not start (%s): scoring on one core", exc)
        try:
            while (index := turns.claim(len(ranges))) is not None:
                sums.read_range(db, *ranges[index])
                if _took_over(db, turns, ranges, index, helper, step):
                    sums.read_range(db, *ranges[index])  # its read half was overwritten by theirs
                report(turns.landed_one(sums.land_range(db, *ranges[index])))
                while step():  # what became ready: the helper, never waiting on it, claims the next chunk
                    pass
            _took_over(db, turns, ranges, len(ranges), helper, step)  # the helper's last chunk
        finally:
            turns.stop_now()
            if helper.pid is not None:
                helper.join(timeout=60)
                if helper.is_alive():
                    helper.terminate()
    log.info(
        "scoring helper landed %s of %s chunks (peak memory %s MB)",
        turns.helped.value,
        len(ranges),
        turns.helper_kb.value // 1024,
    )
    return int(turns.scored.value)


def _took_over(
    db: Database, turns: Turns, ranges: Ranges, index: int, helper: BaseProcess, idle: Callable[[], bool]
) -> bool:
    """Wait until every chunk below `index` landed, doing `idle` steps meanwhile while it has any; if
    the helper stopped first, with chunks claimed but not landed, land them here. Whether this
    process read any of them."""
    took, more = False, True
    while not turns.wait_for_turn(index, timeout=0.0 if more else 0.5):
        more = more and idle()
        if not helper.is_alive():
            log.warning("scoring helper stopped (exit code %s): this process scores its chunks", helper.exitcode)
            for below in range(int(turns.landed.value), index):
                turns.landed_one(sums.score_range(db, *ranges[below]))
            took = True
    return took


def help_score(path: str, tables: str, ranges: Ranges, turns: Turns, parent: int) -> None:
    """The helper process: claim a chunk, read it, land it when its turn comes, until none is left
    (or the process that started it asks it to stop, or is gone)."""
    db = connect(path)
    try:
        scoring.tune(db)
        load_temp_tables(db, pickle.loads(Path(tables).read_bytes()))  # written by _with_helper above
        while (index := turns.claim(len(ranges))) is not None:
            sums.read_range(db, *ranges[index])
            while not turns.wait_for_turn(index, timeout=1.0):
                if turns.stop.value or os.getppid() != parent:
                    return
            turns.landed_one(sums.land_range(db, *ranges[index]), by_helper=True)
    finally:
        db.close()
        turns.helper_kb.value = _peak_kb()


def _peak_kb() -> int:
    """This process's own peak resident memory in KB (0 where the platform does not say).

    Read from /proc: getrusage's figure would be the parent's, since a spawned child is forked
    before it execs, and Linux carries the larger peak across the exec.
    """
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:  # not Linux
        return 0
    found = re.search(r"^VmHWM:\s+(\d+) kB", status, re.MULTILINE)
    return int(found.group(1)) if found else 0


def temp_tables(db: Database) -> Tables:
    """This connection's temporary tables (the scoring rules and plans, prepared once per run): name,
    definition and rows; the scratch tables of a chunk's read half go empty."""
    out = []
    for name, sql in db.execute("SELECT name, sql FROM temp.sqlite_master WHERE type = 'table' ORDER BY name"):
        rows = [] if name in sums.SCRATCH_TABLES else db.execute(f'SELECT * FROM temp."{name}"').fetchall()
        out.append((name, sql, rows))
    return out


def load_temp_tables(db: Database, tables: Tables) -> None:
    """Create `temp_tables`' tables on this connection, with their rows."""
    for name, sql, rows in tables:
        if not sql.startswith("CREATE TABLE "):
            raise ValueError(f"unexpected definition of temporary table {name}: {sql[:40]}")
        db.execute("CREATE TEMP TABLE " + sql.removeprefix("CREATE TABLE "))
        if rows:
            slots = ", ".join("?" * len(rows[0]))
            db.conn.executemany(f'INSERT INTO temp."{name}" VALUES ({slots})', rows)
