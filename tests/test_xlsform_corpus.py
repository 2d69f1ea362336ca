"""Acceptance over the nine real workbooks of ../shared/xlsforms: what each imports to (checked
against the workbook by hand: count, types, required flags, conditions, labels, choices), or the
refusal naming the row and the feature; nothing crashes, with or without --skip-unsupported."""

import json

import pytest

from survey_app.questionnaire.model import ShowIf, ShowIfGroup
from survey_app.questionnaire.xlsform import preview

FILES = [
    "correlaid__all_types_survey.xlsx",
    "correlaid__mitwirken_umfrage.xlsx",
    "correlaid__testA.xlsx",
    "idem__form.xlsx",
    "kobocat__exp.xlsx",
    "onadata__MCH_v1.xlsx",
    "onadata__multi_lingual_form.xlsx",
    "onadata__new_cascading_select.xlsx",
    "pyxform__xlsform_spec_test.xlsx",
]
# Without --skip-unsupported, every file but one is refused; each refusal names rows and features.
REFUSALS = {
    "correlaid__all_types_survey.xlsx": [
        ("row 7,", "“calculate” (calculation)"),
        ("row 8,", "“hidden” (hidden field)"),
        ("row 17,", "“date” (date)"),
        ("row 18,", "“time” (time)"),
        ("row 19,", "“datetime” (date and time)"),
        ("row 22,", "“rank aspects” (ranking)"),
        ("row 42,", "“rank aspects or_other” (ranking)"),
    ],
    "correlaid__mitwirken_umfrage.xlsx": [("row 28,", "“other” is not a choice of “teilhabe_gruppen”")],
    "correlaid__testA.xlsx": [("row 22, column “relevant”", "“${beruf_post} != ${beruf_pre}”")],
    "idem__form.xlsx": [
        ("row 7,", "“calculate” (calculation)"),
        ("row 14, column “choice_filter”", "a choice filter (parent_admin1=${admin1})"),
        ("row 34,", "“begin_repeat” (repeat group) is not supported; its 51 questions go with it"),
        ("row 425,", "“rank l_fsl_source_food” (ranking)"),
        ("row 708,", "“gps” (GPS location)"),
    ],
    "kobocat__exp.xlsx": [("row 9,", "“date” (date)"), ("row 13,", "“image” (photo capture)")],
    "onadata__MCH_v1.xlsx": [(f"row {n},", "“date” (date)") for n in (20, 21, 22, 30, 31)],
    "onadata__new_cascading_select.xlsx": [
        ("row 3, column “choice_filter”", "(state=${state})"),
        ("row 4, column “choice_filter”", "(state=${state} and county=${county})"),
    ],
    "pyxform__xlsform_spec_test.xlsx": [
        ("row 7, column “relevant”", "the function or word “regex” is not supported"),
        ("row 10, column “label::english”", "no label in any language"),
        ("row 15,", "“begin repeat” (repeat group)"),
        ("row 30,", "“acknowledge” (acknowledgement)"),
        ("row 34,", "“geopoint” (GPS location)"),
        ("row 35,", "“barcode” (barcode scan)"),
        ("row 36,", "“image” (photo capture)"),
        ("row 40,", "“calculate” (calculation)"),
    ],
}
# With --skip-unsupported: (question count, languages, count of each XLSForm type, required, with relevant).
IMPORTED = {
    "correlaid__all_types_survey.xlsx": (
        26,
        ["de"],
        {"text": 10, "integer": 3, "decimal": 1, "select_one": 8, "select_multiple": 2, "note": 2},
        2,
        2,
    ),
    "correlaid__mitwirken_umfrage.xlsx": (
        41,
        ["de"],
        {"note": 4, "select_one": 8, "select_multiple": 12, "text": 15, "integer": 2},
        7,
        13,
    ),
    "correlaid__testA.xlsx": (
        23,
        ["de"],
        {"note": 3, "select_one": 14, "integer": 1, "select_multiple": 1, "text": 4},
        12,
        1,
    ),
    "idem__form.xlsx": (
        425,
        ["en", "fr"],
        {"select_one": 154, "integer": 62, "note": 20, "text": 91, "select_multiple": 98},
        271,
        247,
    ),
    "kobocat__exp.xlsx": (5, ["en"], {"text": 1, "decimal": 1, "select_one": 3}, 4, 0),
    "onadata__MCH_v1.xlsx": (19, ["en"], {"integer": 8, "select_one": 8, "text": 2, "select_multiple": 1}, 0, 8),
    "onadata__multi_lingual_form.xlsx": (
        5,
        ["en", "sw", "fr"],
        {"text": 1, "integer": 1, "select_one": 2, "select_multiple": 1},
        0,
        0,
    ),
    "onadata__new_cascading_select.xlsx": (1, ["en"], {"select_one": 1}, 0, 0),
}


def load(corpus, run_import, name, **options):
    return run_import((corpus / name).read_bytes(), name, **options)


def by_name(result):
    return {q["name"]: q for q in preview(result)["questions"]}


@pytest.mark.parametrize("name", FILES)
@pytest.mark.parametrize("skip", [False, True])
def test_every_workbook_imports_or_refuses_without_crashing(corpus, run_import, name, skip):
    result = load(corpus, run_import, name, skip_unsupported=skip)
    shown = preview(result)
    json.dumps(shown)  # the preview is plain JSON
    assert result.refused == ("refused" in shown)
    if result.refused:
        assert set(shown) == {"refused", "message"} and shown["message"]
    else:
        assert set(shown) == {"id", "version", "languages", "questions"}
        assert all(set(q) == {"name", "type", "required", "relevant", "labels", "choices"} for q in shown["questions"])


@pytest.mark.parametrize("name", sorted(REFUSALS))
def test_refusals_name_the_row_and_the_feature(corpus, run_import, name):
    result = load(corpus, run_import, name)
    message = preview(result)["message"]
    assert result.refused
    for row, feature in REFUSALS[name]:
        line = next((line for line in message.splitlines() if row in line and feature in line), None)
        assert line is not None, (row, feature, message[:2000])
        assert "Fix: " in line


@pytest.mark.parametrize("name", sorted(IMPORTED))
def test_imported_forms_give_the_expected_questions(corpus, run_import, name):
    count, languages, types, required, relevant = IMPORTED[name]
    result = load(corpus, run_import, name, skip_unsupported=True)
    shown = preview(result)
    questions = shown["questions"]
    assert len(questions) == count
    assert shown["languages"] == languages
    counted: dict[str, int] = {}
    for q in questions:
        counted[q["type"]] = counted.get(q["type"], 0) + 1
    assert counted == types
    assert sum(q["required"] for q in questions) == required
    assert sum(q["relevant"] is not None for q in questions) == relevant
    assert result.questionnaire is not None  # and the product's own validator accepted it


def test_the_one_form_that_imports_as_it_is(corpus, run_import):
    result = load(corpus, run_import, "onadata__multi_lingual_form.xlsx")
    shown = preview(result)
    assert shown["id"] == "multi_lingual_export" and shown["version"] == 1
    questions = by_name(result)
    assert [q["name"] for q in shown["questions"]] == ["resp_name", "age", "sex_resp", "Fruits", "cities"]
    assert questions["sex_resp"]["labels"] == {"en": "Sex of respondent", "sw": "Jinsia", "fr": "Le genre"}
    assert [c["name"] for c in questions["Fruits"]["choices"]] == ["apple", "banana", "pear", "mango", "other", "none"]
    assert questions["Fruits"]["choices"][2]["labels"]["fr"] == "Poire"
    assert questions["sex_resp"]["choices"][0] == {
        "name": "1",
        "labels": {"en": "Male", "sw": "Mume", "fr": "Masculine"},
    }
    q = result.questionnaire
    assert q.languages == ("en", "sw", "fr")
    assert [s.id for s in q.sections] == ["group1"]
    assert q.sections[0].title == {"en": "Group 1", "sw": "Kikundi1", "fr": "Groupe1"}
    assert q.question("fruits").type == "multiple" and q.question("age").integer
    assert [o.value for o in q.question("sex_resp").options] == ["1", "2"]


def test_kobocat_metadata_media_and_decimal(corpus, run_import):
    result = load(corpus, run_import, "kobocat__exp.xlsx", skip_unsupported=True)
    questions = by_name(result)
    assert list(questions) == ["item", "amount", "expense_type", "kind", "required"]
    assert questions["expense_type"]["labels"] == {"en": "Expense type"} and questions["amount"]["type"] == "decimal"
    assert len(questions["expense_type"]["choices"]) == 7
    texts = [i.text() for i in result.issues]
    for row, meta in ((2, "start"), (3, "end"), (4, "today"), (5, "deviceid"), (6, "subscriberid"), (7, "imei")):
        assert any(f"row {row}:" in t and f"“{meta}” (metadata) dropped" in t for t in texts)
    q = result.questionnaire
    assert q.question("item").media == {"audio": {"en": "ulibuy.m4a"}}
    assert q.question("required").type == "yes_no" and q.question("required").required
    assert q.question("amount").type == "number" and not q.question("amount").integer


def test_mch_old_select_spelling_and_group_conditions(corpus, run_import):
    result = load(corpus, run_import, "onadata__MCH_v1.xlsx", skip_unsupported=True)
    questions = by_name(result)
    assert questions["beneficiary"]["type"] == "select_one"  # select one from beneficiaries
    assert questions["source"]["type"] == "select_one"  # Select one from source
    assert questions["child_immunization"]["type"] == "select_multiple"  # select all that apply from cimmun
    assert questions["HPlevel"]["relevant"] == "${lab}='yes'"
    assert questions["month"]["relevant"] is None  # the condition is the group's
    assert [c["labels"]["en"] for c in questions["month"]["choices"]][:3] == ["1", "2", "3"]
    q = result.questionnaire
    assert [s.id for s in q.sections] == ["questions", "mother", "child"]
    assert q.question("hplevel").show_if == ShowIfGroup(
        "all", (ShowIf("beneficiary", ("1",)), ShowIf("service", ("1",)), ShowIf("lab", ("yes",)))
    )
    assert q.question("month").show_if == ShowIf("beneficiary", ("1",))


def test_testa_likert_nps_notes_and_german(corpus, run_import):
    result = load(corpus, run_import, "correlaid__testA.xlsx", skip_unsupported=True)
    questions = by_name(result)
    assert questions["dauer"]["required"] is True  # required = "true"
    assert questions["stunden_gesamt"]["required"] is False  # required = "false"
    assert questions["geschlecht_andere"]["relevant"] == "${geschlecht} = 'andere'"
    assert questions["wohlfuehlen"]["labels"] == {"de": "Ich fühle mich bei TestWerk wohl und akzeptiert."}
    assert [c["name"] for c in questions["nps_score"]["choices"]] == [str(i) for i in range(11)]
    assert "attribution_beruf" not in questions  # its condition compares two questions
    q = result.questionnaire
    assert q.languages == ("de",)
    assert q.intro["de"].startswith("Hey! Wir möchten gerne wissen")  # the opening note
    assert q.question("wohlfuehlen").type == "scale" and [o.value for o in q.question("wohlfuehlen").options] == [
        1,
        2,
        3,
        4,
        5,
    ]
    assert q.question("nps_score").type == "nps"
    assert q.question("danke").type == "note"
    assert [n for n, _id in result.unmapped][:2] == ["wohlfuehlen", "freundschaften"]
    assert any("campaigns cannot offer it" in i.text() for i in result.issues)


def test_all_types_aliases_or_other_constraint_default(corpus, run_import):
    result = load(corpus, run_import, "correlaid__all_types_survey.xlsx", skip_unsupported=True)
    questions = by_name(result)
    assert questions["q_string"]["type"] == "text" and questions["q_int"]["type"] == "integer"
    assert questions["q_relevant"]["relevant"] == "${q_mandatory} != ''"
    assert questions["q_mandatory"]["required"] is True
    assert [c["name"] for c in questions["q_sel1_other"]["choices"]] == ["red", "blue", "green", "other"]
    q = result.questionnaire
    age = q.question("q_constraint")
    assert (age.min, age.max, age.integer) == (18, 120, True)
    assert age.constraint_message == {"de": "Bitte geben Sie ein gültiges Alter zwischen 18 und 120 ein"}
    assert q.question("q_default").default == "Deutschland"
    assert q.question("q_relevant").show_if == ShowIf("q_mandatory", (), "answered")
    assert q.question("q_sel1_other_other").show_if == ShowIf("q_sel1_other", ("other",))
    assert q.question("q_likert").type == "scale"  # likert appearance, names low/mid/high -> 1, 2, 3
    assert len(q.sections) == 7


def test_mitwirken_and_or_parentheses(corpus, run_import):
    result = load(corpus, run_import, "correlaid__mitwirken_umfrage.xlsx", skip_unsupported=True)
    q = result.questionnaire
    assert q.question("gesetz_veraenderung_text").show_if == ShowIfGroup(
        "all",
        (ShowIf("wissen_gesetz", ("ja",)), ShowIf("veraenderung_gesetz_art", ("ja_haben", "ja_zusammenarbeit"))),
    )
    assert q.question("zusammenarbeit_verbesserung_text").show_if == ShowIf(
        "zusammenarbeit_stadt_einschaetzung", ("schlecht", "eher_schlecht")
    )
    assert by_name(result)["zusammenarbeit_verbesserung_text"]["relevant"].endswith("'eher_schlecht'")
    assert len(q.sections) == 8  # nine groups; the welcome page became the intro
    assert any("row 28" in i.text() and i.dropped for i in result.issues)


def test_cascading_select_keeps_the_first_list(corpus, run_import):
    shown = preview(load(corpus, run_import, "onadata__new_cascading_select.xlsx", skip_unsupported=True))
    assert [(q["name"], [c["name"] for c in q["choices"]]) for q in shown["questions"]] == [
        ("state", ["texas", "washington"])
    ]


def test_idem_large_form_in_english_and_french(corpus, run_import):
    result = load(corpus, run_import, "idem__form.xlsx", skip_unsupported=True)
    questions = by_name(result)
    assert questions["survey_modality"]["labels"] == {"en": "Survey modality", "fr": "Modalités de l'entretien"}
    assert result.questionnaire.languages == ("en", "fr")
