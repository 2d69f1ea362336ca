"""XLSForm export: pyxform (the reference implementation) converts every bundled questionnaire's
export to an XForm, and importing an export gives the same questionnaire back."""

import dataclasses
import io
from pathlib import Path

import openpyxl
import pytest
from pyxform.xls2xform import convert

from survey_app.questionnaire.loader import load_questionnaire
from survey_app.questionnaire.registry import QUESTIONNAIRES_DIR, questionnaire_files
from survey_app.questionnaire.xlsform import export_workbook

EXTENDED = Path(__file__).parent / "data" / "extended.toml"
QUESTIONNAIRES = [*questionnaire_files(QUESTIONNAIRES_DIR), EXTENDED]


def sheets(data: bytes) -> dict[str, list[dict]]:
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    found = {}
    for sheet in book.worksheets:
        rows = list(sheet.iter_rows(values_only=True))
        found[sheet.title] = [dict(zip(rows[0], row, strict=False)) for row in rows[1:]]
    return found


def comparable(questionnaire):
    return dataclasses.replace(questionnaire, content_hash="", source="")


@pytest.mark.parametrize("path", QUESTIONNAIRES, ids=lambda p: p.stem)
def test_pyxform_converts_the_export_to_an_xform(framework, path):
    questionnaire = load_questionnaire(path, framework)
    warnings: list[str] = []
    result = convert(xlsform=export_workbook(questionnaire), warnings=warnings, file_type=".xlsx")
    assert result.xform.startswith("<?xml") and f'id="{questionnaire.id}"' in result.xform
    assert all("image column" in w for w in warnings), warnings  # media given for some languages only


@pytest.mark.parametrize("path", QUESTIONNAIRES, ids=lambda p: p.stem)
def test_importing_the_export_gives_the_same_questionnaire(framework, run_import, path):
    questionnaire = load_questionnaire(path, framework)
    result = run_import(export_workbook(questionnaire), f"{questionnaire.id}.xlsx")
    assert not result.refused, [i.text() for i in result.blocking]
    assert comparable(result.questionnaire) == comparable(questionnaire)
    assert result.unmapped == [(q.id, q.id) for q in questionnaire.questions if q.scored and not q.indicator]


def test_the_export_of_workers(framework):
    workers = load_questionnaire(QUESTIONNAIRES_DIR / "workers.toml", framework)
    found = sheets(export_workbook(workers))
    assert list(found) == ["survey", "choices", "settings"]
    survey = found["survey"]
    assert {"label::Français (fr)", "label::Nederlands (nl)", "label::English (en)"} <= set(survey[0])
    assert survey[0]["type"] == "note" and survey[0]["label::English (en)"] == workers.intro["en"]
    assert survey[1]["type"] == "begin_group" and survey[1]["name"] == workers.sections[0].id
    rows = {row["name"]: row for row in survey if row["name"]}
    first = workers.sections[0].questions[0]
    assert rows[first.id]["type"] == "select_one agree5_dk"
    assert (rows[first.id]["vises_type"], rows[first.id]["vises_indicator"]) == ("agree5", first.indicator)
    assert rows[first.id]["required"] == "yes" and rows[first.id]["appearance"] == "likert"
    reverse = next(q for q in workers.questions if q.reverse)
    assert rows[reverse.id]["vises_reverse"] == "yes"
    dependent = next(q for q in workers.questions if q.show_if)
    assert rows[dependent.id]["relevant"] == f"${{{dependent.show_if.question}}} = 'yes'"
    agree = [c for c in found["choices"] if c["list_name"] == "agree5_dk"]
    assert [c["name"] for c in agree] == ["1", "2", "3", "4", "5", "dont_know"]
    assert (
        agree[0]["label::Français (fr)"] == "Pas du tout d'accord"
        and agree[0]["label::English (en)"] == "Strongly disagree"
    )
    [settings] = found["settings"]
    assert (settings["form_id"], settings["version"], settings["default_language"]) == ("workers", "1", "Français (fr)")
    assert (
        settings["vises_stakeholder_group"] == "workers"
        and settings["vises_title::Nederlands (nl)"] == workers.title["nl"]
    )


def test_the_export_of_extensions(framework):
    extended = load_questionnaire(EXTENDED, framework)
    rows = {row["name"]: row for row in sheets(export_workbook(extended))["survey"] if row["name"]}
    assert rows["adult_confident"]["relevant"] == "${age} >= 18 and (${feel} = '4' or ${feel} = '5')"
    assert rows["named_or_small"]["relevant"] == "${name} != '' or ${size} = '1'"
    assert rows["not_young"]["relevant"] == "not(${age} < 25)"
    assert (rows["age"]["type"], rows["age"]["constraint"]) == ("integer", ". >= 16 and . <= 99")
    assert (rows["hours"]["type"], rows["hours"]["parameters"], rows["hours"]["default"]) == (
        "range",
        "start=0 end=40 step=5",
        "10",
    )
    assert rows["name"]["constraint"] == "string-length(.) <= 200"
    assert rows["welcome"]["media::image::Français (fr)"] == "welcome.png"
    assert rows["age"]["required_message::Deutsch (de)"] == "Bitte Alter angeben."
