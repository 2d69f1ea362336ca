"""Outgoing e-mail through the configured SMTP server (smtp.* settings), with smtplib.

One connection per batch; each message has a plain-text and an HTML body, a Date and a
Message-ID, and the headers its kind needs (Auto-Submitted, List-Unsubscribe), carried by `Mail`.
Only the outbox's delivery (survey_app.mail.delivery) sends: pages and jobs queue.
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from datetime import datetime
from email.charset import QP, Charset
from email.header import Header
from email.mime.multipart import MIMEMultipart
from email.mime.nonmultipart import MIMENonMultipart
from email.policy import compat32
from email.utils import format_datetime, make_msgid

from survey_app.core.addresses import ascii_domain
from survey_app.core.config import Settings
from survey_app.core.text import one_line

TIMEOUT_SECONDS = 20
UTF8 = Charset("utf-8")
UTF8.body_encoding = QP
WIRE = compat32.clone(linesep="\r\n")  # SMTP lines end in CRLF


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    text: str
    html: str
    headers: tuple[tuple[str, str], ...] = ()


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


def _part(subtype: str, body: str) -> MIMENonMultipart:
    """A UTF-8 text part, quoted-printable (readable in the source, safe for long lines)."""
    part = MIMENonMultipart("text", subtype)
    part.set_payload(body, charset=UTF8)
    return part


def _header(value: str) -> str:
    """ASCII as it is; anything else as RFC 2047 encoded words."""
    return value if value.isascii() else Header(value, "utf-8").encode()


def build(settings: Settings, mail: Mail, now: datetime) -> MIMEMultipart:
    """The message, built with the classic email API: ten times faster than EmailMessage's header
    objects, which matters when thousands of invitations go out in a row."""
    message = MIMEMultipart("alternative")
    sender = ascii_domain(settings.smtp.sender)  # internationalised domains travel as IDNA
    message["From"] = sender
    # Header values on one line: a name stored with a line break must never stop a mail (the
    # email package refuses it) nor add a header of its own.
    message["To"] = one_line(ascii_domain(mail.to))
    message["Subject"] = _header(one_line(mail.subject))
    message["Date"] = format_datetime(now)
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    for name, value in mail.headers:
        message[name] = _header(one_line(value))
    message.attach(_part("plain", mail.text))
    message.attach(_part("html", mail.html))
    return message


def send(smtp: smtplib.SMTP, settings: Settings, mail: Mail, now: datetime) -> None:
    """Send one message; raises smtplib.SMTPRecipientsRefused when the server refuses the address."""
    message = build(settings, mail, now)
    sender, to = message["From"], message["To"]
    if to.isascii():
        smtp.sendmail(sender, [to], message.as_bytes(policy=WIRE))
    else:  # a non-ASCII local part travels only to servers that offer SMTPUTF8 (else SMTPNotSupportedError)
        smtp.sendmail(sender, [to], message.as_string(policy=WIRE).encode(), mail_options=["SMTPUTF8"])


def close(smtp: smtplib.SMTP) -> None:
    try:
        smtp.quit()
    except (smtplib.SMTPException, OSError):
        smtp.close()
