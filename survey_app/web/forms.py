"""What the WTForms forms of every slice share: the data of a field validated as required."""

from __future__ import annotations

from typing import TypeVar

T = TypeVar("T")


def required(data: T | None) -> T:
    """A required field's data once the form is validated (WTForms types every field's data optional).

    Reading it from a form that was not validated is a bug, so it raises instead of passing None on.
    """
    if data is None:
        raise ValueError("a required field has no data: validate the form first")
    return data
