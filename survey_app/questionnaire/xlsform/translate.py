"""A parsed `relevant` -> a `show_if` table, given the questions imported before it.

`${q} = 'x'` and `selected(${q}, 'x')` become `equals`; `!=` becomes `not`; `${q} != ''` becomes
`answered`; `<`, `>=`... become `less_than`, `at_least`... on number and scale questions, or the
list of matching options of a list with numeric names; `and` / `or` become `all` / `any`, and an
`or` of values of one question becomes `in`. Semantics match XPath's: a hidden question is empty.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from survey_app.questionnaire.model import NUMERIC_TYPES, format_value
from survey_app.questionnaire.xlsform.relevant import Compare, Logic, Node, RelevantError, Selected

TESTS = {">": "more_than", ">=": "at_least", "<": "less_than", "<=": "at_most"}
COMPARE = {
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
}
SELECT_TYPES = ("single", "multiple", "yes_no", "scale", "agree5", "scale0_10", "nps")


@dataclass
class Known:
    """An imported question as later conditions see it."""

    id: str
    type: str
    values: dict[str, Any] = field(default_factory=dict)  # XLSForm choice name -> option value


Lookup = Callable[[str], Known | None]


def to_show_if(node: Node, lookup: Lookup, dropped: frozenset[str] = frozenset()) -> dict[str, Any]:
    """`dropped`: names of earlier rows that are not imported (refused or left out)."""
    if isinstance(node, Logic):
        if node.op == "not":
            return {"not": to_show_if(node.parts[0], lookup, dropped)}
        parts = [to_show_if(part, lookup, dropped) for part in node.parts]
        return _merge("all" if node.op == "and" else "any", parts)
    known = _known(node.name, lookup, dropped)
    if isinstance(node, Selected):
        if known.type not in SELECT_TYPES:
            raise RelevantError(f"selected() on “{node.name}”, which has no choices")
        return {"question": known.id, "equals": _value(known, node.value, node.name)}
    return _compare(node, known)


def _known(name: str, lookup: Lookup, dropped: frozenset[str]) -> Known:
    known = lookup(name)
    if known is None and name in dropped:
        raise RelevantError(f"it depends on “{name}”, which is not imported (see the problem of its own row)")
    if known is None:
        raise RelevantError(f"“{name}” is not an earlier question of the form")
    if known.type == "note":
        raise RelevantError(f"“{name}” is a note, which takes no answer")
    return known


def _compare(node: Compare, known: Known) -> dict[str, Any]:
    if node.op in ("=", "!=") and node.value == "":
        test = {"question": known.id, "answered": True}
        return test if node.op == "!=" else {"not": test}
    if node.op in ("=", "!="):
        test = {"question": known.id, "equals": _value(known, node.value, node.name)}
        return test if node.op == "=" else {"not": test}
    number = _number(node.value)
    if number is None:
        raise RelevantError(f"“{node.op}” needs a number, not “{node.value}”")
    if known.type in NUMERIC_TYPES:
        return {"question": known.id, TESTS[node.op]: _plain(number)}
    numeric = {name: value for name, value in known.values.items() if _number(name) is not None}
    if known.type == "single" and numeric and len(numeric) == len(known.values):
        wanted = [value for name, value in numeric.items() if COMPARE[node.op](_number(name), number)]
        if not wanted:
            raise RelevantError(f"no choice of “{node.name}” is {node.op} {format_value(number)}")
        return {"question": known.id, "in": wanted}
    raise RelevantError(f"“{node.name}” has no numeric answers to compare with {format_value(number)}")


def _value(known: Known, value: str | float, name: str) -> Any:
    text = format_value(value)
    if known.type == "number":
        number = _number(text)
        if number is None:
            raise RelevantError(f"“{name}” is a number question, compared here with “{text}”")
        return _plain(number)
    if known.type == "text":
        raise RelevantError(f"“{name}” takes free text, which cannot be compared with a value")
    if text not in known.values:
        raise RelevantError(f"“{text}” is not a choice of “{name}”")
    return known.values[text]


def _merge(op: str, parts: list[dict[str, Any]]) -> dict[str, Any]:
    """Flatten nested groups of the same kind; in an `any`, values of one question join one `in`."""
    flat: list[dict[str, Any]] = []
    for part in parts:
        flat.extend(part[op] if set(part) == {op} else [part])
    if op == "any":
        merged: list[dict[str, Any]] = []
        for part in flat:
            values = _values_of(part)
            same = next(
                (m for m in merged if values and m.get("question") == part.get("question") and _values_of(m)), None
            )
            if same is not None and values is not None:
                known = _values_of(same) or []
                same["in"] = [*known, *(v for v in values if v not in known)]
                same.pop("equals", None)
            else:
                merged.append(dict(part))
        flat = merged
    return flat[0] if len(flat) == 1 else {op: flat}


def _values_of(part: dict[str, Any]) -> list | None:
    if set(part) == {"question", "equals"}:
        return [part["equals"]]
    if set(part) == {"question", "in"}:
        return list(part["in"])
    return None


def _number(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _plain(number: float) -> int | float:
    return int(number) if float(number).is_integer() else number
