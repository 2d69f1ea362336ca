"""Back office, admins only: upload an XLSForm workbook, preview every page in each language and
every problem, map questions to indicators, register it, download any questionnaire as XLSForm."""

import io
import re

import pytest
from pyxform.xls2xform import convert

from survey_app.questionnaire.registry import Registry, instance_questionnaires

SURVEY = [
    ["type", "name", "label::Français (fr)", "label::English (en)", "required", "relevant"],
    ["begin_group", "about", "À propos", "About", "", ""],
    ["select_one yn", "trained", "Avez-vous été formé ?", "Were you trained?", "yes", ""],
    [
        "select_one agree",
        "useful",
        "La formation était utile.",
        "The training was useful.",
        "yes",
        "${trained} = 'yes'",
    ],
    ["end_group", "", "", "", "", ""],
    ["geopoint", "where", "Où ?", "Where?", "", ""],
]
CHOICES = [
    ["list_name", "name", "label::Français (fr)", "label::English (en)"],
    ["yn", "yes", "Oui", "Yes"],
    ["yn", "no", "Non", "No"],
    *[["agree", str(i), f"Niveau {i}", f"Level {i}"] for i in range(1, 6)],
]


@pytest.fixture
def admin(signed_in):
    return signed_in("admin@example.org")


@pytest.fixture
def form_bytes(workbook):
    return workbook(SURVEY, CHOICES, [["form_id", "version"], ["training", "2"]])


def upload(office, data: bytes, **fields):
    payload = {"workbook": (io.BytesIO(data), "training.xlsx"), "preview": "1", **fields}
    return office.post("/admin/questionnaires/preview", payload, content_type="multipart/form-data")


def hidden(html: str, name: str) -> str:
    return re.search(rf'name="{name}" type="hidden" value="([^"]*)"', html).group(1)


def test_the_page_lists_every_questionnaire_with_its_download(admin):
    html = admin.get("/admin/questionnaires/").get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in html and 'name="csrf_token"' in html
    for qid in ("beneficiaries", "partners", "workers"):
        assert f'href="/admin/questionnaires/{qid}/1.xlsx"' in html


def test_managers_cannot_reach_it(signed_in, form_bytes):
    manager = signed_in("anna@example.org")
    assert manager.get("/admin/questionnaires/").status_code == 404
    assert upload(manager, form_bytes).status_code == 404
    assert manager.get("/admin/questionnaires/workers/1.xlsx").status_code == 404


def test_upload_without_csrf_is_refused(admin, form_bytes):
    payload = {"workbook": (io.BytesIO(form_bytes), "training.xlsx")}
    response = admin.post("/admin/questionnaires/preview", payload, csrf=False, content_type="multipart/form-data")
    assert response.status_code == 400


def test_a_workbook_over_the_limit_is_refused_before_parsing(admin):
    assert upload(admin, b"x" * (3 * 1024 * 1024)).status_code == 413


def test_refused_form_shows_every_problem_and_no_register_button(admin, form_bytes):
    response = upload(admin, form_bytes)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "This form cannot be registered yet" in html
    assert "sheet “survey”, row 6, column “type”: “geopoint” (GPS location) is not supported" in html
    assert 'name="register"' not in html
    assert "Were you trained?" in html and "Avez-vous été formé ?" in html  # the pages kept so far


def test_preview_in_each_language_then_map_then_register(app, admin, form_bytes, db):
    first = upload(admin, form_bytes, skip_unsupported="y").get_data(as_text=True)
    assert "The form can be registered" in first
    assert "left out: “geopoint” (GPS location) is not supported" in first
    assert '<details open lang="fr">' in first and '<details lang="en">' in first
    assert "Page 1: À propos" in first and "Page 1: About" in first
    assert "Niveau 1" in first and "Level 5" in first
    assert "Shown only if: ${trained} = &#39;yes&#39;" in first
    assert 'name="indicator-trained"' in first and 'name="indicator-useful"' in first
    token = hidden(first, "upload")
    fields = {"upload": token, "filename": "training.xlsx", "skip_unsupported": "y", "stakeholder_group": "workers"}
    mapped = admin.post("/admin/questionnaires/preview", {**fields, "preview": "1", "indicator-useful": "skills"})
    html = mapped.get_data(as_text=True)
    assert mapped.status_code == 200 and '<option value="skills" selected>' in html
    assert "indicator: skills" in html
    done = admin.post("/admin/questionnaires/register", {**fields, "register": "1", "indicator-useful": "skills"})
    assert done.status_code == 303 and done.headers["Location"].endswith("/admin/questionnaires/")
    registry = app.extensions["vises.registry"]
    training = registry.get("training", 2)
    assert training.stakeholder_group == "workers" and training.question("useful").indicator == "skills"
    assert training.question("useful").type == "scale"  # numbered choices mapped to an indicator
    path = instance_questionnaires(app.config["SETTINGS"]) / "training.toml"
    assert path.read_text(encoding="utf-8") == training.source
    assert db.execute("SELECT stakeholder_group FROM questionnaire WHERE id = 'training'").fetchone()[0] == "workers"
    assert not list((path.parent.parent / "xlsform_uploads").glob("*.xlsx"))  # the upload is gone
    listed = admin.get("/admin/questionnaires/").get_data(as_text=True)
    assert "Questionnaire training version 2 is registered." in listed
    assert 'href="/admin/questionnaires/training/2.xlsx"' in listed
    campaign_form = admin.get("/admin/enterprises/1/campaigns/new").get_data(as_text=True)
    assert 'value="training:2"' in campaign_form
    # Another server process, started before the registration, finds it in the database.
    other = Registry(registry.framework, database_path=app.config["SETTINGS"]["database.path"])
    assert other.get("training", 2) == training


def test_registering_a_taken_version_is_refused(admin, workbook):
    data = workbook(SURVEY[:5], CHOICES, [["form_id", "version"], ["workers", "1"]])
    first = upload(admin, data).get_data(as_text=True)
    fields = {"upload": hidden(first, "upload"), "filename": "w.xlsx", "register": "1"}
    response = admin.post("/admin/questionnaires/register", fields)
    assert response.status_code == 422
    assert "This version is already registered" in response.get_data(as_text=True)


def test_a_forged_upload_token_is_refused(admin):
    response = admin.post("/admin/questionnaires/preview", {"upload": "../../../etc/passwd", "preview": "1"})
    assert response.status_code == 422


def test_no_workbook_chosen(admin):
    response = admin.post("/admin/questionnaires/preview", {"preview": "1"})
    assert response.status_code == 422 and "Choose an XLSForm workbook (.xlsx)." in response.get_data(as_text=True)


def test_download_converts_with_pyxform(admin):
    response = admin.get("/admin/questionnaires/beneficiaries/1.xlsx")
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "filename=beneficiaries-v1.xlsx" in response.headers["Content-Disposition"]
    assert 'id="beneficiaries"' in convert(xlsform=response.get_data(), file_type=".xlsx").xform
    assert admin.get("/admin/questionnaires/beneficiaries/9.xlsx").status_code == 404


def test_the_page_in_french(admin):
    admin.get("/?lang=fr")
    html = admin.get("/admin/questionnaires/").get_data(as_text=True)
    assert "Importer un formulaire de KoboToolbox ou d'ODK" in html
