"""Forms of the follow-up series pages: a new series (group, linking method, code questions), a wave."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, ValidationError

from survey_app.backoffice.forms import MultiCheckboxField, choices
from survey_app.domain.series_codes import MAX_QUESTIONS, MIN_QUESTIONS, QUESTION_IDS
from survey_app.web.forms import single_line
from survey_app.web.labels import GROUP_LABELS

METHOD_LABELS = {
    "questions": _l("A code the respondent makes from a few questions only they know (nothing to keep)"),
    "card": _l("A code card shown at the end of the first survey, typed in at the next ones"),
}


class SeriesForm(FlaskForm):
    enterprise = SelectField(_l("Enterprise"), coerce=int)
    name = StringField(_l("Name of the series"), validators=[DataRequired(), Length(max=200), single_line])
    stakeholder_group = SelectField(_l("Stakeholder group"), choices=choices(GROUP_LABELS.items()))
    method = RadioField(_l("How answers are linked"), choices=choices(METHOD_LABELS.items()), default="questions")
    questions = MultiCheckboxField(
        _l("Code questions"),
        description=_l("Choose 3 to 5. Respondents answer them again at each wave; the answers are never kept."),
    )
    submit = SubmitField(_l("Create the series"))

    def validate_questions(self, field) -> None:
        chosen = field.data or []
        if any(q not in QUESTION_IDS for q in chosen):
            raise ValidationError(_l("Choose questions from the list."))
        if self.method.data == "questions" and not MIN_QUESTIONS <= len(chosen) <= MAX_QUESTIONS:
            raise ValidationError(_l("Choose between 3 and 5 questions."))


class WaveForm(FlaskForm):
    campaign = SelectField(_l("Next wave"), coerce=int)
    submit = SubmitField(_l("Add the wave"))
