"""Trends (delta and Welch flag against the previous wave) and peer benchmarks (median, quartiles,
percentile rank; 4 vs 5 peers; opted-out enterprises, other sectors, old and open waves left out)."""

from __future__ import annotations

import statistics
from datetime import UTC, datetime, timedelta

import pytest

from pipeline.derive import months_before
from pipeline.runner import run_pipeline
from pipeline.sample.responses import add_responses
from pipeline.stats import welch_p
from survey_app.core import config
from survey_app.domain.benchmarks import with_benchmarks
from tests.app_support import NOW, Seeder

SETTINGS = config.validate({}, "tests")


pytestmark = pytest.mark.usefixtures("no_charts")  # conftest: the chart hook is skipped


AGREE = {0: 1, 25: 2, 50: 3, 75: 4, 100: 5}  # item score -> agree5 answer


@pytest.fixture
def seed(pipeline_db):
    return Seeder(pipeline_db)


def wave(seed, enterprise_id, closes_days_ago, scores, group="beneficiaries"):
    campaign = seed.campaign(
        enterprise_id,
        group=group,
        opens_at=NOW - timedelta(days=closes_days_ago + 30),
        closes_at=NOW - timedelta(days=closes_days_ago),
    )
    add_responses(seed.db, campaign, [{"treated_with_respect": AGREE[s]} for s in scores])
    return campaign


def respect(db, campaign_id):
    """The stored "respect" cell of a wave, with its benchmark fields as pages read them."""
    rows = db.query(
        "SELECT * FROM indicator_value WHERE campaign_id = ? AND kind = 'indicator' AND key = 'respect'",
        [campaign_id],
    )
    return with_benchmarks(db, list(rows))[0]


def test_delta_and_welch_flag_against_the_previous_wave(pipeline_db, seed):
    firm = seed.enterprise()
    before_scores, after_scores = [25, 50, 50, 75, 25, 50, 75], [75, 100, 75, 100, 50, 100]
    first = wave(seed, firm, 400, before_scores)
    second = wave(seed, firm, 30, after_scores)
    other = seed.enterprise("Autre")
    steady_1 = wave(seed, other, 400, [50, 75, 50, 75, 50])
    steady_2 = wave(seed, other, 30, [75, 50, 50, 75, 50])
    run_pipeline(pipeline_db, SETTINGS, NOW)
    row = respect(pipeline_db, second)
    assert row["previous_campaign_id"] == first
    assert row["delta"] == pytest.approx(statistics.mean(after_scores) - statistics.mean(before_scores))
    expected_p = welch_p(
        7,
        statistics.mean(before_scores),
        statistics.stdev(before_scores),
        6,
        statistics.mean(after_scores),
        statistics.stdev(after_scores),
    )
    assert row["delta_p"] == pytest.approx(expected_p, abs=1e-8)
    assert row["delta_significant"] == 1
    steady = respect(pipeline_db, steady_2)
    assert steady["previous_campaign_id"] == steady_1
    assert steady["delta"] == pytest.approx(0.0) and steady["delta_significant"] == 0
    assert respect(pipeline_db, first)["previous_campaign_id"] is None


def peers(seed, count, sector="integration", **kw):
    """`count` enterprises whose latest closed wave scores 0, 25, 50, ... on respect."""
    ids = []
    for i in range(count):
        firm = seed.enterprise(f"Pair {sector} {i}", sector_group=sector, **kw)
        wave(seed, firm, 60, [[0, 25, 50, 75, 100][i % 5]] * 5)
        ids.append(firm)
    return ids


def test_benchmark_with_five_peers_median_quartiles_and_percentile_rank(pipeline_db, seed):
    firm = seed.enterprise("Cible")
    target = wave(seed, firm, 60, [75] * 5)
    peers(seed, 5)
    run_pipeline(pipeline_db, SETTINGS, NOW)
    row = respect(pipeline_db, target)
    assert row["bench_peers"] == 5
    assert (row["bench_q1"], row["bench_median"], row["bench_q3"]) == (25.0, 50.0, 75.0)
    assert row["bench_percentile"] == pytest.approx((3 + 0.5) / 5 * 100)  # 0, 25, 50 below; 75 tied


def test_benchmark_needs_five_peers_and_leaves_out_opted_out_and_others(pipeline_db, seed):
    firm = seed.enterprise("Cible")
    target = wave(seed, firm, 60, [75] * 5)
    peers(seed, 4)
    peers(seed, 1, consent=False)  # opted out: absent
    peers(seed, 3, sector="care")  # another sector group
    old = seed.enterprise("Ancienne")
    wave(seed, old, 800, [100] * 5)  # closed more than 24 months ago
    still_open = seed.enterprise("Ouverte")
    seed.campaign(still_open)  # open campaign: not a peer value
    run_pipeline(pipeline_db, SETTINGS, NOW)
    row = respect(pipeline_db, target)
    assert row["bench_peers"] == 4
    assert row["bench_median"] is None and row["bench_percentile"] is None and row["bench_q1"] is None


def test_a_wave_that_is_no_longer_the_latest_loses_its_benchmark_in_an_incremental_run(pipeline_db, seed):
    firm = seed.enterprise("Cible")
    first = wave(seed, firm, 60, [75] * 5)
    peers(seed, 5)
    run_pipeline(pipeline_db, SETTINGS, NOW)
    assert respect(pipeline_db, first)["bench_peers"] == 5
    later = wave(seed, firm, 10, [50] * 5)  # closed since: the enterprise's latest wave now
    run_pipeline(pipeline_db, SETTINGS, NOW)
    bench = ("bench_peers", "bench_median", "bench_q1", "bench_q3", "bench_percentile")
    assert [respect(pipeline_db, first)[c] for c in bench] == [None] * 5
    assert respect(pipeline_db, later)["bench_peers"] == 5
    assert pipeline_db.execute("SELECT COUNT(*) FROM benchmark_wave WHERE campaign_id = ?", [first]).fetchone() == (0,)


def test_only_each_peers_latest_closed_wave_counts(pipeline_db, seed):
    firm = seed.enterprise("Cible")
    target = wave(seed, firm, 60, [50] * 5)
    for i, score in enumerate([0, 25, 75, 100, 100]):
        peer = seed.enterprise(f"Pair {i}")
        wave(seed, peer, 300, [0] * 5)  # an older wave that must not count
        wave(seed, peer, 90, [score] * 5)
    run_pipeline(pipeline_db, SETTINGS, NOW)
    row = respect(pipeline_db, target)
    assert row["bench_peers"] == 5 and row["bench_median"] == 75.0
    assert row["bench_percentile"] == pytest.approx(40.0)


def test_opted_out_enterprise_is_absent_from_every_peer_pool(pipeline_db, seed):
    shy = seed.enterprise("Discrete", consent=False)
    wave(seed, shy, 60, [100] * 5)
    ids = peers(seed, 6)
    run_pipeline(pipeline_db, SETTINGS, NOW)
    campaigns = [
        r["id"]
        for r in pipeline_db.query(f"SELECT id FROM campaign WHERE enterprise_id IN ({', '.join(map(str, ids))})")
    ]
    assert {respect(pipeline_db, c)["bench_peers"] for c in campaigns} == {5}


def test_24_month_window_clamps_month_ends():
    assert months_before(datetime(2026, 2, 28, tzinfo=UTC), 24) == datetime(2024, 2, 28, tzinfo=UTC)
    assert months_before(datetime(2026, 3, 31, tzinfo=UTC), 1) == datetime(2026, 2, 28, tzinfo=UTC)
