"""`relevant` in the subset of XPath forms use, translated to show_if; anything else is refused
for that question, quoting the expression."""

import pytest

from survey_app.questionnaire.model import ShowIf, ShowIfGroup
from survey_app.questionnaire.xlsform import preview

CHOICES = [
    ["list_name", "name", "label"],
    ["yn", "yes", "Yes"],
    ["yn", "no", "No"],
    ["colour", "red", "Red"],
    ["colour", "blue", "Blue"],
    ["colour", "green", "Green"],
    ["agree", "1", "Disagree"],
    ["agree", "2", "Neutral"],
    ["agree", "3", "Agree"],
    ["size", "1", "Small"],
    ["size", "2", "Medium"],
    ["size", "3", "Large"],
]
EARLIER = [
    ["select_one yn", "trained", "Trained?", "", "likert"],
    ["select_multiple colour", "colours", "Colours?", "", ""],
    ["select_one agree", "feel", "Feel?", "", "likert"],
    ["select_one size", "size", "Size?", "", ""],
    ["integer", "age", "Age?", "", ""],
    ["text", "name", "Name?", "", ""],
]


def condition_workbook(workbook, expression):
    survey = [
        ["type", "name", "label", "relevant", "appearance"],
        *EARLIER,
        ["text", "later", "Later?", expression, ""],
    ]
    return workbook(survey, CHOICES)


def condition(workbook, run_import, expression):
    return run_import(condition_workbook(workbook, expression))


@pytest.mark.parametrize(
    "expression, show_if",
    [
        ("${trained} = 'yes'", ShowIf("trained", ("yes",))),
        ("${trained}='yes'", ShowIf("trained", ("yes",))),
        ("${trained} = “yes”", ShowIf("trained", ("yes",))),
        ("${trained} = ‘yes’", ShowIf("trained", ("yes",))),
        ('"yes" = ${trained}', ShowIf("trained", ("yes",))),
        ("${trained} != 'yes'", ShowIfGroup("not", (ShowIf("trained", ("yes",)),))),
        ("selected(${colours}, 'red')", ShowIf("colours", ("red",))),
        ('selected( ${colours} , "red")', ShowIf("colours", ("red",))),
        ("not(selected(${colours}, 'red'))", ShowIfGroup("not", (ShowIf("colours", ("red",)),))),
        ("${feel} >= 2", ShowIf("feel", (2,), "at_least")),
        ("${feel} > 2", ShowIf("feel", (2,), "more_than")),
        ("${feel} = '3'", ShowIf("feel", (3,))),
        ("${size} < 3", ShowIf("size", ("1", "2"))),
        ("${size} >= 2", ShowIf("size", ("2", "3"))),
        ("${age} >= 18", ShowIf("age", (18,), "at_least")),
        ("${age} < 65", ShowIf("age", (65,), "less_than")),
        ("${age} <= 64.5", ShowIf("age", (64.5,), "at_most")),
        ("${age} = 30", ShowIf("age", (30,))),
        ("${name} != ''", ShowIf("name", (), "answered")),
        ("${name} = ''", ShowIfGroup("not", (ShowIf("name", (), "answered"),))),
        ("${trained} = 'yes' or ${trained} = 'no'", ShowIf("trained", ("yes", "no"))),
        (
            "selected(${colours}, 'red') or selected(${colours}, 'blue') or ${trained} = 'yes'",
            ShowIfGroup("any", (ShowIf("colours", ("red", "blue")), ShowIf("trained", ("yes",)))),
        ),
        (
            "${trained} = 'yes' and (${feel} >= 2 or ${age} > 60)",
            ShowIfGroup(
                "all",
                (
                    ShowIf("trained", ("yes",)),
                    ShowIfGroup("any", (ShowIf("feel", (2,), "at_least"), ShowIf("age", (60,), "more_than"))),
                ),
            ),
        ),
        (
            "${trained} = 'yes' and ${feel} >= 2 and ${age} > 60",
            ShowIfGroup(
                "all",
                (ShowIf("trained", ("yes",)), ShowIf("feel", (2,), "at_least"), ShowIf("age", (60,), "more_than")),
            ),
        ),
    ],
)
def test_relevant_becomes_show_if(workbook, run_import, expression, show_if):
    result = condition(workbook, run_import, expression)
    assert not result.refused, [i.text() for i in result.blocking]
    assert result.questionnaire.question("later").show_if == show_if
    assert preview(result)["questions"][-1]["relevant"] == expression


@pytest.mark.parametrize(
    "expression, reason",
    [
        ("${feel} != ${trained}", "two questions compared with each other"),
        ("count-selected(${colours}) > 1", "the function or word “count-selected” is not supported"),
        ("string-length(${name}) > 3", "the function or word “string-length” is not supported"),
        ("${age} + 1 > 18", "“+” is not part of the conditions the product understands"),
        ("${unknown} = 'x'", "“unknown” is not an earlier question of the form"),
        ("${trained} = 'maybe'", "“maybe” is not a choice of “trained”"),
        ("${name} = 'Bob'", "“name” takes free text, which cannot be compared with a value"),
        ("${trained} > 2", "“trained” has no numeric answers to compare with 2"),
        ("${trained} = 'yes' and", "expected a question or a value but found “the end”"),
        ("(${trained} = 'yes'", "expected ) but found “the end”"),
        ("${later} = 'x'", "it depends on “later”, which is not imported"),
    ],
)
def test_other_expressions_are_refused_quoting_them(workbook, run_import, expression, reason):
    result = condition(workbook, run_import, expression)
    message = preview(result)["message"]
    assert f"row 8, column “relevant”: the condition “{expression}” cannot be translated: {reason}" in message
    skipped = run_import(condition_workbook(workbook, expression), skip_unsupported=True)
    assert [q["name"] for q in preview(skipped)["questions"]][-1] == "name"  # only that question is dropped


def test_group_conditions_apply_to_every_question_inside(workbook, run_import):
    survey = [
        ["type", "name", "label", "relevant", "appearance"],
        *EARLIER,
        ["begin_group", "more", "More", "${trained} = 'yes'", ""],
        ["text", "why", "Why?", "${age} >= 18", ""],
        ["text", "how", "How?", "", ""],
        ["end_group", "", "", "", ""],
    ]
    q = run_import(workbook(survey, CHOICES)).questionnaire
    assert q.question("how").show_if == ShowIf("trained", ("yes",))
    assert q.question("why").show_if == ShowIfGroup(
        "all", (ShowIf("trained", ("yes",)), ShowIf("age", (18,), "at_least"))
    )


def test_a_group_condition_that_cannot_be_translated_drops_its_questions(workbook, run_import):
    survey = [
        ["type", "name", "label", "relevant", "appearance"],
        *EARLIER,
        ["begin_group", "more", "More", "count-selected(${colours}) > 1", ""],
        ["text", "why", "Why?", "", ""],
        ["end_group", "", "", "", ""],
    ]
    refused = run_import(workbook(survey, CHOICES))
    assert "row 8, column “relevant”: the condition of the group “more”" in preview(refused)["message"]
    kept = run_import(workbook(survey, CHOICES), skip_unsupported=True)
    assert [q["name"] for q in preview(kept)["questions"]][-1] == "name"
