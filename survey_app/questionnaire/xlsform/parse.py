"""Rows of the survey, choices and settings sheets -> a Form in the form's own terms.

Problems are collected, not raised: invalid workbooks (unknown types, a select without its list,
duplicate names, unbalanced groups) as refusals; features the product cannot run as problems of
their row, so that --skip-unsupported can drop those rows; metadata rows as notes.
"""

from __future__ import annotations

from survey_app.questionnaire.xlsform import languages
from survey_app.questionnaire.xlsform.form import Choice, Form, Group, Item, MediaFiles, Texts
from survey_app.questionnaire.xlsform.issues import FIX_SKIP, N_, NOTE, REFUSAL, UNSUPPORTED, Issue, Place
from survey_app.questionnaire.xlsform.kinds import classify
from survey_app.questionnaire.xlsform.read import MEDIA, Row, Sheet, Workbook

ALL_LANGUAGES = "*"  # a media column without a language applies to every language
TRUE = ("yes", "true", "true()", "1")
FALSE = ("no", "false", "false()", "0", "")
TEXT_KEYS = {
    "label": "labels",
    "hint": "hints",
    "constraint_message": "constraint_messages",
    "required_message": "required_messages",
}


class Resolver:
    """Language tags of the columns -> codes; a plain column is in the default language."""

    def __init__(self, book: Workbook, settings: Row, mapping: dict[str, str], issues: list[Issue]):
        self.mapping, self.issues = mapping, issues
        self.codes: dict[str, str | None] = {}
        tag = settings.get("default_language")
        declared = mapping.get("default") or (languages.resolve(tag, mapping) if tag else None)
        self.declared = declared is not None  # a declared default language comes first
        self.default: str = declared or languages.FALLBACK
        plain = False
        for sheet in book.sheets.values():
            for column in sheet.columns:
                if column.language is None:
                    plain = plain or column.key in ("label", "hint")
                elif column.language not in self.codes:
                    self.codes[column.language] = self._code(sheet, column.header, column.language)
        if not self.declared and plain:
            message = N_("plain “label” columns are read as English (en): the form names no default_language")
            fix = N_("set default_language on the settings sheet, or map it with --language-map 'default=fr'")
            issues.append(Issue(NOTE, Place(), message, fix))

    def _code(self, sheet: Sheet, header: str, tag: str) -> str | None:
        code = languages.resolve(tag, self.mapping)
        if code is None:
            self.issues.append(
                Issue(
                    REFUSAL,
                    Place(sheet.name, 1, header),
                    N_("cannot tell which language “%(tag)s” is"),
                    N_("write the header like “label::Français (fr)”, or map it with --language-map '%(tag)s=fr'"),
                    {"tag": tag},
                )
            )
        return code

    def texts(self, row: Row, key: str) -> Texts:
        found: Texts = {}
        for tag, text in sorted(row.texts.get(key, {}).items(), key=lambda kv: kv[0] is None):
            code = self.default if tag is None else self.codes.get(tag)
            if code:
                found.setdefault(code, text)
        return found

    def media(self, row: Row) -> MediaFiles:
        media: MediaFiles = {}
        for kind in MEDIA:
            for tag, name in row.texts.get(kind, {}).items():
                code = ALL_LANGUAGES if tag is None else self.codes.get(tag)
                if code:
                    media.setdefault(kind, {})[code] = name
        return media


def parse_form(book: Workbook, mapping: dict[str, str]) -> Form:
    settings_sheet = book.sheets.get("settings")
    settings = settings_sheet.rows[0] if settings_sheet and settings_sheet.rows else Row(0)
    issues: list[Issue] = []
    resolver = Resolver(book, settings, mapping, issues)
    form = Form(
        book.source,
        settings.get("form_id"),
        resolver.texts(settings, "vises_title") or resolver.texts(settings, "form_title"),
        settings.get("version"),
        [],
        settings=dict(settings.values),
        issues=issues,
    )
    form.lists = _choices(book.sheets.get("choices"), resolver, issues)
    for column in book.sheets["survey"].columns:
        form.headers.setdefault(column.key, column.header)
    _survey(book.sheets["survey"], form, resolver)
    form.languages = _languages(form, resolver.default, resolver.declared)
    return form


def _languages(form: Form, default: str, declared: bool) -> list[str]:
    """Codes of the labels of questions and of the choice lists they use, a declared default first."""
    found: list[str] = []
    used = [form.lists.get(i.list_name or "", []) for i in form.items if not i.problems]
    for texts in [i.labels for i in form.items] + [c.labels for choices in used for c in choices]:
        found += [code for code in texts if code not in found]
    if declared and default in found:
        found.remove(default)
        found.insert(0, default)
    return found or [default]


def _choices(sheet: Sheet | None, resolver: Resolver, issues: list[Issue]) -> dict[str, list[Choice]]:
    lists: dict[str, list[Choice]] = {}
    if sheet is None:
        return lists
    for row in sheet.rows:
        list_name, name = row.get("list_name"), row.get("name") or row.get("value")
        if not list_name and not name:
            continue
        if not list_name or not name:
            missing = "list_name" if not list_name else "name"
            issues.append(
                Issue(
                    REFUSAL,
                    Place(sheet.name, row.number, sheet.header(missing)),
                    N_("the choice has no %(column)s"),
                    N_("fill it in, or delete the row"),
                    {"column": missing},
                )
            )
            continue
        choice = Choice(row.number, name, resolver.texts(row, "label"), resolver.media(row))
        lists.setdefault(list_name, []).append(choice)
    return lists


def _survey(sheet: Sheet, form: Form, resolver: Resolver) -> None:
    groups: list[Group] = []
    repeat: list[Row] = []  # the begin row of an open repeat, and the rows inside it
    depth = 0
    for row in sheet.rows:
        kind = classify(row.get("type"))
        if not row.get("type"):
            continue  # pyxform skips rows without a type (comments, spacing)
        if repeat:
            depth += {"begin_repeat": 1, "end_repeat": -1}.get(kind.what, 0)
            if depth == 0:
                form.items.append(_repeat_item(sheet, repeat, groups))
                repeat = []
            else:
                repeat.append(row)
            continue
        if kind.what == "begin_repeat":
            repeat, depth = [row], 1
        elif kind.what == "begin_group":
            name = row.get("name") or f"group_{row.number}"
            groups.append(Group(row.number, name, resolver.texts(row, "label"), row.get("relevant") or None))
        elif kind.what in ("end_group", "end_repeat"):
            if kind.what == "end_repeat" or not groups:
                form.issues.append(_unbalanced(sheet, row, N_("“%(type)s” closes nothing")))
            else:
                groups.pop()
        elif kind.what == "metadata":
            message = N_("“%(type)s” (metadata) dropped: a VISES survey records no device or time data")
            form.issues.append(Issue(NOTE, Place(sheet.name, row.number), message, "", {"type": row.get("type")}))
        elif kind.what in ("unknown", "no_list"):
            form.issues.append(_bad_type(sheet, row, kind.what))
        else:
            form.items.append(_item(sheet, row, kind, tuple(groups), resolver))
    for group in groups:
        message, fix = N_("group “%(type)s” is never closed"), N_("add its end_group row")
        form.issues.append(Issue(REFUSAL, Place(sheet.name, group.row), message, fix, {"type": group.name}))
    if repeat:
        form.items.append(_repeat_item(sheet, repeat, groups))


def _item(sheet: Sheet, row: Row, kind, groups: tuple[Group, ...], resolver: Resolver) -> Item:
    item = Item(row.number, row.get("name"), kind.family, kind.list_name, kind.or_other, groups=groups)
    for key, attribute in TEXT_KEYS.items():
        setattr(item, attribute, resolver.texts(row, key))
    item.media, item.values = resolver.media(row), dict(row.values)
    item.relevant = row.get("relevant") or None
    required = row.get("required").lower()
    item.required = required in TRUE
    if kind.what == "unsupported":
        item.family = ""
        message, params = N_("“%(type)s” (%(feature)s) is not supported"), {"type": row.get("type")}
        item.problems.append(_unsupported(sheet, row, "type", message, {**params, "feature": kind.feature}))
    if required not in TRUE + FALSE:
        message = N_("“required” holds a condition (%(expression)s) that a VISES survey cannot evaluate")
        item.problems.append(_unsupported(sheet, row, "required", message, {"expression": row.get("required")}))
    if row.get("choice_filter"):
        message = N_("a choice filter (%(expression)s) is not supported")
        params = {"expression": row.get("choice_filter")}
        item.problems.append(_unsupported(sheet, row, "choice_filter", message, params))
    return item


def _unsupported(sheet: Sheet, row: Row, column: str, message: str, params: dict) -> Issue:
    place = Place(sheet.name, row.number, sheet.header(column))
    return Issue(UNSUPPORTED, place, message, FIX_SKIP, params, row.get("name") or None)


def _repeat_item(sheet: Sheet, rows: list[Row], groups: list[Group]) -> Item:
    begin = rows[0]
    count = sum(1 for r in rows[1:] if classify(r.get("type")).what in ("question", "unsupported"))
    item = Item(begin.number, begin.get("name"), "", groups=tuple(groups))
    message = N_("“%(type)s” (%(feature)s) is not supported; its %(count)s questions go with it")
    params = {"type": begin.get("type"), "feature": classify(begin.get("type")).feature, "count": count}
    item.problems.append(_unsupported(sheet, begin, "type", message, params))
    return item


def _unbalanced(sheet: Sheet, row: Row, message: str) -> Issue:
    fix = N_("remove it, or add the begin_group it closes")
    return Issue(REFUSAL, Place(sheet.name, row.number, sheet.header("type")), message, fix, {"type": row.get("type")})


def _bad_type(sheet: Sheet, row: Row, what: str) -> Issue:
    place = Place(sheet.name, row.number, sheet.header("type"))
    if what == "no_list":
        message = N_("“%(type)s” needs the name of a choice list")
        return Issue(REFUSAL, place, message, N_("write it as “select_one list_name”"), {"type": row.get("type")})
    fix = N_("use an XLSForm type such as select_one, select_multiple, integer, decimal, text, note or range")
    return Issue(REFUSAL, place, N_("unknown question type “%(type)s”"), fix, {"type": row.get("type")})
