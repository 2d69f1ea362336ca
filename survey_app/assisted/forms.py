"""Forms of answer entry: the setup (channel, language, card code) and the entry form, which is the
respondent's own page form built over every question of the questionnaire at once, so that
entered answers are validated exactly as self-completed ones."""

from __future__ import annotations

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField, StringField
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # WTForms 3.3; stubs cover 3.2
from wtforms.validators import AnyOf, Length, Optional

from survey_app.assisted.store import CHANNELS
from survey_app.questionnaire.model import DONT_KNOW, Questionnaire, Section
from survey_app.respondent.forms import PageForm, build_page_form
from survey_app.respondent.question_views import QuestionView

CHANNEL_LABELS = {
    "interview": _l("Interview (face to face or by phone)"),
    "paper": _l("Paper questionnaire"),
}


class SetupForm(FlaskForm):
    """Read from the query string (a GET form: choosing changes nothing)."""

    class Meta:
        csrf = False

    channel = RadioField(
        _l("How were the answers given?"),
        choices=[SelectChoice(c, CHANNEL_LABELS[c]) for c in CHANNELS],
        validators=[AnyOf(CHANNELS, message=_l("Choose how the answers were given."))],
    )
    language = SelectField(_l("Language of the questionnaire"))
    code = StringField(
        _l("Code of the personal card (optional)"),
        validators=[Optional(), Length(max=16)],
        description=_l(
            "The six characters printed in the corner of a paper form or on a card. Its link is then used up."
        ),
    )


DONT_KNOW_KEY = "x"
LETTERS = "abcdefghijklmnopqrstuvw"  # after 1-9 (x is "don't know")


def option_keys(view: QuestionView, values: list[str]) -> dict[str, str]:
    """The key that picks each option on the entry screen: a 0-10 answer is its number (10 is
    typed 1 then 0), other lists count 1-9 then a, b, c...; "don't know" is x everywhere."""
    keys: dict[str, str] = {}
    others = [v for v in values if v != DONT_KNOW]
    for index, value in enumerate(others):
        if view.kind == "scale11":
            keys[value] = value
        elif index < 9 + len(LETTERS):
            keys[value] = str(index + 1) if index < 9 else LETTERS[index - 9]
    if DONT_KNOW in values:
        keys[DONT_KNOW] = DONT_KNOW_KEY
    return keys


def entry_form_class(questionnaire: Questionnaire, language: str, languages: list[str]) -> type[PageForm]:
    """One form over all questions (built once per questionnaire and language, then reused)."""
    cache = current_app.extensions.setdefault("vises.entry_forms", {})
    key = (id(questionnaire), language, tuple(languages))
    if key not in cache:
        every = Section("entry", {}, tuple(q for s in questionnaire.sections for q in s.questions))
        cache[key] = build_page_form(questionnaire, every, language, True, languages)
    return cache[key]
