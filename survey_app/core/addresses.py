"""The one e-mail address check, used by account forms, invitation lists and the sender setting.

Pragmatic rather than all of RFC 5322 (no quoted local parts, no IP literals, no email_validator
dependency): a local part of dot-separated atoms (non-ASCII letters allowed, as SMTPUTF8 allows)
and a domain of dot-separated labels with a top-level domain. Internationalised domains are
checked in their IDNA (punycode) form, the form `ascii_domain` gives for sending:
`anna@exämple.be` is sent to `anna@xn--exmple-cua.be`.
"""

from __future__ import annotations

import re

MAX_LENGTH = 254  # the longest address SMTP carries (RFC 5321 path limit, minus the brackets)
MAX_LOCAL_LENGTH = 64
# A local-part atom: no space, no control character, none of the separators of address lists.
ATOM = re.compile(r'[^\s\x00-\x1f\x7f<>,;:"()\[\]\\@.]+')
LABEL = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?")
TOP_LEVEL = re.compile(r"[A-Za-z]{2,63}|xn--[A-Za-z0-9-]{1,59}")


def _idna(domain: str) -> str | None:
    """The domain in ASCII (IDNA), or None when it cannot be one."""
    try:
        return domain.encode("idna").decode("ascii")
    except UnicodeError:  # an empty or over-long label
        return None


def is_email(text: str, *, dotless_domain: bool = False) -> bool:
    """Is `text` one e-mail address? `dotless_domain` also accepts a host name such as `localhost`."""
    local, at, domain = text.rpartition("@")
    if not at or len(text) > MAX_LENGTH or not 0 < len(local) <= MAX_LOCAL_LENGTH:
        return False
    if not all(ATOM.fullmatch(atom) for atom in local.split(".")):
        return False
    ascii_name = _idna(domain)
    if not ascii_name or len(ascii_name) > 253:
        return False
    labels = ascii_name.split(".")
    if len(labels) == 1:
        return dotless_domain and LABEL.fullmatch(labels[0]) is not None
    return all(LABEL.fullmatch(label) for label in labels) and TOP_LEVEL.fullmatch(labels[-1]) is not None


def ascii_domain(address: str) -> str:
    """The address with its domain in IDNA form (unchanged when already ASCII or not an address)."""
    local, at, domain = address.rpartition("@")
    return f"{local}@{_idna(domain) or domain}" if at else address
