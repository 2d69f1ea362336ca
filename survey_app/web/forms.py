"""What the WTForms forms of every slice share: the data of a field validated as required, and
the control-character checks of free text typed into the back office."""

from __future__ import annotations

from typing import Any, TypeVar

from flask_babel import lazy_gettext as _l
from wtforms.validators import ValidationError

from survey_app.core.text import control_characters

T = TypeVar("T")


def required(data: T | None) -> T:
    """A required field's data once the form is validated (WTForms types every field's data optional).

    Reading it from a form that was not validated is a bug, so it raises instead of passing None on.
    """
    if data is None:
        raise ValueError("a required field has no data: validate the form first")
    return data


def _refuse(characters: list[str]) -> None:
    if characters:
        raise ValidationError(
            _l(
                "Line breaks and control characters are not allowed here (found %(codes)s).",
                codes=", ".join(characters),
            )
        )


def single_line(_form: Any, field: Any) -> None:
    """A name, a title, a question: no line break nor any other control character (they end up in
    mail headers, CSV cells and page titles, where they break things or mislead)."""
    _refuse(control_characters(field.data or ""))


def multi_line(_form: Any, field: Any) -> None:
    """A text area: line breaks and tabs are fine, other control characters are not."""
    _refuse(control_characters(field.data or "", multi_line=True))
