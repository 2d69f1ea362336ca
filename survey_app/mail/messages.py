"""Invitation and reminder e-mails, rendered at delivery in each address's language from the
campaign's text (survey_app.mail.texts), with the headers mail clients and servers expect:
List-Unsubscribe (one click, RFC 8058) on both, Auto-Submitted on reminders (RFC 3834).

Flask-free: it runs in the scheduler as well as in a request (previews).
"""

from __future__ import annotations

from typing import Any

from survey_app.core.catalogs import translator
from survey_app.core.config import Settings
from survey_app.core.timeutil import to_local
from survey_app.domain.campaigns import personal_link
from survey_app.mail import smtp as mailer
from survey_app.mail.render import render
from survey_app.mail.texts import CLOSES, ENTERPRISE, LINK, Text, fill, paragraphs


def unsubscribe_link(base_url: str, token: str) -> str:
    return f"{base_url.rstrip('/')}/u/{token}"


def closing_date(campaign: dict[str, Any]) -> str:
    return to_local(campaign["closes_at"], campaign["timezone"]).strftime("%d/%m/%Y %H:%M")


def campaign_mail(
    settings: Settings, campaign: dict[str, Any], target: dict[str, Any], kind: str, text: Text
) -> mailer.Mail:
    """The mail of `kind` for one address (`target`: email, language, token, unsubscribe_token);
    `campaign` carries its enterprise's name as `enterprise_name`."""
    language, base_url = target["language"], settings.server.base_url
    link = personal_link(base_url, target["token"]) + f"?lang={language}"
    unsubscribe = unsubscribe_link(base_url, target["unsubscribe_token"])
    values = {LINK: link, CLOSES: closing_date(campaign), ENTERPRISE: campaign["enterprise_name"]}
    footer = translator(language).gettext(
        "You receive this e-mail because %(enterprise)s invited you to this survey. "
        "To receive no more e-mails about it, open this link:"
    ) % {"enterprise": campaign["enterprise_name"]}
    headers: list[tuple[str, str]] = [
        ("List-Unsubscribe", f"<{unsubscribe}>"),
        ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"),
    ]
    if kind == "reminder":
        headers.append(("Auto-Submitted", "auto-generated"))
    mail = render(
        "message",
        target["email"],
        fill(text.subject, values),
        language,
        paragraphs=paragraphs(text.body, values),
        link=link,
        footer=footer,
        unsubscribe=unsubscribe,
    )
    return mailer.Mail(mail.to, mail.subject, mail.text, mail.html, tuple(headers))


def preview(settings: Settings, campaign: dict[str, Any], kind: str, language: str, text: Text) -> mailer.Mail:
    """The mail as an invited person would get it, with an example link (nothing is stored)."""
    example = {"email": "name@example.org", "language": language, "token": "EXAMPLE", "unsubscribe_token": "EXAMPLE"}
    return campaign_mail(settings, campaign, example, kind, text)
