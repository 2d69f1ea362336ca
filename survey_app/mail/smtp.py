"""Outgoing e-mail through the configured SMTP server (smtp.* settings), with smtplib.

One connection per batch; each message has a plain-text and an HTML body.
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import make_msgid

from survey_app.core.addresses import ascii_domain
from survey_app.core.config import Settings
from survey_app.core.text import one_line

TIMEOUT_SECONDS = 20


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    text: str
    html: str


def connect(settings: Settings) -> smtplib.SMTP:
    """Open (and log in to) the SMTP server; raises OSError or smtplib.SMTPException."""
    host, port, security = settings.smtp.host, settings.smtp.port, settings.smtp.security
    if security == "tls":
        smtp: smtplib.SMTP = smtplib.SMTP_SSL(host, port, timeout=TIMEOUT_SECONDS, context=ssl.create_default_context())
    else:
        smtp = smtplib.SMTP(host, port, timeout=TIMEOUT_SECONDS)
        if security == "starttls":
            smtp.starttls(context=ssl.create_default_context())
    if settings.smtp.username:
        smtp.login(settings.smtp.username, settings.smtp.password)
    return smtp


def build(settings: Settings, mail: Mail) -> EmailMessage:
    message = EmailMessage()
    sender = ascii_domain(settings.smtp.sender)  # internationalised domains travel as IDNA
    message["From"] = sender
    # Header values on one line: a name stored with a line break must never stop a mail (the
    # email package refuses it) nor add a header of its own.
    message["To"] = one_line(ascii_domain(mail.to))
    message["Subject"] = one_line(mail.subject)
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    message.set_content(mail.text)
    message.add_alternative(mail.html, subtype="html")
    return message


def send(smtp: smtplib.SMTP, settings: Settings, mail: Mail) -> None:
    """Send one message; raises smtplib.SMTPRecipientsRefused when the server refuses the address."""
    smtp.send_message(build(settings, mail))


def close(smtp: smtplib.SMTP) -> None:
    try:
        smtp.quit()
    except (smtplib.SMTPException, OSError):
        smtp.close()
