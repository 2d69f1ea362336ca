"""Validate `[scoring.<indicator>]` tables into Scoring rules, naming the file, the indicator and the fix.

Checks that need the items are exact: every score the items can give (each answered subset the
missing-data rule keeps) is enumerated, so a conversion table that misses a raw sum, a band gap
that a prorated score falls into, or a declared range the items cannot reach is reported as such.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from survey_app.questionnaire.model import Question
from survey_app.questionnaire.reachable import reachable_scores
from survey_app.questionnaire.rules import Checker
from survey_app.questionnaire.scoring import DEFAULT_METHOD, METHODS, MissingRule, Scoring
from survey_app.questionnaire.scoring_bands import check_reachable, fmt, number, parse_bands, parse_net

SCORING_KEYS = {
    "method",
    "factor",
    "table",
    "range",
    "missing",
    "prorate",
    "higher_is_better",
    "bands",
    "score_name",
    "net",
}
PRORATED_METHODS = ("sum", "sum_times")


def parse_scorings(raw: Any, questions: list[Question], check: Checker, labels: Checker) -> tuple[Scoring, ...]:
    """Scoring rules of a file's `scoring` table; `labels` checks band labels and score names."""
    if raw is None:
        return ()
    if not isinstance(raw, dict):
        check.add("file", "'scoring' must be a table of indicators", "write [scoring.your_indicator] tables")
        return ()
    return tuple(
        scoring
        for indicator, table in raw.items()
        if (scoring := _parse_one(indicator, table, questions, check, labels)) is not None
    )


def _parse_one(indicator: str, raw: Any, questions: list[Question], check: Checker, labels: Checker) -> Scoring | None:
    where = f"scoring '{indicator}'"
    before = len(check.problems)
    if not isinstance(raw, dict):
        check.add(where, "must be a table", f"write [scoring.{indicator}] followed by its keys")
        return None
    for key in sorted(set(raw) - SCORING_KEYS):
        check.add(where, f"unknown key '{key}'", f"remove it or use one of {', '.join(sorted(SCORING_KEYS))}")
    items = [q for q in questions if q.indicator == indicator and q.scored]
    if not items:
        check.add(
            where,
            f"no question of this file feeds indicator '{indicator}'",
            f'add indicator = "{indicator}" to its questions, or remove [scoring.{indicator}]',
        )
        return None
    method = raw.get("method", DEFAULT_METHOD)
    if method not in METHODS:
        check.add(where, f"unknown method {method!r}", f"use one of {', '.join(METHODS)}")
        return None
    if method != DEFAULT_METHOD:
        _check_coding(items, check, where)
    factor = _factor(raw, method, check, where)
    table = _table(raw, method, check, where)
    missing = _missing(raw.get("missing"), len(items), check, where)
    prorate = _prorate(raw, method, missing, len(items), check, where)
    low, high = _range(raw, method, check, where)
    direction = raw.get("higher_is_better", True)
    if not isinstance(direction, bool):
        check.add(
            where,
            "'higher_is_better' must be true or false",
            "write higher_is_better = false for a scale where more is worse",
        )
    name = labels.texts(raw.get("score_name"), where, "score_name", optional=True) or {}
    bands = parse_bands(raw.get("bands"), labels, where)
    net = parse_net(raw.get("net"), bands, check, where)
    if len(check.problems) > before:
        return None
    scoring = Scoring(
        indicator, method, low, high, missing, prorate, factor, table, bool(direction), bands, name, net, True
    )
    reachable = reachable_scores(scoring, items)
    if reachable is not None:
        check_reachable(scoring, reachable, check, where)
    return None if len(check.problems) > before else scoring


def _check_coding(items: list[Question], check: Checker, where: str) -> None:
    for q in items:
        values = [q.numeric(c) for c in q.choices()]
        odd = [v for v in values if not float(v).is_integer()]
        if odd:
            check.add(
                where,
                f"question '{q.id}' is coded {fmt(odd[0])}: published scores add whole-number item codes",
                "code its options with the whole numbers the authors publish",
            )


def _factor(raw: dict, method: str, check: Checker, where: str) -> float:
    factor = raw.get("factor")
    if method == "sum_times" and not (number(factor) and factor > 0):
        check.add(where, "method 'sum_times' needs a positive 'factor'", "add factor = 4 (the published multiplier)")
    elif method != "sum_times" and factor is not None:
        check.add(where, "'factor' is only for method 'sum_times'", 'remove factor, or write method = "sum_times"')
    return float(factor) if number(factor) else 1.0


def _table(raw: dict, method: str, check: Checker, where: str) -> dict[int, float]:
    table = raw.get("table")
    if method != "table":
        if table is not None:
            check.add(where, "'table' is only for method 'table'", 'remove table, or write method = "table"')
        return {}
    if not (isinstance(table, dict) and table):
        check.add(
            where,
            "method 'table' needs a conversion table",
            "add table = { 7 = 7.00, 8 = 9.51, ... } with a score for every raw sum",
        )
        return {}
    parsed = {}
    for key, value in table.items():
        if not (key.lstrip("-").isdigit() and number(value)):
            check.add(
                where,
                f"table entry {key!r} = {value!r} is not 'raw sum = score'",
                "write whole raw sums as keys and numbers as values, e.g. 7 = 7.00",
            )
            continue
        parsed[int(key)] = float(value)
    return parsed


def _missing(raw: Any, items: int, check: Checker, where: str) -> MissingRule:
    fix = 'write missing = "complete", missing = { max_missing = 2 } or missing = { min_answered = 0.5 }'
    if raw is None:
        return MissingRule()
    if raw == "complete":
        return MissingRule("complete", None, None)
    if not (isinstance(raw, dict) and len(raw) == 1 and set(raw) <= {"max_missing", "min_answered"}):
        check.add(where, f"bad missing-data rule {raw!r}", fix)
        return MissingRule("complete", None, None)  # reported: no follow-up complaint about prorating
    kind, value = next(iter(raw.items()))
    if kind == "max_missing":
        if not (isinstance(value, int) and not isinstance(value, bool) and 0 <= value < items):
            check.add(
                where,
                f"max_missing = {value!r} is impossible for {items} item(s): it must leave at least one answer",
                f'use max_missing between 0 and {items - 1}, or missing = "complete"',
            )
        return MissingRule("max_missing", value if isinstance(value, int) else 0, None)
    if isinstance(value, int) and not isinstance(value, bool):
        if not 1 <= value <= items:
            check.add(
                where,
                f"min_answered = {value} is impossible for {items} item(s)",
                f"use min_answered between 1 and {items}, or a share such as 0.5",
            )
        return MissingRule("min_answered", value, None)
    if not (isinstance(value, float) and 0 < value <= 1):
        check.add(where, f"min_answered = {value!r} is neither a count nor a share between 0 and 1", fix)
        return MissingRule("complete", None, None)
    return MissingRule("min_answered", None, Fraction(str(value)))


def _prorate(raw: dict, method: str, missing: MissingRule, items: int, check: Checker, where: str) -> bool:
    prorate = raw.get("prorate", False)
    if not isinstance(prorate, bool):
        check.add(where, "'prorate' must be true or false", "write prorate = true")
        return False
    allows_missing = missing.min_answered(items) < items
    if prorate and method not in PRORATED_METHODS:
        check.add(where, f"'prorate' is only for methods {' and '.join(PRORATED_METHODS)}", "remove prorate")
    elif method == "table" and allows_missing:
        check.add(where, "a conversion table needs every item answered", 'write missing = "complete"')
    elif method in PRORATED_METHODS and allows_missing and not prorate:
        check.add(
            where,
            f"method '{method}' with missing answers allowed needs prorate = true: "
            "a sum of fewer items is not on the published range",
            'write prorate = true (the mean of the answered items times their number), or missing = "complete"',
        )
    return prorate


def _range(raw: dict, method: str, check: Checker, where: str) -> tuple[float, float]:
    value = raw.get("range")
    if value is None:
        if method != DEFAULT_METHOD:
            check.add(
                where,
                "'range' is missing",
                "add range = [lowest, highest] as the authors publish it, e.g. range = [0, 100]",
            )
        return 0.0, 100.0
    if not (isinstance(value, list) and len(value) == 2 and all(number(v) for v in value) and value[0] < value[1]):
        check.add(where, f"'range' must be [lowest, highest] (got {value!r})", "write range = [0, 100]")
        return 0.0, 100.0
    return float(value[0]), float(value[1])
