"""Student t quantiles, t-test p-values, Welch's test, quantiles and percentile ranks, checked
against published table values, closed forms and a numerical-integration reference."""

from __future__ import annotations

import math
import statistics

import pytest

from pipeline.stats import betainc, exact_mean_sd, percentile_rank, quantile, t_quantile, t_two_sided_p, welch_p

# 97.5th percentiles of Student's t from published tables (e.g. NIST/SEMATECH e-Handbook 1.3.6.7.2).
T_TABLE = {
    1: 12.7062047,
    2: 4.3026527,
    3: 3.1824463,
    4: 2.7764451,
    5: 2.5705818,
    10: 2.2281389,
    20: 2.0859634,
    30: 2.0422725,
    60: 2.0002978,
    120: 1.9799304,
}


def reference_two_sided_p(t: float, df: float, steps: int = 20000) -> float:
    """Integrate the t density from 0 to |t| with Simpson's rule (independent of the beta function)."""
    c = math.exp(math.lgamma((df + 1) / 2) - math.lgamma(df / 2)) / math.sqrt(df * math.pi)

    def density(x):
        return c * (1 + x * x / df) ** (-(df + 1) / 2)

    h = abs(t) / steps
    area = density(0) + density(abs(t)) + sum((4 if i % 2 else 2) * density(i * h) for i in range(1, steps))
    return 1 - 2 * area * h / 3


@pytest.mark.parametrize("df, expected", sorted(T_TABLE.items()))
def test_t_quantile_matches_published_table(df, expected):
    assert t_quantile(0.975, df) == pytest.approx(expected, abs=5e-7)


def test_two_sided_p_matches_closed_forms():
    for t in (0.1, 1.0, 2.5, 10.0):
        assert t_two_sided_p(t, 1) == pytest.approx(1 - 2 / math.pi * math.atan(t), rel=1e-12)  # Cauchy
        assert t_two_sided_p(t, 2) == pytest.approx(1 - t / math.sqrt(2 + t * t), rel=1e-12)


@pytest.mark.parametrize("t, df", [(0.5, 3.7), (2.1, 8.25), (3.3, 17.9), (1.96, 250.5)])
def test_two_sided_p_matches_numerical_integration(t, df):
    assert t_two_sided_p(t, df) == pytest.approx(reference_two_sided_p(t, df), abs=1e-9)


def test_betainc_edges_and_symmetry():
    assert betainc(2, 3, 0) == 0 and betainc(2, 3, 1) == 1
    assert betainc(2.5, 1.5, 0.3) == pytest.approx(1 - betainc(1.5, 2.5, 0.7), abs=1e-14)
    assert betainc(1, 1, 0.37) == pytest.approx(0.37)  # uniform distribution


def test_welch_p_against_a_reference_implementation():
    before = [25, 50, 50, 75, 25, 50, 75]
    after = [75, 100, 75, 100, 50, 100]
    n1, n2 = len(before), len(after)
    v1, v2 = statistics.variance(before) / n1, statistics.variance(after) / n2
    t = (statistics.mean(after) - statistics.mean(before)) / math.sqrt(v1 + v2)
    df = (v1 + v2) ** 2 / (v1**2 / (n1 - 1) + v2**2 / (n2 - 1))
    p = welch_p(
        n1, statistics.mean(before), statistics.stdev(before), n2, statistics.mean(after), statistics.stdev(after)
    )
    assert p == pytest.approx(reference_two_sided_p(t, df), abs=1e-9)
    assert p < 0.05
    assert welch_p(5, 50, 0, 5, 60, 0) is None  # no spread: no test
    assert welch_p(1, 50, 10, 5, 60, 10) is None


def test_quantiles_and_percentile_ranks_by_hand():
    values = [1.0, 2.0, 3.0, 4.0]
    assert quantile(values, 0.25) == 1.75
    assert quantile(values, 0.5) == 2.5
    assert quantile(values, 0.75) == 3.25
    assert quantile([7.0], 0.5) == 7.0
    assert percentile_rank(values, 3.0) == 62.5  # 2 below, 1 tie counted half, of 4
    assert percentile_rank(values, 0.5) == 0.0
    assert percentile_rank(values, 9.0) == 100.0
    assert percentile_rank([2.0, 2.0, 2.0, 5.0], 2.0) == 37.5


def test_exact_mean_and_sd_from_integer_sums():
    values = [26_666_667] * 8  # micro-points
    assert exact_mean_sd(8, sum(values), sum(v * v for v in values), 1_000_000) == (26.666667, 0.0)
    mixed = [0, 25_000_000, 50_000_000, 100_000_000]
    mean, sd = exact_mean_sd(4, sum(mixed), sum(v * v for v in mixed), 1_000_000)
    assert mean == 43.75 and sd == pytest.approx(statistics.stdev([0, 25, 50, 100]), rel=1e-15)


def test_welch_ps_gives_welch_p_bit_for_bit_one_by_one_or_side_by_side():
    import random
    import struct

    from pipeline.stats import BATCH_FROM, welch_ps

    generator = random.Random(4)
    pairs = []
    for _ in range(3000):
        n1, n2 = generator.randrange(1, 600), generator.randrange(1, 600)
        mean1, mean2 = generator.uniform(0, 100), generator.uniform(0, 100)
        sd1, sd2 = generator.choice([0.0, generator.uniform(0, 40)]), generator.uniform(0, 40)
        pairs.append((n1, mean1, sd1, n2, mean2, sd2))
    pairs += [(5, 50.0, 0.0, 5, 60.0, 0.0), (30, 50.0, 10.0, 30, 50.0, 10.0), (400, 0.0, 1e-3, 400, 100.0, 1e-3)]
    pairs += [(2, 10.0, 1e-9, 2, 90.0, 1e-9), (1000, 70.0, 20.0, 1000, 70.1, 20.0)]

    def bits(values):
        return [None if v is None else struct.pack("<d", v) for v in values]

    expected = bits(welch_p(*pair) for pair in pairs)
    assert len(pairs) >= BATCH_FROM
    assert bits(welch_ps(pairs)) == expected  # side by side (numpy)
    assert bits(welch_ps(pairs[:10])) == expected[:10]  # one by one
    assert any(v is None for v in expected) and any(v is not None and v < 1e-10 for v in welch_ps(pairs))
