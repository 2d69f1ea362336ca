"""Settings: declared once (survey_app.core.settings), read from config.toml, validated at start-up.

Code gets a typed, frozen `Settings` object and reads `settings.server.port`; the web code may still
read `settings["server.port"]` (a read-only view by dotted name). Loading rejects unknown keys, wrong
types and impossible values with a `ConfigError` that names the file, the key and the fix, so a typo
stops start-up instead of silently using a default. `template()` writes config.toml from the
declarations, so its comments are the settings' help.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from survey_app.core.errors import VisesError
from survey_app.core.setting_fields import Setting, accepts, coerce, comment, toml_value, type_name
from survey_app.core.settings import BY_NAME, SECTIONS, SETTINGS, SUPPORTED_LANGUAGES, WEEKDAYS, Settings
from survey_app.core.toml_files import TomlProblem, read_toml

# The declarations are re-exported: code imports settings things from here.
__all__ = [
    "BY_NAME",
    "SETTINGS",
    "SUPPORTED_LANGUAGES",
    "WEEKDAYS",
    "Setting",
    "Settings",
    "ROOT_CONFIG",
    "ConfigError",
    "validate",
    "flatten",
    "config_path",
    "load",
    "instance_folder",
    "ensure_secret_key",
    "template",
]

ROOT_CONFIG = Path(__file__).resolve().parents[2] / "config.toml"


class ConfigError(VisesError):
    """A setting is unknown, of the wrong type or impossible; the message says how to fix it."""


def _example(setting: Setting) -> str:
    return f"[{setting.section}] {setting.key} = {toml_value(setting.default)}"


def validate(values: Mapping[str, Any], source: str) -> Settings:
    """The settings with `values` (dotted names) over the defaults, or ConfigError naming the fix."""
    settings = {s.name: s.default for s in SETTINGS}
    for name, value in values.items():
        setting = BY_NAME.get(name)
        if setting is None:
            known = ", ".join(sorted(BY_NAME))
            raise ConfigError(
                f"{source}: unknown setting '{name}'. Fix: remove it or correct the "
                f"spelling; known settings are {known}."
            )
        if not accepts(setting, value):
            raise ConfigError(
                f"{source}: setting '{name}' must be {type_name(setting.default)}, "
                f"got {value!r} ({type_name(value)}). Fix: {_example(setting)}"
            )
        problem = setting.check(value) if setting.check else None
        if problem:
            raise ConfigError(f"{source}: setting '{name}' = {value!r} {problem}. Fix: for example {_example(setting)}")
        settings[name] = coerce(setting, value)
    if settings["i18n.default_language"] not in settings["i18n.languages"]:
        raise ConfigError(
            f"{source}: setting 'i18n.default_language' = "
            f"{settings['i18n.default_language']!r} is not in i18n.languages "
            f"{list(settings['i18n.languages'])}. Fix: add it to i18n.languages or choose one of them."
        )
    sections = {
        name: cls(**{s.key: settings[s.name] for s in SETTINGS if s.section == name}) for name, cls in SECTIONS.items()
    }
    return Settings(**sections)


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


def load(path: Path | None = None, overrides: Mapping[str, Any] | None = None) -> Settings:
    """Read and validate a config file, then `overrides` (dotted names, validated alike).

    Relative paths are resolved against the config file's folder.
    """
    path = path or config_path()
    try:
        tree = read_toml(path.read_bytes(), str(path))
    except FileNotFoundError:
        raise ConfigError(
            f"{path}: file not found. Fix: create it (copy the bundled config.toml) "
            f"or point VISES_CONFIG at an existing file."
        ) from None
    except TomlProblem as exc:
        raise ConfigError(f"{path}: {exc.problem}. Fix: {exc.fix}.") from None
    values = flatten(tree, str(path))
    validate(values, str(path))
    settings = validate({**values, **(overrides or {})}, "configuration overrides")
    database = replace(settings.database, path=str((path.parent / settings.database.path).resolve()))
    return replace(settings, database=database)


def instance_folder(settings: Settings) -> Path:
    return Path(settings.database.path).parent


def ensure_secret_key(settings: Settings) -> str:
    """Return the configured key, or the one kept in the instance folder (created 0600 on first use)."""
    if settings.server.secret_key:
        return settings.server.secret_key
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


TEMPLATE_HEADER = (
    "VISES Impact Survey configuration. Every setting is listed with its default. Point VISES_CONFIG at "
    "another file to use it instead; unknown keys, wrong types or impossible values stop start-up with a "
    "message naming the key and the fix.",
    "Generated by `vises config template` from the declarations in survey_app/core/settings.py: change a "
    "comment there, not here.",
)


def template() -> str:
    """config.toml's text: every section and setting with its help as comments and its default value."""
    lines: list[str] = []
    for paragraph in TEMPLATE_HEADER:
        lines += comment(paragraph)
    for name, cls in SECTIONS.items():
        lines += ["", f"[{name}]  # {cls.__doc__}"]
        for s in (s for s in SETTINGS if s.section == name):
            lines += [*comment(s.help), f"{s.key} = {toml_value(s.default)}"]
    return "\n".join(lines) + "\n"
