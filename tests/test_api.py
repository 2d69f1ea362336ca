"""Open data API: indicators as JSON and CSV, equal to the stored rows; suppressed cells carry a
reason code and no figure; CSV neutralises formulas; scoped (tested in test_dashboard_scoping)."""

import csv
import io

from survey_app.core.published import api_figure
from survey_app.storage.db import write_transaction
from tests.app_support import stored_with_benchmarks
from tests.dashboard_support import ENTERPRISE, OTHER

FIGURES = ("n", "mean", "ci_low", "ci_high", "favourable_percent", "delta", "bench_median")
SCORES = ("mean", "ci_low", "ci_high", "delta", "bench_median")


def test_json_equals_stored_rows_and_suppressed_cells_have_only_a_reason(as_user, demo_db):
    body = as_user("admin").get(f"/api/enterprises/{OTHER}/indicators.json").get_json()
    stored = {
        (r["campaign_id"], r["kind"], r["key"]): r
        for r in stored_with_benchmarks(demo_db, "enterprise_id = ?", (OTHER,))
    }
    assert len(body["indicators"]) == len(stored) and body["min_group_size"] == 5
    suppressed = 0
    for record in body["indicators"]:
        row = stored[(record["campaign_id"], record["kind"], record["key"])]
        if row["suppressed"]:
            suppressed += 1
            assert record["suppressed"] == "min_group_size"
            assert not any(k in record for k in FIGURES)
        else:
            assert "suppressed" not in record and "delta_p" not in record
            assert record["n"] == row["n"]
            assert all(record[k] == api_figure(row[k]) for k in SCORES)  # one decimal at most
            share = row["favourable_share"]
            assert record["favourable_percent"] == (None if share is None else api_figure(100 * share))
    assert suppressed > 0


def test_csv_has_the_same_cells_with_empty_figures_when_suppressed(as_user, demo_db):
    text = as_user("bert").get(f"/api/enterprises/{OTHER}/indicators.csv").get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert (
        len(rows)
        == demo_db.execute("SELECT COUNT(*) FROM indicator_value WHERE enterprise_id = ?", [OTHER]).fetchone()[0]
    )
    for row in rows:
        if row["suppressed"]:
            assert row["suppressed"] == "min_group_size" and all(row[k] == "" for k in FIGURES)
        else:
            assert row["mean"] != "" and int(row["n"]) >= 5  # NPS means may be negative


def test_csv_neutralises_formulas(as_user, demo_db):
    with write_transaction(demo_db):
        demo_db.execute(
            "UPDATE campaign SET title = '=HYPERLINK(\"http://evil\")' WHERE enterprise_id = ?", [ENTERPRISE]
        )
    text = as_user("anna").get(f"/api/enterprises/{ENTERPRISE}/indicators.csv").get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows and all(r["campaign_title"].startswith("'=") for r in rows)
