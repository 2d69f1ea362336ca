"""The declaration table: every setting, once, as a field of its section's frozen dataclass.

A field `key: type = setting(default, help, check)` of the section dataclass named by a `Settings`
field is the setting `section.key`: its type is the annotation, its help the comment above it in
config.toml. `SETTINGS` is the same table as records, read off these classes (see setting_fields).
Loading and validation live in `survey_app.core.config`, which re-exports all of this.
"""

from __future__ import annotations

import typing
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, fields
from typing import Any

from survey_app.core.setting_fields import (
    STRINGS,
    Setting,
    base_url,
    between,
    declared,
    email,
    one_of,
    setting,
    subset_of,
    timezone_name,
)

SUPPORTED_LANGUAGES = ("fr", "nl", "en")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class DatabaseSettings:
    """Where the data lives."""

    path: str = setting(
        "instance/vises.db",
        "SQLite database file; a relative path is relative to this file. Its folder is the instance "
        "folder (generated secret key, rendered charts).",
    )


@dataclass(frozen=True)
class ServerSettings:
    """The web server."""

    host: str = setting("127.0.0.1", "Address the web server listens on.")
    port: int = setting(5000, "Port the web server listens on.", between(1, 65535))
    threads: int = setting(8, "Worker threads of the embedded waitress server.", between(1, 64))
    base_url: str = setting(
        "http://127.0.0.1:5000",
        "Public address used in survey links, QR codes and e-mails. Use https:// in production: "
        "it turns on HSTS and Secure cookies.",
        base_url,
    )
    proxy_hops: int = setting(
        0,
        "Number of reverse proxies in front of the app (1 behind nginx). Their X-Forwarded-For "
        "and X-Forwarded-Proto headers are then trusted, so rate limits see each client's own "
        "address. Keep 0 without a proxy: clients could otherwise forge their address.",
        between(0, 5),
    )
    secret_key: str = setting(
        "",
        "Key that signs sessions and CSRF tokens. Leave empty to generate one on first start, "
        "kept in the instance folder (file secret_key, owner-only permissions).",
        secret=True,
    )


@dataclass(frozen=True)
class I18nSettings:
    """Languages and time."""

    languages: STRINGS = setting(
        SUPPORTED_LANGUAGES, "Languages offered to users (fr, nl, en).", subset_of(SUPPORTED_LANGUAGES)
    )
    default_language: str = setting(
        "fr",
        "Language used when neither the link, a cookie nor the browser says otherwise.",
        one_of(SUPPORTED_LANGUAGES),
    )
    timezone: str = setting(
        "Europe/Brussels", "Timezone for campaign dates, the weekly schedule and displayed times.", timezone_name
    )


@dataclass(frozen=True)
class PrivacySettings:
    """Thresholds that keep small groups anonymous."""

    min_group_size: int = setting(
        5, "Smallest number of respondents behind any figure shown, exported or charted.", between(2, 100)
    )
    min_peers: int = setting(5, "Smallest number of peer enterprises for a benchmark to be shown.", between(3, 100))


@dataclass(frozen=True)
class ScheduleSettings:
    """The weekly indicator refresh."""

    enabled: bool = setting(
        True,
        "Run the weekly refresh inside `vises serve`. Set false when a separate `vises scheduler` process runs it.",
    )
    day_of_week: str = setting(
        "mon", "Day of the weekly refresh: mon, tue, wed, thu, fri, sat or sun.", one_of(WEEKDAYS)
    )
    hour: int = setting(
        6,
        "Hour of the weekly refresh, in i18n.timezone (avoid 01-03: daylight-saving changes).",
        between(0, 23),
    )
    minute: int = setting(0, "Minute of the weekly refresh.", between(0, 59))


@dataclass(frozen=True)
class SmtpSettings:
    """Outgoing mail for invitations, reminders and digests."""

    host: str = setting("localhost", "SMTP server.")
    port: int = setting(25, "SMTP port (587 with STARTTLS, 465 with TLS).", between(1, 65535))
    security: str = setting("none", "Connection security: none, starttls or tls.", one_of(("none", "starttls", "tls")))
    username: str = setting("", "SMTP login; empty for none.")
    password: str = setting("", "SMTP password; empty for none.", secret=True)
    sender: str = setting("vises@localhost", "From address of e-mails sent.", email)


@dataclass(frozen=True)
class SecuritySettings:
    """Back-office sessions and sign-in."""

    session_idle_minutes: int = setting(
        60, "A back-office session ends after this many minutes without activity.", between(5, 1440)
    )
    session_absolute_hours: int = setting(
        12, "A back-office session ends this many hours after sign-in, whatever the activity.", between(1, 168)
    )
    login_attempts: int = setting(
        5,
        "Sign-in attempts allowed per account and address in 15 minutes. An address gets ten times more "
        "over all accounts; beyond ten times, attempts on one account are slowed down (never locked).",
        between(3, 100),
    )


@dataclass(frozen=True)
class InvitationSettings:
    """Invitations sent by e-mail."""

    reminder_days_before_close: int = setting(
        0,
        "Send an automatic reminder to invited people who have not answered this many days before a "
        "campaign closes (0: never; reminders are then sent by hand from the campaign page).",
        between(0, 60),
    )


@dataclass(frozen=True)
class RetentionSettings:
    """How long personal data is kept (`vises purge`, and after each weekly refresh)."""

    draft_days: int = setting(
        60, "Unfinished answers (drafts) untouched for this many days are deleted.", between(1, 3650)
    )
    email_days_after_close: int = setting(
        90,
        "E-mail addresses of invited people are deleted this many days after their campaign closes "
        "(personal data is kept no longer than needed).",
        between(0, 3650),
    )
    export_file_hours: int = setting(
        24,
        "Response exports prepared in the background (XLSX, large CSV) can be downloaded for this many "
        "hours; then the file is deleted.",
        between(1, 720),
    )


@dataclass(frozen=True)
class DigestSettings:
    """The weekly summary e-mail to managers."""

    enabled: bool = setting(
        False,
        "After each scheduled refresh, e-mail every manager a weekly summary (new responses per "
        "campaign, indicators that changed) in their language. Uses the [smtp] settings.",
    )


@dataclass(frozen=True)
class Settings(Mapping[str, Any]):
    """Every setting, by section (`settings.schedule.hour`); frozen, so safe to share across threads.

    Also a read-only mapping by dotted name (`settings["schedule.hour"]`), kept for the web code
    until it moves to attribute access; the pipeline and new code use the attributes.
    """

    database: DatabaseSettings = field(default_factory=DatabaseSettings)
    server: ServerSettings = field(default_factory=ServerSettings)
    i18n: I18nSettings = field(default_factory=I18nSettings)
    privacy: PrivacySettings = field(default_factory=PrivacySettings)
    schedule: ScheduleSettings = field(default_factory=ScheduleSettings)
    smtp: SmtpSettings = field(default_factory=SmtpSettings)
    security: SecuritySettings = field(default_factory=SecuritySettings)
    invitations: InvitationSettings = field(default_factory=InvitationSettings)
    retention: RetentionSettings = field(default_factory=RetentionSettings)
    digest: DigestSettings = field(default_factory=DigestSettings)

    def __getitem__(self, name: str) -> Any:
        if name not in BY_NAME:
            raise KeyError(name)
        section, key = name.split(".", 1)
        return getattr(getattr(self, section), key)

    def __iter__(self) -> Iterator[str]:
        return iter(BY_NAME)

    def __len__(self) -> int:
        return len(BY_NAME)

    def override(self, values: Mapping[str, Any], source: str = "settings overrides") -> Settings:
        """A copy with some settings changed (dotted names), validated like the file."""
        from survey_app.core.config import validate  # config builds on this module

        return validate({**self, **values}, source)


# section name -> its dataclass, in config.toml's order; then the declaration table read off them.
SECTIONS: dict[str, type] = {f.name: typing.get_type_hints(Settings)[f.name] for f in fields(Settings)}
SETTINGS: tuple[Setting, ...] = tuple(s for name, cls in SECTIONS.items() for s in declared(name, cls))
BY_NAME = {s.name: s for s in SETTINGS}
