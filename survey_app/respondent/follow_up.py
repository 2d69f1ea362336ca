"""The step before sending an answer of a follow-up series: "link this answer to your next ones?".

It comes after the last page, once the draft is complete. The code questions (or the card code) are
asked here only, and never saved: not in the draft, not in the response, not in a log. Only keyed
hashes are stored, with the response, in one transaction (submissions.submit). Declining sends the
answers unlinked; it never blocks the survey.
"""

from __future__ import annotations

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlite_utils import Database
from wtforms import Field, HiddenField, SelectField, StringField
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # WTForms 3.3; stubs cover 3.2
from wtforms.validators import AnyOf, Optional, Regexp

from survey_app.core.config import instance_folder
from survey_app.domain import series, series_keys
from survey_app.domain.series import SeriesWave
from survey_app.domain.series_codes import (
    LinkHashes,
    card_display,
    card_from_typed,
    elements_from_answers,
    hashes,
    new_card_code,
    question,
)
from survey_app.respondent.forms import SUBMISSION_ID
from survey_app.respondent.links import KIOSK, SurveyLink
from survey_app.web.i18n import WTFORMS_TRANSLATIONS
from survey_app.web.labels import CODE_QUESTION_LABELS

ACTIONS = ("link", "skip")
__all__ = ["card_display", "card_from_typed"]  # the views use them through this module
MONTHS = (
    _l("January"),
    _l("February"),
    _l("March"),
    _l("April"),
    _l("May"),
    _l("June"),
    _l("July"),
    _l("August"),
    _l("September"),
    _l("October"),
    _l("November"),
    _l("December"),
)


class FollowUpForm(FlaskForm):
    class Meta:
        def get_translations(self, form):
            return WTFORMS_TRANSLATIONS

    action = StringField(validators=[Optional(), AnyOf(ACTIONS)])
    submission_id = HiddenField(validators=[Optional(), Regexp(SUBMISSION_ID)])
    wave: SeriesWave


class CardForm(FlaskForm):
    """The plain-text download of a card: the code comes back from the card page, nothing is stored."""

    code = HiddenField()


def offered(db: Database, link: SurveyLink) -> SeriesWave | None:
    """The series wave of the link's campaign, when linking is offered on this link: never on a
    shared tablet (kiosk), where the next person would see the card or the code answers."""
    if link.kind == KIOSK or link.in_series is False:  # read with a personal link: no query
        return None
    return series.wave_of(db, link.campaign["id"])


def _question_field(question_id: str) -> Field:
    kind, label = question(question_id).kind, CODE_QUESTION_LABELS[question_id]
    if kind == "letter":
        return StringField(label, render_kw={"maxlength": 1, "autocomplete": "off", "class": "short-input"})
    if kind == "month":
        months = [("", "—")] + [(str(i + 1), m) for i, m in enumerate(MONTHS)]
        return SelectField(label, choices=[SelectChoice(v, t) for v, t in months], validate_choice=False)
    counts = [("", "—")] + [(str(i), str(i)) for i in range(9)] + [("9", _l("9 or more"))]
    return SelectField(label, choices=[SelectChoice(v, t) for v, t in counts], validate_choice=False)


def form_class(wave: SeriesWave) -> type[FollowUpForm]:
    """One form per series shape (built per request: cheap, and only on this one step)."""
    fields: dict[str, Field] = {}
    if wave.method == "questions":
        fields = {f"c_{qid}": _question_field(qid) for qid in wave.questions}
    elif not wave.baseline:
        fields = {"card_code": StringField(_l("The code on your card"), render_kw={"autocomplete": "off"})}
    return type("SeriesForm", (FollowUpForm,), {**fields, "wave": wave})


def code_fields(form: FollowUpForm) -> list[Field]:
    return [f for name, f in form._fields.items() if name.startswith("c_") or name == "card_code"]


def link_hashes(form: FollowUpForm) -> tuple[LinkHashes | None, str | None]:
    """(hashes to store, the new card code to show) or (None, None) with errors set on the fields."""
    wave = form.wave
    key = series_keys.load_or_create(instance_folder(current_app.config["SETTINGS"]), wave.series_id)
    if wave.method == "questions":
        answers = {qid: form[f"c_{qid}"].data or "" for qid in wave.questions}
        elements = elements_from_answers(wave.questions, answers)
        if elements is None:
            for qid in wave.questions:
                if elements_from_answers([qid], answers) is None:
                    form[f"c_{qid}"].errors = [_l("Answer this question, or send your answers without linking.")]
            return None, None
        return hashes(key, "questions", elements), None
    if wave.baseline:
        card = new_card_code()
        return hashes(key, "card", [card]), card
    code = card_from_typed(form.card_code.data or "")
    if code is None:
        form.card_code.errors = [_l("This code is not right: check each character on your card.")]
        return None, None
    return hashes(key, "card", [code]), None


def error_items(form: FollowUpForm) -> list[tuple[str, str]]:
    return [(f.id, str(message)) for f in code_fields(form) for message in f.errors]
