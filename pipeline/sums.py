"""Kept sums: each response is scored once, and per-campaign aggregates are kept up to date with it.

At the start of a run, the responses that arrived since the last batch (ids above the watermark in
`score_watermark`) are scored in chunks (`batch.py` runs them). A chunk has two halves. Its read
half scores the chunk's responses from the raw answers and works out what they add, in temporary
tables, under a read transaction that holds no lock. Its write half, in one write transaction with
the new watermark, stores the `response_score` rows and adds the exact integer sums to
`score_sums` (n, sum and sum of squares of micro-point scores, favourable count; the same sums of
the published score where a scoring is declared), the band counts to `score_band_count`, the answer
counts to `option_count` (NPS, choices) and the respondents to `score_campaign`. So sums and scores
always agree, and a chunk holds the write lock for about a tenth of a second while respondents
keep submitting. The write half first checks that the chunk's responses are still exactly those
it read; if not (an erasure meanwhile), it reads them again inside its transaction.

A campaign is rebuilt from its raw answers when its responses went away (retention, erasure: the
trigger `response_deleted_rescore` marks it in `score_stale`), when a response arrived below the
watermark, or when what is counted for it changed (its `plan`: questionnaire version, scoring rules,
counted questions). `--full` empties every kept table and scores everything again.
"""

from __future__ import annotations

from sqlite_utils import Database

from pipeline.scoring import BY_CAMPAIGN, BY_RANGE, FAVOURABLE_MICRO, KEEP_SCORES, SPLIT, score_sql
from survey_app.storage.db import parents_checked_by_query, write_transaction

KEPT_TABLES = ("response_score", "score_sums", "score_band_count", "option_count", "score_stale")


def _squares_of(column: str, prefix: str) -> str:
    """Sum, and the three parts of the sum of squares, of one micro-point column (see scoring.SPLIT)."""
    return (
        f"SUM({column}) AS {prefix}total, SUM(({column} / {SPLIT}) * ({column} / {SPLIT})) AS {prefix}high, "
        f"SUM(({column} / {SPLIT}) * ({column} % {SPLIT})) AS {prefix}mixed, "
        f"SUM(({column} % {SPLIT}) * ({column} % {SPLIT})) AS {prefix}low"
    )


# What a chunk adds, worked out by its read half into this connection's temporary tables (from the
# raw answers and the chunk's scores), then merged into the kept tables by its write half.
CHUNK_TABLES = {
    "pipeline_chunk_sums": "campaign_id INTEGER, ino INTEGER, n INTEGER, total INTEGER, high INTEGER, "
    "mixed INTEGER, low INTEGER, favourable INTEGER, p_total INTEGER, p_high INTEGER, p_mixed INTEGER, p_low INTEGER",
    "pipeline_chunk_bands": "campaign_id INTEGER, ino INTEGER, band TEXT, count INTEGER",
    "pipeline_chunk_options": "campaign_id INTEGER, question_id TEXT, value_num REAL, value_text TEXT, count INTEGER",
    "pipeline_chunk_responses": "id INTEGER PRIMARY KEY, submission_id TEXT",
}
SCRATCH_TABLES = ("pipeline_scored", *CHUNK_TABLES)  # emptied by every read half


def _chunk_sums_sql(published: bool, where: str = "") -> str:
    """A chunk's sums per wave and indicator, with the published score's sums or without them (NULL)."""
    published_sums = _squares_of("pq", "p_") if published else "NULL, NULL, NULL, NULL"
    return f"""
INSERT INTO temp.pipeline_chunk_sums
SELECT campaign_id, ino, COUNT(*), {_squares_of("q", "")}, SUM(q >= {FAVOURABLE_MICRO}), {published_sums}
FROM temp.pipeline_scored {where} GROUP BY campaign_id, ino
"""


# A wave's indicator has a published score for all of its respondents or for none (scoring.py keeps
# only respondents with one where a scoring is declared), so the published sums are worked out only
# for the rows that have one (most have none).
CHUNK_SUMS = (_chunk_sums_sql(False, "WHERE pq IS NULL"), _chunk_sums_sql(True, "WHERE pq IS NOT NULL"))
CHUNK_SUMS_PLAIN = (_chunk_sums_sql(False),)  # no declared scoring anywhere: pq is NULL in every row
# Respondents per band of a published score (a respondent outside every band counts in none).
CHUNK_BANDS = """
INSERT INTO temp.pipeline_chunk_bands
SELECT campaign_id, ino, band, COUNT(*) FROM temp.pipeline_scored WHERE band IS NOT NULL GROUP BY 1, 2, 3
"""
# Each response's counted questions (a few) are looked up by the answer's key, rather than every
# answer of the chunk read to find them: the statement takes a third of the time it took.
CHUNK_OPTIONS = """
INSERT INTO temp.pipeline_chunk_options
SELECT r.campaign_id, a.question_id, a.value_num, a.value_text, COUNT(*)
FROM response r
CROSS JOIN temp.pipeline_counted k
CROSS JOIN answer a
WHERE {which} AND k.campaign_id = r.campaign_id AND a.response_id = r.id AND a.question_id = k.question_id
  AND a.dont_know = 0 AND (a.value_num IS NOT NULL OR a.value_text IS NOT NULL)
GROUP BY 1, 2, 3, 4
"""
# Which responses a range chunk read: its write half checks that they are still exactly those.
CHUNK_RESPONSES = (
    "INSERT INTO temp.pipeline_chunk_responses SELECT id, submission_id FROM response WHERE id > :low AND id <= :high"
)
UNCHANGED = """
SELECT COUNT(*) = (SELECT COUNT(*) FROM response WHERE id > :low AND id <= :high)
       AND COUNT(*) = (SELECT COUNT(*) FROM temp.pipeline_chunk_responses)
FROM temp.pipeline_chunk_responses c JOIN response r ON r.id = c.id AND r.submission_id = c.submission_id
WHERE c.id > :low AND c.id <= :high
"""
# NULL published sums (no declared scoring) stay NULL: NULL + NULL is NULL.
_ADDED = ("n", "total", "squares_high", "squares_cross", "squares_low", "favourable", "published_total",
          "published_high", "published_cross", "published_low")  # fmt: skip
SUMS_FROM_CHUNK = f"""
INSERT INTO score_sums (campaign_id, indicator, n, total, squares_high, squares_cross, squares_low, favourable,
                        published_total, published_high, published_cross, published_low)
SELECT g.campaign_id, n.indicator, g.n, g.total, g.high, g.mixed, g.low, g.favourable,
       g.p_total, g.p_high, g.p_mixed, g.p_low
FROM temp.pipeline_chunk_sums g JOIN temp.pipeline_indicator n ON n.ino = g.ino
WHERE true
ON CONFLICT (campaign_id, indicator) DO UPDATE SET {", ".join(f"{c} = {c} + excluded.{c}" for c in _ADDED)}
"""
BANDS_FROM_CHUNK = """
INSERT INTO score_band_count (campaign_id, indicator, band, count)
SELECT b.campaign_id, n.indicator, b.band, b.count
FROM temp.pipeline_chunk_bands b JOIN temp.pipeline_indicator n ON n.ino = b.ino
WHERE true
ON CONFLICT (campaign_id, indicator, band) DO UPDATE SET count = count + excluded.count
"""
OPTIONS_FROM_CHUNK = """
INSERT INTO option_count (campaign_id, question_id, value_num, value_text, count)
SELECT campaign_id, question_id, value_num, value_text, count FROM temp.pipeline_chunk_options
WHERE true
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


def reset(db: Database) -> None:
    """Forget every score and sum (`--full`): the batch that follows rescores every response.

    Generations are kept (respondents go back to 0), so a rebuilt campaign never looks unchanged.
    """
    # With foreign keys on, SQLite deletes child rows one by one (collecting every key first);
    # off, it truncates the table at once. Only child rows go, so no constraint can break.
    # Nor does it zero the freed pages: they hold scores of responses that are still there (an erased
    # response's scores went, zeroed, with it), rewritten at once. Zeroing was 0.8 of 0.9 s at 1M.
    db.execute("PRAGMA secure_delete = OFF")
    try:
        with parents_checked_by_query(db), write_transaction(db):
            for table in KEPT_TABLES:
                db.execute(f"DELETE FROM {table}")
            db.execute("UPDATE score_campaign SET responses = 0, rebuilds = rebuilds + 1")
    finally:
        db.execute("PRAGMA secure_delete = ON")
    db.execute("UPDATE score_watermark SET watermark = 0")


def watermark(db: Database) -> int:
    return db.execute("SELECT watermark FROM score_watermark").fetchone()[0]


def read_chunk(db: Database, which: str, params: dict[str, int]) -> None:
    """The read half of a chunk: score the responses `which` selects and work out what they add to the
    kept tables, into this connection's temporary tables; nothing kept is written. Run it inside one
    transaction (a read one, or the write transaction of its write half) so that it reads one state."""
    declared = db.execute("SELECT EXISTS (SELECT 1 FROM temp.pipeline_rule)").fetchone()[0]
    for table, columns in CHUNK_TABLES.items():
        db.execute(f"CREATE TEMP TABLE IF NOT EXISTS {table} ({columns})")
    for table in SCRATCH_TABLES:
        db.execute(f"DELETE FROM temp.{table}")
    for statement in score_sql(which, bool(declared)):
        db.execute(statement, params)
    for statement in CHUNK_SUMS if declared else CHUNK_SUMS_PLAIN:
        db.execute(statement)
    if declared:  # else no published score anywhere, so no bands
        db.execute(CHUNK_BANDS)
    db.execute(CHUNK_OPTIONS.format(which=which), params)
    if which == BY_RANGE:
        db.execute(CHUNK_RESPONSES, params)


def write_chunk(db: Database) -> None:
    """The write half (in the caller's write transaction): store the chunk's respondent scores and add
    its sums, band counts and answer counts to the kept ones."""
    for statement in (KEEP_SCORES, SUMS_FROM_CHUNK, BANDS_FROM_CHUNK, OPTIONS_FROM_CHUNK):
        db.execute(statement)


def read_range(db: Database, low: int, high: int) -> None:
    """The read half of the responses with ids in (low, high], in a read transaction of its own: it
    holds no lock, so it can run while another connection lands the chunk below."""
    if db.conn.in_transaction:  # the caller's transaction already reads one state
        read_chunk(db, BY_RANGE, {"low": low, "high": high})
        return
    db.execute("BEGIN")
    try:
        read_chunk(db, BY_RANGE, {"low": low, "high": high})
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


def score_range(db: Database, low: int, high: int) -> int:
    """Both halves of the range, one after the other (no other connection between them)."""
    read_range(db, low, high)
    return land_range(db, low, high)


def land_range(db: Database, low: int, high: int) -> int:
    """The write half of the range read by `read_range`, in one write transaction with the new
    watermark, once every response up to `low` landed; returns the respondents it scored.

    The chunk is read again inside that transaction when a response of the range went (erasure,
    retention) or came (a reused id) since it was read, so what is stored is what is there.
    """
    params = {"low": low, "high": high}
    with parents_checked_by_query(db), write_transaction(db):  # every row written joins its response
        if watermark(db) != low:
            raise RuntimeError(f"scoring chunk ({low}, {high}] cannot land on watermark {watermark(db)}")
        if not db.execute(UNCHANGED, params).fetchone()[0]:
            read_chunk(db, BY_RANGE, params)
        write_chunk(db)
        db.execute(_RESPONDENTS, params)
        db.execute("UPDATE score_watermark SET watermark = ?", [high])
        return int(db.execute("SELECT COUNT(*) FROM temp.pipeline_chunk_responses").fetchone()[0])


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
        read_chunk(db, BY_CAMPAIGN, params)
        write_chunk(db)
        responses = db.execute(
            "SELECT COUNT(*) FROM response WHERE campaign_id = ? AND id <= ?", [campaign_id, high]
        ).fetchone()[0]
        db.execute(
            "INSERT INTO score_campaign (campaign_id, responses, generation, plan) VALUES (?, ?, 1, ?) "
            "ON CONFLICT (campaign_id) DO UPDATE SET responses = excluded.responses, generation = generation + 1, "
            "plan = excluded.plan, rebuilds = rebuilds + 1",
            [campaign_id, responses, plan],
        )
