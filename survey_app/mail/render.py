"""One renderer for every outgoing e-mail: invitations, reminders and the weekly digest.

A plain Jinja environment over templates/email with the catalog of the mail's language
(core.catalogs), so a mail renders alike in a request, in the scheduler and from cron. A mail is
a subject, a text body (`<name>.txt`) and an HTML body (`<name>.html`); both bodies also get
`language` and `subject`.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from survey_app.core.catalogs import translator
from survey_app.mail.smtp import Mail

TEMPLATES = Path(__file__).resolve().parents[1] / "templates" / "email"


@functools.cache
def environment(language: str) -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES), extensions=["jinja2.ext.i18n"], autoescape=select_autoescape(["html"])
    )
    # Added to the environment by the jinja2.ext.i18n extension, so unknown to Environment's type.
    env.install_gettext_translations(translator(language), newstyle=True)  # type: ignore[attr-defined]
    return env


def render(name: str, to: str, subject: str, language: str, **context: Any) -> Mail:
    """The mail `name` to `to`, in `language`, with its (already translated) subject."""
    env, context = environment(language), {**context, "language": language, "subject": subject}
    return Mail(
        to, subject, env.get_template(f"{name}.txt").render(context), env.get_template(f"{name}.html").render(context)
    )
