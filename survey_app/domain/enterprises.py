"""Enterprises: creation and look-ups shared by the back office, the CLI and the demo loader."""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime

from sqlite_utils import Database

from survey_app.core.errors import VisesError
from survey_app.core.timeutil import iso_utc
from survey_app.storage.db import inserted_id, write_transaction

COUNTRIES = ("BE", "FR")


class UnknownEnterprise(VisesError, LookupError):
    """No enterprise answers to this slug."""


def slugify(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:60] or "enterprise"


def create_enterprise(
    db: Database,
    name: str,
    sector_group: str,
    country: str,
    default_language: str,
    now: datetime,
    region: str = "",
    slug: str | None = None,
    benchmark_consent: bool = True,
) -> int:
    """Insert an enterprise (inside the caller's transaction) with a unique slug; return its id."""
    base = slug or slugify(name)
    candidate, n = base, 1
    while db.execute("SELECT 1 FROM enterprise WHERE slug = ?", [candidate]).fetchone():
        n += 1
        candidate = f"{base}-{n}"
    cursor = db.execute(
        "INSERT INTO enterprise (slug, name, sector_group, country, region, default_language, "
        "benchmark_consent, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [candidate, name, sector_group, country, region, default_language, int(benchmark_consent), iso_utc(now)],
    )
    return inserted_id(cursor)


def enterprise_id(db: Database, slug: str) -> int:
    """The id of the enterprise with this slug; UnknownEnterprise when there is none."""
    row = db.execute("SELECT id FROM enterprise WHERE slug = ?", [slug]).fetchone()
    if row is None:
        raise UnknownEnterprise(f"No enterprise with slug {slug!r}. Fix: create it with `vises enterprise add`.")
    return int(row[0])


EDITABLE = ("name", "sector_group", "country", "region", "default_language", "benchmark_consent")


def update_enterprise(db: Database, enterprise_id: int, **fields) -> None:
    """Change some of an enterprise's fields (the slug stays: links and files may use it)."""
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    values = {k: int(v) if isinstance(v, bool) else v for k, v in fields.items()}
    with write_transaction(db):
        db.execute(
            f"UPDATE enterprise SET {', '.join(f'{k} = ?' for k in values)} WHERE id = ?",
            [*values.values(), enterprise_id],
        )
