"""Results by channel: how the answers were given (by the respondents themselves, to an
interviewer, on paper), since answers given to an interviewer tend to be more positive.

Computed on request from one campaign's responses, with the product's scoring rule (each item
scored 0-100, averaged per respondent and indicator when at least half of its items were
answered: the rule of pipeline.read, repeated here in one query per campaign). Indicators with
a published scoring (validated instruments) are left out of the breakdown.

Suppression, stricter than a single cell: an indicator's breakdown is shown only when every
channel that answered it has at least `min_group` respondents, and at least two channels do.
Otherwise its whole row is suppressed, because a channel's figure could be derived from the
total and the other channels (no derivation by subtraction). Counts of responses per channel
carry no answer, and are shown as on the campaign page.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlite_utils import Database

from survey_app.questionnaire.model import Questionnaire

CHANNELS = ("self", "interview", "paper")
SCORES_SQL = """
WITH item(question_id, indicator, slope, base, items) AS (VALUES {values})
SELECT channel, indicator, COUNT(*), AVG(score) FROM (
    SELECT r.channel AS channel, i.indicator AS indicator, AVG(i.base + i.slope * a.value_num) AS score,
           COUNT(*) AS answered, i.items AS items
    FROM response r JOIN answer a ON a.response_id = r.id JOIN item i ON i.question_id = a.question_id
    WHERE r.campaign_id = ? AND a.dont_know = 0 AND a.value_num IS NOT NULL
    GROUP BY r.id, i.indicator
)
WHERE 2 * answered >= items GROUP BY channel, indicator
"""


@dataclass(frozen=True)
class IndicatorRow:
    indicator: str
    reason: str | None  # None when shown; "one_channel" or "small_group" when suppressed
    means: dict[str, int] = field(default_factory=dict)  # channel -> mean score 0-100, whole number

    @property
    def suppressed(self) -> bool:
        return self.reason is not None


@dataclass(frozen=True)
class Breakdown:
    counts: dict[str, int]  # responses per channel
    rows: tuple[IndicatorRow, ...]

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def channels(self) -> tuple[str, ...]:
        return tuple(c for c in CHANNELS if self.counts.get(c))

    def share(self, channel: str) -> int:
        """Whole percent of the responses given through `channel`."""
        return round(100 * self.counts.get(channel, 0) / self.total) if self.total else 0


def _items(questionnaire: Questionnaire) -> list[tuple[str, str, float, float, int]]:
    declared = {s.indicator for s in questionnaire.scorings}
    scored = [q for q in questionnaire.questions if q.scored and q.indicator and q.indicator not in declared]
    rows = []
    for q in scored:
        slope, base = q.score_line()
        items = sum(1 for other in scored if other.indicator == q.indicator)
        rows.append((q.id, str(q.indicator), slope, base, items))
    return rows


def counts(db: Database, campaign_id: int) -> dict[str, int]:
    rows = db.execute("SELECT channel, count(*) FROM response WHERE campaign_id = ? GROUP BY channel", [campaign_id])
    return dict(rows.fetchall())


def breakdown(db: Database, campaign_id: int, questionnaire: Questionnaire, min_group: int) -> Breakdown:
    items = _items(questionnaire)
    found: dict[str, dict[str, tuple[int, float]]] = defaultdict(dict)
    if items:
        sql = SCORES_SQL.format(values=", ".join("(?, ?, ?, ?, ?)" for _ in items))
        params = [value for item in items for value in item] + [campaign_id]
        for channel, indicator, n, mean in db.execute(sql, params):
            found[indicator][channel] = (n, mean)
    rows = []
    for indicator in dict.fromkeys(item[1] for item in items):
        cells = found.get(indicator, {})
        if any(n < min_group for n, _mean in cells.values()):
            rows.append(IndicatorRow(indicator, "small_group"))
        elif len(cells) < 2:
            rows.append(IndicatorRow(indicator, "one_channel"))
        else:
            rows.append(IndicatorRow(indicator, None, {c: round(mean) for c, (_n, mean) in cells.items()}))
    return Breakdown(counts(db, campaign_id), tuple(rows))
