"""Two-factor sign-in with time-based one-time codes (TOTP, RFC 6238, through pyotp) and recovery codes.

A secret is drawn when a user starts enrolling (kept in their session meanwhile, so showing the
page writes nothing) and stored once a first code matches. A code
is accepted for its 30-second step and the steps either side (clocks drift), and only if its step
comes after the last one used: a code seen once (over a shoulder, in a proxy log) is refused for
the rest of its window. Recovery codes are shown once, kept as SHA-256 hashes, each usable once.
Secrets are stored encrypted with a key outside the database (totp_secrets.py).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import datetime

import pyotp
import segno
from markupsafe import Markup
from sqlite_utils import Database

from survey_app.accounts import totp_secrets
from survey_app.core.config import Settings
from survey_app.core.timeutil import iso_utc
from survey_app.storage.db import write_transaction

ISSUER = "VISES"
RECOVERY_CODES = 10
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: easy to copy from paper


def required_for(settings: Settings, role: str) -> bool:
    return settings.security.two_factor_admins if role == "admin" else settings.security.two_factor_managers


def enrolled(db: Database, user_id: int) -> bool:
    return db.execute("SELECT 1 FROM user_totp WHERE user_id = ?", [user_id]).fetchone() is not None


def new_secret() -> str:
    return pyotp.random_base32()  # 160 bits from `secrets`


def provisioning_uri(secret: str, email: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=ISSUER)


def qr_svg(uri: str) -> Markup:
    """The enrolment QR code as inline SVG, drawn here (the secret never leaves the app)."""
    return Markup(segno.make(uri, error="m").svg_inline(scale=4, border=2, omitsize=True, title="QR code"))


def matching_step(secret: str, code: str, now: datetime, after: int) -> int | None:
    """The time step (now, or one either side) whose code is `code`, if it comes after `after`."""
    code = re.sub(r"\s", "", code or "")
    if not re.fullmatch(r"\d{6}", code):
        return None
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now)
    for step in (current - 1, current, current + 1):
        if step > after and hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def verify(db: Database, settings: Settings, user_id: int, code: str, now: datetime) -> bool:
    """Whether `code` is valid now for the user's secret; using it burns its step."""
    row = db.execute("SELECT secret, last_step FROM user_totp WHERE user_id = ?", [user_id]).fetchone()
    secret = totp_secrets.unseal(settings, row[0]) if row else None
    step = matching_step(secret, code, now, row[1]) if row and secret else None
    if step is None or secret is None:
        return False
    with write_transaction(db):
        # The condition makes the check-and-burn atomic: two requests with one code, one wins.
        burnt = db.execute(
            "UPDATE user_totp SET last_step = ? WHERE user_id = ? AND last_step < ?", [step, user_id, step]
        )
        if burnt.rowcount == 1 and not totp_secrets.is_sealed(row[0]):  # enrolled before secrets were sealed
            db.execute(
                "UPDATE user_totp SET secret = ? WHERE user_id = ?", [totp_secrets.seal(settings, secret), user_id]
            )
        return burnt.rowcount == 1


def confirm(db: Database, settings: Settings, user_id: int, secret: str, code: str, now: datetime) -> list[str] | None:
    """Enrol `secret` (kept in the user's session while enrolling) once a first code matches;
    return the recovery codes (shown once), or None. The secret is stored sealed (totp_secrets)."""
    step = matching_step(secret, code, now, 0)
    if step is None:
        return None
    with write_transaction(db):
        db.execute(
            "INSERT OR REPLACE INTO user_totp (user_id, secret, created_at, confirmed_at, last_step) "
            "VALUES (?, ?, ?, ?, ?)",
            [user_id, totp_secrets.seal(settings, secret), iso_utc(now), iso_utc(now), step],
        )
        return new_recovery_codes(db, user_id)


def _code_hash(code: str) -> str:
    return hashlib.sha256(re.sub(r"[\s-]", "", code).lower().encode()).hexdigest()


def new_recovery_codes(db: Database, user_id: int) -> list[str]:
    """Replace the user's recovery codes with new ones (50 bits each) and return them."""
    codes = []
    for _ in range(RECOVERY_CODES):
        raw = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(10))
        codes.append(f"{raw[:5]}-{raw[5:]}")
    with write_transaction(db):
        db.execute("DELETE FROM recovery_code WHERE user_id = ?", [user_id])
        db.conn.executemany(
            "INSERT INTO recovery_code (user_id, code_hash) VALUES (?, ?)", [(user_id, _code_hash(c)) for c in codes]
        )
    return codes


def use_recovery_code(db: Database, user_id: int, code: str, now: datetime) -> bool:
    with write_transaction(db):
        return (
            db.execute(
                "UPDATE recovery_code SET used_at = ? WHERE user_id = ? AND code_hash = ? AND used_at IS NULL",
                [iso_utc(now), user_id, _code_hash(code)],
            ).rowcount
            == 1
        )


def recovery_codes_left(db: Database, user_id: int) -> int:
    return db.execute("SELECT count(*) FROM recovery_code WHERE user_id = ? AND used_at IS NULL", [user_id]).fetchone()[
        0
    ]


def disable(db: Database, user_id: int) -> None:
    with write_transaction(db):
        db.execute("DELETE FROM user_totp WHERE user_id = ?", [user_id])
        db.execute("DELETE FROM recovery_code WHERE user_id = ?", [user_id])
