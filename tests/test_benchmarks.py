"""Peer benchmarks worked out when read (survey_app/domain/benchmarks.py): the fast rule agrees with
the plain one, stored cells get their fields from the saved pools, a peer's new wave rewrites its
pools and not its fellows' cells, and the upgrade that moved the fields out of indicator_value."""

from __future__ import annotations

import random
from bisect import bisect_left

import pytest

from pipeline.runner import run_pipeline
from pipeline.stats import percentile_rank, quantile
from survey_app.core import config
from survey_app.domain.benchmarks import BENCH_COLUMNS, Peers, benchmark_fields, pool_benchmarks, with_benchmarks
from survey_app.questionnaire.registry import QUESTIONNAIRES_DIR, register
from survey_app.storage.db import connect, migrate, write_transaction
from tests.app_support import NOW, Seeder, migrated_before, store_benchmark
from tests.test_pipeline_derive import peers, respect, wave

SETTINGS = config.validate({}, "tests")


pytestmark = pytest.mark.usefixtures("no_charts")  # conftest: the chart hook is skipped


@pytest.mark.parametrize("skip", [None, 0, 3, 6])
@pytest.mark.parametrize("value", [10.0, 42.0, 50.0, 75.0, 99.0])
def test_peers_without_a_copy_agree_with_the_plain_rules(skip, value):
    pool = [10.0, 20.0, 42.0, 42.0, 50.0, 75.0, 80.0]
    plain = pool[:skip] + pool[skip + 1 :] if skip is not None else pool
    without = Peers(pool, skip)
    assert len(without) == len(plain)
    for q in (0.25, 0.5, 0.75):
        assert without.quantile(q) == pytest.approx(quantile(plain, q))
    assert without.percentile_rank(value) == pytest.approx(percentile_rank(plain, value))


def test_pool_benchmarks_shared_per_pool_agree_with_the_benchmark_rule():
    rng = random.Random(7)
    for size in (1, 3, 4, 5, 6, 9, 20):
        means = sorted(rng.choice([12.5, 25.0, 50.0, 62.5, 75.0, 100.0, rng.uniform(0, 100)]) for _ in range(size))
        fields_of = pool_benchmarks(list(enumerate(means)), 5)
        # an outsider, each peer's own value, and a peer's other wave compared with a different mean
        for enterprise in [None, *range(size), *range(size)]:
            own = None if enterprise is None else means[enterprise]
            skip = None if own is None else bisect_left(means, own)
            mean = rng.uniform(0, 100) if own is None or rng.random() < 0.5 else own
            fields = benchmark_fields(Peers(means, skip), mean, 5)
            assert fields_of(-1 if enterprise is None else enterprise, mean) == tuple(fields[c] for c in BENCH_COLUMNS)


def cell(campaign_id: int, enterprise_id: int, kind: str = "indicator", key: str = "respect", **kw) -> dict:
    row = {"campaign_id": campaign_id, "enterprise_id": enterprise_id, "stakeholder_group": "beneficiaries"}
    return row | {"kind": kind, "key": key, "suppressed": 0, "mean": 50.0} | kw


def test_stored_cells_get_their_fields_from_the_saved_pool_and_wave(pipeline_db):
    seed = Seeder(pipeline_db)
    firm = seed.enterprise("Cible")
    compared, older, other = (seed.campaign(firm) for _ in range(3))
    with write_transaction(pipeline_db):
        store_benchmark(pipeline_db, compared, "indicator", "respect", [20.0, 40.0, 60.0, 80.0, 100.0])
        store_benchmark(pipeline_db, other, "dimension", "individual", [10.0, 20.0], min_peers=3)
    rows = [
        cell(compared, firm),
        cell(compared, firm, key="fits", mean=70.0),  # a compared wave, a pool with no peers saved
        cell(compared, firm, suppressed=1, mean=None),
        cell(compared, firm, kind="nps", key="recommendation"),  # not a benchmarked kind
        cell(older, firm),  # the run did not compare this wave
        cell(other, firm, kind="dimension", key="individual"),
    ]
    with_benchmarks(pipeline_db, rows)
    fields = [tuple(r[c] for c in BENCH_COLUMNS) for r in rows]
    assert fields[0] == (5, 60.0, 40.0, 80.0, 40.0)  # 20 and 40 of 5 peers below 50
    assert fields[1] == (0, None, None, None, None)
    assert fields[2:5] == [(None,) * 5] * 3
    assert fields[5] == (2, None, None, None, None)  # fewer than the wave's min_peers: only the count
    assert with_benchmarks(pipeline_db, []) == []


def test_a_peers_new_wave_rewrites_its_pools_and_no_other_enterprises_cells(pipeline_db):
    seed = Seeder(pipeline_db)
    target = wave(seed, seed.enterprise("Cible"), 60, [75] * 5)
    firms = peers(seed, 6)
    first_run = run_pipeline(pipeline_db, SETTINGS, NOW)
    before = respect(pipeline_db, target)
    newer = wave(seed, firms[0], 20, [100] * 5)  # the first peer's latest wave now: 100 instead of 0
    second_run = run_pipeline(pipeline_db, SETTINGS, NOW)
    after = respect(pipeline_db, target)
    assert (before["bench_peers"], after["bench_peers"]) == (6, 6)
    assert before["bench_percentile"] != after["bench_percentile"]  # the target's rank moved...
    assert after["run_id"] == first_run  # ...and its stored row was not touched
    rewritten = {
        r[0] for r in pipeline_db.execute("SELECT campaign_id FROM indicator_value WHERE run_id = ?", [second_run])
    }
    assert rewritten == {newer}
    compared = {r[0] for r in pipeline_db.execute("SELECT campaign_id FROM benchmark_wave")}
    assert newer in compared and target in compared and len(compared) == 7


def test_the_upgrade_moves_benchmarks_out_of_the_cells_and_queues_the_run_that_brings_them_back(tmp_path):
    path = tmp_path / "old.db"
    db = migrated_before(path, "m270_benchmarks_read_from_pools")
    register(db, QUESTIONNAIRES_DIR, NOW)
    seed = Seeder(db)
    target = wave(seed, seed.enterprise("Cible"), 60, [75] * 5)
    peers(seed, 5)
    with write_transaction(db):
        db.execute("INSERT INTO pipeline_run (id, trigger, started_at, status) VALUES (1, 'cli', 't', 'success')")
        db.execute(
            "INSERT INTO indicator_value (campaign_id, enterprise_id, stakeholder_group, kind, key, questionnaire_id, "
            "questionnaire_version, suppressed, n, mean, bench_peers, bench_median, run_id) "
            "VALUES (?, 1, 'beneficiaries', 'indicator', 'respect', 'beneficiaries', 1, 0, 5, 75, 5, 50, 1)",
            [target],
        )
        db.execute("INSERT INTO benchmark_pool VALUES ('integration|beneficiaries|indicator|respect', 'old')")
    db.close()
    assert migrate(path)[0] == "m270_benchmarks_read_from_pools"  # and any later one
    db = connect(path)
    columns = {r[1] for r in db.execute("PRAGMA table_info(indicator_value)")}
    assert not columns & set(BENCH_COLUMNS) and {"mean", "delta", "published_mean"} <= columns
    assert db.execute("SELECT COUNT(*) FROM benchmark_pool").fetchone() == (0,)  # old signatures: all stored again
    assert db.execute("SELECT reason, status FROM refresh_request").fetchall() == [("admin", "queued")]
    run_pipeline(db, SETTINGS, NOW)
    assert respect(db, target)["bench_peers"] == 5 and respect(db, target)["bench_median"] == 50.0
    db.close()


def test_a_new_database_queues_no_refresh(pipeline_db):
    assert pipeline_db.execute("SELECT COUNT(*) FROM refresh_request").fetchone() == (0,)
