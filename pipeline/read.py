"""Read step: SQL that turns responses into per-campaign aggregates.

Per-respondent scoring happens inside SQLite, one campaign at a time, so a million responses
never become Python objects: each item's 0-100 score is `base + slope * value` (slope and base
come from the questionnaire model, reverse items included), averaged per respondent and indicator,
kept when at least half of the indicator's items were answered, then summed per indicator.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from sqlite_utils import Database

from pipeline.model import CampaignData, CampaignInfo, IndicatorSums, OptionCount, TextAnswer
from survey_app.questionnaire.loader import load_framework, parse_questionnaire
from survey_app.questionnaire.model import Framework, Questionnaire
from survey_app.questionnaire.registry import FRAMEWORK_FILE, QUESTIONNAIRES_DIR

# A respondent whose indicator score is at least this is "favourable"; the epsilon absorbs
# floating-point noise in averages such as (50 + 100) / 2.
FAVOURABLE = 75.0 - 1e-9
Questionnaires = dict[tuple[str, int], Questionnaire]

INDICATOR_SQL = """
SELECT indicator, COUNT(*), SUM(score), SUM(score * score), SUM(score >= :favourable)
FROM (
    SELECT i.indicator AS indicator, AVG(i.base + i.slope * a.value_num) AS score,
           COUNT(*) AS answered, i.items AS items
    FROM response r
    JOIN answer a ON a.response_id = r.id
    JOIN temp.pipeline_item i
      ON i.questionnaire_id = :qid AND i.version = :version AND i.question_id = a.question_id
    WHERE r.campaign_id = :cid AND a.dont_know = 0 AND a.value_num IS NOT NULL
    GROUP BY r.id, i.indicator
)
WHERE 2 * answered >= items
GROUP BY indicator ORDER BY indicator
"""


def load_questionnaires(db: Database) -> tuple[Framework, Questionnaires]:
    """Every registered questionnaire version, rebuilt from the source kept in the database."""
    framework = load_framework(QUESTIONNAIRES_DIR / FRAMEWORK_FILE)
    versions = {
        (row["id"], row["version"]): parse_questionnaire(
            row["source"], f"database copy of {row['id']} version {row['version']}", framework
        )
        for row in db.query("SELECT id, version, source FROM questionnaire")
    }
    return framework, versions


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


def prepare_items(db: Database, questionnaires: Questionnaires) -> None:
    """Fill the connection's temporary item table that the scoring SQL joins on."""
    db.execute(
        "CREATE TEMP TABLE IF NOT EXISTS pipeline_item (questionnaire_id TEXT, version INTEGER, "
        "question_id TEXT, indicator TEXT, slope REAL, base REAL, items INTEGER, "
        "PRIMARY KEY (questionnaire_id, version, question_id))"
    )
    db.execute("DELETE FROM temp.pipeline_item")
    db.conn.executemany("INSERT INTO temp.pipeline_item VALUES (?, ?, ?, ?, ?, ?, ?)", item_rows(questionnaires))


def load_campaigns(db: Database, now_iso: str, enterprise_slug: str | None = None) -> list[CampaignInfo]:
    """All campaigns (or one enterprise's) with what the rules need; closed means closed by `now`."""
    sql = (
        "SELECT c.*, e.sector_group, e.benchmark_consent, e.slug FROM campaign c "
        "JOIN enterprise e ON e.id = c.enterprise_id"
    )
    params: list = []
    if enterprise_slug:
        sql += " WHERE e.slug = ?"
        params.append(enterprise_slug)
    return [
        CampaignInfo(
            id=row["id"],
            enterprise_id=row["enterprise_id"],
            sector_group=row["sector_group"],
            benchmark_consent=bool(row["benchmark_consent"]),
            stakeholder_group=row["stakeholder_group"],
            questionnaire_id=row["questionnaire_id"],
            questionnaire_version=row["questionnaire_version"],
            closes_at=row["closes_at"],
            closed=bool(row["closed_at"]) or row["closes_at"] <= now_iso,
            expected_population=row["expected_population"],
            custom_questions=tuple(json.loads(row["custom_questions"] or "[]")),
        )
        for row in db.query(sql + " ORDER BY c.id", params)
    ]


def response_counts(db: Database) -> dict[int, int]:
    return dict(db.execute("SELECT campaign_id, COUNT(*) FROM response GROUP BY campaign_id").fetchall())


def invitation_counts(db: Database) -> dict[int, int]:
    return dict(
        db.execute(
            "SELECT campaign_id, COUNT(*) FROM invitation WHERE revoked_at IS NULL GROUP BY campaign_id"
        ).fetchall()
    )


def stored_counts(db: Database) -> dict[int, int]:
    """Respondents per campaign as of the last save: a change means responses came or went."""
    return dict(db.execute("SELECT campaign_id, submitted FROM campaign_summary").fetchall())


def max_response_id(db: Database) -> int:
    return db.execute("SELECT COALESCE(MAX(id), 0) FROM response").fetchone()[0]


def campaigns_with_responses_after(db: Database, watermark: int) -> set[int]:
    return {r[0] for r in db.execute("SELECT DISTINCT campaign_id FROM response WHERE id > ?", [watermark])}


def read_campaign(
    db: Database,
    campaign: CampaignInfo,
    respondents: int,
    option_questions: Iterable[str],
    text_questions: Iterable[str],
    read_texts: bool,
) -> CampaignData:
    """Aggregates of one campaign: indicator sums, option counts, and free texts when allowed."""
    params = {
        "cid": campaign.id,
        "qid": campaign.questionnaire_id,
        "version": campaign.questionnaire_version,
        "favourable": FAVOURABLE,
    }
    indicators = tuple(
        IndicatorSums(row[0], row[1], row[2], row[3], row[4]) for row in db.execute(INDICATOR_SQL, params)
    )
    options = _option_counts(db, campaign.id, sorted(set(option_questions)))
    texts: tuple[TextAnswer, ...] = ()
    text_ids = sorted(set(text_questions))
    if read_texts and text_ids:
        marks = ", ".join("?" for _ in text_ids)
        texts = tuple(
            TextAnswer(*row)
            for row in db.execute(
                "SELECT a.response_id, a.question_id, r.language, a.value_text FROM response r "
                "JOIN answer a ON a.response_id = r.id WHERE r.campaign_id = ? AND a.dont_know = 0 "
                f"AND a.question_id IN ({marks}) AND TRIM(COALESCE(a.value_text, '')) != '' "
                "ORDER BY a.response_id, a.question_id",
                [campaign.id, *text_ids],
            )
        )
    return CampaignData(campaign, respondents, indicators, options, texts)


def _option_counts(db: Database, campaign_id: int, question_ids: list[str]) -> tuple[OptionCount, ...]:
    if not question_ids:
        return ()
    marks = ", ".join("?" for _ in question_ids)
    return tuple(
        OptionCount(*row)
        for row in db.execute(
            "SELECT a.question_id, a.value_num, a.value_text, COUNT(*) FROM response r "
            "JOIN answer a ON a.response_id = r.id WHERE r.campaign_id = ? AND a.dont_know = 0 "
            f"AND a.question_id IN ({marks}) AND (a.value_num IS NOT NULL OR a.value_text IS NOT NULL) "
            "GROUP BY 1, 2, 3 ORDER BY 1, 2, 3",
            [campaign_id, *question_ids],
        )
    )
