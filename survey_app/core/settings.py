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
    host_names,
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
    extra_hosts: STRINGS = setting(
        (),
        "Host names the server also answers to besides the one of base_url (an internal name, an address), "
        'for example ["vises.internal"]; a leading dot accepts every subdomain. localhost and 127.0.0.1 are '
        "always accepted. Any other Host header gets 400, so no page builds a link to a host someone else chose.",
        host_names,
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
        "Run the scheduler inside `vises serve`: the weekly refresh, the delivery of queued e-mails and the "
        "automatic reminders. Set false when a separate `vises scheduler` process runs it (one of the two must run, "
        "or no e-mail goes out).",
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
    scoring_helper: bool = setting(
        True,
        "Score a large batch of responses (a --full rebuild, or 80,000 new ones) on two cores: a helper process "
        "takes every other chunk. Set false on a one-core machine or where the pipeline may not start processes.",
    )
    scoring_every_minutes: int = setting(
        15,
        "Minutes between two scoring batches: new responses are scored and added to the kept sums as they come, "
        "so the weekly refresh only reads sums. 0: score them in the weekly refresh only.",
        between(0, 1440),
    )


@dataclass(frozen=True)
class SmtpSettings:
    """Outgoing mail for invitations, reminders and digests."""

    host: str = setting("localhost", "SMTP server.")
    port: int = setting(25, "SMTP port (587 with STARTTLS, 465 with TLS).", between(1, 65535))
    security: str = setting("none", "Connection security: none, starttls or tls.", one_of(("none", "starttls", "tls")))
    username: str = setting("", "SMTP login; empty for none.")
    password: str = setting("", "SMTP password; empty for none.", secret=True)
    sender: str = setting("vises@localhost", "From address of e-mails sent.", email)
    per_minute: int = setting(
        120,
        "At most this many e-mails are handed to the SMTP server per minute (ask your provider for its "
        "limit). E-mails wait in the outbox meanwhile; the scheduler delivers them every 30 seconds.",
        between(1, 10000),
    )
    max_attempts: int = setting(
        10,
        "Attempts for one e-mail the server refuses for a while (4xx) before it is recorded as failed; "
        "the wait doubles after each (1 minute, 2, 4... at most an hour). A server that does not answer "
        "at all only pauses delivery: nothing is lost.",
        between(1, 50),
    )


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
    two_factor_admins: bool = setting(
        True,
        "Administrators sign in with a one-time code from an authenticator app as well as their password; "
        "one without it is led to set it up at sign-in.",
    )
    two_factor_managers: bool = setting(
        False,
        "Managers must sign in with a one-time code too (they may always turn it on for themselves).",
    )


@dataclass(frozen=True)
class InvitationSettings:
    """Invitations sent by e-mail: the reminders proposed for a new campaign."""

    reminder_count: int = setting(
        2,
        "Automatic reminders proposed for a new campaign (0 to 5; each campaign can change it). They go "
        "to invited people who have not answered.",
        between(0, 5),
    )
    reminder_interval_days: int = setting(
        7, "Days proposed between the invitation and the first reminder, and between reminders.", between(1, 60)
    )
    reminder_days_before_close: int = setting(
        2, "No automatic reminder is proposed later than this many days before a campaign closes.", between(0, 60)
    )


@dataclass(frozen=True)
class KioskSettings:
    """Shared tablets (kiosk links): each person starts afresh, idle answers are cleared."""

    hourly_limit: int = setting(
        30, "Ceiling of responses per hour proposed for a new tablet (each tablet has its own).", between(1, 1000)
    )
    idle_seconds: int = setting(
        90,
        "A warning appears after this many seconds without activity on a tablet (without JavaScript: "
        "this long after the page was shown).",
        between(15, 3600),
    )
    warning_seconds: int = setting(
        30, "After the warning, the answers are cleared and the tablet goes back to the start.", between(5, 600)
    )
    thanks_seconds: int = setting(
        8, "The thank-you page goes back to the start after this many seconds.", between(3, 120)
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
    outbox_days: int = setting(
        7,
        "Delivered, failed and cancelled e-mails leave the outbox after this many days (a delivered "
        "e-mail's address and text are cleared at once).",
        between(1, 365),
    )
    audit_days: int = setting(
        730,
        "Entries of the audit trail (who changed what in the back office) are kept this many days.",
        between(30, 3650),
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
class ReportSettings:
    """The printable valorisation report."""

    paper: str = setting(
        "a4",
        "Paper size of the PDF report: a4 or letter (a reader may also ask for the other with ?paper=).",
        one_of(("a4", "letter")),
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
    kiosk: KioskSettings = field(default_factory=KioskSettings)
    retention: RetentionSettings = field(default_factory=RetentionSettings)
    digest: DigestSettings = field(default_factory=DigestSettings)
    report: ReportSettings = field(default_factory=ReportSettings)

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
