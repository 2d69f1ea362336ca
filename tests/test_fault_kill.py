"""kill -9 the server again and again while respondents submit, each client sending the very same
request again after each kill: 0 acknowledged submissions lost, 0 duplicated (benchmarks/faults.py
is the longer run; docs/performance.md has its figures)."""

from __future__ import annotations


def test_kill_minus_nine_loses_and_doubles_nothing_acknowledged(faults, tmp_path):
    report = faults.run(kills=2, clients=4, minimum=2, folder=tmp_path)
    assert report["integrity"] == "ok"
    assert report["acknowledged"] >= 8 and report["responses"] == report["acknowledged"]
    assert report["lost"] == 0 and report["duplicated"] == 0 and report["partial"] == 0
    assert report["stored_not_attempted"] == 0
    assert report["links_answered"] == report["personal_acknowledged"]
    assert report["retries"] > 0 and not report["problems"]
    assert faults.passed(report)
