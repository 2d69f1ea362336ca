"""User accounts: argon2id password hashes and one-time account links (setup, reset, invite).

Only a SHA-256 hash of a one-time token is stored, so a copy of the database cannot be used to
take over an account.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError
from sqlite_utils import Database

from survey_app.core.timeutil import iso_utc
from survey_app.storage.db import inserted_id, write_transaction

# OWASP minimum for argon2id: m=19 MiB, t=2, p=1 (tests/test_auth_accounts.py checks a hash made here).
PRODUCTION_HASHER = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1, type=Type.ID)
# The hasher new hashes are made with. Only the test suite swaps it (for a cheap one, tests/conftest.py):
# a check reads its parameters from the stored hash, so every hash verifies whichever made it.
password_hasher = PRODUCTION_HASHER
# Links go by e-mail: a reset link is used at once, a welcome link may wait for a busy week.
TOKEN_LIFETIME = {"setup": timedelta(days=7), "reset": timedelta(hours=1), "invite": timedelta(days=7)}
MIN_PASSWORD_LENGTH = 12
INVITED_ROLES = ("manager", "interviewer")  # admins are created by the first setup or the CLI


def hash_password(password: str) -> str:
    return password_hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    if not password_hash:
        # Spend the same time as a real check so unknown accounts cannot be told apart.
        password_hasher.hash(password)
        return False
    try:
        return password_hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def admin_exists(db: Database) -> bool:
    return db.execute("SELECT 1 FROM user WHERE role = 'admin' AND active = 1 LIMIT 1").fetchone() is not None


def create_user(
    db: Database, email: str, password: str | None, role: str, language: str, now: datetime, name: str = ""
) -> int:
    """Insert a user (inside the caller's transaction) and return its id."""
    cursor = db.execute(
        "INSERT INTO user (email, name, password_hash, role, language, created_at) VALUES (?, ?, ?, ?, ?, ?)",
        [email.strip(), name, hash_password(password) if password else None, role, language, iso_utc(now)],
    )
    return inserted_id(cursor)


def issue_token(db: Database, purpose: str, now: datetime, user_id: int | None = None) -> str:
    """Create a one-time link token (>= 256 bits) and return it; earlier unused ones stop working."""
    token = secrets.token_urlsafe(32)
    with write_transaction(db):
        db.execute(
            "DELETE FROM account_token WHERE purpose = ? AND user_id IS ? AND used_at IS NULL", [purpose, user_id]
        )
        db.execute(
            "INSERT INTO account_token (token_hash, purpose, user_id, created_at, expires_at) VALUES (?, ?, ?, ?, ?)",
            [token_hash(token), purpose, user_id, iso_utc(now), iso_utc(now + TOKEN_LIFETIME[purpose])],
        )
    return token


def find_token(db: Database, token: str, purpose: str, now: datetime) -> dict | None:
    """The unused, unexpired token row, or None."""
    row = db.execute(
        "SELECT token_hash, user_id FROM account_token WHERE token_hash = ? AND purpose = ? "
        "AND used_at IS NULL AND expires_at > ?",
        [token_hash(token), purpose, iso_utc(now)],
    ).fetchone()
    return {"token_hash": row[0], "user_id": row[1]} if row else None


def use_token(db: Database, token: str, purpose: str, now: datetime) -> bool:
    """Mark the token used (inside the caller's transaction); False if it was not valid any more."""
    cursor = db.execute(
        "UPDATE account_token SET used_at = ? WHERE token_hash = ? AND purpose = ? AND used_at IS NULL "
        "AND expires_at > ?",
        [iso_utc(now), token_hash(token), purpose, iso_utc(now)],
    )
    return cursor.rowcount == 1


def create_first_admin(db: Database, token: str, email: str, password: str, language: str, now: datetime) -> int | None:
    """Consume a setup token and create the first admin; None if the link was used or expired."""
    with write_transaction(db):
        if admin_exists(db) or not use_token(db, token, "setup", now):
            return None
        return create_user(db, email, password, "admin", language, now)


def find_user_by_email(db: Database, email: str) -> dict | None:
    rows = list(db.query("SELECT * FROM user WHERE email = ? AND active = 1", [email.strip()]))
    return rows[0] if rows else None


def password_hash_of(db: Database, user_id: int) -> str | None:
    row = db.execute("SELECT password_hash FROM user WHERE id = ?", [user_id]).fetchone()
    return row[0] if row else None


def set_password(db: Database, user_id: int, password: str) -> None:
    with write_transaction(db):
        db.execute("UPDATE user SET password_hash = ? WHERE id = ?", [hash_password(password), user_id])


def consume_password_token(db: Database, token: str, purpose: str, password: str, now: datetime) -> bool:
    """Use a reset or invitation link to set the password of its user; False if no longer valid."""
    password_hash = hash_password(password)
    with write_transaction(db):
        row = db.execute("SELECT user_id FROM account_token WHERE token_hash = ?", [token_hash(token)]).fetchone()
        if row is None or row[0] is None or not use_token(db, token, purpose, now):
            return False
        db.execute("UPDATE user SET password_hash = ? WHERE id = ?", [password_hash, row[0]])
    return True


def invite_manager(
    db: Database, email: str, name: str, language: str, enterprise_ids: list[int], now: datetime, role: str = "manager"
) -> tuple[int, str]:
    """Create a manager (or an interviewer) without password, with memberships; return (user id,
    one-time welcome token)."""
    if role not in INVITED_ROLES:
        raise ValueError(f"unknown role {role!r}")
    with write_transaction(db):
        user_id = create_user(db, email, None, role, language, now, name=name)
        set_memberships(db, user_id, enterprise_ids)
    return user_id, issue_token(db, "invite", now, user_id)


def set_memberships(db: Database, user_id: int, enterprise_ids: list[int]) -> None:
    """Replace a manager's enterprises (inside the caller's transaction)."""
    db.execute("DELETE FROM membership WHERE user_id = ?", [user_id])
    for enterprise_id in enterprise_ids:
        db.execute("INSERT INTO membership (user_id, enterprise_id) VALUES (?, ?)", [user_id, enterprise_id])
