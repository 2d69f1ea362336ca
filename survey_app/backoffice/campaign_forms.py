"""The campaign form, with up to five custom questions validated like questionnaire files."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    FieldList,
    Form,
    FormField,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from survey_app.backoffice import campaign_instruments
from survey_app.backoffice.custom_questions import CUSTOM_TYPES, build_custom_questions
from survey_app.backoffice.forms import MultiCheckboxField, choices
from survey_app.core.catalogs import LANGUAGE_NAMES
from survey_app.core.config import SUPPORTED_LANGUAGES
from survey_app.domain.campaigns import MAX_CUSTOM_QUESTIONS, TIMEZONES, instruments_of
from survey_app.mail.reminders import MAX_REMINDERS, Plan
from survey_app.questionnaire.instruments import Instrument
from survey_app.questionnaire.model import Questionnaire
from survey_app.web.forms import multi_line, required, single_line
from survey_app.web.i18n import current_language
from survey_app.web.labels import GROUP_CHOICE_LABELS

TYPE_LABELS = {
    "agree5": _l("Agree or disagree (5 answers)"),
    "scale0_10": _l("Scale from 0 to 10"),
    "single": _l("One answer from a list"),
    "text": _l("Free text"),
}
LATEST = "latest"


class CustomQuestionForm(Form):
    """One custom question: a type, its text per language and, for a list, its options."""

    type = SelectField(
        _l("Type"), default="", choices=choices([("", _l("No question"))] + [(t, TYPE_LABELS[t]) for t in CUSTOM_TYPES])
    )
    text_fr = StringField(_l("Question in French"), validators=[Length(max=300), single_line])
    text_nl = StringField(_l("Question in Dutch"), validators=[Length(max=300), single_line])
    text_en = StringField(_l("Question in English"), validators=[Length(max=300), single_line])
    # One option per line: line breaks separate options, other control characters are refused.
    options_fr = TextAreaField(_l("Options in French, one per line"), validators=[Length(max=2000), multi_line])
    options_nl = TextAreaField(_l("Options in Dutch, one per line"), validators=[Length(max=2000), multi_line])
    options_en = TextAreaField(_l("Options in English, one per line"), validators=[Length(max=2000), multi_line])


class CampaignForm(FlaskForm):
    title = StringField(
        _l("Title"),
        validators=[DataRequired(), Length(max=200), single_line],
        description=_l("For example: Beneficiaries 2026."),
    )
    stakeholder_group = SelectField(_l("Stakeholder group"), choices=choices(GROUP_CHOICE_LABELS.items()))
    questionnaire = SelectField(_l("Questionnaire"))
    evaluative_question = TextAreaField(
        _l("Evaluative question"),
        validators=[Length(max=1000), multi_line],
        description=_l("Why do you evaluate? Shown on the dashboard and in the report."),
    )
    timezone = SelectField(_l("Timezone"), choices=choices((tz, tz) for tz in TIMEZONES))
    opens_at = DateTimeLocalField(_l("Opens on"), format="%Y-%m-%dT%H:%M", validators=[DataRequired()])
    closes_at = DateTimeLocalField(_l("Closes on"), format="%Y-%m-%dT%H:%M", validators=[DataRequired()])
    languages = MultiCheckboxField(
        _l("Languages offered"), choices=choices((c, LANGUAGE_NAMES[c]) for c in SUPPORTED_LANGUAGES)
    )
    expected_population = IntegerField(
        _l("Expected population"),
        validators=[Optional(), NumberRange(min=1, max=1_000_000)],
        description=_l("How many people could answer: used for the response rate of the open link."),
    )
    easy_mode = BooleanField(
        _l("Easy mode for everyone: one question per screen, answers with pictures, questions read aloud"),
        description=_l(
            "For people who find a form hard to read. Without it, each respondent can still choose easy mode "
            "on the first page."
        ),
    )
    instruments = MultiCheckboxField(_l("Validated instruments"))
    reminder_count = IntegerField(
        _l("Automatic reminders"),
        validators=[Optional(), NumberRange(min=0, max=MAX_REMINDERS)],
        description=_l("At most this many reminders to each invited person who has not answered (0: none)."),
    )
    reminder_interval_days = IntegerField(
        _l("Days between reminders"),
        validators=[Optional(), NumberRange(min=1, max=60)],
        description=_l("Counted from the invitation, then from the previous reminder."),
    )
    reminder_days_before_close = IntegerField(
        _l("No reminder in the last days"),
        validators=[Optional(), NumberRange(min=0, max=60)],
        description=_l("The last reminder goes out at least this many days before the campaign closes."),
    )
    custom = FieldList(
        FormField(CustomQuestionForm), min_entries=MAX_CUSTOM_QUESTIONS, max_entries=MAX_CUSTOM_QUESTIONS
    )
    responses_exportable = BooleanField(
        _l("Respondents are told that their answers may be exported"),
        description=_l(
            "The survey's first page then says that you can download the answers one row per person, without "
            "names. Only before the first response: those who answered were told otherwise."
        ),
    )
    submit = SubmitField(_l("Save the campaign"))

    def __init__(self, registry, frozen: dict | None = None, **kwargs):
        """`frozen`: the stored campaign when it has responses (questionnaire and questions locked)."""
        super().__init__(**kwargs)
        self.registry, self.frozen = registry, frozen
        self.custom_questions: list[dict[str, Any]] = []
        self.chosen: Questionnaire | None = None  # set by validate_questionnaire
        self.chosen_instruments: list[Instrument] = []  # set by validate_instruments
        self.questionnaire.choices = choices(
            [(LATEST, _l("Latest version for the stakeholder group"))]
            + [(f"{q.id}:{q.version}", f"{q.id} v{q.version}") for q in registry.all()]
        )
        language = current_language()
        pinned = [(i, int(v)) for i, _s, v in (x.partition(":") for x in self.instruments.data or []) if v.isdigit()]
        self.instruments.choices = choices(
            (campaign_instruments.key(i), campaign_instruments.choice_label(i, language))
            for i in campaign_instruments.offered(registry, pinned)
        )

    def validate_languages(self, field) -> None:
        if not field.data:
            raise ValidationError(_l("Choose at least one language."))

    def validate_closes_at(self, field) -> None:
        if self.opens_at.data and field.data and field.data <= self.opens_at.data:
            raise ValidationError(_l("The closing date must come after the opening date."))

    def validate_questionnaire(self, field) -> None:
        if field.data == LATEST:
            self.chosen = self.registry.latest(self.stakeholder_group.data)
        else:
            qid, _sep, version = field.data.partition(":")
            self.chosen = self.registry.get(qid, int(version)) if version.isdigit() else None
        if self.chosen is None or self.chosen.stakeholder_group != self.stakeholder_group.data:
            raise ValidationError(_l("Choose a questionnaire of the chosen stakeholder group."))
        missing = set(self.languages.data or []) - set(self.chosen.languages)
        if missing:
            raise ValidationError(
                _l("This questionnaire is not available in: %(langs)s.", langs=", ".join(sorted(missing)))
            )

    def validate_instruments(self, field) -> None:
        chosen, problems = campaign_instruments.check_choice(
            self.registry, field.data or [], self.languages.data or [], current_language()
        )
        self.chosen_instruments = chosen
        if problems:
            raise ValidationError(" ".join(problems))

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if self.chosen is None or not self.languages.data:
            return False
        entries = [entry.form.data for entry in self.custom]
        self.custom_questions, problems = build_custom_questions(
            entries, tuple(self.languages.data), self.chosen, self.registry.framework
        )
        for index, field_name, message in problems:
            getattr(self.custom[index].form, field_name).errors.append(message)
        return valid and not problems and self._instruments_fit() and self._respects_freeze()

    def _instruments_fit(self) -> bool:
        """An instrument's question ids must not meet the questionnaire's (they carry its prefix)."""
        taken = {q.id for q in required(self.chosen).questions}
        clash = sorted(q.id for i in self.chosen_instruments for q in i.questions if q.id in taken)
        if clash:
            self.instruments.errors.append(  # type: ignore[attr-defined]  # a list once validated
                _l("This questionnaire already has a question %(id)s: choose another instrument.", id=clash[0])
            )
        return not clash

    def _respects_freeze(self) -> bool:
        if self.frozen is None:
            return True
        from survey_app.domain.campaigns import custom_questions_of

        chosen = required(self.chosen)  # validate() returned early without one
        same = (chosen.id, chosen.version) == (
            self.frozen["questionnaire_id"],
            self.frozen["questionnaire_version"],
        )
        if self.responses_exportable.data and not self.frozen["responses_exportable"]:
            self.responses_exportable.errors.append(  # type: ignore[attr-defined]  # a list once validated
                _l(
                    "This campaign already has responses, and those respondents were told that their answers "
                    "would not be exported one by one. Duplicate the campaign to export the next wave."
                )
            )
            return False
        pinned = [(i.id, i.version) for i in self.chosen_instruments]
        if same and self.custom_questions == custom_questions_of(self.frozen) and pinned == instruments_of(self.frozen):
            return True
        self.questionnaire.errors.append(  # type: ignore[attr-defined]  # a list once validated; stubs: Sequence
            _l(
                "This campaign already has responses, so its questionnaire and custom questions can no "
                "longer change. Duplicate the campaign to ask different questions in a new wave."
            )
        )
        return False

    def reminder_plan(self) -> Plan:
        """The plan posted; a field left empty (or not sent) keeps the value the form started with."""

        def value(field) -> int:
            return field.data if field.data is not None else field.object_data

        return Plan(
            value(self.reminder_count), value(self.reminder_interval_days), value(self.reminder_days_before_close)
        )

    def flat_errors(self) -> list[tuple[str, str]]:
        """(field id, message) pairs for the error summary, each message naming its field (and the
        custom question it belongs to); a list of checkboxes is reached through its first box."""
        pairs = []
        for field in self:
            if field.name == "custom":
                for number, entry in enumerate(field, start=1):
                    for sub in entry.form:
                        name = _("Custom question %(n)d, %(field)s", n=number, field=sub.label.text)
                        pairs += [(sub.id, _("%(field)s: %(message)s", field=name, message=m)) for m in sub.errors]
                continue
            target = f"{field.id}-0" if field.type == "MultiCheckboxField" else field.id
            pairs += [(target, _("%(field)s: %(message)s", field=field.label.text, message=m)) for m in field.errors]
        return pairs
