"""What a per-response export may contain: the policy the privacy notice promises respondents.

A campaign's responses are exported one row per person only when its respondents were told so
before answering (`campaign.responses_exportable`, shown on the survey's first page), and only
from `min_group_size` responses on. Even then a file never holds:
- an answer to a question that fewer than `min_group_size` people answered (a follow-up question
  few were shown): the whole column is left blank, and its header says why;
- a quote the enterprise hid from its report (the cell is left blank, the header says so);
- a date finer than the ISO week, and the week only where at least `min_group_size` responses
  share it (a week with two responses would point at whoever is known to have answered then).
Rows are sorted by week, then by the response's random submission id: their order says nothing
about who answered first.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlite_utils import Database


@dataclass(frozen=True)
class ExportPolicy:
    min_group: int
    blank_questions: frozenset[str]  # answered (a real answer, not "don't know") by fewer than min_group
    hidden_quotes: frozenset[tuple[int, str]]  # (response id, question id) hidden by the enterprise
    shown_weeks: frozenset[str]  # weeks that at least min_group responses share
    blank_weeks: int = 0  # responses whose week is left blank

    def week(self, week: str) -> str | None:
        return week if week in self.shown_weeks else None


def may_export(campaign: dict, responses: int, min_group: int) -> bool:
    """Respondents were told their answers may be exported, and there are enough of them."""
    return bool(campaign["responses_exportable"]) and responses >= min_group


def answered_by_enough(db: Database, campaign_id: int, question_id: str, min_group: int) -> bool:
    """At least min_group real answers (not "don't know") to the question. Stops at min_group, so a
    question most people answered costs a few index look-ups, not a scan of the campaign."""
    found = db.execute(
        "SELECT count(*) FROM (SELECT 1 FROM response r JOIN answer a ON a.response_id = r.id AND a.question_id = ? "
        "WHERE r.campaign_id = ? AND a.dont_know = 0 AND (a.value_num IS NOT NULL OR a.value_text IS NOT NULL) "
        "LIMIT ?)",
        [question_id, campaign_id, min_group],
    ).fetchone()[0]
    return found >= min_group


def policy_for(db: Database, campaign_id: int, question_ids: list[str], min_group: int) -> ExportPolicy:
    hidden = db.execute(
        "SELECT h.response_id, h.question_id FROM testimony_hidden h JOIN response r ON r.id = h.response_id "
        "WHERE r.campaign_id = ?",
        [campaign_id],
    ).fetchall()
    weeks = db.execute(
        "SELECT submitted_week, count(*) FROM response WHERE campaign_id = ? GROUP BY submitted_week", [campaign_id]
    ).fetchall()
    return ExportPolicy(
        min_group,
        frozenset(q for q in question_ids if not answered_by_enough(db, campaign_id, q, min_group)),
        frozenset((r, q) for r, q in hidden),
        frozenset(w for w, n in weeks if w and n >= min_group),
        sum(n for w, n in weeks if not (w and n >= min_group)),
    )


def hidden_quote_questions(policy: ExportPolicy) -> set[str]:
    return {question_id for _response, question_id in policy.hidden_quotes}
