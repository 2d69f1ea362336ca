"""Two-step sign-in secrets at rest: encrypted with a key kept in the instance folder, never in the database.

A copy of the database (a backup sent elsewhere, a stolen file) then holds no usable second
factor: with the password hashes it would otherwise be enough to compute every enrolled user's
codes. The key is `<instance folder>/totp.key` (created 0600 on first use, beside the database
but not inside it: `vises backup` copies the database only, docs/operations.md says to keep the
key apart). Encryption is Fernet (AES-128-CBC with HMAC-SHA256, from `cryptography`): a secret
that was changed or sealed with another key is refused, never half-read.

Secrets enrolled before this module stored in clear; they are read as they are and sealed at
their next successful use (`totp.verify`).
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken

from survey_app.core.config import Settings, instance_folder

PREFIX = "fernet:"  # a stored secret without it is a clear one from before sealing
KEY_FILE = "totp.key"
log = logging.getLogger(__name__)
_keys: dict[Path, Fernet] = {}  # read once per process and key file


def key_path(settings: Settings) -> Path:
    return instance_folder(settings) / KEY_FILE


def _vault(settings: Settings) -> Fernet:
    path = key_path(settings)
    if path not in _keys:
        path.parent.mkdir(parents=True, exist_ok=True)
        try:  # O_EXCL: of two processes starting together, one writes the key and both read it
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "wb") as out:
                out.write(Fernet.generate_key())
        _keys[path] = Fernet(path.read_bytes().strip())
    return _keys[path]


def is_sealed(stored: str) -> bool:
    return stored.startswith(PREFIX)


def seal(settings: Settings, secret: str) -> str:
    """The secret as stored: encrypted, prefixed."""
    return PREFIX + _vault(settings).encrypt(secret.encode()).decode("ascii")


def unseal(settings: Settings, stored: str) -> str | None:
    """The secret behind a stored value; None when the key cannot open it (key file lost or replaced):
    the user then signs in with a recovery code, or an administrator removes two-step sign-in."""
    if not is_sealed(stored):
        return stored
    try:
        return _vault(settings).decrypt(stored[len(PREFIX) :].encode("ascii")).decode()
    except InvalidToken:
        log.warning("a two-step sign-in secret cannot be opened with %s: was the key file replaced?", KEY_FILE)
        return None
