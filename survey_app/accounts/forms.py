"""Forms of the account pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length, ValidationError

from survey_app.accounts.users import MIN_PASSWORD_LENGTH
from survey_app.core.addresses import is_email
from survey_app.web.forms import single_line


def email_address(_form, field) -> None:
    """WTForms' Email() needs the email_validator package; this check needs nothing."""
    if field.data and not is_email(field.data.strip()):
        raise ValidationError(_l("Enter an e-mail address such as name@example.org."))


class SetupForm(FlaskForm):
    email = EmailField(_l("E-mail address"), validators=[DataRequired(), email_address, Length(max=254), single_line])
    password = PasswordField(
        _l("Password"),
        description=_l("At least %(n)d characters.", n=MIN_PASSWORD_LENGTH),
        validators=[DataRequired(), Length(min=MIN_PASSWORD_LENGTH, max=256)],
    )
    confirm = PasswordField(
        _l("Repeat the password"), validators=[DataRequired(), EqualTo("password", _l("The two passwords differ."))]
    )
    submit = SubmitField(_l("Create the administrator account"))


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail address"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=256)])
    submit = SubmitField(_l("Sign in"))


class LogoutForm(FlaskForm):
    submit = SubmitField(_l("Sign out"))


def _new_password_fields():
    return (
        PasswordField(
            _l("New password"),
            description=_l("At least %(n)d characters.", n=MIN_PASSWORD_LENGTH),
            validators=[DataRequired(), Length(min=MIN_PASSWORD_LENGTH, max=256)],
        ),
        PasswordField(
            _l("Repeat the password"), validators=[DataRequired(), EqualTo("password", _l("The two passwords differ."))]
        ),
    )


class SetPasswordForm(FlaskForm):
    password, confirm = _new_password_fields()
    submit = SubmitField(_l("Save the password"))


class PasswordChangeForm(FlaskForm):
    current = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=256)])
    password, confirm = _new_password_fields()
    submit = SubmitField(_l("Change the password"))

    def validate_current(self, field) -> None:
        from flask import g

        from survey_app.accounts.users import password_hash_of, verify_password
        from survey_app.web.db import get_db

        if not verify_password(password_hash_of(get_db(), g.user["id"]), field.data):
            raise ValidationError(_l("The current password is not correct."))
