"""Response export: peak memory and time of the streamed CSV and XLSX exports of one campaign
with N responses (target: 100,000 responses in bounded memory).

Peak memory is measured with tracemalloc (Python allocations during the export) and with the
process's maximum resident size (getrusage) before and after.

Example: .venv/bin/python benchmarks/export.py --responses 100000 --kinds csv xlsx
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from seeding import one_campaign  # noqa: E402

from survey_app import create_app  # noqa: E402
from survey_app.results import exports  # noqa: E402
from survey_app.storage.db import connect, write_transaction  # noqa: E402

NOW = datetime(2026, 3, 4, 10, 0, tzinfo=UTC)


def seed(db, responses: int, questions) -> int:
    with write_transaction(db):
        campaign = one_campaign(db, "Bench", NOW - timedelta(days=30), NOW, NOW, sector="other")
    for start in range(0, responses, 10_000):
        with write_transaction(db):
            for n in range(start, min(start + 10_000, responses)):
                rid = db.execute(
                    "INSERT INTO response (campaign_id, submission_id, language, link, submitted_week) "
                    "VALUES (?, ?, 'fr', 'open', '2026-W09')",
                    [campaign, f"b{n}"],
                ).lastrowid
                db.conn.executemany(
                    "INSERT INTO answer (response_id, question_id, value_num, value_text, dont_know) "
                    "VALUES (?, ?, ?, ?, ?)",
                    [
                        (rid, q.id, None, f"Réponse {n} =1+1", 0)
                        if q.type == "text"
                        else (rid, q.id, None, q.options[0].value, 0)
                        if q.type in ("single", "multiple")
                        else (
                            rid,
                            q.id,
                            float(q.choices()[n % len(q.choices())]) if q.type != "yes_no" else 1.0,
                            None,
                            0,
                        )
                        for q in questions
                        if q.type != "number"
                    ],
                )
    return campaign


def measure(app, campaign: int, kind: str, trace: bool) -> tuple[float, int, int]:
    settings = app.config["SETTINGS"]
    with app.test_request_context():
        db = connect(settings["database.path"])
        row = next(db.query("SELECT * FROM campaign WHERE id = ?", [campaign]))
        db.close()
        questions = exports.export_questions(row, app.extensions["vises.registry"].get("beneficiaries", 1))
        table = exports.streamed_rows(settings["database.path"], campaign, questions, "fr", True, 5)
        chunks = exports.csv_chunks(table) if kind == "csv" else exports.xlsx_chunks(table)
        if trace:
            tracemalloc.start()
        started = time.perf_counter()
        size = sum(len(c) for c in chunks)
        elapsed = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1] if trace else 0
        tracemalloc.stop()
    return elapsed, peak, size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--responses", type=int, default=100_000)
    parser.add_argument("--kinds", nargs="+", default=["csv", "xlsx"], choices=["csv", "xlsx"])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        app = create_app(
            {"database.path": f"{folder}/bench.db", "server.secret_key": "bench", "schedule.enabled": False}
        )
        db = connect(app.config["SETTINGS"]["database.path"])
        started = time.perf_counter()
        campaign = seed(db, args.responses, app.extensions["vises.registry"].get("beneficiaries", 1).questions)
        db.close()
        print(f"seeded {args.responses} responses in {time.perf_counter() - started:.1f} s")
        for kind in args.kinds:
            rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            elapsed, _peak, size = measure(app, campaign, kind, trace=False)
            rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            _elapsed, peak, _size = measure(app, campaign, kind, trace=True)  # tracing slows Python down
            print(
                f"{kind}: {size / 1e6:.1f} MB in {elapsed:.1f} s ({args.responses / elapsed:,.0f} rows/s), "
                f"tracemalloc peak {peak / 1e6:.1f} MB, max RSS {rss_before / 1024:.0f} -> {rss_after / 1024:.0f} MB"
            )


if __name__ == "__main__":
    main()
