"""Fixtures of the operations part (issue 18): a real SMTP server (aiosmtpd) on a loopback port,
an app that sends to it, and helpers to read the outbox and sign in with a second factor."""

from __future__ import annotations

import email
import re
from email import policy

import pyotp
import pytest
from aiosmtpd.controller import Controller

from tests.app_support import free_port


class Recorder:
    """Keeps every message; refuses recipients whose address starts with 'refuse' (550, for good)
    or 'busy' (450, for now)."""

    def __init__(self):
        self.envelopes = []
        self.received = []  # raw bytes, parsed when read: parsing costs more than receiving

    @property
    def messages(self):
        return [email.message_from_bytes(raw, policy=policy.default) for raw in self.received]

    def recipients(self):
        return [r for rcpts in self.envelopes for r in rcpts]

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("refuse"):
            return "550 5.1.1 mailbox unavailable"
        if address.startswith("busy"):
            return "450 4.2.1 mailbox busy, try later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.received.append(envelope.content)
        self.envelopes.append(list(envelope.rcpt_tos))
        return "250 Message accepted"

    def to(self, address):
        return [m for m in self.messages if m["To"] == address]


class SmtpServer:
    """aiosmtpd on a fixed loopback port that can be stopped and started again (a server down)."""

    def __init__(self):
        self.recorder, self.port, self.controller = Recorder(), free_port(), None

    @property
    def messages(self):
        return self.recorder.messages

    def recipients(self):
        return self.recorder.recipients()

    def to(self, address):
        return self.recorder.to(address)

    def start(self):
        self.controller = Controller(self.recorder, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp_server():
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def mail_settings(smtp_server):
    """Setting overrides (for make_app) that send to the test SMTP server, fast."""
    return {
        "smtp.host": "127.0.0.1",
        "smtp.port": smtp_server.port,
        "smtp.sender": "enquete@vises.example",
        "smtp.per_minute": 10000,
    }


@pytest.fixture
def deliver(make_app, db):
    """deliver(app, now) -> one outbox delivery pass, as the scheduler runs it."""
    from survey_app.mail.delivery import deliver as run

    def _deliver(app, now):
        return run(db, app.config["SETTINGS"], now)

    return _deliver


class Helpers:
    """Small readers shared by the operations tests (a fixture, so test files import nothing)."""

    def __init__(self, db):
        self.db = db

    def outbox(self, kind=None):
        query = "SELECT * FROM outbox" + (" WHERE kind = ?" if kind else "") + " ORDER BY id"
        return list(self.db.query(query, [kind] if kind else []))

    @staticmethod
    def link_in(message, path):
        """The first link to `path` (e.g. "/reset/") in a message's text body."""
        text = message.get_body(("plain",)).get_content()
        return re.search(r"https?://[^/\s]+(" + re.escape(path) + r"[A-Za-z0-9_-]+)", text).group(1)

    @staticmethod
    def totp_code_for(secret, at):
        return pyotp.TOTP(secret).at(at)

    def audit(self, action=None):
        query = "SELECT * FROM audit_log" + (" WHERE action = ?" if action else "") + " ORDER BY id"
        return list(self.db.query(query, [action] if action else []))


@pytest.fixture
def ops(db):
    return Helpers(db)
