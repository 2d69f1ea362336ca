"""A parsed Form -> the question tables of a VISES questionnaire, with every problem found.

Rows with an unsupported feature (and rows whose condition refers to them) are refused, or
dropped with a warning each under --skip-unsupported. Group conditions apply to every question
inside the group; `or_other` adds an "other" option and a text question, as pyxform does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from survey_app.questionnaire.xlsform.form import Form, Group, Item
from survey_app.questionnaire.xlsform.issues import N_, NOTE, REFUSAL, UNSUPPORTED, Issue, Place
from survey_app.questionnaire.xlsform.names import Identifiers
from survey_app.questionnaire.xlsform.questions import Built, build
from survey_app.questionnaire.xlsform.relevant import RelevantError, parse
from survey_app.questionnaire.xlsform.translate import Known, to_show_if

OTHER = {"fr": "Autre", "nl": "Andere", "en": "Other", "de": "Sonstiges", "es": "Otro", "it": "Altro"}
SPECIFY = {
    "fr": "Précisez « autre »",
    "nl": "Welke andere?",
    "en": "Specify other",
    "de": "Sonstiges, bitte angeben",
    "es": "Especifique otro",
    "it": "Specificare altro",
}


@dataclass
class Kept:
    item: Item
    built: Built
    extra: bool = False  # the text question added for `or_other`


@dataclass
class Questions:
    kept: list[Kept] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    names: dict[str, Known] = field(default_factory=dict)  # XLSForm name -> imported question


def build_questions(form: Form, skip_unsupported: bool) -> Questions:
    out = Questions()
    ids = Identifiers(("dont_know",))
    seen: dict[str, int] = {}
    bad_lists: set[str] = set()
    for item in form.items:
        problems = list(item.problems) or _invalid(form, item, seen, bad_lists)
        if not problems:
            built = build(form, item, ids.take(item.name), "", form.languages)
            problems = _condition(form, item, built, out.names, frozenset(seen) - set(out.names))
        if not problems:
            kept = [Kept(item, built)]
            if item.or_other:
                kept += _other(item, built, ids, form.languages)
            out.issues += built.issues
            out.kept += kept
            out.names[item.name] = built.known
            continue
        seen.setdefault(item.name, item.row)
        for problem in problems:
            dropped = problem.severity == UNSUPPORTED and skip_unsupported
            out.issues.append(problem.left_out() if dropped else problem)
    return out


def _invalid(form: Form, item: Item, seen: dict[str, int], bad_lists: set[str]) -> list[Issue]:
    place = Place("survey", item.row, form.header("name"))
    if not item.name:
        return [Issue(REFUSAL, place, N_("the question has no name"), N_("write a name in the name column"))]
    if item.name in seen:
        message = N_("the name “%(name)s” is already used on row %(first)s")
        params = {"name": item.name, "first": seen[item.name]}
        return [Issue(REFUSAL, place, message, N_("give each question a different name"), params)]
    seen[item.name] = item.row
    problems = []
    if item.list_name is not None:
        problems += _list_problems(form, item, bad_lists)
    if not item.labels:
        message, fix = N_("the question has no label in any language"), N_("write its text in a label column")
        problems.append(Issue(REFUSAL, Place("survey", item.row, form.header("label")), message, fix))
    return problems


def _list_problems(form: Form, item: Item, bad_lists: set[str]) -> list[Issue]:
    place = Place("survey", item.row, form.header("type"))
    choices = form.lists.get(item.list_name or "")
    if not choices:
        message = N_("the choice list “%(list)s” is not on the choices sheet")
        fix = N_("add its choices to the choices sheet, or correct the list name")
        return [Issue(REFUSAL, place, message, fix, {"list": item.list_name})]
    if item.list_name in bad_lists:
        return []
    first: dict[str, int] = {}
    problems = []
    for choice in choices:
        if choice.name in first:
            message = N_("the choice “%(name)s” appears twice in the list “%(list)s” (rows %(first)s and %(row)s)")
            params = {"name": choice.name, "list": item.list_name, "first": first[choice.name], "row": choice.row}
            fix = N_("give each choice of a list a different name")
            problems.append(Issue(REFUSAL, Place("choices", choice.row, "name"), message, fix, params))
        first.setdefault(choice.name, choice.row)
    if problems:
        bad_lists.add(item.list_name or "")
    return problems


def _condition(form: Form, item: Item, built: Built, names: dict[str, Known], dropped: frozenset[str]) -> list[Issue]:
    """Group conditions, outermost first, then the row's own, joined by `all`."""
    conditions: list[dict[str, Any]] = []
    sources: list[tuple[Group | Item, str]] = [(g, g.relevant) for g in item.groups if g.relevant]
    if item.relevant:
        sources.append((item, item.relevant))
    for owner, expression in sources:
        try:
            conditions.append(to_show_if(parse(expression), names.get, dropped))
        except RelevantError as exc:
            place = Place("survey", owner.row, form.header("relevant"))
            if isinstance(owner, Group):
                message = N_(
                    "the condition of the group “%(group)s”, “%(expression)s”, cannot be translated: %(reason)s"
                )
            else:
                message = N_("the condition “%(expression)s” cannot be translated: %(reason)s")
            params = {"expression": expression.strip(), "reason": str(exc), "group": owner.name}
            fix = N_(
                "write it with earlier questions compared to values, joined by and / or / not; or import with "
                "--skip-unsupported to drop this question with a warning"
            )
            return [Issue(UNSUPPORTED, place, message, fix, params, item.name)]
    if conditions:
        built.table["show_if"] = conditions[0] if len(conditions) == 1 else {"all": conditions}
    return []


def _other(item: Item, built: Built, ids: Identifiers, languages: list[str]) -> list[Kept]:
    table = built.table
    if table["type"] not in ("single", "multiple"):
        message = N_("“or_other” is ignored: the question (type %(type)s) has no list of its own")
        built.issues.append(Issue(NOTE, Place("survey", item.row), message, "", {"type": table["type"]}))
        return []
    if "other" not in built.known.values:
        label = {lang: OTHER.get(lang, OTHER["en"]) for lang in languages}
        table.setdefault("options", []).append({"value": "other", "label": label})
        built.known.values["other"] = "other"
    qid = ids.take(f"{item.name}_other")
    extra = {
        "id": qid,
        "section": "",
        "type": "text",
        "label": {lang: SPECIFY.get(lang, SPECIFY["en"]) for lang in languages},
        "show_if": {"question": built.table["id"], "equals": built.known.values.get("other", "other")},
    }
    message = N_("“or_other”: an option “other” and a text question “%(name)s” are added")
    built.issues.append(Issue(NOTE, Place("survey", item.row), message, "", {"name": qid}))
    return [Kept(item, Built(extra, Known(qid, "text")), extra=True)]
