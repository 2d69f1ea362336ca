"""Field types and validators used by the survey form builder (forms.py); the markup of every
field is written in templates/_survey_fields.html.

Messages are interface texts from the catalogs; labels of questions come from the questionnaire.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from wtforms import RadioField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # WTForms 3.3; stubs cover 3.2
from wtforms.validators import Length, StopValidation, ValidationError
from wtforms.widgets import CheckboxInput

from survey_app.questionnaire.model import DONT_KNOW, YES_NO_VALUES, Question, format_value, translate
from survey_app.web.labels import AGREE5_LABELS, DONT_KNOW_LABEL, YES_NO_LABELS

NOT_AN_OPTION = _l("Choose one of the answers shown.")
MAX_NUMBER_LENGTH = 32


def fixed_choices(question: Question) -> list[SelectChoice]:
    """Answers the application provides for agree5, 0-10 scales and yes/no, in the page language."""
    if question.type == "agree5":
        return [SelectChoice(str(i + 1), label) for i, label in enumerate(AGREE5_LABELS)]
    if question.type == "yes_no":
        return [SelectChoice(raw, YES_NO_LABELS[value]) for raw, value in YES_NO_VALUES.items()]
    return [SelectChoice(value, value) for value in question.choices()]


def option_labels(question: Question, language: str) -> list[SelectChoice]:
    return [SelectChoice(format_value(o.value), translate(o.label, language)) for o in question.options]


def dont_know_choice() -> SelectChoice:
    return SelectChoice(DONT_KNOW, DONT_KNOW_LABEL)


def accepted_values(choices: list[SelectChoice]) -> frozenset[str]:
    """The values a choice field accepts, computed once per form class (WTForms rebuilds every
    choice of a field to check one posted value)."""
    return frozenset(str(c.value) for c in choices)


class ChoiceField(RadioField):
    def __init__(self, label=None, validators=None, *, accepted: frozenset[str], **kwargs):
        # invalid_choice_message is new in WTForms 3.3; types-wtforms describes 3.2.
        super().__init__(label, validators, invalid_choice_message=NOT_AN_OPTION, **kwargs)  # type: ignore[call-arg]
        self.accepted = accepted

    def pre_validate(self, form) -> None:  # as WTForms' own, against the values prepared once
        if not self.process_errors and self.data not in self.accepted:
            raise ValidationError(NOT_AN_OPTION)


class MultiChoiceField(SelectMultipleField):
    option_widget = CheckboxInput()

    def __init__(self, label=None, validators=None, *, accepted: frozenset[str], **kwargs):
        # invalid_choice_message is new in WTForms 3.3; types-wtforms describes 3.2.
        super().__init__(label, validators, invalid_choice_message=NOT_AN_OPTION, **kwargs)  # type: ignore[call-arg]
        self.accepted = accepted

    def pre_validate(self, form) -> None:
        if not self.process_errors and self.data and not set(self.data) <= self.accepted:
            raise ValidationError(NOT_AN_OPTION)


@dataclass(frozen=True)
class NumberLimits:
    low: float | None = None
    high: float | None = None
    integer: bool = False
    step: float | None = None

    def off_step(self, value: float) -> bool:
        """True when `value` is not on the grid low, low + step, low + 2 step... (XLSForm range)."""
        if not self.step:
            return False
        steps = (value - (self.low or 0)) / self.step
        return abs(steps - round(steps)) > 1e-9

    def fault(self, typed: str) -> tuple[str | None, float]:
        """What is wrong with a typed number ("not a number", "range", "whole", "step", or None) and
        its value; a decimal comma is accepted. NumberText and the quick check both judge by this."""
        text = typed.strip().replace(",", ".")
        try:
            value = float(text) if len(text) <= MAX_NUMBER_LENGTH else math.nan
        except ValueError:
            value = math.nan
        if not math.isfinite(value):
            return "not a number", value
        if (self.low is not None and value < self.low) or (self.high is not None and value > self.high):
            return "range", value
        if self.integer and not value.is_integer():
            return "whole", value
        return ("step" if self.off_step(value) else None), value


class NumberText(StringField):
    """A number typed as text: keeps what was typed for re-rendering, accepts a decimal comma.

    `constraint_message` (from the questionnaire, already in the page language) replaces the
    messages about limits, whole numbers and steps.
    """

    def __init__(self, label, limits: NumberLimits, constraint_message: str | None = None, **kwargs):
        mode = "numeric" if limits.integer else "decimal"
        super().__init__(label, render_kw={"inputmode": mode, "autocomplete": "off"}, **kwargs)
        self.low, self.high, self.limits, self.constraint_message = limits.low, limits.high, limits, constraint_message

    def post_validate(self, form, validation_stopped: bool) -> None:
        if validation_stopped or self.errors:
            return
        fault, value = self.limits.fault(self.data or "")
        if fault == "not a number":
            raise ValidationError(_l("Enter a number, for example 12."))
        if fault == "range":
            raise ValidationError(
                self.constraint_message
                or _l(
                    "Enter a number between %(low)s and %(high)s.",
                    low=format_value(self.low if self.low is not None else -math.inf),
                    high=format_value(self.high if self.high is not None else math.inf),
                )
            )
        if fault == "whole":
            raise ValidationError(self.constraint_message or _l("Enter a whole number, for example 12."))
        if fault == "step":
            raise ValidationError(
                self.constraint_message
                or _l(
                    "Enter a number in steps of %(step)s, for example %(example)s.",
                    step=format_value(self.limits.step or 1),
                    example=format_value((self.limits.low or 0) + (self.limits.step or 1)),
                )
            )
        self.data = format_value(value)


class SurveyText(TextAreaField):
    """Free text stored as typed; NUL bytes are refused (NoNul) and never echoed back. The standard
    survey page writes its own textarea (templates/_survey_fields.html); easy mode and back-office
    entry render the field through WTForms, with these attributes."""

    def __init__(self, label, max_length: int, validators=(), **kwargs):
        message = _l("Your answer is too long: write at most %(max)d characters.", max=max_length)
        super().__init__(
            label,
            validators=[*validators, Length(max=max_length, message=message)],
            render_kw={"maxlength": max_length, "rows": 5},
            **kwargs,
        )

    def _value(self) -> str:  # the text WTForms renders; a private hook types-wtforms leaves out
        return super()._value().replace("\x00", "")  # type: ignore[misc]


class Answered:
    """Empty answers: an error only for required questions on Next/Submit (`form.strict`).

    Also drops the "not a valid choice" error WTForms raises for an empty radio group, so an
    unanswered optional question is simply unanswered.
    """

    def __init__(self, required: bool, message: str | None = None):
        self.required, self.message = required, message

    def __call__(self, form, field) -> None:
        if any(str(v).strip() for v in field.raw_data or ()):
            return
        field.errors[:] = []
        dont_know = form._fields.get(f"dk_{field.name.removeprefix('q_')}")
        if self.required and form.strict and not (dont_know is not None and dont_know.data):
            raise StopValidation(self.message or _l("Answer this question to continue."))
        raise StopValidation()


class NoNul:
    """A NUL byte cannot be stored faithfully in every tool downstream (CSV, reports): refuse it."""

    def __call__(self, form, field) -> None:
        if "\x00" in (field.data or ""):
            raise ValidationError(
                _l("Your answer contains an invisible control character: retype it without copying and pasting.")
            )


class OneOrDontKnow:
    def __call__(self, form, field) -> None:
        if DONT_KNOW in (field.data or []) and len(field.data) > 1:
            raise ValidationError(_l("Choose “don't know / not applicable” alone, or untick it."))
