"""The one e-mail address check (core.addresses): internationalised domains in, malformed addresses out."""

from __future__ import annotations

import pytest

from survey_app.core.addresses import ascii_domain, is_email
from tests.app_support import NOW


@pytest.mark.parametrize(
    "address",
    [
        "anna@example.be",
        "anna.de.vries@example.be",
        "Anna+survey@Example.BE",
        "o'brien@example.co.uk",
        "anna@exämple.be",
        "anna@xn--exmple-cua.be",
        "zoë@example.fr",
        "user@例え.テスト",
        "a@b-c.d-e.org",
        "x@123.example",
        "a" * 64 + "@example.org",
    ],
)
def test_accepted(address):
    assert is_email(address)


@pytest.mark.parametrize(
    "address",
    [
        "",
        "anna",
        "anna@",
        "@example.be",
        "a..b@c.be",
        ".anna@example.be",
        "anna.@example.be",
        "anna@.example.be",
        "anna@example.be.",
        "anna@example..be",
        "anna@localhost",
        "anna@example",
        "anna@example.b",
        "anna@example.123",
        "anna @example.be",
        "anna@exa mple.be",
        " anna@example.be",
        "anna@example.be ",
        "anna@ex_ample.be",
        "anna@-example.be",
        "anna@example-.be",
        "anna@@example.be",
        "an@na@example.be",
        "Anna <anna@example.be>",
        "anna,bob@example.be",
        "a" * 65 + "@example.org",
        "anna@" + "a" * 64 + ".be",
        "anna@" + ".".join(["a" * 60] * 5) + ".be",
    ],
)
def test_rejected(address):
    assert not is_email(address)


@pytest.mark.parametrize(("address", "accepted"), [("vises@localhost", True), ("vises@local_host", False)])
def test_a_host_name_without_dot_only_where_asked(address, accepted):
    assert is_email(address, dotless_domain=True) is accepted
    assert not is_email(address)


@pytest.mark.parametrize(
    ("address", "sent_to"),
    [("anna@exämple.be", "anna@xn--exmple-cua.be"), ("anna@example.be", "anna@example.be"), ("anna", "anna")],
)
def test_domains_are_sent_in_ascii(address, sent_to):
    assert ascii_domain(address) == sent_to


def test_invitation_lists_use_it():
    from survey_app.mail.invitations import parse_addresses

    parsed = parse_addresses("anna@exämple.be; a..b@c.be\nBob <bob@example.org>")
    assert (parsed.valid, parsed.invalid) == (["anna@exämple.be", "bob@example.org"], ["a..b@c.be"])


def test_mail_travels_to_the_ascii_domain():
    from survey_app.core.config import validate
    from survey_app.mail.smtp import Mail, build

    settings = validate({"smtp.sender": "enquete@vises.exämple"}, "test")
    message = build(settings, Mail("anna@exämple.be", "Subject", "text", "<p>html</p>"), NOW)
    assert (message["To"], message["From"]) == ("anna@xn--exmple-cua.be", "enquete@vises.xn--exmple-cua")
    assert message["Message-ID"].endswith("@vises.xn--exmple-cua>")


def test_the_sender_setting_uses_it():
    from survey_app.core.config import ConfigError, validate

    assert validate({"smtp.sender": "vises@localhost"}, "test")["smtp.sender"] == "vises@localhost"
    for sender in ("a..b@c.be", "vises"):
        with pytest.raises(ConfigError, match="must be an e-mail address"):
            validate({"smtp.sender": sender}, "test")
