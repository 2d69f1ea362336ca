"""One XLSForm question -> one VISES question table: the type, options, limits and texts.

select_one becomes `yes_no` (choices yes/no), `scale0_10` or `nps` (choices 0-10 labelled by their
number; `nps` when the list or question name says so), `scale` (likert appearance: numeric names
keep their numbers, others get 1, 2, 3...), or `single`. A `vises_type` column (written by the
export) decides instead. A choice named `dont_know` becomes the "don't know" answer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from survey_app.questionnaire.xlsform.form import Choice, Form, Item
from survey_app.questionnaire.xlsform.issues import N_, WARNING, Issue, Place
from survey_app.questionnaire.xlsform.names import Identifiers, fill
from survey_app.questionnaire.xlsform.translate import Known

DONT_KNOW = "dont_know"
ELEVEN = [str(i) for i in range(11)]
BOUND = re.compile(r"^\s*(?:\.\s*(<=|>=|<|>)\s*(-?\d+(?:\.\d+)?)|(-?\d+(?:\.\d+)?)\s*(<=|>=|<|>)\s*\.)\s*$")
LENGTH = re.compile(r"^\s*string-length\(\s*\.\s*\)\s*(<=|<)\s*(\d+)\s*$")
FLIP = {"<": ">", ">": "<", "<=": ">=", ">=": "<="}


@dataclass
class Built:
    table: dict[str, Any]
    known: Known
    issues: list[Issue] = field(default_factory=list)


def build(form: Form, item: Item, qid: str, section: str, languages: list[str]) -> Built:
    table: dict[str, Any] = {"id": qid, "section": section}
    issues: list[Issue] = []
    place = Place("survey", item.row)
    texts = _Texts(item, languages, place, issues)
    table["label"] = texts.take(item.labels, "label")
    choices = [c for c in form.choices(item) if c.name != DONT_KNOW]
    qtype, values = _type(item, choices)
    table["type"] = qtype
    dont_know = any(c.name == DONT_KNOW for c in form.choices(item)) or item.values.get("vises_dont_know") in (
        "yes",
        "true",
    )
    if qtype in ("single", "multiple", "scale"):
        table["options"] = _options(choices, values, languages, place, issues)
    if qtype == "number":
        table.update(_number(item, place, issues))
    if qtype == "text":
        table.update(_length(item, place, issues))
    if qtype != "note":
        table["required"] = item.required
        if dont_know:
            table["dont_know"] = True
    for key, source in (("hint", item.hints), ("required_message", item.required_messages)):
        if source:
            table[key] = texts.take(source, key)
    if item.constraint_messages and qtype in ("number", "text"):
        table["constraint_message"] = texts.take(item.constraint_messages, "constraint_message")
    media = _media(item.media, languages)
    if media:
        table["media"] = media
    default = _default(item, qtype, values, table, place, issues)
    if default is not None:
        table["default"] = default
    return Built(table, Known(qid, qtype, values), issues)


class _Texts:
    def __init__(self, item: Item, languages: list[str], place: Place, issues: list[Issue]):
        self.item, self.languages, self.place, self.issues = item, languages, place, issues

    def take(self, texts: dict[str, str], what: str) -> dict[str, str]:
        filled, missing = fill(texts, self.languages)
        if missing:
            message = N_("no “%(what)s” in %(languages)s: the text of another language is used")
            params = {"what": what, "languages": ", ".join(missing)}
            self.issues.append(Issue(WARNING, self.place, message, N_("translate it in the form"), params))
        if any("${" in text for text in filled.values()):
            message = N_("the “%(what)s” text shows the answer of another question (${...}): VISES shows it as written")
            self.issues.append(Issue(WARNING, self.place, message, "", {"what": what}))
        return filled


def _type(item: Item, choices: list[Choice]) -> tuple[str, dict[str, Any]]:
    names = [c.name for c in choices]
    chosen = item.values.get("vises_type", "")
    if item.family == "select_multiple":
        return "multiple", _option_values(names)
    if item.family == "select_one":
        if chosen in ("yes_no", "agree5", "scale0_10", "nps", "scale", "single"):
            return chosen, _values_for(chosen, names)
        if sorted(names) == ["no", "yes"]:
            return "yes_no", {"yes": "yes", "no": "no"}
        if names == ELEVEN and all(c.labels and set(c.labels.values()) == {c.name} for c in choices):
            nps = "nps" in f"{item.list_name} {item.name}".lower()
            return ("nps" if nps else "scale0_10"), {n: int(n) for n in names}
        if "likert" in item.values.get("appearance", "").lower():
            return "scale", _values_for("scale", names)
        return "single", _option_values(names)
    if item.family in ("integer", "decimal"):
        return "number", {}
    if item.family == "range":
        return _range_type(item), {}
    return ("note" if item.family == "note" else "text"), {}


def _values_for(qtype: str, names: list[str]) -> dict[str, Any]:
    if qtype == "single":
        return _option_values(names)
    if qtype == "yes_no":
        return {n: n for n in names}
    if all(_numeric(n) is not None for n in names):
        return {n: _numeric(n) for n in names}
    return {n: i + 1 for i, n in enumerate(names)}


def _option_values(names: list[str]) -> dict[str, Any]:
    ids = Identifiers((DONT_KNOW,))
    return {n: ids.take(n, "o", first_digit=True) for n in names}


def _options(choices: list[Choice], values: dict[str, Any], languages: list[str], place, issues) -> list[dict]:
    options, unlabelled = [], []
    for choice in choices:
        labels, missing = fill(choice.labels or {languages[0]: choice.name}, languages)
        if not choice.labels or missing:
            unlabelled.append(choice.name)
        option: dict[str, Any] = {"value": values[choice.name], "label": labels}
        media = _media(choice.media, languages)
        if media:
            option["media"] = media
        options.append(option)
    if unlabelled:
        message = N_("choices without a label in some language (%(names)s): their name or another language is used")
        issues.append(
            Issue(WARNING, place, message, N_("translate them in the form"), {"names": ", ".join(unlabelled)})
        )
    return options


def _range_type(item: Item) -> str:
    start, end, step = range_parameters(item.values.get("parameters", ""))
    if (start, end, step) == (0, 10, 1):
        return "nps" if "nps" in item.name.lower() else "scale0_10"
    return "number"


def range_parameters(text: str) -> tuple[float, float, float]:
    found = dict(re.findall(r"(start|end|step)\s*=\s*(-?\d+(?:\.\d+)?)", text.lower()))
    start, end, step = (_numeric(found.get(k, d)) for k, d in (("start", "0"), ("end", "10"), ("step", "1")))
    return start, end, step  # type: ignore[return-value]


def _number(item: Item, place: Place, issues: list[Issue]) -> dict[str, Any]:
    limits: dict[str, Any] = {}
    if item.family == "integer":
        limits["integer"] = True
    if item.family == "range":
        start, end, step = range_parameters(item.values.get("parameters", ""))
        limits.update({"min": min(start, end), "max": max(start, end), "step": step})
        if all(float(v).is_integer() for v in (start, end, step)):
            limits["integer"] = True
    constraint = item.values.get("constraint", "")
    if not constraint:
        return limits
    for clause in re.split(r"\s+and\s+", constraint.strip()):
        bound = BOUND.match(clause)
        if bound is None:
            return {**limits, **_not_kept(constraint, place, issues)}
        op, value = (bound.group(1), bound.group(2)) if bound.group(1) else (FLIP[bound.group(4)], bound.group(3))
        number = _numeric(value) or 0  # the pattern matched a number
        if op in (">", "<") and item.family == "integer":
            number = number + 1 if op == ">" else number - 1
        elif op in (">", "<"):
            message = N_("the strict bound “%(clause)s” is kept as “%(op)s=”: VISES limits include their ends")
            issues.append(Issue(WARNING, place, message, "", {"clause": clause, "op": op}))
        limits["min" if op.startswith(">") else "max"] = number
    return limits


def _length(item: Item, place: Place, issues: list[Issue]) -> dict[str, Any]:
    constraint = item.values.get("constraint", "")
    if not constraint:
        return {}
    match = LENGTH.match(constraint)
    if match is None:
        return _not_kept(constraint, place, issues)
    length = int(match.group(2)) - (1 if match.group(1) == "<" else 0)
    return {"max_length": max(1, min(length, 5000))}


def _not_kept(constraint: str, place: Place, issues: list[Issue]) -> dict[str, Any]:
    message = N_("the constraint “%(expression)s” is not kept: answers are not checked against it")
    fix = N_("write it as “. >= 0 and . <= 120” for a number, or “string-length(.) <= 200” for a text")
    issues.append(Issue(WARNING, place, message, fix, {"expression": constraint}))
    return {}


def _media(media: dict[str, dict[str, str]], languages: list[str]) -> dict[str, dict[str, str]]:
    found: dict[str, dict[str, str]] = {}
    for kind, files in media.items():
        for lang, name in files.items():
            base = re.split(r"[\\/]", name)[-1]
            for target in languages if lang == "*" else [lang]:
                if target in languages and base:
                    found.setdefault(kind, {})[target] = base
    return found


def _default(item: Item, qtype: str, values: dict[str, Any], table: dict, place: Place, issues) -> Any:
    text = item.values.get("default", "")
    if not text or qtype == "note":
        return None
    if qtype == "text":
        return text
    if qtype == "number":
        number = _numeric(text)
        low, high = table.get("min"), table.get("max")
        if number is not None and (low is None or number >= low) and (high is None or number <= high):
            return number
    elif qtype == "multiple":
        names = text.split()
        if names and all(n in values for n in names):
            return [values[n] for n in names]
    elif text in values:
        return values[text]
    message = N_("the default “%(value)s” is not an answer of this question: it is left out")
    issues.append(Issue(WARNING, place, message, "", {"value": text}))
    return None


def _numeric(text: Any) -> int | float | None:
    try:
        number = float(text)
    except (TypeError, ValueError):
        return None
    return int(number) if number.is_integer() else number
