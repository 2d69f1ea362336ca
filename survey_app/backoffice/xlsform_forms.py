"""The XLSForm upload form and what the preview page shows: pages per language, questions that
can be mapped to an indicator, the framework's indicators in the admin's language."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, HiddenField, IntegerField, SelectField, StringField, SubmitField
from wtforms.validators import Length, NumberRange, Optional, Regexp

from survey_app.backoffice.forms import choices
from survey_app.questionnaire.model import SCORED_TYPES, Framework, translate
from survey_app.questionnaire.xlsform import ImportResult
from survey_app.questionnaire.xlsform.languages import display_name
from survey_app.web.i18n import current_language
from survey_app.web.labels import GROUP_LABELS

TYPE_LABELS = {
    "agree5": _l("Agree or disagree (5 answers)"),
    "scale0_10": _l("Scale from 0 to 10"),
    "nps": _l("Likelihood to recommend, from 0 to 10"),
    "scale": _l("Scale with its own answers"),
    "yes_no": _l("Yes or no"),
    "single": _l("One answer from a list"),
    "multiple": _l("Several answers from a list"),
    "number": _l("Number"),
    "text": _l("Free text"),
    "note": _l("Text to read, without an answer"),
}


class XLSFormForm(FlaskForm):
    workbook = FileField(_l("XLSForm workbook (.xlsx, at most 2 MB)"))
    upload = HiddenField(validators=[Optional(), Regexp(r"^[A-Za-z0-9_-]{22}$")])
    filename = HiddenField(validators=[Optional(), Length(max=200)])
    questionnaire_id = StringField(
        _l("Questionnaire id"),
        validators=[Optional(), Regexp(r"^[a-z][a-z0-9_]{0,39}$", message=_l("Use lowercase letters, digits and _."))],
        description=_l("Lowercase letters, digits and _. Leave empty to use the form's own id."),
    )
    stakeholder_group = SelectField(
        _l("Stakeholder group"),
        default="",
        choices=choices([("", _l("As the form says, or beneficiaries")), *GROUP_LABELS.items()]),
    )
    version = IntegerField(
        _l("Version"),
        validators=[Optional(), NumberRange(min=1, max=1_000_000)],
        description=_l("Leave empty to use the form's version, or 1."),
    )
    language_map = StringField(
        _l("Language codes of the columns"),
        validators=[Optional(), Length(max=500)],
        description=_l("Only when a column's language is not recognised, for example: Deutsch=de, default=fr"),
    )
    skip_unsupported = BooleanField(
        _l("Leave out the questions this product cannot ask (--skip-unsupported), with a warning for each")
    )
    preview = SubmitField(_l("Show the preview"))
    register = SubmitField(_l("Register the questionnaire"))


def preview_sections(result: ImportResult) -> list[dict[str, Any]]:
    """The pages of the imported questionnaire, each question with what the admin checks."""
    if result.table is None or result.questions is None:
        return []
    conditions = {k.built.table["id"]: _conditions(k) for k in result.questions.kept}
    pages = []
    for section in result.table["sections"]:
        questions = [
            {
                **q,
                "type_label": TYPE_LABELS.get(q["type"], q["type"]),
                "conditions": conditions.get(q["id"], []),
            }
            for q in result.table["questions"]
            if q["section"] == section["id"]
        ]
        pages.append({"title": section["title"], "questions": questions})
    return pages


def _conditions(kept) -> list[str]:
    """The XLSForm conditions behind a show_if: those of the groups around it, then its own."""
    if kept.extra:
        return []
    found = [g.relevant.strip() for g in kept.item.groups if g.relevant]
    return found + ([kept.item.relevant.strip()] if kept.item.relevant else [])


def mappable(result: ImportResult) -> list[dict[str, Any]]:
    """Questions that can feed an indicator: scored types, and lists with numeric names."""
    if result.questions is None or not result.form:
        return []
    rows = []
    for kept in result.questions.kept:
        table = kept.built.table
        numeric = table["type"] == "single" and all(str(o["value"]).isdigit() for o in table.get("options", []))
        if not kept.extra and (table["type"] in SCORED_TYPES or numeric):
            label = table["label"].get(result.form.languages[0], "")
            rows.append({"name": kept.item.name, "label": label, "indicator": table.get("indicator", "")})
    return rows


def indicator_choices(framework: Framework) -> list[tuple[str, str]]:
    language = current_language()
    return [(i.id, translate(i.label, language)) for i in framework.indicators]


def language_name(code: str) -> str:
    return display_name(code)
