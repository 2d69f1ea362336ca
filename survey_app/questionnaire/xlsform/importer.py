"""Import an XLSForm workbook: read, parse, build, lay out pages, map indicators, write TOML, and
run the product's own validator on the result. Nothing is written to disk here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

from survey_app.core.config import SUPPORTED_LANGUAGES
from survey_app.core.groups import STAKEHOLDER_GROUPS
from survey_app.questionnaire.loader import parse_questionnaire
from survey_app.questionnaire.model import SCORED_TYPES, Framework, Questionnaire
from survey_app.questionnaire.rules import ID_PATTERN, QuestionnaireError
from survey_app.questionnaire.xlsform.build import Questions, build_questions
from survey_app.questionnaire.xlsform.form import Form
from survey_app.questionnaire.xlsform.issues import (
    N_,
    NOTE,
    REFUSAL,
    UNSUPPORTED,
    WARNING,
    Issue,
    Place,
    XLSFormError,
)
from survey_app.questionnaire.xlsform.languages import LanguageMapError, parse_map
from survey_app.questionnaire.xlsform.names import identifier
from survey_app.questionnaire.xlsform.pages import form_title, lay_out
from survey_app.questionnaire.xlsform.parse import parse_form
from survey_app.questionnaire.xlsform.read import read_workbook
from survey_app.questionnaire.xlsform.toml_writer import to_toml


@dataclass
class ImportOptions:
    questionnaire_id: str | None = None
    group: str | None = None
    version: int | None = None
    language_map: str | None = None  # "French=fr, Deutsch=de, default=fr"
    indicators: dict[str, str] = field(default_factory=dict)  # XLSForm name (or id) -> indicator
    skip_unsupported: bool = False


@dataclass
class ImportResult:
    source: str
    form: Form | None
    questions: Questions | None
    issues: list[Issue]
    table: dict[str, Any] | None = None
    toml: str | None = None
    questionnaire: Questionnaire | None = None
    unmapped: list[tuple[str, str]] = field(default_factory=list)  # (XLSForm name, question id)

    @property
    def refused(self) -> bool:
        return self.questionnaire is None

    @property
    def blocking(self) -> list[Issue]:
        return [i for i in self.issues if i.severity in (REFUSAL, UNSUPPORTED)]

    def error(self) -> XLSFormError:
        return XLSFormError(self.source, self.blocking)


def import_workbook(data: bytes, source: str, framework: Framework, options: ImportOptions) -> ImportResult:
    try:
        mapping = parse_map(options.language_map)
        book = read_workbook(data, source)
    except LanguageMapError as exc:
        message = N_("the language map entry “%(entry)s” is not of the form Name=code")
        issue = Issue(REFUSAL, Place(), message, N_("write it like 'French=fr, Deutsch=de'"), {"entry": str(exc)})
        return ImportResult(source, None, None, [issue])
    except XLSFormError as exc:
        return ImportResult(source, None, None, exc.issues)
    form = parse_form(book, mapping)
    questions = build_questions(form, options.skip_unsupported)
    result = ImportResult(source, form, questions, form.issues + questions.issues)
    table = _top(form, questions, options, result.issues)
    _map_indicators(questions, {**_column_indicators(questions), **options.indicators}, framework, result.issues)
    table["sections"], table["intro"], table["questions"] = lay_out(form, questions, result.issues)
    result.unmapped = _unmapped(questions, result.issues)
    result.issues = _tidy(result.issues)
    result.table = table  # shown by the back-office preview even when refused
    if result.blocking:
        return result
    result.toml = to_toml(
        table, f"Imported from {PurePath(source).name} (XLSForm) by vises questionnaires import-xlsform."
    )
    try:
        result.questionnaire = parse_questionnaire(result.toml, f"{table['id']}.toml", framework)
    except QuestionnaireError as exc:
        message = N_("the product's validator refuses the result: %(problem)s")
        result.issues += [Issue(REFUSAL, Place(), message, "", {"problem": str(p)}) for p in exc.problems]
    return result


def _top(form: Form, questions: Questions, options: ImportOptions, issues: list[Issue]) -> dict[str, Any]:
    qid = options.questionnaire_id or identifier(form.form_id or PurePath(form.source).stem, "form")
    if not ID_PATTERN.fullmatch(qid):
        message = N_("“%(id)s” is not a valid questionnaire id")
        fix = N_("use lowercase letters, digits and _, starting with a letter (at most 40)")
        issues.append(Issue(REFUSAL, Place(), message, fix, {"id": qid}))
    version = options.version or (int(form.version) if form.version.isdigit() and int(form.version) >= 1 else 1)
    if not options.version and form.version and not form.version.isdigit():
        message = N_("the form's version “%(version)s” is not a whole number: version 1 is used")
        issues.append(
            Issue(NOTE, Place("settings"), message, N_("choose it with --version"), {"version": form.version})
        )
    group = options.group or form.settings.get("vises_stakeholder_group") or ""
    if not group:
        group = "beneficiaries"
        message = N_("no stakeholder group given: “beneficiaries” is assumed")
        issues.append(Issue(NOTE, Place(), message, N_("choose it with --group workers, for example")))
    elif group not in STAKEHOLDER_GROUPS:
        message = N_("unknown stakeholder group “%(group)s”")
        fix = N_("use beneficiaries, workers or partners")
        issues.append(Issue(REFUSAL, Place(), message, fix, {"group": group}))
    if not set(form.languages) & set(SUPPORTED_LANGUAGES):
        message = N_(
            "none of the form's languages (%(languages)s) is an interface language (fr, nl, en): "
            "campaigns cannot offer it until it is translated"
        )
        issues.append(Issue(WARNING, Place(), message, "", {"languages": ", ".join(form.languages)}))
    count = sum(1 for k in questions.kept if k.built.table["type"] != "note")
    minutes = form.settings.get("vises_estimated_minutes", "")
    return {
        "id": qid,
        "version": version,
        "stakeholder_group": group,
        "languages": form.languages,
        "estimated_minutes": int(minutes) if minutes.isdigit() else max(1, min(30, math.ceil(count / 4))),
        "title": form_title(form),
    }


def _column_indicators(questions: Questions) -> dict[str, str]:
    return {
        k.item.name: k.item.values["vises_indicator"] for k in questions.kept if k.item.values.get("vises_indicator")
    }


def _map_indicators(questions: Questions, mapping: dict[str, str], framework: Framework, issues: list[Issue]) -> None:
    known = {i.id for i in framework.indicators}
    for name, indicator in mapping.items():
        kept = next((k for k in questions.kept if not k.extra and name in (k.item.name, k.built.table["id"])), None)
        table = kept.built.table if kept else {}
        params = {"name": name, "indicator": indicator, "type": table.get("type"), "known": ", ".join(sorted(known))}
        if kept is None:
            message = N_("the indicator map names “%(name)s”, which is not a question of the imported form")
            issues.append(Issue(REFUSAL, Place(), message, N_("use the name of a question (name column)"), params))
        elif indicator not in known:
            message = N_("unknown indicator “%(indicator)s” for “%(name)s”")
            issues.append(Issue(REFUSAL, Place("survey", kept.item.row), message, N_("use one of %(known)s"), params))
        elif table["type"] == "single" and all(_number(o["value"]) is not None for o in table.get("options", [])):
            table["type"] = "scale"
            table["options"] = [{**o, "value": _number(o["value"])} for o in table["options"]]
            table["indicator"] = indicator
        elif table["type"] not in SCORED_TYPES:
            message = N_("“%(name)s” is of type %(type)s, which cannot feed an indicator")
            fix = N_("map a question with a scale, numbered choices or yes/no")
            issues.append(Issue(REFUSAL, Place("survey", kept.item.row), message, fix, params))
        else:
            table["indicator"] = indicator
        if table.get("indicator") and kept and kept.item.values.get("vises_reverse", "").lower() in ("yes", "true"):
            table["reverse"] = True


def _unmapped(questions: Questions, issues: list[Issue]) -> list[tuple[str, str]]:
    unmapped = []
    for kept in questions.kept:
        table = kept.built.table
        if table["type"] in SCORED_TYPES and not table.get("indicator"):
            unmapped.append((kept.item.name, table["id"]))
            message = N_("“%(name)s” has no indicator: it is asked, but not scored until it is mapped")
            fix = N_("map it, e.g. --indicators %(name)s=self_confidence")
            issues.append(Issue(NOTE, Place("survey", kept.item.row), message, fix, {"name": kept.item.name}))
    return unmapped


def _tidy(issues: list[Issue]) -> list[Issue]:
    """Each issue once, in the order of the rows (workbook-level ones first)."""
    unique = list({issue.text(): issue for issue in issues}.values())
    return sorted(unique, key=lambda i: (i.place.row is not None, i.place.sheet != "survey", i.place.row or 0))


def _number(value: Any) -> int | float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return int(number) if number.is_integer() else number
