"""Form to add e-mail addresses to a campaign, pasted or uploaded."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import SelectField, SubmitField, TextAreaField
from wtforms.validators import Length, ValidationError


class AddressesForm(FlaskForm):
    addresses = TextAreaField(_l("E-mail addresses"), validators=[Length(max=200_000)],
                              description=_l("One per line, or separated by commas or semicolons."))
    upload = FileField(_l("Or a file of addresses (text or CSV)"))
    language = SelectField(_l("Language of the e-mails"))
    submit = SubmitField(_l("Add the addresses"))

    def validate_addresses(self, field) -> None:
        if not (field.data or "").strip() and not self.upload.data:
            raise ValidationError(_l("Paste addresses or choose a file."))

    def text(self) -> str:
        uploaded = self.upload.data.read().decode("utf-8", errors="replace") if self.upload.data else ""
        return (self.addresses.data or "") + "\n" + uploaded
