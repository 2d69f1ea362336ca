"""Published scoring of an indicator: the typed rule and its pure reference implementation.

A questionnaire or instrument file may declare how an indicator is scored (`[scoring.<indicator>]`,
see docs/questionnaire-format.md); without a declaration the product's own rule applies
(`Scoring()`: each item 0-100 on its scale, the respondent's mean when at least half the items are
answered), so existing questionnaires keep their results exactly.

- `score_respondent`: one respondent's coded item values (None = missing) -> published score, its
  0-100 normalised form and band, or None when the missing-data rule leaves the respondent out.
- `summarise` / `summarise_sums`: n, mean, 95% CI clipped to the published range, band shares, the
  favourable share (normalised >= 75: the good end whatever the direction) and a net score (NPS).
  Suppression (min_group_size) is the caller's business, as everywhere.

The same rule in SQL, per respondent and indicator (the pipeline scores there), from the answers
(dont_know = 0 AND value_num IS NOT NULL) joined to one row per item (indicator, low, high, reverse):
- coded value c = CASE WHEN reverse THEN low + high - value_num ELSE value_num END; for mean_0_100
  the item points are (value_num - low) / (high - low) * 100, mirrored for reverse items (as today);
- GROUP BY response, indicator: S = SUM(c) (or SUM(points)), k = COUNT(*); n = the indicator's items;
- keep the row when k >= `missing.min_answered(n)` (one integer per indicator, whatever the rule);
- published p: mean_0_100 S / k; mean S / k; sum S (prorated: S * n / k); sum_times factor x sum;
  table: JOIN a (indicator, raw, score) table ON raw = S (complete answers only, so S is whole);
- normalised: (p - low) / (high - low) * 100, or 100 minus that when higher_is_better is false;
- band: JOIN a (indicator, band, low, high) table ON p BETWEEN low - 1e-9 AND high + 1e-9.
Per campaign keep COUNT(*), SUM(p), SUM(p * p), COUNT per band and SUM(normalised >= 75 - 1e-9):
`summarise_sums` turns exactly these into the published figures.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction

from survey_app.questionnaire.model import Question, Questionnaire, Translations

METHODS = ("mean_0_100", "sum", "mean", "sum_times", "table")
DEFAULT_METHOD = "mean_0_100"
EPSILON = 1e-9  # absorbs floating-point noise in prorated sums and means
FAVOURABLE = 75.0 - EPSILON
TQuantile = Callable[[float, float], float]  # (p, degrees of freedom) -> quantile, e.g. pipeline.stats


@dataclass(frozen=True)
class Item:
    """One scored question as the scoring sees it: its scale and whether it counts the other way."""

    low: float
    high: float
    reverse: bool = False

    def coded(self, value: float) -> float:
        """The published item code: reverse items by (low + high) - value, as instruments publish."""
        return self.low + self.high - value if self.reverse else value

    def points(self, value: float) -> float:
        """The product's 0-100 item score (Question.score)."""
        score = (value - self.low) / (self.high - self.low) * 100
        return 100 - score if self.reverse else score


def items_of(questions: Sequence[Question]) -> tuple[Item, ...]:
    return tuple(Item(*q.scale_range(), q.reverse) for q in questions)


@dataclass(frozen=True)
class MissingRule:
    """complete; max_missing = count; or min_answered = count or fraction (default: half)."""

    kind: str = "min_answered"
    count: int | None = None
    fraction: Fraction | None = Fraction(1, 2)

    def min_answered(self, items: int) -> int:
        """The fewest answered items for which a respondent is scored."""
        if self.kind == "complete":
            return items
        if self.kind == "max_missing":
            return items - (self.count or 0)
        if self.count is not None:
            return self.count
        return max(1, math.ceil((self.fraction or Fraction(1, 2)) * items))


@dataclass(frozen=True)
class Band:
    id: str
    low: float
    high: float
    label: Translations

    def contains(self, score: float) -> bool:
        return self.low - EPSILON <= score <= self.high + EPSILON


@dataclass(frozen=True)
class Scoring:
    indicator: str = ""
    method: str = DEFAULT_METHOD
    low: float = 0.0
    high: float = 100.0
    missing: MissingRule = MissingRule()
    prorate: bool = False
    factor: float = 1.0
    table: Mapping[int, float] = field(default_factory=dict)
    higher_is_better: bool = True
    bands: tuple[Band, ...] = ()
    name: Translations = field(default_factory=dict)
    net: tuple[str, str] | None = None  # (positive band, negative band): e.g. promoters minus detractors
    declared: bool = False

    def published(self, coded_sum: float, answered: int, items: int) -> float:
        """The published score from the sum of coded values (or of points, for mean_0_100)."""
        if self.method in ("mean_0_100", "mean"):
            return coded_sum / answered
        if self.method == "table":
            return self.table[round(coded_sum)]
        total = coded_sum * items / answered if self.prorate else coded_sum
        return total * self.factor if self.method == "sum_times" else total

    def normalised(self, score: float) -> float:
        share = (score - self.low) / (self.high - self.low) * 100
        return share if self.higher_is_better else 100 - share

    def band(self, score: float) -> str | None:
        return next((b.id for b in self.bands if b.contains(score)), None)


@dataclass(frozen=True)
class RespondentScore:
    published: float
    normalised: float
    band: str | None
    answered: int


def score_respondent(scoring: Scoring, items: Sequence[Item], values: Sequence[float | None]) -> RespondentScore | None:
    """One respondent's score for one indicator; None when the missing-data rule leaves them out."""
    if len(items) != len(values):
        raise ValueError(f"{len(values)} values for {len(items)} items")
    answered = [(item, v) for item, v in zip(items, values) if v is not None]
    if not answered or len(answered) < scoring.missing.min_answered(len(items)):
        return None
    if scoring.method == DEFAULT_METHOD:
        total = sum(item.points(v) for item, v in answered)
    else:
        total = sum(item.coded(v) for item, v in answered)
    score = scoring.published(total, len(answered), len(items))
    return RespondentScore(score, scoring.normalised(score), scoring.band(score), len(answered))


@dataclass(frozen=True)
class SampleSummary:
    n: int
    mean: float | None = None
    sd: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    normalised_mean: float | None = None
    band_shares: Mapping[str, float] = field(default_factory=dict)
    favourable_share: float | None = None
    net_score: float | None = None


def summarise(scoring: Scoring, scores: Sequence[RespondentScore], t_quantile: TQuantile) -> SampleSummary:
    """The sample figures of respondents' scores (those left out by the missing rule are not in it)."""
    bands = {b.id: sum(1 for s in scores if s.band == b.id) for b in scoring.bands}
    return summarise_sums(
        scoring,
        len(scores),
        sum(s.published for s in scores),
        sum(s.published * s.published for s in scores),
        bands,
        sum(1 for s in scores if s.normalised >= FAVOURABLE),
        t_quantile,
    )


def summarise_sums(
    scoring: Scoring,
    n: int,
    total: float,
    total_squares: float,
    band_counts: Mapping[str, int],
    favourable: int,
    t_quantile: TQuantile,
) -> SampleSummary:
    """The same figures from kept aggregates: COUNT, SUM(p), SUM(p*p), per-band counts, favourable count."""
    if n == 0:
        return SampleSummary(0)
    mean = total / n
    sd = ci_low = ci_high = None
    if n >= 2:
        sd = math.sqrt(max(0.0, (total_squares - n * mean * mean) / (n - 1)))
        half = t_quantile(0.975, n - 1) * sd / math.sqrt(n)
        ci_low, ci_high = max(scoring.low, mean - half), min(scoring.high, mean + half)
    shares = {band: count / n for band, count in band_counts.items()}
    net = None
    if scoring.net:
        net = 100 * (shares.get(scoring.net[0], 0.0) - shares.get(scoring.net[1], 0.0))
    return SampleSummary(n, mean, sd, ci_low, ci_high, scoring.normalised(mean), shares, favourable / n, net)


def scoring_for(questionnaire: Questionnaire, indicator: str) -> Scoring:
    """The indicator's declared scoring in this questionnaire, or the product's own rule."""
    return next((s for s in questionnaire.scorings if s.indicator == indicator), Scoring(indicator))


def score_answers(
    scoring: Scoring, questions: Sequence[Question], values: Mapping[str, float | None]
) -> RespondentScore | None:
    """`score_respondent` with stored values looked up by question id (absent ids are missing)."""
    return score_respondent(scoring, items_of(questions), [values.get(q.id) for q in questions])
