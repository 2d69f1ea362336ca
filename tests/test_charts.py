"""Charts: drawn from saved results, valid PNG/SVG, suppressed cells never drawn as bars,
re-drawn only when their input changed, no pyplot figure ever opened."""

from datetime import timedelta
from xml.etree import ElementTree

import pytest

import pipeline.charts as charts
from pipeline.charts import specs as chart_specs
from pipeline.charts.draw import build_figure
from survey_app.storage.db import write_transaction
from tests.conftest import NOW

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def results(db, seed):
    """One enterprise with two closed waves of workers: saved indicator rows, some suppressed."""
    enterprise = seed.enterprise("Atelier <script>alert(1)</script>", language="nl")
    first = seed.campaign(
        enterprise,
        group="workers",
        title="Golf 2025",
        opens_at=NOW - timedelta(days=400),
        closes_at=NOW - timedelta(days=370),
    )
    second = seed.campaign(
        enterprise,
        group="workers",
        title="Golf 2026",
        opens_at=NOW - timedelta(days=40),
        closes_at=NOW - timedelta(days=10),
    )
    with write_transaction(db):
        db.execute(
            "INSERT INTO pipeline_run (id, trigger, started_at, finished_at, status) "
            "VALUES (1, 'cli', '2026-03-02T05:00:00Z', '2026-03-02T05:01:00Z', 'success')"
        )
        rows = [
            (first, "dimension", "work", 0, 8, 61.0, 50.0, 72.0, None),
            (first, "dimension", "individual", 0, 8, 55.0, 41.0, 69.0, None),
            (second, "dimension", "work", 0, 9, 70.0, 60.0, 80.0, None),
            (second, "dimension", "individual", 1, None, None, None, None, None),
            (second, "indicator", "voice", 0, 9, 68.0, 55.0, 81.0, (40.0, 52.0, 66.0)),
            (second, "indicator", "training", 1, None, None, None, None, None),
            (second, "nps", "recommendation", 0, 9, 22.0, None, None, None),
        ]
        for campaign, kind, key, suppressed, n, mean, low, high, bench in rows:
            db.execute(
                "INSERT INTO indicator_value (campaign_id, enterprise_id, stakeholder_group, kind, key, "
                "suppressed, suppression_reason, n, mean, ci_low, ci_high, bench_q1, bench_median, bench_q3, "
                "questionnaire_id, questionnaire_version, run_id) VALUES (?, ?, 'workers', ?, ?, ?, ?, ?, ?, ?, ?, "
                "?, ?, ?, 'workers', 1, 1)",
                [
                    campaign,
                    enterprise,
                    kind,
                    key,
                    suppressed,
                    "min_group_size" if suppressed else None,
                    n,
                    mean,
                    low,
                    high,
                    *(bench or (None, None, None)),
                ],
            )
        for campaign, rate in ((first, 0.4), (second, None)):
            db.execute("INSERT INTO campaign_summary VALUES (?, 8, 20, NULL, ?, 1)", [campaign, rate])
        for i, score in enumerate([10, 9, 9, 8, 7, 6, 3, 10, 9]):
            db.execute(
                "INSERT INTO response (id, campaign_id, submission_id, language, link, submitted_on) "
                "VALUES (?, ?, ?, 'nl', 'open', '2026-02-20')",
                [i + 1, second, f"s{i}"],
            )
            db.execute(
                "INSERT INTO answer (response_id, question_id, value_num) VALUES (?, 'recommend', ?)", [i + 1, score]
            )
    return {"enterprise": enterprise, "first": first, "second": second}


def specs_for(db, app, enterprise, language="en"):
    framework = charts._framework()
    return {
        s.name: s
        for s in chart_specs.load_specs(
            db, framework, [enterprise], {enterprise: [language]}, app.config["SETTINGS"]["privacy.min_group_size"]
        )
    }


def test_render_writes_valid_png_and_svg_for_every_chart(app, db, results):
    settings = app.config["SETTINGS"]
    drawn = charts.render_changed(db, settings, 1, [results["second"]])
    rows = list(db.query("SELECT * FROM chart ORDER BY name, format"))
    names = {r["name"] for r in rows}
    second = results["second"]
    assert {
        f"profile-c{second}",
        f"indicators-c{second}",
        f"nps-c{second}",
        "trends-workers",
        "response-rates",
    } <= names
    assert drawn == len(rows) and all(r["language"] == "nl" for r in rows)
    for row in rows:
        data = open(row["path"], "rb").read()
        if row["format"] == "png":
            assert data.startswith(PNG_MAGIC)
        else:
            ElementTree.fromstring(data)  # well-formed SVG
        assert row["alt_text"]


def test_unchanged_enterprise_is_not_redrawn(app, db, results):
    settings = app.config["SETTINGS"]
    assert charts.render_changed(db, settings, 1, []) > 0
    assert charts.render_changed(db, settings, 1, []) == 0
    with write_transaction(db):
        db.execute(
            "UPDATE indicator_value SET mean = 71 WHERE kind = 'dimension' AND key = 'work' AND campaign_id = ?",
            [results["second"]],
        )
    redrawn = {r["name"] for r in db.query("SELECT name FROM chart")}
    assert charts.render_changed(db, settings, 1, []) == 4  # profile and trends, PNG and SVG
    assert redrawn  # rows kept


def test_suppressed_cell_is_a_note_never_a_bar(app, db, results):
    spec = specs_for(db, app, results["enterprise"])[f"profile-c{results['second']}"]
    values = {bar.label: bar.value for bar in spec.bars}
    assert values["Personal development and well-being"] is None or None in values.values()
    figure = build_figure(spec)
    ax = figure.axes[0]
    bars = [p for p in ax.patches if (p.get_gid() or "").startswith("value-bar")]
    assert len(bars) == sum(1 for b in spec.bars if b.value is not None) == 1
    notes = [t.get_text() for t in ax.texts]
    assert "fewer than 5 answers" in notes
    assert "fewer than 5 answers" in spec.alt_text


def test_suppressed_values_never_reach_the_svg(app, db, results):
    settings = app.config["SETTINGS"]
    charts.render_changed(db, settings, 1, [])
    row = next(
        db.query("SELECT path FROM chart WHERE name = ? AND format = 'svg'", [f"indicators-c{results['second']}"])
    )
    svg = open(row["path"], encoding="utf-8").read()
    assert svg.count('id="value-bar-') == 1  # voice drawn, training suppressed
    assert "minder dan 5 antwoorden" in svg


def test_benchmark_band_and_median_are_drawn(app, db, results):
    spec = specs_for(db, app, results["enterprise"])[f"indicators-c{results['second']}"]
    voice = next(b for b in spec.bars if b.value is not None)
    assert voice.bench == (40.0, 52.0, 66.0)
    assert "peer median 52" in spec.alt_text
    ax = build_figure(spec).axes[0]
    assert any((p.get_gid() or "").startswith("bench-band") for p in ax.patches)


def test_nps_distribution_counts_and_suppression(app, db, results):
    specs = specs_for(db, app, results["enterprise"], "fr")
    nps = specs[f"nps-c{results['second']}"]
    assert [int(b.value) for b in nps.bars] == [0, 0, 0, 1, 0, 0, 1, 1, 1, 3, 2]
    assert "Net Promoter Score 22" in nps.alt_text or "22" in nps.alt_text
    first = specs[f"nps-c{results['first']}"]
    assert first.bars == () and "moins de 5 réponses" in first.alt_text


def test_alt_text_and_labels_follow_the_language(app, db, results):
    for language, word in (("fr", "Taux de réponse"), ("nl", "Responsgraad"), ("en", "Response rate")):
        spec = specs_for(db, app, results["enterprise"], language)["response-rates"]
        assert spec.title.startswith(word)
        assert spec.alt_text.startswith(word)


def test_on_request_language_is_drawn_once(app, db, results):
    settings = app.config["SETTINGS"]
    path, alt = charts.ensure_chart(db, settings, results["enterprise"], "response-rates", "fr", "png")
    assert path.exists() and alt.startswith("Taux de réponse")
    stamp = path.stat().st_mtime_ns
    charts.ensure_chart(db, settings, results["enterprise"], "response-rates", "fr", "png")
    assert path.stat().st_mtime_ns == stamp
    assert charts.ensure_chart(db, settings, results["enterprise"], "no-such-chart", "fr", "png") is None


def test_rendering_is_byte_identical_across_runs(app, db, results, tmp_path):
    spec = specs_for(db, app, results["enterprise"])[f"profile-c{results['second']}"]
    first, second = tmp_path / "a.svg", tmp_path / "b.svg"
    charts.draw_one((spec, (("svg", str(first)),)))
    charts.draw_one((spec, (("svg", str(second)),)))
    assert first.read_bytes() == second.read_bytes()


def test_no_pyplot_figure_is_ever_opened(app, db, results):
    import matplotlib.pyplot as plt

    before = len(plt.get_fignums())
    charts.render_changed(db, app.config["SETTINGS"], 1, [])
    assert len(plt.get_fignums()) == before == 0


def test_labels_are_plain_text_not_markup(app, db, results):
    """Enterprise names and labels are data: the SVG escapes them like any XML text."""
    charts.render_changed(db, app.config["SETTINGS"], 1, [])
    for row in db.query("SELECT path FROM chart WHERE format = 'svg'"):
        assert "<script" not in open(row["path"], encoding="utf-8").read()
