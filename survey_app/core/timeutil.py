"""Time helpers. `now_utc()` is the only place that reads the wall clock; everything else takes
`now` as an argument, so tests can pass fixed times (and freeze the clock only at the edges).
Instants are stored in UTC; `to_utc`/`to_local` convert the wall-clock times people type and read."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo


def now_utc() -> datetime:
    return datetime.now(UTC)


def iso_utc(moment: datetime) -> str:
    """Store instants as UTC ISO-8601 text ending in Z, so text order is time order."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_iso(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def to_utc(local: datetime, timezone_name: str) -> datetime:
    """A wall-clock date-time in a timezone (a campaign's) as an aware UTC instant."""
    return local.replace(tzinfo=ZoneInfo(timezone_name)).astimezone(ZoneInfo("UTC"))


def to_local(stored: str, timezone_name: str) -> datetime:
    """A stored UTC instant as a naive wall-clock date-time in a timezone (a campaign's)."""
    return parse_iso(stored).astimezone(ZoneInfo(timezone_name)).replace(tzinfo=None)


def iso_week(day: date) -> str:
    """The ISO week of a day, written "2026-W10": all a response keeps of when it was sent."""
    year, week, _weekday = day.isocalendar()
    return f"{year}-W{week:02d}"


def local_week(moment: datetime, timezone_name: str) -> str:
    """The ISO week of an instant as seen in a timezone (a campaign's)."""
    return iso_week(moment.astimezone(ZoneInfo(timezone_name)).date())
