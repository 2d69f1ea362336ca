"""A survey page's post checked without instantiating its WTForms form: the fast path's everyday case.

Why: building a page's form for each post (binding a field object per question, processing the
form data, running the validator chains) cost about 0.17 ms of the final submit's 0.9 ms of CPU in
process, the largest piece after its SQL (docs/performance.md). Most posts are plain: every answer
is one of the options shown, a short text or a number. This module checks those with the rules the
form class was built from (`Rule`, one per question, made by forms.py beside each field; a number
is judged by the field's own `NumberLimits.fault`) and returns what the form would have returned:
the action and the answers a draft keeps (`visible_answers`).

It only ever says "valid" or "not sure". Not sure (None) is every other case: an answer to show an
error for, a field posted twice, an unknown field, a language switch, an open link's last page.
The caller then builds the WTForms form as before, so errors, messages and re-rendering are
WTForms' alone. tests/test_quick_check.py posts thousands of generated pages, valid and not, to
both, and checks that whatever this accepts the form accepts, with the same answers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from werkzeug.datastructures import MultiDict

from survey_app.questionnaire.model import DONT_KNOW, Question, RawAnswer, format_value
from survey_app.respondent.fields import NumberLimits

if TYPE_CHECKING:  # forms.py imports this module; the type only
    from survey_app.respondent.forms import PageForm

KINDS = ("choice", "multiple", "text", "number")
ACTIONS = ("next", "back", "save", "submit")  # a page's buttons; forms.py takes them from here
STRICT_ACTIONS = ("next", "submit")  # the buttons that need every required question answered
UNCHECKED = frozenset({"false", ""})  # a dk_ checkbox posted with one of these is not ticked (BooleanField)


@dataclass(frozen=True, slots=True)
class Rule:
    """What one question's field accepts, as its WTForms field and validators check it."""

    question: Question
    kind: str  # one of KINDS
    required: bool  # Answered(required): an answer is needed on Next and Submit
    accepted: frozenset[str] = frozenset()  # choice and multiple: fields.accepted_values
    max_length: int = 0  # text: SurveyText's Length(max)
    limits: NumberLimits | None = None  # number: NumberText's checks (NumberLimits.fault)
    dont_know_box: bool = False  # a dk_ checkbox beside the field (text and number questions)


@dataclass(frozen=True, slots=True)
class Checked:
    action: str | None  # as form.action.data
    answers: dict[str, RawAnswer]  # as form.visible_answers()


def blank_is_none(value: str | None) -> str | None:
    """Buttons' values: spaces alone are no value (they once reached the database as a language)."""
    return value.strip() or None if value else None


def plan_of(rules: list[Rule], with_submission_id: bool) -> tuple[Rule, ...] | None:
    """A page's rules, or None when one of its fields (an open link's submission id) is left to WTForms."""
    return None if with_submission_id else tuple(rules)


def field_names(plan: tuple[Rule, ...]) -> frozenset[str]:
    """The fields the page's form has (besides action and lang)."""
    names = {f"q_{rule.question.id}" for rule in plan}
    return frozenset(names | {f"dk_{rule.question.id}" for rule in plan if rule.dont_know_box})


def quick_check(
    form_class: type[PageForm], fields: MultiDict, earlier: Mapping[str, RawAnswer], csrf_field: str
) -> Checked | None:
    """The valid post's action and answers, as the form would give them; None when not sure."""
    plan, allowed = form_class.quick_plan, form_class.quick_fields
    if plan is None or any(name not in allowed and name != csrf_field for name in fields):
        return None
    lang, action = fields.getlist("lang"), fields.getlist("action")
    if len(lang) > 1 or len(action) > 1 or (lang and lang[0].strip()):
        return None  # a language switch, or a field posted twice
    chosen = blank_is_none(action[0] if action else None)  # the form's filter on its action field
    if chosen is not None and chosen not in ACTIONS:
        return None
    strict = chosen in STRICT_ACTIONS
    posted: dict[str, tuple[list[str], bool]] = {}
    answers: dict[str, RawAnswer] = {}
    for rule in plan:
        qid = rule.question.id
        values, boxes = fields.getlist(f"q_{qid}"), fields.getlist(f"dk_{qid}") if rule.dont_know_box else []
        if len(boxes) > 1 or (len(values) > 1 and rule.kind != "multiple"):
            return None
        ticked = bool(boxes) and boxes[0] not in UNCHECKED
        posted[qid] = values, ticked
        answers[qid] = DONT_KNOW if ticked else _answer(rule.kind, values)  # PageForm._raw
    merged = {**earlier, **answers}
    is_visible = form_class.questionnaire.is_visible
    for rule in plan:  # PageForm.validate: the visible questions' fields
        qid = rule.question.id
        if not is_visible(rule.question, merged):
            continue
        values, ticked = posted[qid]
        if not _valid(rule, values, ticked, strict):
            return None
        if rule.kind == "number" and not ticked and answers[qid] is not None:
            answers[qid] = _number(rule, values[0])  # as NumberText.post_validate leaves it
    merged = {**earlier, **answers}  # PageForm.visible_answers, after validation
    return Checked(chosen, {r.question.id: merged[r.question.id] for r in plan if is_visible(r.question, merged)})


def _answer(kind: str, values: list[str]) -> RawAnswer:
    if kind == "multiple":
        return list(values)  # SelectMultipleField: a list, empty when nothing was ticked
    if not values or not values[0].strip():
        return None
    return values[0].strip() if kind == "number" else values[0]


def _number(rule: Rule, typed: str) -> str:
    """A valid typed number as NumberText.post_validate stores it (12,50 -> 12.5)."""
    assert rule.limits is not None
    return format_value(rule.limits.fault(typed)[1])


def _valid(rule: Rule, values: list[str], ticked: bool, strict: bool) -> bool:
    """Whether the field's validation passes (None's "not sure" covers every failure)."""
    if not any(value.strip() for value in values):  # fields.Answered: unanswered
        return not (rule.required and strict and not ticked)
    if rule.kind == "choice":
        return values[0] in rule.accepted
    if rule.kind == "multiple":
        return set(values) <= rule.accepted and not (DONT_KNOW in values and len(values) > 1)
    if rule.kind == "number":
        return rule.limits is not None and rule.limits.fault(values[0])[0] is None
    return "\x00" not in values[0] and len(values[0]) <= rule.max_length  # NoNul, Length(max)
