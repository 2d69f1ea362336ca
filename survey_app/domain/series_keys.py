"""The secret of each follow-up series, kept as a file in the instance folder, never in the database.

`<instance>/series-keys/<series id>.key` holds 32 random bytes (hex), created 0600 on first use.
Without the file, no code can be hashed for the series and no stored hash can be tested against a
guess; deleting it is the erasure of the series' links (series.erase also deletes the hashes).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

FOLDER = "series-keys"


def key_path(instance: Path, series_id: int) -> Path:
    return instance / FOLDER / f"{int(series_id)}.key"


def load_or_create(instance: Path, series_id: int) -> bytes:
    """The series' key, created on first use (O_EXCL, so two processes agree on one key)."""
    path = key_path(instance, series_id)
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return bytes.fromhex(path.read_text().strip())
    with os.fdopen(fd, "w") as fh:
        fh.write(secrets.token_hex(32))
    return bytes.fromhex(path.read_text().strip())


def exists(instance: Path, series_id: int) -> bool:
    return key_path(instance, series_id).exists()


def destroy(instance: Path, series_id: int) -> None:
    """Delete the key file (no error when it is already gone)."""
    key_path(instance, series_id).unlink(missing_ok=True)
