"""Invitation and reminder e-mails rendered from templates in each address's language, and the
automatic reminder job.

`send_due_reminders(app, now)` is what a scheduler calls (daily is enough): when
`invitations.reminder_days_before_close` is above 0, every open campaign closing within that many
days sends one reminder to invited people who have not answered. `vises invitations remind-due`
runs it from cron.
"""

from __future__ import annotations

from datetime import datetime

from flask import Flask, current_app

from survey_app.core.catalogs import translator
from survey_app.core.timeutil import to_local
from survey_app.domain.campaigns import personal_link
from survey_app.mail import invitations
from survey_app.mail import smtp as mailer
from survey_app.mail.render import render
from survey_app.storage.db import connect


def render_mail(campaign: dict, target: dict, kind: str) -> mailer.Mail:
    """The e-mail for one address, in that address's language (needs an app context: settings)."""
    language, reminder = target["language"], kind != "invitation"
    _ = translator(language).gettext
    subject = (
        _("Reminder: %(enterprise)s would like your opinion")
        if reminder
        else _("%(enterprise)s would like your opinion")
    ) % {"enterprise": campaign["enterprise_name"]}
    return render(
        "message",
        target["email"],
        subject,
        language,
        campaign=campaign,
        reminder=reminder,
        link=personal_link(current_app.config["SETTINGS"]["server.base_url"], target["token"]) + f"?lang={language}",
        closes=to_local(campaign["closes_at"], campaign["timezone"]).strftime("%d/%m/%Y %H:%M"),
    )


def send_due_reminders(app: Flask, now: datetime) -> dict[int, invitations.SendReport]:
    """Send the automatic reminders that are due; return a report per campaign id."""
    settings = app.config["SETTINGS"]
    reports = {}
    with app.app_context():
        db = connect(settings.database.path)
        try:
            for campaign in invitations.due_for_reminder(db, settings.invitations.reminder_days_before_close, now):
                reports[campaign["id"]] = invitations.send(db, settings, campaign, "auto-reminder", render_mail, now)
        finally:
            db.close()
    return reports
