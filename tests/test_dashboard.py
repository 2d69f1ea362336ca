"""Enterprise dashboard: every number equals the stored indicator (FR/NL/EN), suppressed cells read
"fewer than 5 answers", charts are served with their alt text, testimonies can be hidden by POST."""

import re

import pytest

from tests.app_support import sign_in
from tests.dashboard_support import ENTERPRISE, FEWER, OTHER, PNG, check_table, stored_cells, tables


@pytest.mark.parametrize("language", ["fr", "nl", "en"])
def test_every_number_on_the_dashboard_equals_the_stored_indicator(as_user, demo_db, language):
    html = as_user("anna").get(f"/admin/enterprises/{ENTERPRISE}/dashboard?lang={language}").get_data(as_text=True)
    found = tables(html)
    stored = stored_cells(demo_db, ENTERPRISE, language)
    assert set(stored) == {"beneficiaries", "workers", "partners"}
    checked = sum(check_table(found[f"table-{group}"], cells, language) for group, cells in stored.items())
    assert checked > 20
    assert "Qu&#39;est-ce qui change pour les personnes ?" in html  # the evaluative question, escaped


@pytest.mark.parametrize("language", ["fr", "nl", "en"])
def test_suppressed_group_reads_fewer_than_5_answers_and_shows_no_figure(as_user, demo_db, language):
    # Enterprise 2's partners answered 3 or 4 times per wave: every cell is suppressed.
    html = as_user("bert").get(f"/admin/enterprises/{OTHER}/dashboard?lang={language}").get_data(as_text=True)
    partners = tables(html)["table-partners"]
    assert all(cells == [FEWER[language]] for _label, *cells in partners[1:])
    section = html[html.index('id="group-partners"') : html.index('aria-labelledby="rates-title"')]
    assert FEWER[language] in section
    assert "Testimon" not in section or "<blockquote" not in section
    stored = stored_cells(demo_db, OTHER, language)["partners"]
    assert all(r["suppressed"] and r["n"] is None and r["mean"] is None for r in stored.values())


def test_freshness_and_methodology_link(as_user):
    html = as_user("anna").get(f"/admin/enterprises/{ENTERPRISE}/dashboard?lang=fr").get_data(as_text=True)
    # The demo run finished at 10:00 UTC on Wednesday 4 March 2026: 11:00 in Brussels.
    assert "Indicateurs calculés le mercredi 4 mars 2026 à 11:00" in html
    assert 'href="/admin/methodology"' in html
    methodology = as_user("anna").get("/admin/methodology?lang=nl").get_data(as_text=True)
    assert "Kleine groepen blijven anoniem" in methodology and "minder dan 5 antwoorden" in methodology


def test_charts_are_svg_with_alt_text_and_a_data_table_and_drawn_when_asked(as_user):
    client = as_user("anna")
    html = client.get(f"/admin/enterprises/{ENTERPRISE}/dashboard?lang=en").get_data(as_text=True)
    images = re.findall(r'<img src="([^"]+)" alt="([^"]*)"', html)
    assert len(images) >= 7 and all(alt.strip() and ".svg?v=" in src for src, alt in images)
    assert html.count('<details class="chart-data">') == len(images)
    profile = next(src.replace("&amp;", "&") for src, _alt in images if "/profile-c" in src)
    svg = client.get(profile)
    assert svg.status_code == 200 and svg.mimetype == "image/svg+xml" and b"<svg" in svg.data
    assert svg.headers["Cache-Control"] == "private, max-age=31536000, immutable"  # the URL names its version
    again = client.get(profile, headers={"If-None-Match": svg.headers["ETag"]})
    assert again.status_code == 304
    png = client.get(profile.split("?")[0].replace(".svg", ".png"))
    assert png.status_code == 200 and png.data.startswith(PNG)
    assert png.headers["Cache-Control"] == "private, no-cache"  # no version named: check each time
    import matplotlib.pyplot as plt

    assert plt.get_fignums() == []  # drawn with Figure objects only, nothing left open


@pytest.mark.parametrize(
    "path", ["fr/profile-c999999.png", "de/profile-c1.png", "fr/profile-c1.gif", "fr/../../etc.png", "fr/whatever.png"]
)
def test_unknown_charts_are_404(as_user, path):
    assert as_user("anna").get(f"/admin/enterprises/{ENTERPRISE}/charts/{path}").status_code == 404


def test_dashboard_list_shows_only_the_managers_enterprises(as_user):
    html = as_user("anna").get("/admin/dashboards?lang=en").get_data(as_text=True)
    assert "Atelier Jeunes Pousses" in html and "Terre d" not in html


def test_suppressed_cells_are_never_drawn_as_bars(as_user, demo_app, demo_db):
    """The charts of a suppressed wave hold no value at all, and are still served (as notes)."""
    from pipeline.charts import sources

    campaign = demo_db.execute(
        "SELECT id FROM campaign WHERE enterprise_id = ? AND stakeholder_group = 'partners' "
        "ORDER BY closes_at DESC LIMIT 1",
        [OTHER],
    ).fetchone()[0]
    framework = demo_app.extensions["vises.registry"].framework
    specs = sources.enterprise_specs(demo_db, framework, OTHER, "nl", 5)
    for name in (f"profile-c{campaign}", f"indicators-c{campaign}"):
        assert specs[name].bars and all(bar.value is None for bar in specs[name].bars)
        assert FEWER["nl"] in specs[name].alt_text
    assert specs[f"nps-c{campaign}"].bars == ()
    response = as_user("bert").get(f"/admin/enterprises/{OTHER}/charts/nl/profile-c{campaign}.png")
    assert response.status_code == 200 and response.data.startswith(PNG)


def test_the_configured_threshold_is_the_one_named(make_app, tmp_path, demo_template):
    import shutil

    shutil.copy(demo_template, tmp_path / "vises.db")
    client = make_app(privacy__min_group_size=8).test_client()
    sign_in(client, "bert@example.org")
    html = client.get(f"/admin/enterprises/{OTHER}/dashboard?lang=en").get_data(as_text=True)
    assert "fewer than 8 answers" in html and "fewer than 5 answers" not in html
