"""Settings: declared once here, read from config.toml, validated at start-up.

Every setting has a dotted name (`section.key` in the TOML file), a type, a default and a help
text. Loading rejects unknown keys, wrong types and impossible values with a `ConfigError` that
names the file, the key and the fix, so a typo stops start-up instead of silently using a default.
"""

from __future__ import annotations

import os
import re
import secrets
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from survey_app.core.addresses import is_email
from survey_app.core.errors import VisesError

SUPPORTED_LANGUAGES = ("fr", "nl", "en")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
ROOT_CONFIG = Path(__file__).resolve().parents[2] / "config.toml"


class ConfigError(VisesError):
    """A setting is unknown, of the wrong type or impossible; the message says how to fix it."""


Check = Callable[[Any], "str | None"]


@dataclass(frozen=True)
class Setting:
    name: str
    type: type
    default: Any
    help: str
    check: Check | None = None

    @property
    def section(self) -> str:
        return self.name.split(".")[0]

    @property
    def key(self) -> str:
        return self.name.split(".", 1)[1]


def _between(low: int, high: int) -> Check:
    return lambda v: None if low <= v <= high else f"must be between {low} and {high}"


def _timezone(value: str) -> str | None:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        return "must be an IANA timezone name such as 'Europe/Brussels' or 'Europe/Paris'"
    return None


def _languages(value: list) -> str | None:
    unknown = [v for v in value if v not in SUPPORTED_LANGUAGES]
    if unknown or not value:
        return f"must be a non-empty list taken from {list(SUPPORTED_LANGUAGES)} (unknown: {unknown})"
    return None


def _base_url(value: str) -> str | None:
    if not re.fullmatch(r"https?://[^\s/]+(/[^\s]*)?", value):
        return "must be an absolute http:// or https:// address, such as 'https://survey.example.org'"
    return None


def _one_of(choices: tuple[str, ...]) -> Check:
    return lambda v: None if v in choices else f"must be one of {list(choices)}"


def _email(value: str) -> str | None:
    return None if is_email(value, dotless_domain=True) else "must be an e-mail address"


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "database.path",
        str,
        "instance/vises.db",
        "SQLite database file; relative paths are relative to the config file. Its folder is "
        "the instance folder (secret key, charts).",
    ),
    Setting("server.host", str, "127.0.0.1", "Address the web server listens on."),
    Setting("server.port", int, 5000, "Port the web server listens on.", _between(1, 65535)),
    Setting("server.threads", int, 8, "Worker threads of the embedded waitress server.", _between(1, 64)),
    Setting(
        "server.base_url",
        str,
        "http://127.0.0.1:5000",
        "Public address used in survey links, QR codes and e-mails. Use https:// in production: "
        "it turns on HSTS and Secure cookies.",
        _base_url,
    ),
    Setting(
        "server.proxy_hops",
        int,
        0,
        "Number of reverse proxies in front of the app (1 behind nginx). Their X-Forwarded-For "
        "and X-Forwarded-Proto headers are then trusted, so rate limits see each client's own "
        "address. Keep 0 without a proxy: clients could otherwise forge their address.",
        _between(0, 5),
    ),
    Setting(
        "server.secret_key",
        str,
        "",
        "Key that signs sessions and CSRF tokens. Leave empty to generate one on first start, "
        "kept in the instance folder with owner-only permissions.",
    ),
    Setting("i18n.languages", list, ["fr", "nl", "en"], "Languages offered to users.", _languages),
    Setting(
        "i18n.default_language",
        str,
        "fr",
        "Language used when neither the link, a cookie nor the browser says otherwise.",
        _one_of(SUPPORTED_LANGUAGES),
    ),
    Setting(
        "i18n.timezone",
        str,
        "Europe/Brussels",
        "Timezone for campaign dates, the weekly schedule and displayed times.",
        _timezone,
    ),
    Setting(
        "privacy.min_group_size",
        int,
        5,
        "Smallest number of respondents behind any figure shown, exported or charted.",
        _between(2, 100),
    ),
    Setting(
        "privacy.min_peers",
        int,
        5,
        "Smallest number of peer enterprises for a benchmark to be shown.",
        _between(3, 100),
    ),
    Setting("schedule.enabled", bool, True, "Run the weekly indicator refresh in the server process."),
    Setting("schedule.day_of_week", str, "mon", "Day of the weekly refresh.", _one_of(WEEKDAYS)),
    Setting(
        "schedule.hour",
        int,
        6,
        "Hour of the weekly refresh, in i18n.timezone (avoid 01-03: daylight-saving changes).",
        _between(0, 23),
    ),
    Setting("schedule.minute", int, 0, "Minute of the weekly refresh.", _between(0, 59)),
    Setting("smtp.host", str, "localhost", "SMTP server for invitations and digests."),
    Setting("smtp.port", int, 25, "SMTP port (587 with STARTTLS, 465 with TLS).", _between(1, 65535)),
    Setting(
        "smtp.security",
        str,
        "none",
        "Connection security: none, starttls or tls.",
        _one_of(("none", "starttls", "tls")),
    ),
    Setting("smtp.username", str, "", "SMTP login; empty for none."),
    Setting("smtp.password", str, "", "SMTP password; empty for none."),
    Setting("smtp.sender", str, "vises@localhost", "From address of e-mails sent.", _email),
    Setting(
        "security.session_idle_minutes",
        int,
        60,
        "A back-office session ends after this many minutes without activity.",
        _between(5, 1440),
    ),
    Setting(
        "security.session_absolute_hours",
        int,
        12,
        "A back-office session ends this many hours after sign-in, whatever the activity.",
        _between(1, 168),
    ),
    Setting(
        "security.login_attempts",
        int,
        5,
        "Sign-in attempts allowed per account and address in 15 minutes (an address gets ten "
        "times more over all accounts; beyond ten times, attempts on one account are slowed down).",
        _between(3, 100),
    ),
    Setting(
        "retention.draft_days",
        int,
        60,
        "Unfinished answers (drafts) untouched for this many days are deleted.",
        _between(1, 3650),
    ),
    Setting(
        "retention.email_days_after_close",
        int,
        90,
        "E-mail addresses of invited people are deleted this many days after their campaign "
        "closes (personal data is kept no longer than needed).",
        _between(0, 3650),
    ),
    Setting(
        "invitations.reminder_days_before_close",
        int,
        0,
        "Send an automatic reminder to invited people who have not answered this many days "
        "before a campaign closes (0: never; reminders are then sent by hand).",
        _between(0, 60),
    ),
    Setting(
        "digest.enabled",
        bool,
        False,
        "After each scheduled refresh, e-mail every manager a weekly summary (new responses, "
        "changed indicators) in their language.",
    ),
)

BY_NAME = {s.name: s for s in SETTINGS}


def _type_name(value: Any) -> str:
    return {
        bool: "true/false",
        int: "a whole number",
        str: "a quoted string",
        list: "a list",
        float: "a number",
        dict: "a table",
    }.get(type(value), type(value).__name__)


def _check_type(setting: Setting, value: Any) -> bool:
    if setting.type is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if setting.type is list:
        return isinstance(value, list) and all(isinstance(v, str) for v in value)
    return isinstance(value, setting.type)


def _example(setting: Setting) -> str:
    default = setting.default
    if isinstance(default, bool):
        text = "true" if default else "false"
    elif isinstance(default, str):
        text = f'"{default}"'
    elif isinstance(default, list):
        text = "[" + ", ".join(f'"{v}"' for v in default) + "]"
    else:
        text = str(default)
    return f"[{setting.section}] {setting.key} = {text}"


def validate(values: dict[str, Any], source: str) -> dict[str, Any]:
    """Return the full settings dict (defaults + values) or raise ConfigError naming the fix."""
    settings = {s.name: s.default for s in SETTINGS}
    for name, value in values.items():
        setting = BY_NAME.get(name)
        if setting is None:
            known = ", ".join(sorted(BY_NAME))
            raise ConfigError(
                f"{source}: unknown setting '{name}'. Fix: remove it or correct the "
                f"spelling; known settings are {known}."
            )
        if not _check_type(setting, value):
            raise ConfigError(
                f"{source}: setting '{name}' must be {_type_name(setting.default)}, "
                f"got {value!r} ({_type_name(value)}). Fix: {_example(setting)}"
            )
        problem = setting.check(value) if setting.check else None
        if problem:
            raise ConfigError(f"{source}: setting '{name}' = {value!r} {problem}. Fix: for example {_example(setting)}")
        settings[name] = value
    if settings["i18n.default_language"] not in settings["i18n.languages"]:
        raise ConfigError(
            f"{source}: setting 'i18n.default_language' = "
            f"{settings['i18n.default_language']!r} is not in i18n.languages "
            f"{settings['i18n.languages']}. Fix: add it to i18n.languages or choose one of them."
        )
    return settings


def flatten(tree: dict[str, Any], source: str) -> dict[str, Any]:
    """Turn {section: {key: value}} into {"section.key": value}, rejecting stray top-level keys."""
    flat: dict[str, Any] = {}
    for section, body in tree.items():
        if not isinstance(body, dict):
            raise ConfigError(
                f"{source}: '{section}' must be a [section] table. Fix: put settings "
                f"under a section header such as [server]; see the bundled config.toml."
            )
        for key, value in body.items():
            flat[f"{section}.{key}"] = value
    return flat


def config_path() -> Path:
    return Path(os.environ.get("VISES_CONFIG") or ROOT_CONFIG).resolve()


def load(path: Path | None = None, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """Read and validate a config file, then `overrides` (dotted names, validated alike).

    Relative paths are resolved against the config file's folder.
    """
    path = path or config_path()
    try:
        with open(path, "rb") as fh:
            tree = tomllib.load(fh)
    except FileNotFoundError:
        raise ConfigError(
            f"{path}: file not found. Fix: create it (copy the bundled config.toml) "
            f"or point VISES_CONFIG at an existing file."
        ) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc}). Fix: correct the syntax at that line.") from None
    values = flatten(tree, str(path))
    validate(values, str(path))
    settings = validate({**values, **(overrides or {})}, "configuration overrides")
    settings["database.path"] = str((path.parent / settings["database.path"]).resolve())
    return settings


def instance_folder(settings: dict[str, Any]) -> Path:
    return Path(settings["database.path"]).parent


def ensure_secret_key(settings: dict[str, Any]) -> str:
    """Return the configured key, or the one kept in the instance folder (created 0600 on first use)."""
    if settings["server.secret_key"]:
        return settings["server.secret_key"]
    folder = instance_folder(settings)
    folder.mkdir(parents=True, exist_ok=True)
    key_file = folder / "secret_key"
    try:
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return key_file.read_text().strip()
    with os.fdopen(fd, "w") as fh:
        fh.write(secrets.token_urlsafe(48))
    return key_file.read_text().strip()
