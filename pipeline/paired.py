"""Paired statistics of one indicator between two waves of a series (pure, typed).

From the matched pairs' respondent scores (0-100): the number of pairs, the mean before and after,
the mean change with its paired 95% confidence interval (Student t, n - 1 degrees of freedom), the
paired t-test (flagged at p < 0.05), the shares improved / unchanged / worsened by at least
MIN_CHANGE points, and the match rate (pairs / follow-up responses). Nothing is computed from fewer
than `min_group` pairs; the shares need 2 * min_group pairs and are kept to the nearest 10 percent
(core.published.tens). When every change is the same there is no spread: no interval, no test.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from pipeline.stats import t_quantile, t_two_sided_p
from survey_app.core.published import tens

MIN_CHANGE = 10.0  # points on the 0-100 scale: a smaller change counts as "unchanged"
ALPHA = 0.05


@dataclass(frozen=True, slots=True)
class PairedStats:
    pairs: int
    fuzzy_pairs: int
    follow_ups: int
    suppressed: bool
    mean_before: float | None = None
    mean_after: float | None = None
    mean_change: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    p_value: float | None = None
    significant: bool | None = None
    improved: int | None = None
    unchanged: int | None = None
    worsened: int | None = None
    match_rate: float | None = None


def _mean(values: Sequence[float]) -> float:
    return math.fsum(values) / len(values)


def paired_stats(
    scores: Sequence[tuple[float, float]], matched: int, fuzzy_pairs: int, follow_ups: int, min_group: int
) -> PairedStats:
    """`scores`: (before, after) of each matched pair with a score in both waves; `matched`: all pairs
    of the two waves (the match rate is matched / follow_ups, the same for every indicator)."""
    n = len(scores)
    if n < max(min_group, 2):
        return PairedStats(n, fuzzy_pairs, follow_ups, True)
    changes = [after - before for before, after in scores]
    mean = _mean(changes)
    sd = math.sqrt(math.fsum((c - mean) ** 2 for c in changes) / (n - 1))
    ci_low = ci_high = p = None
    if sd > 1e-9:
        se = sd / math.sqrt(n)
        half = t_quantile(0.975, n - 1) * se
        ci_low, ci_high, p = mean - half, mean + half, t_two_sided_p(mean / se, n - 1)
    shares: tuple[int | None, int | None, int | None] = (None, None, None)
    if n >= 2 * min_group:
        up = sum(c >= MIN_CHANGE for c in changes)
        down = sum(c <= -MIN_CHANGE for c in changes)
        shares = (tens(100 * up / n), tens(100 * (n - up - down) / n), tens(100 * down / n))
    return PairedStats(
        pairs=n,
        fuzzy_pairs=fuzzy_pairs,
        follow_ups=follow_ups,
        suppressed=False,
        mean_before=_mean([b for b, _ in scores]),
        mean_after=_mean([a for _, a in scores]),
        mean_change=mean,
        ci_low=ci_low,
        ci_high=ci_high,
        p_value=p,
        significant=None if p is None else p < ALPHA,
        improved=shares[0],
        unchanged=shares[1],
        worsened=shares[2],
        match_rate=100.0 * matched / follow_ups if follow_ups else None,
    )
