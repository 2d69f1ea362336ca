"""`vises config template`: config.toml written from the settings' declarations."""

from __future__ import annotations

import click

from survey_app.core import config as config_module


@click.group("config")
def config_group() -> None:
    """The configuration file.

    Example: vises config template > my-config.toml
    """


@config_group.command("template")
def template_command() -> None:
    """Print a config.toml with every setting at its default, each explained by its help text.

    The bundled config.toml is exactly this output (a test checks it).

    Example: vises config template > /etc/vises/config.toml
    """
    click.echo(config_module.template(), nl=False)


COMMANDS: list[click.Command] = [config_group]
