"""Save step: replace the affected result rows in one BEGIN IMMEDIATE transaction.

Recomputed campaigns have their rows deleted and inserted again; other campaigns only get the
trend fields that moved, and the benchmark pools only the rows that moved (pools.py). Rows are
built straight from the attributes (`dataclasses.astuple` deep-copied every field, 1.58 M times a
run). Either all of it lands or none: a crash or an error at any point leaves the previous results
exactly as they were.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, fields

from sqlite_utils import Database

from pipeline import digests, pools, publish
from pipeline.derive import Key, Trend
from pipeline.model import CampaignResult, CampaignSummary, IndicatorValue
from pipeline.read import temp_ids
from survey_app.storage.db import parents_checked_by_query, write_transaction

VALUE_COLUMNS = [f.name for f in fields(IndicatorValue)]
TREND_COLUMNS = ["previous_campaign_id", "delta", "delta_p", "delta_significant"]
RESULT_TABLES = ("indicator_value", "custom_result", "indicator_band")
# Every table save_all writes rows of a campaign into (each row's campaign_id references it).
CAMPAIGN_ROWS = (*RESULT_TABLES, "testimony", "result_digest", "campaign_summary", "published_wave", "benchmark_wave")
CHUNK = 500


@dataclass
class Changes:
    """Everything one run writes, gathered by the runner."""

    results: list[CampaignResult]
    fresh: list[IndicatorValue]  # every cell of the recomputed campaigns, as computed
    # Trend fields of the fresh cells that differ from the computed ones, kept apart rather than
    # copied into new IndicatorValues (thousands of dataclasses.replace calls): their rows take
    # them when they are built.
    fresh_trends: dict[Key, Trend] = field(default_factory=dict)
    trends: dict[Key, Trend] = field(default_factory=dict)  # stored cells whose trend moved
    summaries: list[CampaignSummary] = field(default_factory=list)  # only those that changed
    published: list[tuple] = field(default_factory=list)  # publish.save_published rows
    previous: list[tuple] = field(default_factory=list)  # (previous id, campaign id) of other waves
    pools: pools.Refreshed | None = None  # the benchmark pools and compared waves that moved
    added_texts: set[int] = field(default_factory=set)  # waves whose testimonies are added to the stored ones


def _chunks(ids: Sequence[int]) -> Iterable[Sequence[int]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


def delete_rows(db: Database, table: str, campaign_ids: Sequence[int]) -> None:
    for chunk in _chunks(sorted(campaign_ids)):
        marks = ", ".join("?" for _ in chunk)
        db.execute(f"DELETE FROM {table} WHERE campaign_id IN ({marks})", list(chunk))


def _flag(value: bool | None) -> int | None:
    return None if value is None else int(value)


def _value_row(v: IndicatorValue, run_id: int, trend: Trend | None = None) -> tuple:
    """The row of one cell, in VALUE_COLUMNS order, without copying anything; `trend` replaces the
    cell's own trend fields."""
    previous_id, delta, delta_p, significant = trend or (
        v.previous_campaign_id,
        v.delta,
        v.delta_p,
        v.delta_significant,
    )
    return (
        v.campaign_id, v.enterprise_id, v.stakeholder_group, v.kind, v.key, v.questionnaire_id,
        v.questionnaire_version, int(v.suppressed), v.suppression_reason, v.n, v.mean, v.sd, v.ci_low, v.ci_high,
        v.favourable_share, previous_id, delta, delta_p, _flag(significant),
        v.published_mean, v.published_sd, v.published_ci_low, v.published_ci_high, run_id,
    )  # fmt: skip


def _insert(db: Database, table: str, columns: Sequence[str], rows: Iterable[tuple], verb: str = "INSERT") -> None:
    marks = ", ".join("?" for _ in columns)
    db.conn.executemany(f"{verb} INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)


def insert_values(
    db: Database,
    values: Iterable[IndicatorValue],
    run_id: int,
    trends: dict[Key, Trend] | None = None,
) -> None:
    """Insert the cells, with the trend fields given for them (by key) if any."""
    trend_of = (trends or {}).get
    rows = (_value_row(v, run_id, trend_of((v.campaign_id, v.kind, v.key))) for v in values)
    _insert(db, "indicator_value", [*VALUE_COLUMNS, "run_id"], rows)


def update_trends(db: Database, trends: dict[Key, Trend], run_id: int) -> None:
    """Write the new trend fields of stored cells (their own figures did not change)."""
    assignments = ", ".join(f"{c} = ?" for c in TREND_COLUMNS)
    db.conn.executemany(
        f"UPDATE indicator_value SET {assignments}, run_id = {int(run_id)} "
        "WHERE campaign_id = ? AND kind = ? AND key = ?",
        ((*trend[:3], _flag(trend[3]), *key) for key, trend in sorted(trends.items())),
    )


def insert_custom(db: Database, results: Iterable[CampaignResult], run_id: int) -> None:
    columns = ("campaign_id", "question_id", "option", "suppressed", "count", "share", "n", "mean", "run_id")
    rows = (
        (c.campaign_id, c.question_id, c.option, int(c.suppressed), c.count, c.share, c.n, c.mean, run_id)
        for r in results
        for c in r.custom
    )
    _insert(db, "custom_result", columns, rows)


def insert_bands(db: Database, results: Iterable[CampaignResult], run_id: int) -> None:
    """A wave's band rows, in the columns and order its digest reads them (digests.band_row)."""
    rows = (row + (run_id,) for r in results for row in sorted(set(map(digests.band_row, r.bands))))
    _insert(db, "indicator_band", [*digests.BAND_COLUMNS, "run_id"], rows)


def insert_testimonies(
    db: Database, results: Iterable[CampaignResult], run_id: int, added: set[int] | frozenset[int] = frozenset()
) -> None:
    """Replace the testimonies of the campaigns whose texts were read (None: the stored ones stay);
    those in `added` read only their new responses' texts, which join the stored ones."""
    replaced = [r for r in results if r.testimonies is not None]
    delete_rows(db, "testimony", [r.campaign_id for r in replaced if r.campaign_id not in added])
    columns = ("response_id", "question_id", "campaign_id", "language", "text", "run_id")
    rows = (
        (t.response_id, t.question_id, r.campaign_id, t.language, t.text, run_id)
        for r in replaced
        for t in r.testimonies or ()
    )
    _insert(db, "testimony", columns, rows)


def replace_summaries(db: Database, summaries: Iterable[CampaignSummary], run_id: int) -> None:
    columns = ("campaign_id", "submitted", "invited", "expected", "response_rate", "run_id")
    rows = ((s.campaign_id, s.submitted, s.invited, s.expected, s.response_rate, run_id) for s in summaries)
    _insert(db, "campaign_summary", columns, rows, verb="INSERT OR REPLACE")


def save_all(db: Database, run_id: int, changes: Changes) -> None:
    """Replace recomputed campaigns, update moved comparisons, summaries and state, all or nothing.

    Foreign keys are checked by query, not row by row (a third of the time of saving every cell):
    every row written belongs to a campaign the run read and to this run, so the transaction
    checks once per campaign that it is still there, and drops what a deleted campaign would have
    taken with it. A response erased since the run read its texts (in its snapshot, or before it:
    prefetch.py) took its stored testimonies with it, but not those the run writes: the run's
    testimonies whose response is gone are dropped, and the erasure makes the next run rebuild
    the campaign (trigger `response_deleted_rescore`).
    """
    with parents_checked_by_query(db), write_transaction(db):
        recomputed = [r.campaign_id for r in changes.results]
        for table in RESULT_TABLES:
            delete_rows(db, table, recomputed)
        insert_values(db, changes.fresh, run_id, changes.fresh_trends)
        update_trends(db, changes.trends, run_id)
        insert_custom(db, changes.results, run_id)
        insert_bands(db, changes.results, run_id)
        insert_testimonies(db, changes.results, run_id, changes.added_texts)
        digests.save_digests(db, changes.results)
        replace_summaries(db, changes.summaries, run_id)
        publish.save_published(db, changes.published, changes.previous, run_id)
        if changes.pools is not None:
            pools.save_pools(db, changes.pools)
        written = {*recomputed, *(s.campaign_id for s in changes.summaries), *(row[0] for row in changes.published)}
        if changes.pools is not None:
            written.update(wave[0] for wave in changes.pools.waves)
        drop_orphans(db, written, [r.campaign_id for r in changes.results if r.testimonies], run_id)


def drop_orphans(db: Database, campaign_ids: Iterable[int], with_texts: Iterable[int], run_id: int) -> None:
    """The checks of `save_all`: rows of campaigns deleted since the run read them, and the run's
    testimonies (of the campaigns `with_texts`) of responses erased since, go as the cascades would
    have taken them."""
    temp_ids(db, "pipeline_written", campaign_ids)
    gone = [
        row[0]
        for row in db.execute(
            "SELECT campaign_id FROM temp.pipeline_written WHERE campaign_id NOT IN (SELECT id FROM campaign)"
        )
    ]
    for table in CAMPAIGN_ROWS:
        delete_rows(db, table, gone)
    temp_ids(db, "pipeline_texts_written", with_texts)
    db.execute(
        "DELETE FROM testimony WHERE campaign_id IN (SELECT campaign_id FROM temp.pipeline_texts_written) "
        "AND run_id = ? AND NOT EXISTS (SELECT 1 FROM response r WHERE r.id = testimony.response_id)",
        [run_id],
    )


def load_values(db: Database, campaign_ids: Iterable[int]) -> list[IndicatorValue]:
    """Stored cells of the given campaigns (trend neighbours of what was recomputed)."""
    temp_ids(db, "pipeline_neighbour", campaign_ids)
    columns = ", ".join(VALUE_COLUMNS)
    suppressed, significant = VALUE_COLUMNS.index("suppressed"), VALUE_COLUMNS.index("delta_significant")
    values = []
    for row in db.execute(
        f"SELECT {columns} FROM indicator_value WHERE campaign_id IN "
        "(SELECT campaign_id FROM temp.pipeline_neighbour) ORDER BY campaign_id, kind, key"
    ):
        row = list(row)  # positional construction: this can run for many cells
        row[suppressed] = bool(row[suppressed])
        if row[significant] is not None:
            row[significant] = bool(row[significant])
        values.append(IndicatorValue(*row))
    return values


def stored_summaries(db: Database) -> dict[int, tuple]:
    return {
        r[0]: tuple(r[1:])
        for r in db.execute("SELECT campaign_id, submitted, invited, expected, response_rate FROM campaign_summary")
    }
