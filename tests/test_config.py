"""Settings: declared once and typed; every error class stops start-up with a message naming the key and the fix."""

import os
import stat
from dataclasses import FrozenInstanceError, dataclass, fields

import pytest
from click.testing import CliRunner

from survey_app.cli import main
from survey_app.core import config, setting_fields
from survey_app.core.config import ConfigError, Settings
from survey_app.core.setting_fields import STRINGS, accepts, declared, toml_value


def write_config(tmp_path, text):
    path = tmp_path / "config.toml"
    path.write_text(text)
    return path


def test_defaults_load_and_relative_database_path(tmp_path):
    settings = config.load(write_config(tmp_path, ""))
    assert settings["server.port"] == 5000
    assert settings["privacy.min_group_size"] == 5
    assert settings["database.path"] == str(tmp_path / "instance" / "vises.db")


def test_bundled_config_is_valid_and_lists_defaults():
    settings = config.load(config.ROOT_CONFIG)
    for setting in config.SETTINGS:
        if setting.name != "database.path":
            assert settings[setting.name] == setting.default, setting.name


@pytest.mark.parametrize(
    "text, expected",
    [
        ("[server]\nprot = 5000\n", ["unknown setting 'server.prot'", "Fix: remove it or correct the spelling"]),
        ('[server]\nport = "80"\n', ["'server.port' must be a whole number", "Fix: [server] port = 5000"]),
        ('[schedule]\nenabled = "yes"\n', ["'schedule.enabled' must be true/false"]),
        ('[i18n]\ntimezone = "Europe/Bruxelles"\n', ["'i18n.timezone'", "IANA timezone", "Europe/Brussels"]),
        ('[i18n]\nlanguages = ["fr", "de"]\n', ["'i18n.languages'", "unknown: ['de']"]),
        ('[i18n]\ndefault_language = "de"\n', ["'i18n.default_language'", "must be one of"]),
        ('[i18n]\nlanguages = ["nl"]\n', ["'i18n.default_language' = 'fr' is not in i18n.languages"]),
        ("[server]\nport = 70000\n", ["'server.port' = 70000 must be between 1 and 65535"]),
        ("[privacy]\nmin_group_size = 1\n", ["'privacy.min_group_size' = 1 must be between 2 and 100"]),
        ('[server]\nbase_url = "survey.example.org"\n', ["'server.base_url'", "https://"]),
        ("port = 5000\n", ["'port' must be a [section] table"]),
        ("[server\n", ["not valid TOML"]),
    ],
)
def test_config_errors_name_key_and_fix(tmp_path, text, expected):
    path = write_config(tmp_path, text)
    with pytest.raises(ConfigError) as excinfo:
        config.load(path)
    message = str(excinfo.value)
    assert str(path) in message
    assert "Fix:" in message
    for fragment in expected:
        assert fragment in message


def test_overrides_are_validated_like_the_file(tmp_path):
    with pytest.raises(ConfigError, match="unknown setting 'server.hots'"):
        config.load(write_config(tmp_path, ""), {"server.hots": "x"})


def test_vises_config_points_to_another_file(tmp_path, monkeypatch):
    path = write_config(tmp_path, "[server]\nport = 8123\n")
    monkeypatch.setenv("VISES_CONFIG", str(path))
    assert config.load()["server.port"] == 8123


def test_missing_config_file_names_the_fix(tmp_path):
    with pytest.raises(ConfigError, match="file not found. Fix: create it"):
        config.load(tmp_path / "nope.toml")


def test_secret_key_generated_once_with_owner_only_permissions(tmp_path):
    settings = config.load(write_config(tmp_path, ""))
    first = config.ensure_secret_key(settings)
    second = config.ensure_secret_key(settings)
    key_file = tmp_path / "instance" / "secret_key"
    assert first == second and len(first) >= 40
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600


def test_configured_secret_key_wins(tmp_path):
    settings = config.load(write_config(tmp_path, '[server]\nsecret_key = "abc"\n'))
    assert config.ensure_secret_key(settings) == "abc"
    assert not (tmp_path / "instance" / "secret_key").exists()


def test_every_setting_is_documented_in_config_toml_and_readme():
    toml_text = config.ROOT_CONFIG.read_text()
    readme = (config.ROOT_CONFIG.parent / "README.md").read_text()
    for setting in config.SETTINGS:
        assert f"[{setting.section}]" in toml_text and f"\n{setting.key} =" in toml_text, setting.name
        assert f"`{setting.name}`" in readme, f"{setting.name} missing from README.md"


def test_bundled_config_toml_is_the_generated_template():
    """config.toml's comments are the declared help texts: regenerate it with `vises config template`."""
    assert config.ROOT_CONFIG.read_text() == config.template()
    result = CliRunner().invoke(main, ["config", "template"], catch_exceptions=False)
    assert result.exit_code == 0 and result.output == config.template()


def test_every_help_text_is_the_comment_above_its_key():
    lines = config.template().splitlines()
    for setting in config.SETTINGS:
        header = next(i for i, line in enumerate(lines) if line.startswith(f"[{setting.section}]"))
        at = lines.index(f"{setting.key} = {toml_value(setting.default)}", header)
        above = []
        while lines[at - 1].startswith("# "):
            at -= 1
            above.insert(0, lines[at][2:])
        assert " ".join(above) == setting.help, setting.name


def test_settings_dataclasses_and_declaration_table_agree():
    declared = [(f.name, f.type) for f in fields(Settings)]
    assert [name for name, _ in declared] == list(config.SECTIONS)
    assert [s.name for s in config.SETTINGS] == [
        f"{section}.{f.name}" for section, cls in config.SECTIONS.items() for f in fields(cls)
    ]
    for section, cls in config.SECTIONS.items():
        assert cls.__doc__ and not cls.__doc__.startswith(cls.__name__ + "("), f"[{section}] needs a docstring"
    for setting in config.SETTINGS:
        assert setting.type in (str, int, bool, STRINGS), setting.name
        assert setting.help.endswith("."), setting.name
        assert accepts(setting, setting.default), setting.name
        assert setting.check is None or setting.check(setting.default) is None, setting.name
    defaults = Settings()
    assert config.validate({}, "defaults") == defaults
    assert dict(defaults) == {s.name: s.default for s in config.SETTINGS}
    assert defaults.schedule.hour == defaults["schedule.hour"] == config.BY_NAME["schedule.hour"].default


def test_settings_are_frozen_and_override_validates_a_copy():
    settings = config.validate({"server.port": 8000}, "tests")
    with pytest.raises(FrozenInstanceError):
        settings.server.port = 9000
    changed = settings.override({"server.port": 8001, "i18n.languages": ["fr", "nl"]})
    assert (settings.server.port, changed.server.port) == (8000, 8001)
    assert changed.i18n.languages == ("fr", "nl") and changed.digest == settings.digest
    with pytest.raises(ConfigError, match="'server.port' = 70000 must be between 1 and 65535"):
        settings.override({"server.port": 70000})
    with pytest.raises(KeyError):
        settings["server.prot"]
    assert "server.port" in settings and "server" not in settings


def test_secrets_stay_out_of_the_settings_repr():
    settings = config.validate({"server.secret_key": "s3cret-key", "smtp.password": "s3cret-pw"}, "tests")
    assert settings.smtp.password == "s3cret-pw"
    assert "s3cret" not in repr(settings)


def test_a_setting_without_help_is_refused_when_declared():
    @dataclass(frozen=True)
    class Section:
        """A section."""

        documented: int = setting_fields.setting(1, "Documented.")
        bare: int = 2

    with pytest.raises(TypeError, match="declare bare of Section with setting"):
        declared("section", Section)
