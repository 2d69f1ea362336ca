"""Uploaded XLSForm workbooks, kept between the preview and the registration in the instance
folder under a random name (the admin's form carries that name; nothing else links to it).
Uploads older than a day are removed at the next upload.
"""

from __future__ import annotations

import re
import secrets
import time
from pathlib import Path

from flask import current_app

from survey_app.core.config import instance_folder

MAX_WORKBOOK_BYTES = 2 * 1024 * 1024  # the largest real form of the corpus weighs 270 KB
MAX_AGE_SECONDS = 24 * 3600
TOKEN = re.compile(r"[A-Za-z0-9_-]{22}")


def folder() -> Path:
    return instance_folder(current_app.config["SETTINGS"]) / "xlsform_uploads"


def save(data: bytes, now: float | None = None) -> str:
    """Keep an upload; returns its token (128 random bits)."""
    target = folder()
    target.mkdir(parents=True, exist_ok=True)
    _purge(target, time.time() if now is None else now)
    token = secrets.token_urlsafe(16)
    (target / f"{token}.xlsx").write_bytes(data)
    return token


def load(token: str) -> bytes | None:
    if not TOKEN.fullmatch(token or ""):
        return None
    path = folder() / f"{token}.xlsx"
    return path.read_bytes() if path.is_file() else None


def discard(token: str) -> None:
    if TOKEN.fullmatch(token or ""):
        (folder() / f"{token}.xlsx").unlink(missing_ok=True)


def _purge(target: Path, now: float) -> None:
    for path in target.glob("*.xlsx"):
        if now - path.stat().st_mtime > MAX_AGE_SECONDS:
            path.unlink(missing_ok=True)
