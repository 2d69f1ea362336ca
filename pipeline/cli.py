"""CLI commands of the indicator pipeline, added to the `vises` group by survey_app.cli."""

from __future__ import annotations

import click

COMMANDS: list[click.Command] = []
