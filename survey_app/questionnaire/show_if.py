"""Validate `show_if`: one test on an earlier question, or tests combined with all / any / not.

The original form (`equals` / `in`) keeps its messages; the other tests came with XLSForm import,
whose `relevant` column needs "answered", comparisons and and/or/not (docs/questionnaire-format.md).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from survey_app.questionnaire.model import (
    COMPARISONS,
    NUMERIC_TYPES,
    Condition,
    Question,
    ShowIf,
    ShowIfGroup,
    format_value,
)

if TYPE_CHECKING:
    from survey_app.questionnaire.rules import Checker

LEAF_TESTS = ("equals", "in", "answered", *COMPARISONS)
GROUP_OPS = ("all", "any", "not")
FIX = 'write show_if = { question = "an_earlier_question", equals = "yes" } (or in = [4, 5])'


def parse_show_if(raw: Any, earlier: list[Question], check: Checker, where: str) -> Condition | None:
    """The condition, or None with problems added to `check` (also None when there is none)."""
    if raw is None:
        return None
    before = len(check.problems)
    condition = _condition(raw, earlier, check, where)
    return condition if len(check.problems) == before else None


def _condition(raw: Any, earlier: list[Question], check: Checker, where: str) -> Condition | None:
    ops = [op for op in GROUP_OPS if isinstance(raw, dict) and op in raw]
    if ops:
        return _group(raw, ops, earlier, check, where)
    tests = [t for t in LEAF_TESTS if isinstance(raw, dict) and t in raw]
    if not isinstance(raw, dict) or set(raw) - {"question", *LEAF_TESTS} or len(tests) != 1:
        check.add(
            where,
            "bad show_if: it needs 'question' and exactly one of 'equals' or 'in' "
            "(or 'answered', 'more_than', 'at_least', 'less_than', 'at_most'; or one of 'all', 'any', 'not')",
            FIX,
        )
        return None
    parent = next((q for q in earlier if q.id == raw.get("question")), None)
    if parent is None:
        check.add(
            where,
            f"bad show_if: {raw.get('question')!r} is not an earlier question of this file",
            "refer to a question declared above this one",
        )
        return None
    if not parent.answerable:
        check.add(where, f"bad show_if: '{parent.id}' is a note and takes no answer", "depend on a question")
        return None
    test = tests[0]
    if test == "answered":
        return _answered(raw, parent, check, where)
    if test in COMPARISONS:
        return _comparison(raw, test, parent, check, where)
    return _values(raw, parent, check, where)


def _group(raw: dict, ops: list[str], earlier: list[Question], check: Checker, where: str) -> ShowIfGroup | None:
    op = ops[0]
    parts = raw[op] if op != "not" else [raw[op]]
    if len(ops) > 1 or len(raw) > 1 or not isinstance(parts, list) or not parts:
        check.add(
            where,
            "bad show_if: 'all' and 'any' take a non-empty list of tests, 'not' one test, alone in show_if",
            'write show_if = { all = [{ question = "a", equals = "yes" }, { question = "b", at_least = 4 }] }',
        )
        return None
    conditions = [_condition(part, earlier, check, where) for part in parts]
    if any(c is None for c in conditions):
        return None
    return ShowIfGroup(op, tuple(c for c in conditions if c is not None))


def _answered(raw: dict, parent: Question, check: Checker, where: str) -> ShowIf | None:
    if raw["answered"] is not True:
        check.add(where, "bad show_if: 'answered' can only be true", "write answered = true, or use not = { ... }")
        return None
    return ShowIf(parent.id, (), "answered")


def _comparison(raw: dict, test: str, parent: Question, check: Checker, where: str) -> ShowIf | None:
    value = raw[test]
    if parent.type not in NUMERIC_TYPES:
        check.add(
            where,
            f"bad show_if: question '{parent.id}' of type {parent.type!r} cannot be compared with '{test}'",
            f"compare a question of type {', '.join(NUMERIC_TYPES)}, or use equals / in",
        )
        return None
    if not (isinstance(value, (int, float)) and not isinstance(value, bool)):
        check.add(where, f"bad show_if: '{test}' needs a number (got {value!r})", f"write {test} = 18")
        return None
    return ShowIf(parent.id, (value,), test)


def _values(raw: dict, parent: Question, check: Checker, where: str) -> ShowIf | None:
    values = raw["in"] if "in" in raw else [raw["equals"]]
    if not isinstance(values, list) or not values:
        check.add(where, "bad show_if: 'in' must be a non-empty list", FIX)
        return None
    if parent.type == "number":
        if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
            check.add(where, f"bad show_if: '{parent.id}' is a number question: compare it with numbers", FIX)
            return None
        return ShowIf(parent.id, tuple(values))
    allowed = parent.choices()
    if not allowed:
        check.add(
            where,
            f"bad show_if: question '{parent.id}' of type {parent.type!r} has no fixed answers",
            "depend on a question with options, a scale or yes/no (or use answered = true)",
        )
        return None
    wrong = [v for v in values if _text(v) not in allowed]
    if wrong:
        check.add(
            where, f"bad show_if: {wrong!r} is not an answer of '{parent.id}'", f"use values among {', '.join(allowed)}"
        )
        return None
    return ShowIf(parent.id, tuple(values))


def _text(value: Any) -> str:
    return format_value(value) if isinstance(value, (str, int, float)) else repr(value)
