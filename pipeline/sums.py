"""Kept sums: each response is scored once, and per-campaign aggregates are kept up to date with it.

At the start of a run, the responses that arrived since the last batch (ids above the watermark in
`score_watermark`) are scored in chunks; each chunk inserts its `response_score` rows and adds its
exact integer sums to `score_sums` (n, sum and sum of squares of micro-point scores, favourable
count; the same sums of the published score where a scoring is declared) and its band counts to
`score_band_count`, its answer counts to `option_count` (NPS, choices) and its respondents to `score_campaign`,
all in one transaction with the new watermark, so sums and scores always agree, and a chunk holds
the write lock for well under a second while respondents keep submitting.

A campaign is rebuilt from its raw answers when its responses went away (retention, erasure: the
trigger `response_deleted_rescore` marks it in `score_stale`), when a response arrived below the
watermark, or when what is counted for it changed (its `plan`: questionnaire version, scoring rules,
counted questions). `--full` empties every kept table and scores everything again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlite_utils import Database

from pipeline.scoring import BY_CAMPAIGN, BY_RANGE, FAVOURABLE_MICRO, KEEP_SCORES, SPLIT, score_sql
from survey_app.storage.db import write_transaction

CHUNK = 20_000  # responses per transaction: about a quarter of a second of scoring
REBUILD_ONE_BY_ONE = 50  # above this many stale campaigns (and a tenth of them), rescore everything in chunks
KEPT_TABLES = ("response_score", "score_sums", "score_band_count", "option_count", "score_stale")
Progress = Callable[[int, int], None]


def _squares_of(column: str, prefix: str) -> str:
    """Sum, and the three parts of the sum of squares, of one micro-point column (see scoring.SPLIT)."""
    return (
        f"SUM({column}) AS {prefix}total, SUM(({column} / {SPLIT}) * ({column} / {SPLIT})) AS {prefix}high, "
        f"SUM(({column} / {SPLIT}) * ({column} % {SPLIT})) AS {prefix}mixed, "
        f"SUM(({column} % {SPLIT}) * ({column} % {SPLIT})) AS {prefix}low"
    )


def _sums_sql(published: bool) -> str:
    """Add a chunk's sums per wave and indicator to `score_sums`. Without any declared scoring (the
    common case) the published sums are not computed row by row: every one would be NULL."""
    plain = "published_total = NULL, published_high = NULL, published_cross = NULL, published_low = NULL"
    added = ", ".join(
        f"{c} = {c} + excluded.{c}" for c in ("published_total", "published_high", "published_cross", "published_low")
    )
    return f"""
INSERT INTO score_sums (campaign_id, indicator, n, total, squares_high, squares_cross, squares_low, favourable,
                        published_total, published_high, published_cross, published_low)
SELECT g.campaign_id, n.indicator, g.n, g.total, g.high, g.mixed, g.low, g.favourable,
       {"g.p_total, g.p_high, g.p_mixed, g.p_low" if published else "NULL, NULL, NULL, NULL"}
FROM (
    SELECT campaign_id, ino, COUNT(*) AS n, {_squares_of("q", "")}, SUM(q >= {FAVOURABLE_MICRO}) AS favourable
           {", " + _squares_of("pq", "p_") if published else ""}
    FROM temp.pipeline_scored GROUP BY campaign_id, ino
) g
JOIN temp.pipeline_indicator n ON n.ino = g.ino
WHERE true
ON CONFLICT (campaign_id, indicator) DO UPDATE SET n = n + excluded.n, total = total + excluded.total,
    squares_high = squares_high + excluded.squares_high, squares_cross = squares_cross + excluded.squares_cross,
    squares_low = squares_low + excluded.squares_low, favourable = favourable + excluded.favourable,
    {added if published else plain}
"""


SUMS_OF_SCORED, SUMS_OF_PLAIN = _sums_sql(True), _sums_sql(False)
# Respondents per band of a published score (a respondent outside every band counts in none).
BANDS_OF_SCORED = """
INSERT INTO score_band_count (campaign_id, indicator, band, count)
SELECT s.campaign_id, n.indicator, s.band, COUNT(*)
FROM temp.pipeline_scored s JOIN temp.pipeline_indicator n ON n.ino = s.ino
WHERE s.band IS NOT NULL
GROUP BY s.campaign_id, n.indicator, s.band
ON CONFLICT (campaign_id, indicator, band) DO UPDATE SET count = count + excluded.count
"""
_OPTIONS = """
INSERT INTO option_count (campaign_id, question_id, value_num, value_text, count)
SELECT r.campaign_id, a.question_id, a.value_num, a.value_text, COUNT(*)
FROM response r
JOIN answer a ON a.response_id = r.id
JOIN temp.pipeline_counted k ON k.campaign_id = r.campaign_id AND k.question_id = a.question_id
WHERE {which} AND a.dont_know = 0 AND (a.value_num IS NOT NULL OR a.value_text IS NOT NULL)
GROUP BY 1, 2, 3, 4
ON CONFLICT (campaign_id, question_id, COALESCE(value_num, 'text'), COALESCE(value_text, ''))
DO UPDATE SET count = count + excluded.count
"""
_RESPONDENTS = """
INSERT INTO score_campaign (campaign_id, responses, generation, plan)
SELECT r.campaign_id, COUNT(*), 1, COALESCE(p.plan, '')
FROM response r LEFT JOIN temp.pipeline_campaign p ON p.campaign_id = r.campaign_id
WHERE r.id > :low AND r.id <= :high
GROUP BY r.campaign_id
ON CONFLICT (campaign_id) DO UPDATE SET responses = responses + excluded.responses, generation = generation + 1
"""


@dataclass(frozen=True, slots=True)
class Scored:
    """What a scoring batch did: responses scored in chunks, campaigns rebuilt, the new watermark."""

    responses: int
    rebuilt: int
    watermark: int


@contextmanager
def parents_checked_by_query(db: Database) -> Iterator[None]:
    """Foreign keys off around statements that only ever write child rows whose parents they have just
    read (or only delete child rows) in the same write transaction: SQLite would look every parent up
    again, row by row (a quarter of the time of storing a chunk's scores). Other connections keep
    their own checks and cascades. A no-op inside an open transaction (SQLite ignores the pragma),
    where the checks simply stay on.
    """
    db.execute("PRAGMA foreign_keys = OFF")
    try:
        yield
    finally:
        db.execute("PRAGMA foreign_keys = ON")


def reset(db: Database) -> None:
    """Forget every score and sum (`--full`): the batch that follows rescores every response.

    Generations are kept (respondents go back to 0), so a rebuilt campaign never looks unchanged.
    """
    # With foreign keys on, SQLite deletes child rows one by one (collecting every key first);
    # off, it truncates the table at once. Only child rows go, so no constraint can break.
    with parents_checked_by_query(db), write_transaction(db):
        for table in KEPT_TABLES:
            db.execute(f"DELETE FROM {table}")
        db.execute("UPDATE score_campaign SET responses = 0")
    db.execute("UPDATE score_watermark SET watermark = 0")


def watermark(db: Database) -> int:
    return db.execute("SELECT watermark FROM score_watermark").fetchone()[0]


def score_new(db: Database, plans: dict[int, str], progress: Progress | None = None) -> Scored:
    """Score the responses above the watermark in chunks, then rebuild stale or re-planned campaigns."""
    low, top = watermark(db), db.execute("SELECT COALESCE(MAX(id), 0) FROM response").fetchone()[0]
    scored = 0
    while low < top:
        high = min(top, low + CHUNK)
        with parents_checked_by_query(db), write_transaction(db):  # every row written joins its response
            params = {"low": low, "high": high}
            _keep_scores(db, BY_RANGE, params)
            db.execute(_OPTIONS.format(which=BY_RANGE), params)
            db.execute(_RESPONDENTS, params)
            scored += _count(db, low, high)
            db.execute("UPDATE score_watermark SET watermark = ?", [high])
        low = high
        if progress:
            progress(scored, top)
    stored = dict(db.execute("SELECT campaign_id, plan FROM score_campaign").fetchall())
    stale = {r[0] for r in db.execute("SELECT campaign_id FROM score_stale")}
    stale |= {cid for cid, plan in stored.items() if plans.get(cid, plan) != plan}
    if len(stale) > max(REBUILD_ONE_BY_ONE, len(stored) // 10):  # e.g. new scoring rules: rescore in chunks
        reset(db)
        with write_transaction(db):
            db.execute(
                "UPDATE score_campaign SET plan = COALESCE((SELECT plan FROM temp.pipeline_campaign p "
                "WHERE p.campaign_id = score_campaign.campaign_id), plan)"
            )
        again = score_new(db, plans, progress)
        return Scored(scored + again.responses, len(stale), again.watermark)
    for campaign_id in sorted(stale):
        rebuild_campaign(db, campaign_id, plans.get(campaign_id), low)
    return Scored(scored, len(stale), low)


def _count(db: Database, low: int, high: int) -> int:
    return db.execute("SELECT COUNT(*) FROM response WHERE id > ? AND id <= ?", [low, high]).fetchone()[0]


def _keep_scores(db: Database, which: str, params: dict[str, int]) -> None:
    """Score the chosen responses, store their scores and add them to the sums (caller's transaction)."""
    db.execute("DELETE FROM temp.pipeline_scored")
    declared = db.execute("SELECT EXISTS (SELECT 1 FROM temp.pipeline_rule)").fetchone()[0]
    db.execute(score_sql(which, bool(declared)), params)
    db.execute(KEEP_SCORES)
    if declared:
        db.execute(SUMS_OF_SCORED)
        db.execute(BANDS_OF_SCORED)
    else:  # no published score anywhere: no published sums, no bands
        db.execute(SUMS_OF_PLAIN)


def rebuild_campaign(db: Database, campaign_id: int, plan: str | None, high: int) -> None:
    """Score one campaign's responses (up to the watermark) again from the raw answers."""
    with write_transaction(db):
        params = {"campaign": campaign_id, "high": high}
        db.execute(
            "DELETE FROM response_score WHERE response_id IN (SELECT id FROM response WHERE campaign_id = ?)",
            [campaign_id],
        )
        db.execute("DELETE FROM score_sums WHERE campaign_id = ?", [campaign_id])
        db.execute("DELETE FROM score_band_count WHERE campaign_id = ?", [campaign_id])
        db.execute("DELETE FROM option_count WHERE campaign_id = ?", [campaign_id])
        db.execute("DELETE FROM score_stale WHERE campaign_id = ?", [campaign_id])
        exists = db.execute("SELECT 1 FROM campaign WHERE id = ?", [campaign_id]).fetchone()
        if not exists or plan is None:  # a deleted campaign: its kept rows went with it
            db.execute("DELETE FROM score_campaign WHERE campaign_id = ?", [campaign_id])
            return
        _keep_scores(db, BY_CAMPAIGN, params)
        db.execute(_OPTIONS.format(which=BY_CAMPAIGN), params)
        responses = db.execute(
            "SELECT COUNT(*) FROM response WHERE campaign_id = ? AND id <= ?", [campaign_id, high]
        ).fetchone()[0]
        db.execute(
            "INSERT INTO score_campaign (campaign_id, responses, generation, plan) VALUES (?, ?, 1, ?) "
            "ON CONFLICT (campaign_id) DO UPDATE SET responses = excluded.responses, generation = generation + 1, "
            "plan = excluded.plan",
            [campaign_id, responses, plan],
        )
