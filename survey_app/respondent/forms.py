"""The one form builder: a WTForms class per survey page, composed from the questionnaire.

Every question becomes a field named `q_<id>` (ids like `data` would clash with form attributes).
Visibility (`show_if`) is decided here, on the server, from the draft answers plus what the page
posted: hidden questions are neither validated nor returned as answers. `strict` decides whether
required questions must be answered (Next, Submit) or not (Back, Save, language switch).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import request
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from markupsafe import Markup
from wtforms import BooleanField, HiddenField, StringField
from wtforms.validators import AnyOf, Optional, Regexp

from survey_app.questionnaire.model import (
    DONT_KNOW,
    Question,
    Questionnaire,
    RawAnswer,
    Section,
    translate,
)
from survey_app.respondent import csrf
from survey_app.respondent.fields import (
    Answered,
    ChoiceField,
    MultiChoiceField,
    NoNul,
    NumberLimits,
    NumberText,
    OneOrDontKnow,
    SurveyText,
    accepted_values,
    dont_know_choice,
    fixed_choices,
    option_labels,
)
from survey_app.respondent.question_views import QuestionView, condition_text, live
from survey_app.respondent.quick_check import ACTIONS, Rule, blank_is_none, field_names, plan_of
from survey_app.web.i18n import WTFORMS_TRANSLATIONS
from survey_app.web.labels import DONT_KNOW_LABEL

SUBMISSION_ID = r"^[A-Za-z0-9_-]{16,64}$"


class PageForm(FlaskForm):
    """Base of every page form; the builder adds one field per question."""

    class Meta:
        csrf = False  # checked by the view (respondent/csrf.py), before the form is built

        def get_translations(self, form):
            return WTFORMS_TRANSLATIONS  # the hot path of every survey page: cached catalogs

    # Labels given (never shown): without one WTForms translates a label from the field's name.
    action = StringField("action", filters=[blank_is_none], validators=[Optional(), AnyOf(ACTIONS)])
    lang = StringField("lang", filters=[blank_is_none], validators=[Optional()])
    questionnaire: Questionnaire
    section: Section
    views: dict[str, QuestionView]
    earlier: Mapping[str, RawAnswer] = {}
    strict = False
    with_submission_id = False  # open links' last page: a per-render id makes a replay store nothing
    quick_plan: tuple[Rule, ...] | None = None  # what quick_check.py checks without an instance
    quick_fields: frozenset[str] = frozenset()

    def page_answers(self) -> dict[str, RawAnswer]:
        """Raw answers of this page's questions as posted (hidden ones included)."""
        return {q.id: self._raw(q) for q in self.section.questions if q.answerable}

    def _raw(self, question: Question) -> RawAnswer:
        name = f"dk_{question.id}"
        if name in self._fields and self[name].data:
            return DONT_KNOW
        data = self[f"q_{question.id}"].data
        if isinstance(data, list):
            return list(data)
        if data is None or (isinstance(data, str) and not data.strip()):
            return None
        return data.strip() if question.type == "number" else data

    def visible_answers(self) -> dict[str, RawAnswer]:
        """This page's answers to visible questions: what a draft keeps from this page."""
        merged = {**self.earlier, **self.page_answers()}
        return {
            q.id: merged[q.id]
            for q in self.section.questions
            if q.answerable and self.questionnaire.is_visible(q, merged)
        }

    def validate(self, extra_validators=None) -> bool:
        merged = {**self.earlier, **self.page_answers()}
        ok = True
        for name, field in self._fields.items():
            view = self.views.get(name.removeprefix("dk_").removeprefix("q_")) if name[:2] in ("q_", "dk") else None
            if view is not None and not self.questionnaire.is_visible(view.question, merged):
                field.errors = []
                continue
            ok = field.validate(self, (extra_validators or {}).get(name, ())) and ok
        return ok

    @property
    def csrf_failed(self) -> bool:
        """Whether this POST came without a valid CSRF token. The standard page checks it in its
        view before building the form; easy mode and back-office entry ask the form."""
        return request.method == "POST" and not csrf.csrf_valid(request.form.get(csrf.FIELD))

    @property
    def csrf_token(self) -> Markup:
        """The hidden token field, for the templates that render `form.csrf_token` (easy mode, entry)."""
        return Markup('<input id="csrf_token" name="csrf_token" type="hidden" value="%s">') % csrf.csrf_token()

    def question_errors(self) -> list[tuple[str, str]]:
        """(anchor id, message) for the error summary, in page order."""
        found = []
        for q in self.section.questions:
            if not q.answerable:
                continue
            field = self[f"q_{q.id}"]
            anchor = f"{field.id}-0" if self.views[q.id].kind in ("choice", "scale11", "multiple") else field.id
            found += [(anchor, f"{field.label.text} – {message}") for message in field.errors]
        return found


def build_page_form(
    questionnaire: Questionnaire, section: Section, language: str, with_submission_id: bool, languages: list[str]
) -> type[PageForm]:
    """Compose the form class of one page (call once per page and language, then instantiate)."""
    views: dict[str, QuestionView] = {}
    attrs: dict[str, Any] = {"questionnaire": questionnaire, "section": section, "views": views}
    rules: list[Rule] = []
    for question in section.questions:
        label = translate(question.label, language)
        kind, field, rule = _field_for(question, label, language)
        if field is not None:
            attrs[f"q_{question.id}"] = field
            rules.append(rule)
        dk_name = None
        if question.dont_know and question.type in ("number", "text"):
            dk_name = f"dk_{question.id}"
            attrs[dk_name] = BooleanField(DONT_KNOW_LABEL)
        views[question.id] = QuestionView(
            question,
            kind,
            translate(question.hint, language) if question.hint else "",
            condition_text(questionnaire, question, section, language),
            dk_name,
            (_l("0 = not at all likely"), _l("10 = extremely likely")) if question.type == "nps" else None,
            label,
            live(questionnaire, question, section),
        )
    attrs["with_submission_id"] = with_submission_id
    attrs["quick_plan"] = plan = plan_of(rules, with_submission_id)
    attrs["quick_fields"] = field_names(plan or ()) | {"action", "lang"}
    if with_submission_id:
        attrs["submission_id"] = HiddenField("submission_id", validators=[Regexp(SUBMISSION_ID)])
    attrs["lang"] = StringField("lang", filters=[blank_is_none], validators=[Optional(), AnyOf(languages)])
    return type(f"Page_{section.id}", (PageForm,), attrs)


def _field_for(question: Question, label: str, language: str):
    """The question's widget kind, field and the Rule quick_check.py checks it by."""
    if not question.answerable:
        return "note", None, None
    message = translate(question.required_message, language) if question.required_message else None
    required = Answered(question.required, message)
    if question.type == "multiple":
        choices = option_labels(question, language)
        if question.dont_know:
            choices.append(dont_know_choice())
        accepted = accepted_values(choices)
        boxes = MultiChoiceField(label, choices=choices, accepted=accepted, validators=[required, OneOrDontKnow()])
        return "multiple", boxes, Rule(question, "multiple", question.required, accepted)
    if question.type == "number":
        limits = NumberLimits(question.min, question.max, question.integer, question.step)
        constraint = translate(question.constraint_message, language) if question.constraint_message else None
        rule = Rule(question, "number", question.required, limits=limits, dont_know_box=question.dont_know)
        return "number", NumberText(label, limits, constraint, validators=[required]), rule
    if question.type == "text":
        rule = Rule(
            question, "text", question.required, max_length=question.max_length, dont_know_box=question.dont_know
        )
        return "text", SurveyText(label, question.max_length, validators=[required, NoNul()]), rule
    choices = option_labels(question, language) if question.type in ("scale", "single") else fixed_choices(question)
    if question.dont_know:
        choices.append(dont_know_choice())
    kind, accepted = "scale11" if question.type in ("scale0_10", "nps") else "choice", accepted_values(choices)
    field = ChoiceField(label, choices=choices, accepted=accepted, validators=[required])
    return kind, field, Rule(question, "choice", question.required, accepted)
