"""Published scores in SQL: the rows and statement fragments of a declared scoring.

`survey_app.questionnaire.scoring` is the reference (a pure Python rule and its worked examples);
this module gives the scoring SQL of `scoring.py` what it needs to compute the same figures inside
SQLite: each item's published coding (coded = cbase + cslope * value: reverse items by low + high -
value), one `pipeline_rule` row per declared indicator (method, factor, prorating, published range,
direction), its bands (`pipeline_band`) and its conversion table (`pipeline_table`). The missing-data
rule becomes the item table's `min_answered`, as for the default rule.

An indicator without a declaration keeps the default rule and has no published score (NULL).
From the kept sums, `published_figures` and `band_shares` give the saved figures (compute.py).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sqlite_utils import Database

from pipeline.model import BandShare, IndicatorSums, IndicatorValue
from pipeline.stats import clipped_interval, exact_mean_sd, rounded
from survey_app.questionnaire.model import Questionnaire
from survey_app.questionnaire.scoring import EPSILON, Scoring

# In the scoring statement: `g` is one respondent's group of answers to one indicator (raw = mean
# of the 0-100 points, coded = sum of the coded values), `ru` its declared rule (NULL without one).
PUBLISHED = """CASE WHEN ru.qkey IS NULL THEN NULL
            WHEN ru.method = 'mean_0_100' THEN g.raw
            WHEN ru.method = 'mean' THEN g.coded * 1.0 / g.answered
            WHEN ru.method = 'table' THEN (SELECT t.score FROM temp.pipeline_table t
                 WHERE t.qkey = g.qkey AND t.ino = g.ino AND t.raw = CAST(ROUND(g.coded) AS INTEGER))
            ELSE (CASE WHEN ru.prorate THEN g.coded * g.items * 1.0 / g.answered ELSE g.coded END) * ru.factor
       END"""
# `s` carries p and the rule's range and direction: the 0-100 score, the good end at 100.
NORMALISED = """CASE WHEN s.p IS NULL THEN NULL
            WHEN s.better THEN (s.p - s.low) / (s.high - s.low) * 100
            ELSE 100 - (s.p - s.low) / (s.high - s.low) * 100 END"""
BAND = f"""CASE WHEN s.p IS NULL THEN NULL ELSE (SELECT b.band FROM temp.pipeline_band b
            WHERE b.qkey = s.qkey AND b.ino = s.ino AND s.p BETWEEN b.low - {EPSILON} AND b.high + {EPSILON}
            ORDER BY b.bno LIMIT 1) END"""


def declared(questionnaire: Questionnaire, indicator: str) -> Scoring | None:
    """The indicator's declared scoring in this questionnaire (with its instruments), if any."""
    return next((s for s in questionnaire.scorings if s.indicator == indicator and s.declared), None)


def signature(scoring: Scoring | None) -> tuple:
    """What a declared rule's results depend on, for the campaign plan (a change rebuilds its sums);
    nothing for the default rule, so plans of undeclared indicators stay as they were."""
    if scoring is None:
        return ()
    missing = scoring.missing
    return (
        scoring.method, scoring.low, scoring.high, missing.kind, missing.count, str(missing.fraction),
        scoring.prorate, scoring.factor, sorted(scoring.table.items()), scoring.higher_is_better,
        [(b.id, b.low, b.high) for b in scoring.bands],
    )  # fmt: skip


def coded_rows(questionnaires: Mapping[tuple[str, int], Questionnaire]) -> dict[tuple[str, int, str], tuple]:
    """(questionnaire, version, question) -> (cslope, cbase) of each scored item's published code."""
    out: dict[tuple[str, int, str], tuple] = {}
    for (qid, version), questionnaire in questionnaires.items():
        for q in questionnaire.questions:
            if q.scored and q.indicator:
                low, high = q.scale_range()
                out[(qid, version, q.id)] = (-1.0, low + high) if q.reverse else (1.0, 0.0)
    return out


def prepare(db: Database, rules: Sequence[tuple[int, int, Scoring]]) -> None:
    """Fill the temporary rule, band and table rows of the declared scorings: (qkey, ino, scoring)."""
    db.execute(
        "CREATE TEMP TABLE IF NOT EXISTS pipeline_rule (qkey INTEGER, ino INTEGER, method TEXT, factor REAL, "
        "prorate INTEGER, low REAL, high REAL, better INTEGER, PRIMARY KEY (qkey, ino)) WITHOUT ROWID"
    )
    db.execute(
        "CREATE TEMP TABLE IF NOT EXISTS pipeline_band (qkey INTEGER, ino INTEGER, bno INTEGER, band TEXT, "
        "low REAL, high REAL, PRIMARY KEY (qkey, ino, bno)) WITHOUT ROWID"
    )
    db.execute(
        "CREATE TEMP TABLE IF NOT EXISTS pipeline_table (qkey INTEGER, ino INTEGER, raw INTEGER, score REAL, "
        "PRIMARY KEY (qkey, ino, raw)) WITHOUT ROWID"
    )
    for table in ("pipeline_rule", "pipeline_band", "pipeline_table"):
        db.execute(f"DELETE FROM temp.{table}")
    for qkey, ino, s in rules:
        factor = s.factor if s.method == "sum_times" else 1.0
        db.execute(
            "INSERT INTO temp.pipeline_rule VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [qkey, ino, s.method, factor, int(s.prorate), s.low, s.high, int(s.higher_is_better)],
        )
        db.conn.executemany(
            "INSERT INTO temp.pipeline_band VALUES (?, ?, ?, ?, ?, ?)",
            [(qkey, ino, number, b.id, b.low, b.high) for number, b in enumerate(s.bands)],
        )
        db.conn.executemany(
            "INSERT INTO temp.pipeline_table VALUES (?, ?, ?, ?)",
            [(qkey, ino, raw, score) for raw, score in sorted(s.table.items())],
        )


Figures = tuple[float | None, float | None, float | None, float | None]


def published_figures(n: int, sums: tuple[int, int] | None, scoring: Scoring | None, unit: int) -> Figures:
    """Mean, sd and 95% interval (clipped to the published range) of a shown indicator's published
    score, from its exact sums in units of 1/unit (scoring.MICRO); None without a declared scoring."""
    if scoring is None or sums is None:
        return None, None, None, None
    mean, sd = exact_mean_sd(n, *sums, unit)
    low, high = clipped_interval(n, mean, sd, (scoring.low, scoring.high))
    return rounded(mean), rounded(sd), low, high


def band_shares(value: IndicatorValue, sums: IndicatorSums | None, scoring: Scoring | None) -> list[BandShare]:
    """Respondents in each band of a shown indicator's published score (every band, empty ones too)."""
    if value.suppressed or scoring is None or sums is None or not scoring.bands:
        return []
    return [
        BandShare(
            value.campaign_id,
            value.key,
            b.id,
            sums.bands.get(b.id, 0),
            rounded(sums.bands.get(b.id, 0) / sums.n) or 0.0,
        )
        for b in scoring.bands
    ]
