"""Welcome and password-reset e-mails: the one-time link of an account, queued in the outbox.

The link's token exists in clear only in this mail (the database keeps its hash), so the
outbox row is cleared once the server accepted it. The accounts slice cannot import mail: the
app factory hands it `queue` as `app.extensions["vises.queue_account_mail"]`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlite_utils import Database

from survey_app.accounts.users import TOKEN_LIFETIME
from survey_app.core.catalogs import translator
from survey_app.core.config import Settings
from survey_app.core.timeutil import iso_utc, to_local
from survey_app.mail import smtp as mailer
from survey_app.mail.render import render
from survey_app.storage import outbox

PATHS = {"invite": "/welcome/", "reset": "/reset/"}
KINDS = {"invite": "welcome", "reset": "reset"}


def compose(settings: Settings, purpose: str, user: dict[str, Any], token: str, now: datetime) -> mailer.Mail:
    """The mail with the link of `purpose` (invite or reset) for `user` (email, language)."""
    language = user["language"]
    _ = translator(language).gettext
    subject = _("Welcome to VISES: choose your password") if purpose == "invite" else _("VISES: choose a new password")
    valid_until = to_local(iso_utc(now + TOKEN_LIFETIME[purpose]), settings.i18n.timezone)
    return render(
        "account",
        user["email"],
        subject,
        language,
        purpose=purpose,
        link=settings.server.base_url.rstrip("/") + PATHS[purpose] + token,
        valid_until=valid_until.strftime("%d/%m/%Y %H:%M"),
    )


def queue(db: Database, settings: Settings, purpose: str, user: dict[str, Any], token: str, now: datetime) -> int:
    """Queue the mail (inside the caller's transaction); return the outbox id."""
    mail = compose(settings, purpose, user, token, now)
    return outbox.enqueue(db, KINDS[purpose], mail.to, mail.subject, mail.text, mail.html, now)
