"""The invitation and reminder texts of a campaign, per language: the defaults from the catalogs,
or the ones a manager edited (table campaign_mail_text).

A text is a subject and a body of paragraphs (separated by a blank line) with three placeholders:
`{link}` (the personal link: alone on its line it becomes the answer button), `{closes}` (the
closing date) and `{enterprise}`. Texts stay plain text: the HTML mail is built by the template
from escaped pieces, so nothing a manager types can become markup.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlite_utils import Database

from survey_app.core.catalogs import translator
from survey_app.core.timeutil import iso_utc
from survey_app.storage.db import write_transaction

KINDS = ("invitation", "reminder")
LINK, CLOSES, ENTERPRISE = "{link}", "{closes}", "{enterprise}"
PLACEHOLDERS = (LINK, CLOSES, ENTERPRISE)
PLACEHOLDER = re.compile(r"\{[^{}\s]{0,40}\}")
MAX_SUBJECT, MAX_BODY = 200, 5000


@dataclass(frozen=True)
class Text:
    subject: str
    body: str
    edited: bool = False


def default_text(kind: str, language: str) -> Text:
    """The bundled text in `language`, with placeholders (the strings are those of the catalogs)."""
    _ = translator(language).gettext
    enterprise = {"enterprise": ENTERPRISE}
    if kind == "reminder":
        subject = _("Reminder: %(enterprise)s would like your opinion") % enterprise
        intro = (
            _(
                "A few days ago, %(enterprise)s invited you to answer a short survey. If you have not had "
                "time yet, your opinion is still welcome."
            )
            % enterprise
        )
    else:
        subject = _("%(enterprise)s would like your opinion") % enterprise
        intro = (
            _(
                "%(enterprise)s asks the people it works with what has changed for them. Your answers help "
                "it show its social impact and improve what it does."
            )
            % enterprise
        )
    paragraphs = [
        _("Hello,"),
        intro,
        LINK,
        _(
            "This link is personal: please do not share it. Your answers are anonymous: they are never "
            "linked to your e-mail address."
        ),
        _("The survey closes on %(date)s.") % {"date": CLOSES},
        _("Thank you!") + "\n" + ENTERPRISE,
    ]
    return Text(subject, "\n\n".join(paragraphs))


def campaign_text(db: Database, campaign_id: int, kind: str, language: str) -> Text:
    row = db.execute(
        "SELECT subject, body FROM campaign_mail_text WHERE campaign_id = ? AND kind = ? AND language = ?",
        [campaign_id, kind, language],
    ).fetchone()
    return Text(row[0], row[1], edited=True) if row else default_text(kind, language)


def save_text(db: Database, campaign_id: int, kind: str, language: str, text: Text, now: datetime) -> None:
    """Store an edited text; the default one again removes the edit (later catalog fixes apply)."""
    with write_transaction(db):
        if text == default_text(kind, language):
            db.execute(
                "DELETE FROM campaign_mail_text WHERE campaign_id = ? AND kind = ? AND language = ?",
                [campaign_id, kind, language],
            )
            return
        db.execute(
            "INSERT OR REPLACE INTO campaign_mail_text (campaign_id, kind, language, subject, body, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [campaign_id, kind, language, text.subject, text.body, iso_utc(now)],
        )


def copy_texts(db: Database, source: int, target: int, now: datetime) -> None:
    """The next wave starts with the texts the previous one was sent with."""
    with write_transaction(db):
        db.execute(
            "INSERT OR REPLACE INTO campaign_mail_text (campaign_id, kind, language, subject, body, updated_at) "
            "SELECT ?, kind, language, subject, body, ? FROM campaign_mail_text WHERE campaign_id = ?",
            [target, iso_utc(now), source],
        )


def unknown_placeholders(text: str) -> list[str]:
    return sorted({p for p in PLACEHOLDER.findall(text) if p not in PLACEHOLDERS})


def normalise(body: str) -> str:
    """Line endings as the browser sends them (CRLF) become newlines; blank lines separate paragraphs."""
    return re.sub(r"\n{3,}", "\n\n", body.replace("\r\n", "\n").replace("\r", "\n")).strip()


def fill(text: str, values: dict[str, str]) -> str:
    """Placeholders replaced by their values (anything else left as typed)."""
    return PLACEHOLDER.sub(lambda m: values.get(m.group(0), m.group(0)), text)


def paragraphs(body: str, values: dict[str, str]) -> list[dict]:
    """The body as paragraphs for the templates: {"button": True} for a `{link}` alone, else
    {"text": filled text, "lines": [[(piece, is_link), ...], ...]} (pieces escaped by the template)."""
    result: list[dict] = []
    for paragraph in normalise(body).split("\n\n"):
        if paragraph.strip() == LINK:
            result.append({"button": True})
            continue
        lines = [
            [
                (values.get(piece, piece), piece == LINK)
                for piece in re.split(r"(\{link\}|\{closes\}|\{enterprise\})", line)
                if piece
            ]
            for line in paragraph.split("\n")
        ]
        result.append({"button": False, "text": fill(paragraph, values), "lines": lines})
    return result
