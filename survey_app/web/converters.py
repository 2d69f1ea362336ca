"""URL converters of the whole app: `<int:...>` bounded to what SQLite can store.

SQLite integers stop at 2**63 - 1; a larger id in a URL can name no row, yet it reached the query
and failed there ("Python int too large to convert to SQLite INTEGER": a 500 on 33 route and
parameter pairs). Bounded here, such a URL matches no route: the same 404 as any unknown id.
"""

from __future__ import annotations

from werkzeug.routing import IntegerConverter, Map

SQLITE_MAX = 2**63 - 1


class BoundedInteger(IntegerConverter):
    """`int` as Werkzeug has it, with `max` at SQLite's largest integer unless a route sets a smaller one."""

    def __init__(
        self, map: Map, fixed_digits: int = 0, min: int | None = None, max: int | None = None, signed: bool = False
    ) -> None:
        bound = SQLITE_MAX if max is None else max if max < SQLITE_MAX else SQLITE_MAX
        super().__init__(map, fixed_digits, min, bound, signed)


def bounded_arg(value: int | None, default: int, low: int = 1, high: int = SQLITE_MAX) -> int:
    """An integer query parameter (request.args.get(..., type=int)) clamped to [low, high]."""
    return default if value is None else max(low, min(value, high))
