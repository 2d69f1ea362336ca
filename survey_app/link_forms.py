"""Forms of the links page."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, SubmitField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, Length, NumberRange

from survey_app.campaigns import MAX_LINKS_AT_ONCE


class LinksForm(FlaskForm):
    count = IntegerField(_l("Number of personal links to create"), default=20,
                         validators=[DataRequired(), NumberRange(min=1, max=MAX_LINKS_AT_ONCE)])
    submit = SubmitField(_l("Create the links"))


class RevokeForm(FlaskForm):
    codes = TextAreaField(_l("Codes of the links to revoke"), validators=[DataRequired(), Length(max=20000)],
                          description=_l("The code printed on each card, separated by spaces or new lines."))
    submit = SubmitField(_l("Revoke these links"))


class OpenLinkForm(FlaskForm):
    enabled = HiddenField(validators=[AnyOf(["0", "1"])])

    def __init__(self, enabled: bool | None = None, **kwargs):
        super().__init__(**kwargs)
        if enabled is not None and not self.is_submitted():
            self.enabled.data = "1" if enabled else "0"
