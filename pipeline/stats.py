"""Small statistics the indicator rules need, without scipy.

Exact mean and standard deviation from integer sums, Student's t quantile (for 95% confidence
intervals), Welch's t-test p-value (for trend flags), linear-interpolation quantiles and the "mean"
percentile rank (for peer benchmarks). The t
distribution goes through the regularized incomplete beta function, computed with the classic
continued fraction (modified Lentz), which is accurate to ~1e-14 for the degrees of freedom we meet.
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from functools import lru_cache

from survey_app.core.rounding import DIGITS as DIGITS
from survey_app.core.rounding import rounded as rounded

_TINY = 1e-300
_EPS = 1e-15


def clipped_interval(n: int, mean: float, sd: float, scale: tuple[float, float]) -> tuple[float | None, float | None]:
    """The 95% Student-t interval of a mean (n >= 2), clipped to the scale its scores live on."""
    half_width = t_quantile(0.975, n - 1) * sd / math.sqrt(n)
    return rounded(max(scale[0], mean - half_width)), rounded(min(scale[1], mean + half_width))


def _beta_continued_fraction(a: float, b: float, x: float) -> float:
    """Continued fraction of I_x(a, b) (Numerical Recipes `betacf`), converging for x < (a+1)/(a+b+2)."""
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c = 1.0
    d = 1.0 - qab * x / qap
    d = 1.0 / (d if abs(d) > _TINY else _TINY)
    h = d
    # The even and the odd step of each iteration are written out: this runs for every trend's p-value
    # (tens of thousands in a full run) and a loop over a tuple of the two made it a third slower.
    # Same operations in the same order as the textbook loop, so the same bits come out.
    for m in range(1, 500):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > _TINY else _TINY)
        c = 1.0 + aa / c
        c = c if abs(c) > _TINY else _TINY
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > _TINY else _TINY)
        c = 1.0 + aa / c
        c = c if abs(c) > _TINY else _TINY
        step = d * c
        h *= step
        if abs(step - 1.0) < _EPS:
            break
    return h


def betainc(a: float, b: float, x: float) -> float:
    """Regularized incomplete beta function I_x(a, b) for a, b > 0 and 0 <= x <= 1."""
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    log_front = math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    # Use the symmetry I_x(a, b) = 1 - I_{1-x}(b, a) where the fraction converges fastest.
    if x < (a + 1.0) / (a + b + 2.0):
        return math.exp(log_front) * _beta_continued_fraction(a, b, x) / a
    return 1.0 - math.exp(log_front) * _beta_continued_fraction(b, a, 1.0 - x) / b


def t_two_sided_p(t: float, df: float) -> float:
    """P(|T| >= |t|) for Student's t with `df` (possibly fractional) degrees of freedom."""
    if math.isinf(t):
        return 0.0
    return betainc(df / 2.0, 0.5, df / (df + t * t))


@lru_cache(maxsize=4096)
def t_quantile(p: float, df: float) -> float:
    """The p-quantile of Student's t (p > 0.5): Newton's method on the two-sided tail, inside a
    bracket that every step narrows (a step that would leave it bisects instead).

    Bisection alone took about 45 tail evaluations, a millisecond per new `df`, and every wave whose
    respondents changed brings new ones; Newton takes five or six. Both end within 1e-13 of the root.
    """
    if not 0.5 < p < 1.0:
        raise ValueError("p must be between 0.5 and 1 (exclusive)")
    alpha = 2.0 * (1.0 - p)
    low, high = 0.0, 1.0
    while t_two_sided_p(high, df) > alpha:
        low, high = high, high * 2.0
    log_density_at_0 = math.lgamma((df + 1.0) / 2.0) - math.lgamma(df / 2.0) - 0.5 * math.log(df * math.pi)
    t = (low + high) / 2.0
    for _ in range(200):
        excess = t_two_sided_p(t, df) - alpha  # falls as t grows: the root is above t when positive
        if excess > 0.0:
            low = t
        else:
            high = t
        density = math.exp(log_density_at_0 - (df + 1.0) / 2.0 * math.log1p(t * t / df))
        step = t + excess / (2.0 * density)  # the tail's slope is -2 * density
        if not low <= step <= high:
            step = (low + high) / 2.0
        if abs(step - t) <= 1e-15 * step or high - low < 1e-13 * max(1.0, high):
            return step
        t = step
    return t


def exact_mean_sd(n: int, total: int, squares: int, unit: int) -> tuple[float, float]:
    """Mean and sample standard deviation from exact integer sums of values in units of 1/unit.

    `n * squares - total**2` is computed on integers, so identical values give exactly 0 and no
    cancellation can make a variance of a few 1e-6 out of nothing. Needs n >= 2.
    """
    spread = n * squares - total * total
    return total / (n * unit), math.sqrt(spread / (n * (n - 1) * unit * unit))


def welch_p(n1: int, mean1: float, sd1: float, n2: int, mean2: float, sd2: float) -> float | None:
    """Two-sided p-value of Welch's unequal-variance t-test; None when it cannot be computed.

    With no spread in either wave (both standard deviations 0) the test is undefined: we say
    nothing rather than call any difference significant.
    """
    if n1 < 2 or n2 < 2:
        return None
    v1, v2 = sd1 * sd1 / n1, sd2 * sd2 / n2
    se2 = v1 + v2
    if se2 <= 0.0:
        return None
    t = (mean2 - mean1) / math.sqrt(se2)
    df = se2 * se2 / (v1 * v1 / (n1 - 1) + v2 * v2 / (n2 - 1))
    return t_two_sided_p(t, df)


def quantile(sorted_values: Sequence[float], q: float) -> float:
    """Quantile by linear interpolation between order statistics (numpy's default, R type 7)."""
    if not sorted_values:
        raise ValueError("no values")
    position = (len(sorted_values) - 1) * q
    below = math.floor(position)
    above = min(below + 1, len(sorted_values) - 1)
    fraction = position - below
    return sorted_values[below] + (sorted_values[above] - sorted_values[below]) * fraction


def percentile_rank(sorted_values: Sequence[float], value: float) -> float:
    """Share of values below `value`, counting ties as half, in percent (scipy's kind="mean")."""
    if not sorted_values:
        raise ValueError("no values")
    below = bisect_left(sorted_values, value)
    ties = bisect_right(sorted_values, value) - below
    return (below + 0.5 * ties) / len(sorted_values) * 100.0
