"""Time helpers. `now_utc()` is the only place that reads the wall clock; everything else takes
`now` as an argument, so tests can pass fixed times (and freeze the clock only at the edges)."""

from __future__ import annotations

from datetime import UTC, datetime


def now_utc() -> datetime:
    return datetime.now(UTC)


def iso_utc(moment: datetime) -> str:
    """Store instants as UTC ISO-8601 text ending in Z, so text order is time order."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_iso(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))
