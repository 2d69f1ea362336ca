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


# How betainc goes about one I_x(a, b): its value outright (x at 0 or 1), or the continued fraction
# to run (its a, b and x) and how to finish with it (_finish_beta). welch_ps runs many fractions at once.
_BetaPlan = tuple[float, float, float, float, float, bool]  # a, b, x of the fraction, log front, divisor, flipped


def _beta_plan(a: float, b: float, x: float) -> float | _BetaPlan:
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    log_front = math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    # Use the symmetry I_x(a, b) = 1 - I_{1-x}(b, a) where the fraction converges fastest.
    if x < (a + 1.0) / (a + b + 2.0):
        return (a, b, x, log_front, a, False)
    return (b, a, 1.0 - x, log_front, b, True)


def _finish_beta(plan: _BetaPlan, fraction: float) -> float:
    share = math.exp(plan[3]) * fraction / plan[4]
    return 1.0 - share if plan[5] else share


def betainc(a: float, b: float, x: float) -> float:
    """Regularized incomplete beta function I_x(a, b) for a, b > 0 and 0 <= x <= 1."""
    plan = _beta_plan(a, b, x)
    if isinstance(plan, float):
        return plan
    return _finish_beta(plan, _beta_continued_fraction(*plan[:3]))


def _t_tail(t: float, df: float) -> float | _BetaPlan:
    """t_two_sided_p as a _beta_plan: P(|T| >= |t|) = I_x(df / 2, 1 / 2) with x = df / (df + t^2)."""
    if math.isinf(t):
        return 0.0
    return _beta_plan(df / 2.0, 0.5, df / (df + t * t))


def t_two_sided_p(t: float, df: float) -> float:
    """P(|T| >= |t|) for Student's t with `df` (possibly fractional) degrees of freedom."""
    plan = _t_tail(t, df)
    if isinstance(plan, float):
        return plan
    return _finish_beta(plan, _beta_continued_fraction(*plan[:3]))


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


def _welch_t_df(n1: int, mean1: float, sd1: float, n2: int, mean2: float, sd2: float) -> tuple[float, float] | None:
    """Welch's t statistic and degrees of freedom; None when the test cannot be computed."""
    if n1 < 2 or n2 < 2:
        return None
    v1, v2 = sd1 * sd1 / n1, sd2 * sd2 / n2
    se2 = v1 + v2
    if se2 <= 0.0:
        return None
    t = (mean2 - mean1) / math.sqrt(se2)
    df = se2 * se2 / (v1 * v1 / (n1 - 1) + v2 * v2 / (n2 - 1))
    return t, df


def welch_p(n1: int, mean1: float, sd1: float, n2: int, mean2: float, sd2: float) -> float | None:
    """Two-sided p-value of Welch's unequal-variance t-test; None when it cannot be computed.

    With no spread in either wave (both standard deviations 0) the test is undefined: we say
    nothing rather than call any difference significant.
    """
    found = _welch_t_df(n1, mean1, sd1, n2, mean2, sd2)
    return None if found is None else t_two_sided_p(*found)


BATCH_FROM = 256  # p-values: fewer go through welch_p one by one (and numpy is not imported)


def welch_ps(pairs: Sequence[tuple[int, float, float, int, float, float]]) -> list[float | None]:
    """`welch_p` of each pair, bit for bit, with the continued fractions of many pairs computed side
    by side (numpy): a run that refreshes every trend has 20,000 of them, half a second of Python."""
    found = [_welch_t_df(*pair) for pair in pairs]
    if len(pairs) < BATCH_FROM:
        return [None if f is None else t_two_sided_p(*f) for f in found]
    plans = [None if f is None else _t_tail(*f) for f in found]
    jobs = [(i, plan) for i, plan in enumerate(plans) if isinstance(plan, tuple)]  # fractions to run
    out: list[float | None] = [plan if isinstance(plan, float) else None for plan in plans]
    fractions = _continued_fractions([plan[:3] for _, plan in jobs])
    for (i, plan), fraction in zip(jobs, fractions):
        out[i] = _finish_beta(plan, fraction)
    return out


def _continued_fractions(triples: list[tuple[float, float, float]]) -> list[float]:
    """`_beta_continued_fraction` of each (a, b, x), the same operations in the same order on float64
    arrays (each one correctly rounded, as Python's floats are), so the same bits come out; a value
    leaves the arrays at the step where its own loop would have stopped."""
    import numpy as np  # here only: the web app never needs it

    result = np.zeros(len(triples))
    live = np.arange(len(triples))
    a, b, x = np.array(triples, dtype=np.float64).reshape(-1, 3).T
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c = np.ones(len(triples))
    d = 1.0 - qab * x / qap
    d = 1.0 / np.where(np.abs(d) > _TINY, d, _TINY)
    h = d
    with np.errstate(all="ignore"):
        for m in range(1, 500):
            if not len(live):
                break
            m2 = 2 * m
            aa = m * (b - m) * x / ((qam + m2) * (a + m2))
            d = 1.0 + aa * d
            d = 1.0 / np.where(np.abs(d) > _TINY, d, _TINY)
            c = 1.0 + aa / c
            c = np.where(np.abs(c) > _TINY, c, _TINY)
            h = h * (d * c)
            aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
            d = 1.0 + aa * d
            d = 1.0 / np.where(np.abs(d) > _TINY, d, _TINY)
            c = 1.0 + aa / c
            c = np.where(np.abs(c) > _TINY, c, _TINY)
            step = d * c
            h = h * step
            done = np.abs(step - 1.0) < _EPS
            if done.any():
                result[live[done]] = h[done]
                going = ~done
                live = live[going]
                a, b, x, qab, qap, qam, c, d, h = (v[going] for v in (a, b, x, qab, qap, qam, c, d, h))
    result[live] = h  # the few that did not converge in 499 steps: where the loop left them
    return [float(v) for v in result]


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
