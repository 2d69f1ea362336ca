"""Forms of the admin pages: enterprises, manager accounts, links and e-mail addresses."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # WTForms 3.3; stubs cover 3.2
from wtforms.validators import AnyOf, DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from survey_app.accounts.forms import email_address
from survey_app.core.catalogs import LANGUAGE_NAMES
from survey_app.core.config import SUPPORTED_LANGUAGES
from survey_app.domain.campaigns import MAX_LINKS_AT_ONCE
from survey_app.web.forms import multi_line, single_line
from survey_app.web.labels import COUNTRY_LABELS, SECTOR_LABELS


def choices(pairs) -> list[SelectChoice]:
    """(value, label) pairs as WTForms choices."""
    return [SelectChoice(value, label) for value, label in pairs]


LANGUAGE_CHOICES = [(code, LANGUAGE_NAMES[code]) for code in SUPPORTED_LANGUAGES]
ROLE_CHOICES = [("manager", _l("Manager")), ("interviewer", _l("Interviewer (enters answers only)"))]


class MultiCheckboxField(SelectMultipleField):
    """A list of checkboxes (easier to use than a multiple <select>, on phones too)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class EnterpriseForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200), single_line])
    sector_group = SelectField(_l("Sector group"), choices=choices(SECTOR_LABELS.items()))
    country = SelectField(_l("Country"), choices=choices(COUNTRY_LABELS.items()))
    region = StringField(_l("Region"), validators=[Optional(), Length(max=100), single_line])
    default_language = SelectField(_l("Default language"), choices=choices(LANGUAGE_CHOICES))
    benchmark_consent = BooleanField(_l("The enterprise agrees to appear anonymously in peer benchmarks"), default=True)
    submit = SubmitField(_l("Save"))


class ConsentForm(FlaskForm):
    benchmark_consent = BooleanField(_l("The enterprise agrees to appear anonymously in peer benchmarks"))
    submit = SubmitField(_l("Save the choice"))


class ManagerForm(FlaskForm):
    email = EmailField(_l("E-mail address"), validators=[DataRequired(), email_address, Length(max=254), single_line])
    name = StringField(_l("Name"), validators=[Optional(), Length(max=200), single_line])
    language = SelectField(_l("Language"), choices=choices(LANGUAGE_CHOICES))
    role = SelectField(
        _l("Role"),
        choices=choices(ROLE_CHOICES),
        default="manager",
        description=_l("An interviewer only enters answers from interviews and paper questionnaires."),
    )
    enterprises = MultiCheckboxField(_l("Enterprises"), coerce=int)
    submit = SubmitField(_l("Create the account and e-mail its welcome link"))

    def validate_email(self, field) -> None:
        from survey_app.web.db import get_db

        if get_db().execute("SELECT 1 FROM user WHERE email = ?", [field.data.strip()]).fetchone():
            raise ValidationError(_l("An account with this e-mail address already exists."))


class MembershipForm(FlaskForm):
    enterprises = MultiCheckboxField(_l("Enterprises"), coerce=int)
    active = BooleanField(_l("Account active"))
    submit = SubmitField(_l("Save"))


class ButtonForm(FlaskForm):
    """A form that is only a button: it carries the CSRF token of a POST action."""

    submit = SubmitField(_l("Confirm"))


# The links page


class LinksForm(FlaskForm):
    count = IntegerField(
        _l("Number of personal links to create"),
        default=20,
        validators=[
            InputRequired(message=_l("Enter the number of personal links to create.")),
            NumberRange(
                min=1,
                max=MAX_LINKS_AT_ONCE,
                message=_l("The number of personal links must be between %(min)s and %(max)s."),
            ),
        ],
    )
    submit = SubmitField(_l("Create the links"))


class RevokeForm(FlaskForm):
    codes = TextAreaField(
        _l("Codes of the links to revoke"),
        validators=[DataRequired(message=_l("Enter the codes of the links to revoke.")), Length(max=20000), multi_line],
        description=_l("The code printed on each card, separated by spaces or new lines."),
    )
    submit = SubmitField(_l("Revoke these links"))


class OpenLinkForm(FlaskForm):
    enabled = HiddenField(validators=[AnyOf(["0", "1"])])

    def __init__(self, enabled: bool | None = None, **kwargs):
        super().__init__(**kwargs)
        if enabled is not None and not self.is_submitted():
            self.enabled.data = "1" if enabled else "0"


# E-mail addresses of a campaign, pasted or uploaded


class AddressesForm(FlaskForm):
    addresses = TextAreaField(
        _l("E-mail addresses"),
        validators=[Length(max=200_000)],
        description=_l("One per line, or separated by commas or semicolons."),
    )
    upload = FileField(_l("Or a file of addresses (text or CSV)"))
    language = SelectField(_l("Language of the e-mails"))
    submit = SubmitField(_l("Add the addresses"))

    def validate_addresses(self, field) -> None:
        if not (field.data or "").strip() and not self.upload.data:
            raise ValidationError(_l("Paste addresses or choose a file."))

    def text(self) -> str:
        uploaded = self.upload.data.read().decode("utf-8", errors="replace") if self.upload.data else ""
        return (self.addresses.data or "") + "\n" + uploaded
