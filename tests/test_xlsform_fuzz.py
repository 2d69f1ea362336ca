"""Nothing a workbook holds makes the import crash: random conditions and random cells end in an
import or a refusal with messages, never an exception."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from survey_app.questionnaire.xlsform import preview
from survey_app.questionnaire.xlsform.relevant import RelevantError, parse

TOKENS = ["${a}", "${b}", "'x'", '"y"', "1", "2.5", "=", "!=", "<", ">=", "and", "or", "not", "(", ")", ",", "selected"]
TYPES = [
    "text",
    "integer",
    "select_one l",
    "select_multiple l",
    "note",
    "range",
    "begin_group",
    "end_group",
    "date",
    "",
]
TEXT = st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=12)  # what a sheet can hold
CELLS = st.one_of(st.none(), st.integers(-5, 5), st.floats(allow_nan=False, allow_infinity=False), TEXT)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(TOKENS), max_size=12))
def test_the_relevant_parser_refuses_with_a_reason_or_parses(tokens):
    try:
        parse(" ".join(tokens))
    except RelevantError as exc:
        assert str(exc)


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    st.lists(
        st.tuples(st.sampled_from(TYPES), st.sampled_from(["a", "b", "c", "", "A"]), CELLS, CELLS, CELLS),
        min_size=1,
        max_size=8,
    ),
    st.booleans(),
)
def test_random_workbooks_import_or_refuse(workbook, run_import, rows, skip):
    survey = [["type", "name", "label", "required", "relevant"], *[list(r) for r in rows]]
    choices = [["list_name", "name", "label"], ["l", "x", "X"], ["l", "y", "Y"]]
    result = run_import(workbook(survey, choices), skip_unsupported=skip)
    shown = preview(result)
    assert ("refused" in shown) == result.refused
    if result.refused:
        assert shown["message"]
