"""Every score an indicator's items can give, in exact fractions, for validating its scoring.

A table of (answered items -> possible sums) is built item by item; each answered subset that the
missing-data rule keeps then gives one published score. Instruments have few items and short
scales, so the table stays small; beyond LIMIT sums the checks that need it are skipped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from survey_app.questionnaire.model import Question
from survey_app.questionnaire.scoring import DEFAULT_METHOD, Scoring

LIMIT = 200_000


@dataclass(frozen=True)
class Reachable:
    complete_sums: frozenset[Fraction]  # raw sums with every item answered (what a table converts)
    scores: frozenset[Fraction]  # published scores (for a table: of the raw sums it covers)


def _points(question: Question, method: str) -> list[Fraction]:
    """What one answer adds to the respondent's sum: the coded value, or 0-100 points."""
    low, high = (Fraction(str(v)) for v in question.scale_range())
    values = [Fraction(str(question.numeric(c))) for c in question.choices()]
    if method == DEFAULT_METHOD:
        points = [(v - low) * 100 / (high - low) for v in values]
        return [100 - p for p in points] if question.reverse else points
    return [low + high - v for v in values] if question.reverse else values


def _published(scoring: Scoring, total: Fraction, answered: int, items: int) -> Fraction | None:
    if scoring.method in (DEFAULT_METHOD, "mean"):
        return total / answered
    if scoring.method == "table":
        score = scoring.table.get(int(total)) if total.denominator == 1 else None
        return None if score is None else Fraction(str(score))
    summed = total * items / answered if scoring.prorate else total
    return summed * Fraction(str(scoring.factor)) if scoring.method == "sum_times" else summed


def reachable_scores(scoring: Scoring, questions: Sequence[Question]) -> Reachable | None:
    sums: list[set[Fraction]] = [{Fraction(0)}]
    size = 1
    for question in questions:
        points = _points(question, scoring.method)
        grown = [set(s) for s in sums] + [set()]
        for answered, totals in enumerate(sums):
            grown[answered + 1].update(t + p for t in totals for p in points)
        sums = grown
        size = sum(len(s) for s in sums)
        if size > LIMIT:
            return None
    items = len(questions)
    first = max(1, scoring.missing.min_answered(items))
    scores = {
        score
        for answered in range(first, items + 1)
        for total in sums[answered]
        if (score := _published(scoring, total, answered, items)) is not None
    }
    return Reachable(frozenset(sums[items]), frozenset(scores))
