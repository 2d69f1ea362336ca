"""Save step: replace the affected result rows in one BEGIN IMMEDIATE transaction.

Recomputed campaigns have their rows deleted and inserted again; other campaigns only get the
comparison fields (trend, benchmark) that changed. Either all of it lands or none: a crash or an
error at any point leaves the previous results exactly as they were.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import astuple, fields

from sqlite_utils import Database

from pipeline.model import CampaignResult, CampaignSummary, IndicatorValue
from survey_app.storage.db import write_transaction

VALUE_COLUMNS = [f.name for f in fields(IndicatorValue)]
DERIVED_COLUMNS = [
    "previous_campaign_id",
    "delta",
    "delta_p",
    "delta_significant",
    "bench_peers",
    "bench_median",
    "bench_q1",
    "bench_q3",
    "bench_percentile",
]
RESULT_TABLES = ("indicator_value", "custom_result", "testimony")
CHUNK = 500


def _chunks(ids: Sequence[int]) -> Iterable[Sequence[int]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


def delete_campaign_rows(db: Database, campaign_ids: Sequence[int]) -> None:
    for chunk in _chunks(sorted(campaign_ids)):
        marks = ", ".join("?" for _ in chunk)
        for table in RESULT_TABLES:
            db.execute(f"DELETE FROM {table} WHERE campaign_id IN ({marks})", list(chunk))


def _value_row(value: IndicatorValue, run_id: int) -> tuple:
    row = list(astuple(value))
    significant = VALUE_COLUMNS.index("delta_significant")
    if row[significant] is not None:
        row[significant] = int(row[significant])
    return (*row, run_id)


def _insert(db: Database, table: str, columns: Sequence[str], rows: Iterable[tuple], verb: str = "INSERT") -> None:
    marks = ", ".join("?" for _ in columns)
    db.conn.executemany(f"{verb} INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)


def insert_values(db: Database, values: Iterable[IndicatorValue], run_id: int) -> None:
    _insert(db, "indicator_value", [*VALUE_COLUMNS, "run_id"], (_value_row(v, run_id) for v in values))


def update_derived(db: Database, values: Iterable[IndicatorValue], run_id: int) -> int:
    """Write new trend/benchmark fields of cells that were not recomputed; return how many."""
    assignments = ", ".join(f"{c} = ?" for c in DERIVED_COLUMNS)
    rows = [
        (
            *(
                int(v.delta_significant)
                if c == "delta_significant" and v.delta_significant is not None
                else getattr(v, c)
                for c in DERIVED_COLUMNS
            ),
            run_id,
            v.campaign_id,
            v.kind,
            v.key,
        )
        for v in values
    ]
    db.conn.executemany(
        f"UPDATE indicator_value SET {assignments}, run_id = ? WHERE campaign_id = ? AND kind = ? AND key = ?", rows
    )
    return len(rows)


def insert_custom(db: Database, results: Iterable[CampaignResult], run_id: int) -> None:
    columns = ("campaign_id", "question_id", "option", "suppressed", "count", "share", "n", "mean", "run_id")
    rows = (
        (c.campaign_id, c.question_id, c.option, int(c.suppressed), c.count, c.share, c.n, c.mean, run_id)
        for r in results
        for c in r.custom
    )
    _insert(db, "custom_result", columns, rows)


def insert_testimonies(db: Database, results: Iterable[CampaignResult], run_id: int) -> None:
    columns = ("response_id", "question_id", "campaign_id", "language", "text", "run_id")
    rows = (
        (t.response_id, t.question_id, r.campaign_id, t.language, t.text, run_id)
        for r in results
        for t in r.testimonies
    )
    _insert(db, "testimony", columns, rows)


def replace_summaries(db: Database, summaries: Iterable[CampaignSummary], run_id: int) -> None:
    columns = ("campaign_id", "submitted", "invited", "expected", "response_rate", "run_id")
    rows = ((s.campaign_id, s.submitted, s.invited, s.expected, s.response_rate, run_id) for s in summaries)
    _insert(db, "campaign_summary", columns, rows, verb="INSERT OR REPLACE")


def save_all(
    db: Database,
    run_id: int,
    results: list[CampaignResult],
    fresh: list[IndicatorValue],
    changed: list[IndicatorValue],
    summaries: list[CampaignSummary],
) -> None:
    """Replace recomputed campaigns, update changed comparisons and summaries, all or nothing."""
    with write_transaction(db):
        delete_campaign_rows(db, [r.campaign_id for r in results])
        insert_values(db, fresh, run_id)
        update_derived(db, changed, run_id)
        insert_custom(db, results, run_id)
        insert_testimonies(db, results, run_id)
        replace_summaries(db, summaries, run_id)


def load_values(db: Database, exclude: set[int]) -> list[IndicatorValue]:
    """Stored cell values of campaigns not recomputed in this run (for trends and benchmarks)."""
    columns = ", ".join(VALUE_COLUMNS)
    suppressed, significant = VALUE_COLUMNS.index("suppressed"), VALUE_COLUMNS.index("delta_significant")
    values = []
    for row in db.execute(f"SELECT {columns} FROM indicator_value ORDER BY campaign_id, kind, key"):
        if row[0] in exclude:
            continue
        row = list(row)  # positional construction: this runs for every stored cell
        row[suppressed] = bool(row[suppressed])
        if row[significant] is not None:
            row[significant] = bool(row[significant])
        values.append(IndicatorValue(*row))
    return values
