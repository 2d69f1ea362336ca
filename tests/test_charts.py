"""Charts: drawn on demand from saved results and cached by content hash (an unchanged chart is
never drawn again, concurrent requests draw it once), valid PNG/SVG, suppressed cells never drawn
as bars, no peer figure in any chart, numbers in the chart's language, no pyplot figure opened."""

import subprocess
import sys
import threading
from datetime import timedelta
from xml.etree import ElementTree

import pytest

import pipeline.charts as charts
from pipeline.charts import cache, draw, sources
from pipeline.charts.draw import build_figure
from survey_app.storage.db import write_transaction
from tests.app_support import NOW, store_benchmark

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
MARKUP = "<script>alert(1)</script>"  # in the enterprise name and the second wave's title


@pytest.fixture
def results(db, seed):
    """One enterprise with two closed waves of workers: saved indicator rows, some suppressed."""
    enterprise = seed.enterprise(f"Atelier {MARKUP}", language="nl")
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
        title=f"Golf {MARKUP} 2026",
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
                "suppressed, suppression_reason, n, mean, ci_low, ci_high, "
                "questionnaire_id, questionnaire_version, run_id) VALUES (?, ?, 'workers', ?, ?, ?, ?, ?, ?, ?, ?, "
                "'workers', 1, 1)",
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
                ],
            )
            if bench:  # q1, median, q3 among five peers
                store_benchmark(db, campaign, kind, key, [bench[0] - 10, *bench, bench[2] + 10])
        for campaign, rate in ((first, 0.4), (second, None)):
            db.execute("INSERT INTO campaign_summary VALUES (?, 8, 20, NULL, ?, 1)", [campaign, rate])
        for i, score in enumerate([10, 9, 9, 8, 7, 6, 3, 10, 9]):
            db.execute(
                "INSERT INTO response (id, campaign_id, submission_id, language, link, submitted_week) "
                "VALUES (?, ?, ?, 'nl', 'open', '2026-W08')",
                [i + 1, second, f"s{i}"],
            )
            db.execute(
                "INSERT INTO answer (response_id, question_id, value_num) VALUES (?, 'recommend', ?)", [i + 1, score]
            )
    return {"enterprise": enterprise, "first": first, "second": second}


def specs_for(db, app, enterprise, language="en"):
    min_group = app.config["SETTINGS"]["privacy.min_group_size"]
    return sources.enterprise_specs(db, charts.framework(), enterprise, language, min_group)


@pytest.fixture
def drawn(monkeypatch):
    """Names of the charts actually drawn (build_figure calls), in order."""
    calls = []
    real = draw.build_figure

    def counting(spec):
        calls.append(spec.name)
        return real(spec)

    monkeypatch.setattr(draw, "build_figure", counting)
    return calls


def test_every_chart_is_drawn_on_demand_as_valid_png_and_svg(app, db, results):
    settings = app.config["SETTINGS"]
    specs = specs_for(db, app, results["enterprise"], "nl")
    second = results["second"]
    assert {f"profile-c{second}", f"indicators-c{second}", f"nps-c{second}", "trends-workers", "response-rates"} <= set(
        specs
    )
    for spec in specs.values():
        for fmt in ("png", "svg"):
            path, drew = cache.ensure(settings, spec, fmt)
            assert drew and path.name.startswith(f"{spec.name}.nl.")
            data = path.read_bytes()
            if fmt == "png":
                assert data.startswith(PNG_MAGIC)
            else:
                ElementTree.fromstring(data)  # well-formed SVG
        assert spec.alt_text and (spec.rows or not spec.bars)  # alt text, and the data as a table


def test_an_unchanged_chart_is_never_drawn_again(app, db, results, drawn):
    settings = app.config["SETTINGS"]
    name = f"profile-c{results['second']}"
    first, _ = cache.ensure(settings, specs_for(db, app, results["enterprise"])[name], "svg")
    cache.ensure(settings, specs_for(db, app, results["enterprise"])[name], "svg")
    assert drawn == [name]
    with write_transaction(db):
        db.execute(
            "UPDATE indicator_value SET mean = 71 WHERE kind = 'dimension' AND key = 'work' AND campaign_id = ?",
            [results["second"]],
        )
    newer, drew = cache.ensure(settings, specs_for(db, app, results["enterprise"])[name], "svg")
    assert drew and newer != first and not first.exists()  # the older version is deleted
    assert drawn == [name, name]


def test_a_peers_new_wave_changes_no_chart(app, db, results):
    """Benchmarks are drawn by the page, not in charts: moving them leaves every chart as it was."""
    before = {n: s.content_hash() for n, s in specs_for(db, app, results["enterprise"]).items()}
    with write_transaction(db):
        store_benchmark(db, results["second"], "indicator", "voice", [40, 50, 61, 70, 80, 85, 88, 90, 95])
    assert {n: s.content_hash() for n, s in specs_for(db, app, results["enterprise"]).items()} == before


def test_concurrent_requests_for_one_chart_draw_it_once(app, db, results, drawn):
    settings = app.config["SETTINGS"]
    spec = specs_for(db, app, results["enterprise"])["trends-workers"]
    barrier, paths = threading.Barrier(6), []

    def ask():
        barrier.wait()
        paths.append(cache.ensure(settings, spec, "png")[0])

    threads = [threading.Thread(target=ask) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert drawn == ["trends-workers"] and len(set(paths)) == 1 and paths[0].exists()
    assert not list(paths[0].parent.glob("*.lock"))


def test_suppressed_cell_is_a_note_never_a_bar(app, db, results):
    spec = specs_for(db, app, results["enterprise"])[f"profile-c{results['second']}"]
    assert [bar.value is None for bar in spec.bars].count(True) == 1
    figure = build_figure(spec)
    bars = [a for a in figure.artists if (a.get_gid() or "").startswith("value-bar")]
    assert len(bars) == sum(1 for b in spec.bars if b.value is not None) == 1
    assert "fewer than 5 answers" in [t.get_text() for t in figure.texts]
    assert "fewer than 5 answers" in spec.alt_text
    assert ("Personal development and well-being", "fewer than 5 answers", "") in spec.rows


def test_suppressed_values_never_reach_the_svg(app, db, results):
    spec = specs_for(db, app, results["enterprise"], "nl")[f"indicators-c{results['second']}"]
    svg = cache.ensure(app.config["SETTINGS"], spec, "svg")[0].read_text(encoding="utf-8")
    assert svg.count('id="value-bar-') == 1  # voice drawn, training suppressed
    assert "minder dan 5 antwoorden" in svg


def test_no_peer_figure_is_in_any_chart(app, db, results):
    spec = specs_for(db, app, results["enterprise"])[f"indicators-c{results['second']}"]
    assert "52" not in spec.alt_text and all("52" not in cell for row in spec.rows for cell in row)
    assert not any((a.get_gid() or "").startswith("bench") for a in build_figure(spec).artists)


def test_nps_distribution_counts_whole_people_and_suppression(app, db, results):
    specs = specs_for(db, app, results["enterprise"], "fr")
    nps = specs[f"nps-c{results['second']}"]
    assert [int(b.value) for b in nps.bars] == [0, 0, 0, 1, 0, 0, 1, 1, 1, 3, 2]
    assert "Net Promoter Score +22" in nps.alt_text
    numbers = [t.get_text() for t in build_figure(nps).texts if t.get_text().replace(".", "").isdigit()]
    assert numbers and all(n.isdigit() for n in numbers)  # axis ticks in whole people: never 0.5 respondent
    first = specs[f"nps-c{results['first']}"]
    assert first.bars == () and "moins de 5 réponses" in first.alt_text


def test_alt_text_labels_and_numbers_follow_the_language(app, db, results):
    with write_transaction(db):  # 9 open-link responses for 37 expected people: 24.3%
        db.execute("UPDATE campaign SET expected_population = 37 WHERE id = ?", [results["second"]])
    for language, word, rate in (
        ("fr", "Taux de réponse", "24,3\u00a0%"),
        ("nl", "Responsgraad", "24,3%"),
        ("en", "Response rate", "24.3%"),
    ):
        spec = specs_for(db, app, results["enterprise"], language)["response-rates"]
        assert spec.title.startswith(word) and spec.alt_text.startswith(word)
        wave = f"Golf {MARKUP} 2026"  # the wave's name is plain text here; pages escape it
        assert spec.rows[1] == (wave, rate) and f"{wave}: {rate}" in spec.alt_text


def test_significant_changes_are_marked_on_the_trend(app, db, results):
    with write_transaction(db):
        db.execute(
            "UPDATE indicator_value SET delta = 9, delta_p = 0.01, delta_significant = 1 "
            "WHERE campaign_id = ? AND key = 'work'",
            [results["second"]],
        )
    spec = specs_for(db, app, results["enterprise"])["trends-workers"]
    work = next(s for s in spec.series if s.label.startswith("Quality of work"))
    assert work.significant == (False, True)
    assert "70 (significant change)" in spec.alt_text
    rings = [a for a in build_figure(spec).artists if (a.get_gid() or "").startswith("significant-")]
    assert len(rings) == 1 and len(rings[0].get_xdata()) == 1  # the ring around the marked point


def test_the_pdf_function_draws_a_png_once_in_any_language(app, db, results, drawn):
    settings = app.config["SETTINGS"]
    path, alt = charts.ensure_chart(db, settings, results["enterprise"], "response-rates", "fr", "png")
    assert path.read_bytes().startswith(PNG_MAGIC) and alt.startswith("Taux de réponse")
    assert charts.ensure_chart(db, settings, results["enterprise"], "response-rates", "fr", "png")[0] == path
    assert drawn == ["response-rates"]
    assert charts.ensure_chart(db, settings, results["enterprise"], "no-such-chart", "fr", "png") is None


def test_the_pipeline_prerenders_only_the_report_pngs_of_the_latest_closed_waves(app, db, results, drawn):
    settings = app.config["SETTINGS"]
    assert charts.render_changed(db, settings, 1, [results["first"]]) == 0  # not the latest wave
    assert charts.render_changed(db, settings, 1, [results["first"], results["second"]]) == 3
    second = results["second"]
    assert sorted(drawn) == sorted([f"profile-c{second}", f"nps-c{second}", "trends-workers"])
    folder = cache.chart_folder(settings) / str(results["enterprise"])
    assert sorted(p.suffix for p in folder.iterdir()) == [".png"] * 3
    assert charts.render_changed(db, settings, 1, [second]) == 0  # unchanged: nothing drawn again


def test_rendering_is_byte_identical_across_runs(app, db, results, tmp_path):
    spec = specs_for(db, app, results["enterprise"])[f"profile-c{results['second']}"]
    first, second = tmp_path / "a.svg", tmp_path / "b.svg"
    draw.save_figure(build_figure(spec), first, "svg")
    draw.save_figure(build_figure(spec), second, "svg")
    assert first.read_bytes() == second.read_bytes()


def test_no_pyplot_figure_is_ever_opened(app, db, results):
    import matplotlib.pyplot as plt

    before = len(plt.get_fignums())
    charts.render_changed(db, app.config["SETTINGS"], 1, [results["second"]])
    assert len(plt.get_fignums()) == before == 0


def test_labels_are_plain_text_not_markup(app, db, results):
    """Enterprise names and labels are data: the SVG escapes them like any XML text."""
    second = results["second"]
    settings = app.config["SETTINGS"]
    svgs = {
        name: cache.ensure(settings, spec, "svg")[0].read_text(encoding="utf-8")
        for name, spec in specs_for(db, app, results["enterprise"]).items()
    }
    # The second wave's charts are titled with its name: drawn, and the markup in them is text.
    assert {f"profile-c{second}", f"nps-c{second}"} <= set(svgs)
    for name, svg in svgs.items():
        assert "<script" not in svg, name
        if name.endswith(f"-c{second}"):
            assert "&lt;script&gt;alert(1)&lt;/script&gt;" in svg, name


def test_matplotlib_is_imported_only_on_the_chart_path():
    code = "import sys, survey_app.results.data, pipeline.charts; print('matplotlib' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout == "False\n"
