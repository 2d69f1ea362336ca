"""The one error wrapper of every `vises` command.

`@clean_errors` under a click command turns a VisesError (a setting, a questionnaire, a look-up,
a backup...) into its message on standard error, `Error: ...`, and exit status 1, with every value
it quotes cut to 80 characters (a 50 MB value pasted into a file gives one readable line). Every
command carries it (tests/test_cli_errors.py runs each one against a missing config file).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

import click

from survey_app.core.errors import VisesError
from survey_app.core.text import clip_quoted

Command = TypeVar("Command", bound=Callable[..., Any])


def clean_errors(command: Command) -> Command:
    """Run `command`; a VisesError ends it with its message and exit status 1, never a traceback."""

    @functools.wraps(command)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except VisesError as exc:
            raise click.ClickException(clip_quoted(str(exc))) from None

    return wrapped  # type: ignore[return-value]
