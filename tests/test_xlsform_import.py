"""XLSForm import on small generated workbooks: every type, header and `required` spelling,
media, metadata, unsupported features, invalid workbooks and indicator mapping."""

import pytest

from survey_app.questionnaire.model import ShowIf
from survey_app.questionnaire.xlsform import preview
from survey_app.questionnaire.xlsform.read import parse_header

CHOICES = [
    ["list_name", "name", "label"],
    ["yn", "yes", "Yes"],
    ["yn", "no", "No"],
    ["colour", "red", "Red"],
    ["colour", "blue", "Blue"],
]


def one_question(workbook, run_import, row, header=("type", "name", "label"), choices=CHOICES, **options):
    result = run_import(workbook([list(header), list(row)], choices), **options)
    return result


@pytest.mark.parametrize(
    "header, key, language",
    [
        ("label::French (fr)", "label", "French (fr)"),
        ("label::fr", "label", "fr"),
        ("label:French", "label", "French"),
        ("label::french (fr)", "label", "french (fr)"),
        ("label::English\n", "label", "English"),
        ("hint ", "hint", None),
        ("list name", "list_name", None),
        ("bind:relevant", "relevant", None),
        ("bind::jr:constraintMsg", "constraint_message", None),
        ("media::image", "image", None),
        ("media::audio::Français (fr)", "audio", "Français (fr)"),
        ("image::english", "image", "english"),
        ("audio", "audio", None),
        ("requiredMsg", "required_message", None),
        ("Type", "type", None),
    ],
)
def test_header_spellings(header, key, language):
    column = parse_header(header)
    assert (column.key, column.language) == (key, language)


@pytest.mark.parametrize(
    "header",
    ["label::French (fr)", "label::fr", "label:French", "label::french (fr)", "label::Français\n", "label::français "],
)
def test_label_columns_in_every_spelling_read_as_french(workbook, run_import, header):
    result = one_question(workbook, run_import, ["text", "q1", "Votre avis ?"], ("type", "name", header))
    assert preview(result)["languages"] == ["fr"]
    assert result.questionnaire.question("q1").label == {"fr": "Votre avis ?"}


def test_plain_label_is_the_default_language_and_every_language_is_kept(workbook, run_import):
    survey = [
        ["type", "name", "label", "label::Nederlands (nl)", "label::Deutsch (de)"],
        ["text", "q1", "Votre avis ?", "Jouw mening?", "Ihre Meinung?"],
    ]
    result = run_import(workbook(survey, None, [["default_language"], ["Français (fr)"]]))
    assert preview(result)["languages"] == ["fr", "nl", "de"]
    assert result.questionnaire.question("q1").label == {
        "fr": "Votre avis ?",
        "nl": "Jouw mening?",
        "de": "Ihre Meinung?",
    }


def test_language_map_decides_plain_and_unknown_columns(workbook, run_import):
    survey = [["type", "name", "label", "label::Vlaams"], ["text", "q1", "Votre avis ?", "Jouw mening?"]]
    refused = run_import(workbook(survey))
    assert refused.refused and "cannot tell which language “Vlaams” is" in preview(refused)["message"]
    result = run_import(workbook(survey), language_map="Vlaams=nl, default=fr")
    assert preview(result)["languages"] == ["fr", "nl"]


@pytest.mark.parametrize("spelling", ["yes", "Yes", "TRUE", "true", "true()", "1"])
def test_required_spellings(workbook, run_import, spelling):
    result = one_question(workbook, run_import, ["text", "q1", "Q?", spelling], ("type", "name", "label", "required"))
    assert preview(result)["questions"][0]["required"] is True


@pytest.mark.parametrize("spelling", ["no", "false", "FALSE", "false()", ""])
def test_not_required_spellings(workbook, run_import, spelling):
    result = one_question(workbook, run_import, ["text", "q1", "Q?", spelling], ("type", "name", "label", "required"))
    assert preview(result)["questions"][0]["required"] is False


def test_conditional_required_is_refused_or_dropped(workbook, run_import):
    row = ["text", "q1", "Q?", "${q0} = 'yes'"]
    result = one_question(workbook, run_import, row, ("type", "name", "label", "required"))
    assert "row 2, column “required”" in preview(result)["message"]


@pytest.mark.parametrize(
    "type_text, family, product",
    [
        ("select_one yn", "select_one", "yes_no"),
        ("select one from yn", "select_one", "yes_no"),
        ("Select one from colour", "select_one", "single"),
        ("select_multiple colour", "select_multiple", "multiple"),
        ("select all that apply from colour", "select_multiple", "multiple"),
        ("integer", "integer", "number"),
        ("int", "integer", "number"),
        ("decimal", "decimal", "number"),
        ("text", "text", "text"),
        ("string", "text", "text"),
        ("note", "note", "note"),
        ("range", "range", "scale0_10"),
    ],
)
def test_types(workbook, run_import, type_text, family, product):
    survey = [["type", "name", "label"], ["text", "q0", "First?"], [type_text, "q1", "Q?"]]
    result = run_import(workbook(survey, CHOICES))
    assert preview(result)["questions"][1]["type"] == family
    assert result.questionnaire.question("q1").type == product


def test_range_other_than_0_10_is_a_number_with_its_step(workbook, run_import):
    row = ["range", "q1", "Q?", "start=0 end=100 step=5"]
    q = one_question(workbook, run_import, row, ("type", "name", "label", "parameters")).questionnaire.question("q1")
    assert (q.type, q.min, q.max, q.step, q.integer) == ("number", 0, 100, 5, True)


@pytest.mark.parametrize(
    "constraint, bounds",
    [(". >= 0 and . <= 120", (0, 120)), (".>=18", (18, None)), (". < 10", (None, 9)), ("5 <= .", (5, None))],
)
def test_integer_constraints_become_min_and_max(workbook, run_import, constraint, bounds):
    row = ["integer", "q1", "Q?", constraint, "Between 0 and 120"]
    header = ("type", "name", "label", "constraint", "constraint_message")
    q = one_question(workbook, run_import, row, header).questionnaire.question("q1")
    assert (q.min, q.max) == bounds
    assert q.constraint_message == {"en": "Between 0 and 120"}


def test_other_constraints_are_kept_out_with_a_warning(workbook, run_import):
    row = ["text", "q1", "E-mail", "regex(., '@')"]
    result = one_question(workbook, run_import, row, ("type", "name", "label", "constraint"))
    assert not result.refused
    assert any("“regex(., '@')” is not kept" in i.text() for i in result.issues)


def test_likert_nps_and_dont_know(workbook, run_import):
    choices = [["list_name", "name", "label"]]
    choices += [["agree", str(i), f"A{i}"] for i in range(1, 6)] + [["agree", "dont_know", "Don't know"]]
    choices += [["nps", str(i), str(i)] for i in range(11)]
    survey = [
        ["type", "name", "label", "appearance", "hint", "required_message"],
        ["select_one agree", "feel", "I feel better.", "likert", "Choose one", "Please answer"],
        ["select_one nps", "recommend", "Recommend?", "", "", ""],
    ]
    q = run_import(workbook(survey, choices), indicators={"feel": "self_confidence"}).questionnaire
    feel = q.question("feel")
    assert (feel.type, [o.value for o in feel.options], feel.dont_know, feel.indicator) == (
        "scale",
        [1, 2, 3, 4, 5],
        True,
        "self_confidence",
    )
    assert feel.hint == {"en": "Choose one"} and feel.required_message == {"en": "Please answer"}
    assert q.question("recommend").type == "nps"


def test_media_on_questions_and_choices(workbook, run_import):
    survey = [
        ["type", "name", "label::English (en)", "label::Français (fr)", "media::image", "media::audio::Français (fr)"],
        ["select_one colour", "q1", "Colour?", "Couleur ?", "colours.png", "couleur.mp3"],
    ]
    choices = [["list_name", "name", "label::English (en)", "label::Français (fr)", "image"]]
    choices += [["colour", "red", "Red", "Rouge", "red.png"], ["colour", "blue", "Blue", "Bleu", ""]]
    q = run_import(workbook(survey, choices)).questionnaire.question("q1")
    assert q.media == {"image": {"en": "colours.png", "fr": "colours.png"}, "audio": {"fr": "couleur.mp3"}}
    assert q.options[0].media == {"image": {"en": "red.png", "fr": "red.png"}} and q.options[1].media is None


def test_or_other_adds_an_option_and_a_text_question(workbook, run_import):
    result = one_question(workbook, run_import, ["select_one colour or_other", "q1", "Colour?"])
    q = result.questionnaire
    assert [o.value for o in q.question("q1").options] == ["red", "blue", "other"]
    assert q.question("q1_other").show_if == ShowIf("q1", ("other",))
    assert [c["name"] for c in preview(result)["questions"][0]["choices"]] == ["red", "blue", "other"]


def test_metadata_rows_are_dropped_with_a_note(workbook, run_import):
    survey = [["type", "name", "label"], ["start", "start", ""], ["deviceid", "d", ""], ["text", "q1", "Q?"]]
    result = run_import(workbook(survey))
    assert [q["name"] for q in preview(result)["questions"]] == ["q1"]
    notes = [i.text() for i in result.issues if i.severity == "note"]
    assert any("row 2:" in n and "“start” (metadata) dropped" in n for n in notes)
    assert any("row 3:" in n and "“deviceid” (metadata) dropped" in n for n in notes)


@pytest.mark.parametrize(
    "type_text, feature",
    [
        ("geopoint", "GPS location"),
        ("geotrace", "GPS trace"),
        ("calculate", "calculation"),
        ("select_one_from_file places.csv", "choices from a file"),
        ("image", "photo capture"),
        ("audio", "audio recording"),
        ("video", "video recording"),
        ("barcode", "barcode scan"),
        ("rank colour", "ranking"),
        ("trigger", "acknowledgement"),
    ],
)
def test_unsupported_types_are_refused_or_dropped_with_a_warning(workbook, run_import, type_text, feature):
    survey = [["type", "name", "label"], ["text", "q0", "First?"], [type_text, "q1", "Q?"]]
    refused = run_import(workbook(survey, CHOICES))
    message = preview(refused)["message"]
    assert refused.refused and "row 3, column “type”" in message and f"({feature})" in message
    assert "--skip-unsupported" in message
    kept = run_import(workbook(survey, CHOICES), skip_unsupported=True)
    assert [q["name"] for q in preview(kept)["questions"]] == ["q0"]
    assert any(i.dropped and "row 3" in i.text() for i in kept.issues)


def test_repeat_and_choice_filter(workbook, run_import):
    survey = [
        ["type", "name", "label", "choice_filter"],
        ["text", "q0", "First?", ""],
        ["begin_repeat", "people", "People", ""],
        ["text", "who", "Who?", ""],
        ["end_repeat", "", "", ""],
        ["select_one colour", "q2", "Colour?", "name != 'red'"],
    ]
    message = preview(run_import(workbook(survey, CHOICES)))["message"]
    assert "row 3, column “type”: “begin_repeat” (repeat group) is not supported; its 1 questions go with it" in message
    assert "row 6, column “choice_filter”: a choice filter (name != 'red')" in message
    kept = preview(run_import(workbook(survey, CHOICES), skip_unsupported=True))
    assert [q["name"] for q in kept["questions"]] == ["q0"]


@pytest.mark.parametrize(
    "survey, choices, expected",
    [
        (
            [["type", "name", "label"], ["select_one colour", "q1", "Q?"]],
            [["list_name", "name", "label"], ["colour", "red", "Red"], ["colour", "red", "Rouge"]],
            "the choice “red” appears twice in the list “colour” (rows 2 and 3)",
        ),
        (
            [["type", "name", "label"], ["selfie", "q1", "Q?"]],
            None,
            "row 2, column “type”: unknown question type “selfie”",
        ),
        (
            [["type", "name", "label"], ["select_one sizes", "q1", "Q?"]],
            CHOICES,
            "row 2, column “type”: the choice list “sizes” is not on the choices sheet",
        ),
        ([["type", "name", "label"], ["select_one", "q1", "Q?"]], None, "needs the name of a choice list"),
        (
            [["type", "name", "label"], ["text", "q1", "A?"], ["text", "q1", "B?"]],
            None,
            "row 3, column “name”: the name “q1” is already used on row 2",
        ),
        ([["type", "name", "label"], ["begin_group", "g", "G"], ["text", "q1", "A?"]], None, "never closed"),
        ([["type", "name", "label"], ["end_group", "", ""], ["text", "q1", "A?"]], None, "closes nothing"),
        ([["name", "label"], ["q1", "A?"]], None, "no question is left to import"),
    ],
)
def test_invalid_workbooks_are_refused_even_with_skip(workbook, run_import, survey, choices, expected):
    result = run_import(workbook(survey, choices), skip_unsupported=True)
    assert result.refused
    assert expected in preview(result)["message"]


def test_not_a_workbook(run_import):
    result = run_import(b"type,name,label\ntext,q1,Q?\n", "form.csv")
    assert preview(result) == {
        "refused": True,
        "message": "workbook: the file is not an .xlsx workbook (not a zip archive). "
        "Fix: save the form as an Excel workbook (.xlsx) and try again.",
    }


def test_a_workbook_without_survey_sheet(run_import):
    import io

    import openpyxl

    book, buffer = openpyxl.Workbook(), io.BytesIO()
    book.active.title = "questions"
    book.save(buffer)
    assert "has no “survey” sheet (its sheets: questions)" in preview(run_import(buffer.getvalue()))["message"]


def test_indicator_mapping_and_unmapped_questions(workbook, run_import):
    choices = [["list_name", "name", "label"]] + [["freq", str(i), f"F{i}"] for i in range(4)] + CHOICES[1:3]
    survey = [
        ["type", "name", "label"],
        ["select_one freq", "often", "How often?"],
        ["select_one yn", "trained", "Trained?"],
    ]
    result = run_import(workbook(survey, choices))
    assert result.unmapped == [("trained", "trained")]  # a plain list is not a scale until it is mapped
    mapped = run_import(workbook(survey, choices), indicators={"often": "social_ties", "trained": "skills"})
    often = mapped.questionnaire.question("often")
    assert (often.type, often.indicator, [o.value for o in often.options]) == ("scale", "social_ties", [0, 1, 2, 3])
    assert mapped.questionnaire.question("trained").indicator == "skills" and mapped.unmapped == []
    bad = run_import(workbook(survey, choices), indicators={"often": "happiness", "nobody": "skills"})
    message = preview(bad)["message"]
    assert "unknown indicator “happiness” for “often”" in message
    assert "names “nobody”, which is not a question of the imported form" in message


def test_a_text_question_cannot_feed_an_indicator(workbook, run_import):
    result = run_import(workbook([["type", "name", "label"], ["text", "q1", "Q?"]]), indicators={"q1": "skills"})
    assert "“q1” is of type text, which cannot feed an indicator" in preview(result)["message"]


def test_names_become_identifiers_and_stay_distinct(workbook, run_import):
    survey = [["type", "name", "label"], ["text", "HPlevel", "A?"], ["text", "hplevel_", "B?"], ["text", "_1", "C?"]]
    q = run_import(workbook(survey)).questionnaire
    assert [x.id for x in q.questions] == ["hplevel", "hplevel_2", "q_1"]


def test_missing_translations_are_filled_with_a_warning(workbook, run_import):
    survey = [
        ["type", "name", "label::English (en)", "label::Français (fr)"],
        ["text", "q0", "How?", "Comment ?"],
        ["text", "q1", "Why?", ""],
    ]
    result = run_import(workbook(survey))
    assert result.questionnaire.question("q1").label == {"en": "Why?", "fr": "Why?"}
    assert any("no “label” in fr" in i.text() for i in result.issues)


def test_options_and_ids(workbook, run_import):
    settings = [["form_id", "form_title", "version"], ["My Form", "My form", "3"]]
    result = run_import(workbook([["type", "name", "label"], ["text", "q1", "Q?"]], None, settings), group="workers")
    q = result.questionnaire
    assert (q.id, q.version, q.stakeholder_group, q.title) == ("my_form", 3, "workers", {"en": "My form"})
    renamed = run_import(
        workbook([["type", "name", "label"], ["text", "q1", "Q?"]]), questionnaire_id="other", version=7
    )
    assert (renamed.questionnaire.id, renamed.questionnaire.version) == ("other", 7)
    assert (
        "“Bad Id” is not a valid questionnaire id"
        in preview(run_import(workbook([["type", "name", "label"], ["text", "q1", "Q?"]]), questionnaire_id="Bad Id"))[
            "message"
        ]
    )


def test_groups_become_pages_and_an_opening_note_the_intro(workbook, run_import):
    survey = [
        ["type", "name", "label", "relevant"],
        ["note", "welcome", "Welcome!", ""],
        ["select_one yn", "q0", "Before?", ""],
        ["begin_group", "p1", "Page one", "${q0} = 'yes'"],
        ["text", "q1", "A?", ""],
        ["begin group", "inner", "Inner", ""],
        ["text", "q2", "B?", ""],
        ["end group", "", "", ""],
        ["end_group", "", "", ""],
        ["text", "q3", "After?", ""],
    ]
    result = run_import(workbook(survey, CHOICES))
    q = result.questionnaire
    assert q.intro == {"en": "Welcome!"}
    assert [(s.id, [x.id for x in s.questions]) for s in q.sections] == [
        ("questions", ["q0"]),
        ("p1", ["q1", "q2"]),
        ("questions_2", ["q3"]),
    ]
    assert q.question("q2").show_if == ShowIf("q0", ("yes",))
    assert [x["name"] for x in preview(result)["questions"]] == ["welcome", "q0", "q1", "q2", "q3"]


def test_workbooks_are_read_with_defusedxml():
    import openpyxl.xml

    assert openpyxl.xml.DEFUSEDXML  # uploads cannot expand XML entities (billion laughs)
