"""A confirmation step before an action that cannot be undone (close a campaign, revoke links,
delete e-mail addresses, take down a public page): POST only, no JavaScript.

The action's button posts to the action's own URL. Without `confirmed=yes` the view answers with
a page that says what will happen, carries the posted values on in hidden fields and offers
"Yes" (the same POST, confirmed) or "Cancel" (a link back). Both steps carry the CSRF token.
"""

from __future__ import annotations

from flask import render_template, request
from flask_wtf import FlaskForm
from wtforms import HiddenField

YES = "yes"


class ConfirmForm(FlaskForm):
    confirmed = HiddenField()


def is_confirmed() -> bool:
    """True when this POST is the second step, with its CSRF token checked."""
    form = ConfirmForm()
    return form.validate_on_submit() and form.confirmed.data == YES


def confirmation_page(
    title: str, consequences: list[str], button: str, cancel_url: str, carry: dict[str, str] | None = None
):
    """The page that asks to confirm `request.url`'s action, with the values to post again."""
    return render_template(
        "backoffice/confirm.html",
        title=title,
        consequences=consequences,
        button=button,
        cancel_url=cancel_url,
        action=request.path,
        carry=carry or {},
        form=ConfirmForm(),
    )
