"""The scoring rule, in one place: raw answers -> one 0-100 score per respondent and indicator.

Scoring runs inside SQLite so a million responses never become Python objects. Two temporary tables,
filled from the questionnaire model on each connection, are the parameters of the one SQL rule:

- `temp.pipeline_item`: every scored item (questionnaire, version, question, indicator, slope, base):
  the item score is `base + slope * value` (reverse items have a negative slope);
- `temp.pipeline_rule`: one row per (questionnaire, version, indicator): `method` and `min_answered`.
  The default (`mean`) is the product's rule: the mean of the answered item scores, kept when at
  least half of the items were answered. `sum` maps the sum of the item scores linearly onto 0-100.

The seam for validated instruments (R2 3/9): an instrument adds rows with its own method and
missing-data rule (`rules_for` is where they are built) and, where the SQL alone cannot express a
method (table conversion, bands), fills `response_score.published_score` and `.band` afterwards
from the same rows. Every score is kept in micro-points (integers of 1e-6 point) so sums are exact
integers: merging batches in any order, or rebuilding from raw answers, gives the same figures.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlite_utils import Database

from survey_app.questionnaire.model import Questionnaire

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

    def __post_init__(self) -> None:
        if self.method not in METHODS:
            raise ValueError(f"unknown scoring method {self.method!r} for indicator {self.indicator}")


def item_rows(questionnaires: Questionnaires) -> list[tuple]:
    """(questionnaire, version, question, indicator, slope, base, items) for every scored item."""
    rows = []
    for (qid, version), questionnaire in sorted(questionnaires.items()):
        scored = [q for q in questionnaire.questions if q.scored and q.indicator]
        for q in scored:
            low, high = q.scale_range()
            slope = 100.0 / (high - low)
            base = -low * slope
            if q.reverse:
                slope, base = -slope, 100.0 - base
            items = sum(1 for other in scored if other.indicator == q.indicator)
            rows.append((qid, version, q.id, q.indicator, slope, base, items))
    return rows


def rules_for(questionnaires: Questionnaires) -> list[ScoringRule]:
    """The default rule for every indicator: mean of item scores, at least half of the items answered."""
    counts: dict[tuple[str, int, str], int] = {}
    for qid, version, _, indicator, _, _, _ in item_rows(questionnaires):
        counts[(qid, version, indicator)] = counts.get((qid, version, indicator), 0) + 1
    return [
        ScoringRule(qid, version, indicator, items, "mean", (items + 1) // 2)
        for (qid, version, indicator), items in sorted(counts.items())
    ]


def fingerprints(questionnaires: Questionnaires, rules: list[ScoringRule]) -> dict[tuple[str, int], list[tuple]]:
    """Per questionnaire version, its item and rule rows: what a campaign's scores depend on."""
    out: dict[tuple[str, int], list[tuple]] = {key: [] for key in questionnaires}
    for row in item_rows(questionnaires):
        out[(row[0], row[1])].append(row[2:])
    for r in rules:
        out.setdefault((r.questionnaire_id, r.version), []).append((r.indicator, r.items, r.method, r.min_answered))
    return out


def prepare(db: Database, questionnaires: Questionnaires, rules: list[ScoringRule] | None = None) -> None:
    """Fill this connection's temporary item and rule tables that the scoring SQL joins on."""
    db.execute(
        "CREATE TEMP TABLE IF NOT EXISTS pipeline_item (questionnaire_id TEXT, version INTEGER, "
        "question_id TEXT, indicator TEXT, slope REAL, base REAL, items INTEGER, "
        "PRIMARY KEY (questionnaire_id, version, question_id))"
    )
    db.execute(
        "CREATE TEMP TABLE IF NOT EXISTS pipeline_rule (questionnaire_id TEXT, version INTEGER, indicator TEXT, "
        "items INTEGER, method TEXT, min_answered INTEGER, PRIMARY KEY (questionnaire_id, version, indicator))"
    )
    db.execute("DELETE FROM temp.pipeline_item")
    db.execute("DELETE FROM temp.pipeline_rule")
    db.conn.executemany("INSERT INTO temp.pipeline_item VALUES (?, ?, ?, ?, ?, ?, ?)", item_rows(questionnaires))
    db.conn.executemany(
        "INSERT INTO temp.pipeline_rule VALUES (?, ?, ?, ?, ?, ?)",
        [
            (r.questionnaire_id, r.version, r.indicator, r.items, r.method, r.min_answered)
            for r in (rules if rules is not None else rules_for(questionnaires))
        ],
    )


# Which responses a statement scores: a range of ids (new responses), or one campaign (a rebuild).
BY_RANGE = "r.id > :low AND r.id <= :high"
BY_CAMPAIGN = "r.campaign_id = :campaign AND r.id <= :high"

# The rule. `mean`: average item score; `sum`: sum of item scores over the sum of their ranges
# (100 each), so a respondent answering every item gets the same 0-100 as with `mean`.
_SCORE_SELECT = """
SELECT response_id, campaign_id, indicator, CAST(ROUND(raw * {micro}) AS INTEGER) AS q
FROM (
    SELECT r.id AS response_id, r.campaign_id AS campaign_id, i.indicator AS indicator,
           CASE g.method WHEN 'sum' THEN SUM(i.base + i.slope * a.value_num) / g.items
                         ELSE AVG(i.base + i.slope * a.value_num) END AS raw,
           COUNT(*) AS answered, g.min_answered AS min_answered
    FROM response r
    JOIN campaign c ON c.id = r.campaign_id
    JOIN answer a ON a.response_id = r.id
    JOIN temp.pipeline_item i ON i.questionnaire_id = c.questionnaire_id AND i.version = c.questionnaire_version
         AND i.question_id = a.question_id
    JOIN temp.pipeline_rule g ON g.questionnaire_id = i.questionnaire_id AND g.version = i.version
         AND g.indicator = i.indicator
    WHERE {which} AND a.dont_know = 0 AND a.value_num IS NOT NULL
    GROUP BY r.id, i.indicator
)
WHERE answered >= min_answered
"""


def score_sql(which: str) -> str:
    """INSERT of the respondent scores of the responses `which` selects (BY_RANGE or BY_CAMPAIGN)."""
    if which not in (BY_RANGE, BY_CAMPAIGN):
        raise ValueError("unknown response filter")
    select = _SCORE_SELECT.format(micro=MICRO, which=which)
    return (
        "INSERT INTO response_score (response_id, campaign_id, indicator, score) "
        f"SELECT response_id, campaign_id, indicator, q * 1.0 / {MICRO} FROM ({select})"
    )


def micro(column: str) -> str:
    """SQL turning a stored score (points, exactly q / MICRO) back into its integer q."""
    return f"CAST(ROUND({column} * {MICRO}) AS INTEGER)"
