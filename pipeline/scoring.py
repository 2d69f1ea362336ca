"""The scoring rule, in one place: raw answers -> one 0-100 score per respondent and indicator.

Scoring runs inside SQLite so a million responses never become Python objects. Its parameters are
the rows of `ScoringRule` (one per questionnaire version and indicator: `method`, `min_answered`)
and of `item_rows` (slope and base of every item: item score = `base + slope * value`, reverse items
with a negative slope), loaded into the temporary table `pipeline_item` that the one SQL rule joins
on. The default rule (`mean`) is the product's: the mean of the answered item scores, kept when at
least half of the items were answered; `sum` maps the sum of the item scores linearly onto 0-100.

An indicator with a declared scoring (`[scoring.<indicator>]`: validated instruments, or any
questionnaire that declares one) is scored as its authors publish it, the rule of
`survey_app.questionnaire.scoring` in SQL (`published_scores.py` fills the rule, band and table rows): its
own missing-data rule, coded items (reverse by low + high - value), `sum`/`mean`/`sum_times`/`table`
(prorated where declared), the published score and band kept in `response_score.published_score`
and `.band`, and the 0-100 score, normalised on the published range and turned round when lower is
better, kept in `.score`, which feeds dimensions, benchmarks and charts as before.
Every score is kept in micro-points (integers of 1e-6 point) so sums are exact
integers: merging batches in any order, or rebuilding from raw answers, gives the same figures.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlite_utils import Database

from pipeline import published_scores
from survey_app.questionnaire.model import Questionnaire
from survey_app.questionnaire.scoring import Scoring

MICRO = 1_000_000  # scores are kept as integers of 1e-6 point: 0..100,000,000
FAVOURABLE_MICRO = 75 * MICRO  # a respondent is favourable from 75 points
SPLIT = 10_000  # q = high * SPLIT + low keeps every square sum inside SQLite's 64-bit integers
METHODS = ("mean", "sum")
Questionnaires = dict[tuple[str, int], Questionnaire]


@dataclass(frozen=True, slots=True)
class ScoringRule:
    """How one indicator of one questionnaire version turns item scores into a respondent score."""

    questionnaire_id: str
    version: int
    indicator: str
    items: int
    method: str = "mean"
    min_answered: int = 1
    declared: Scoring | None = None  # the published scoring, when the questionnaire declares one

    def __post_init__(self) -> None:
        if self.method not in METHODS:
            raise ValueError(f"unknown scoring method {self.method!r} for indicator {self.indicator}")


def item_rows(questionnaires: Questionnaires) -> list[tuple]:
    """(questionnaire, version, question, indicator, slope, base, items) for every scored item
    (slope and base of its 0-100 points; published_scores.coded_rows gives its published coding)."""
    rows = []
    for (qid, version), questionnaire in sorted(questionnaires.items()):
        scored = [q for q in questionnaire.questions if q.scored and q.indicator]
        for q in scored:
            slope, base = q.score_line()
            items = sum(1 for other in scored if other.indicator == q.indicator)
            rows.append((qid, version, q.id, q.indicator, slope, base, items))
    return rows


def rules_for(questionnaires: Questionnaires) -> list[ScoringRule]:
    """The rule of every indicator: its declared scoring, else the default (mean of item scores, at
    least half of the items answered)."""
    counts: dict[tuple[str, int, str], int] = {}
    for qid, version, _, indicator, _, _, _ in item_rows(questionnaires):
        counts[(qid, version, indicator)] = counts.get((qid, version, indicator), 0) + 1
    rules = []
    for (qid, version, indicator), items in sorted(counts.items()):
        declared = published_scores.declared(questionnaires[(qid, version)], indicator)
        if declared is None:
            rules.append(ScoringRule(qid, version, indicator, items, "mean", (items + 1) // 2))
        else:
            rules.append(
                ScoringRule(qid, version, indicator, items, "mean", declared.missing.min_answered(items), declared)
            )
    return rules


def fingerprints(questionnaires: Questionnaires, rules: list[ScoringRule]) -> dict[tuple[str, int], list[tuple]]:
    """Per questionnaire version, its item and rule rows: what a campaign's scores depend on."""
    out: dict[tuple[str, int], list[tuple]] = {key: [] for key in questionnaires}
    for row in item_rows(questionnaires):
        out[(row[0], row[1])].append(row[2:])
    for r in rules:
        row = (r.indicator, r.items, r.method, r.min_answered)
        out.setdefault((r.questionnaire_id, r.version), []).append(row + published_scores.signature(r.declared))
    return out


def tune(db: Database) -> None:
    """Settings of a connection that scores: call before it creates any temporary table."""
    db.execute("PRAGMA temp_store = MEMORY")  # sorts and chunks stay in memory
    db.execute("PRAGMA cache_size = -65536")  # 64 MB of page cache for this connection's batches


def prepare(db: Database, questionnaires: Questionnaires, rules: list[ScoringRule] | None = None) -> dict[tuple, int]:
    """Fill this connection's temporary tables that the scoring SQL joins on; return the integer key
    of each questionnaire version (`pipeline_campaign.qkey`, filled by campaign_plans.prepare_plans).

    Integer keys and one denormalised item table keep the per-answer work to two small look-ups.
    """
    tune(db)
    db.execute(
        "CREATE TEMP TABLE IF NOT EXISTS pipeline_item (qkey INTEGER, declared INTEGER, question_id TEXT, "
        "ino INTEGER, slope REAL, base REAL, items INTEGER, method_sum INTEGER, min_answered INTEGER, cslope REAL, "
        "cbase REAL, PRIMARY KEY (qkey, declared, ino, question_id)) WITHOUT ROWID"
    )
    db.execute("CREATE TEMP TABLE IF NOT EXISTS pipeline_indicator (ino INTEGER PRIMARY KEY, indicator TEXT)")
    db.execute(
        "CREATE TEMP TABLE IF NOT EXISTS pipeline_scored (response_id INTEGER, campaign_id INTEGER, ino INTEGER, "
        "q INTEGER, pq INTEGER, band TEXT)"
    )
    for table in ("pipeline_item", "pipeline_indicator", "pipeline_scored"):
        db.execute(f"DELETE FROM temp.{table}")
    items = item_rows(questionnaires)
    rules = rules or rules_for(questionnaires)
    by_rule = {(r.questionnaire_id, r.version, r.indicator): r for r in rules}
    qkeys = {key: number for number, key in enumerate(sorted(questionnaires))}
    inos = {name: number for number, name in enumerate(sorted({row[3] for row in items}))}  # same order as text
    coded = published_scores.coded_rows(questionnaires)
    rows = []
    for qid, version, question_id, indicator, slope, base, _ in items:
        rule = by_rule[(qid, version, indicator)]
        sums_all = int(rule.method == "sum")
        cslope, cbase = coded[(qid, version, question_id)]
        rows.append((qkeys[(qid, version)], int(rule.declared is not None), question_id, inos[indicator], slope,
                     base, rule.items, sums_all, rule.min_answered, cslope, cbase))  # fmt: skip
    db.conn.executemany("INSERT INTO temp.pipeline_item VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    db.conn.executemany("INSERT INTO temp.pipeline_indicator VALUES (?, ?)", [(n, i) for i, n in inos.items()])
    # The rules with a row in pipeline_rule: the same test as each item's `declared` flag above.
    declared = [
        (qkeys[(r.questionnaire_id, r.version)], inos[r.indicator], r.declared) for r in rules if r.declared is not None
    ]
    published_scores.prepare(db, declared)
    return qkeys


# Which responses a statement scores: a range of ids (new responses), or one campaign (a rebuild).
BY_RANGE = "r.id > :low AND r.id <= :high"
BY_CAMPAIGN = "r.campaign_id = :campaign AND r.id <= :high"

# The answers of each response, indicator by indicator: the loops run response -> its campaign's
# questionnaire -> its items in indicator order -> the answer, looked up by its key. Rows then come out
# in (response, indicator) order, so SQLite groups them as they come instead of sorting every answer
# of a chunk first (the sort was half of the statement). CROSS JOIN keeps that loop order.
# `declared` picks the items of indicators with a declared scoring (1) or those without (0).
_ANSWERS = """FROM response r
    CROSS JOIN temp.pipeline_campaign k
    CROSS JOIN temp.pipeline_item i
    CROSS JOIN answer a
    WHERE {which} AND k.campaign_id = r.campaign_id AND i.qkey = k.qkey AND i.declared = {declared}
      AND a.response_id = r.id AND a.question_id = i.question_id AND a.dont_know = 0 AND a.value_num IS NOT NULL
    GROUP BY r.id, i.ino"""

# The rule. `mean`: average item score; `sum`: sum of item scores over the sum of their ranges
# (100 each), so a respondent answering every item gets the same 0-100 as with `mean`. A declared
# scoring (a row of pipeline_rule) computes the published score p from the coded sum instead, and
# its 0-100 score from p; a table that has no row for a sum leaves the respondent out.
# The plain rule scores the indicators without a declared scoring: no join, no coded sum, pq and band
# stay NULL. The declared rule scores the others in a second statement, so the rows of most
# indicators do not pay for its join and expressions (a quarter of the statement when it ran on all).
_PLAIN = """
INSERT INTO temp.pipeline_scored (response_id, campaign_id, ino, q)
SELECT response_id, campaign_id, ino, CAST(ROUND(raw * {micro}) AS INTEGER)
FROM (
    SELECT r.id AS response_id, r.campaign_id AS campaign_id, i.ino AS ino,
           CASE i.method_sum WHEN 1 THEN SUM(i.base + i.slope * a.value_num) / i.items
                             ELSE AVG(i.base + i.slope * a.value_num) END AS raw,
           COUNT(*) AS answered, i.min_answered AS min_answered
{answers}
)
WHERE answered >= min_answered
"""
_SCORE = """
INSERT INTO temp.pipeline_scored (response_id, campaign_id, ino, q, pq, band)
SELECT response_id, campaign_id, ino,
       CAST(ROUND(CASE WHEN declared THEN normalised ELSE raw END * {micro}) AS INTEGER),
       CAST(ROUND(p * {micro}) AS INTEGER), band
FROM (
    SELECT s.*, {normalised} AS normalised, {band} AS band
    FROM (
        SELECT g.*, ru.qkey IS NOT NULL AS declared, {published} AS p,
               ru.low AS low, ru.high AS high, ru.better AS better
        FROM (
            SELECT r.id AS response_id, r.campaign_id AS campaign_id, i.qkey AS qkey, i.ino AS ino,
                   CASE i.method_sum WHEN 1 THEN SUM(i.base + i.slope * a.value_num) / i.items
                                     ELSE AVG(i.base + i.slope * a.value_num) END AS raw,
                   SUM(i.cbase + i.cslope * a.value_num) AS coded, i.items AS items,
                   COUNT(*) AS answered, i.min_answered AS min_answered
            {answers}
        ) g
        LEFT JOIN temp.pipeline_rule ru ON ru.qkey = g.qkey AND ru.ino = g.ino
        WHERE g.answered >= g.min_answered
    ) s
)
WHERE NOT declared OR p IS NOT NULL
"""
KEEP_SCORES = (
    "INSERT INTO response_score (response_id, campaign_id, indicator, score, published_score, band) "
    f"SELECT s.response_id, s.campaign_id, n.indicator, s.q * 1.0 / {MICRO}, s.pq * 1.0 / {MICRO}, s.band "
    "FROM temp.pipeline_scored s JOIN temp.pipeline_indicator n ON n.ino = s.ino"
)  # no ORDER BY: each score_sql statement writes its rows in (response, indicator) order, so they go in
# near the key's end; sorting a chunk's rows into one order first cost more than it saved (measured)


def score_sql(which: str, declared: bool = True) -> tuple[str, ...]:
    """INSERTs of the respondent scores of the responses `which` selects (BY_RANGE or BY_CAMPAIGN)
    into `temp.pipeline_scored` (integer micro-points), to run in order; KEEP_SCORES then stores them.
    `declared`: whether any indicator has a declared scoring (else the plain rule alone). The declared
    indicators' rows come after all the plain ones: nothing that reads `pipeline_scored` needs one
    response's rows together (sums group by wave and indicator, KEEP_SCORES inserts by key)."""
    if which not in (BY_RANGE, BY_CAMPAIGN):
        raise ValueError("unknown response filter")
    plain = _PLAIN.format(micro=MICRO, answers=_ANSWERS.format(which=which, declared=0))
    if not declared:
        return (plain,)
    published = _SCORE.format(
        micro=MICRO,
        answers=_ANSWERS.format(which=which, declared=1),
        published=published_scores.PUBLISHED,
        normalised=published_scores.NORMALISED,
        band=published_scores.BAND,
    )
    return (plain, published)
