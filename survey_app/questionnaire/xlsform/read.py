"""Read an XLSForm workbook with openpyxl: its sheets, header spellings and rows, nothing more.

Headers come in many spellings in real files: `label::French (fr)`, `label::fr`, `label:French`,
`label::french (fr)`, a trailing newline or space, `list name`, old `bind:relevant` columns,
`media::image`, plain `image` / `audio`. Each becomes a key and, for texts and media, a raw
language tag (resolved to a code by languages.py).
"""

from __future__ import annotations

import datetime as dt
import io
import re
import warnings
import zipfile
from dataclasses import dataclass, field
from typing import Any

from survey_app.questionnaire.xlsform.issues import N_, REFUSAL, Issue, Place, XLSFormError

MAX_ROWS = 20_000  # per sheet; the largest real form of the corpus has 3,715 choices
MAX_UNZIPPED = 64 * 1024 * 1024  # a small upload must not unpack into gigabytes
SHEETS = ("survey", "choices", "settings")
TRANSLATABLE = (
    "label",
    "hint",
    "constraint_message",
    "required_message",
    "image",
    "audio",
    "video",
    "form_title",
    "vises_title",
)
MEDIA = ("image", "audio", "video")
ALIASES = {
    "list name": "list_name",
    "listname": "list_name",
    "caption": "label",
    "relevance": "relevant",
    "jr:constraintmsg": "constraint_message",
    "constraintmsg": "constraint_message",
    "constraining_message": "constraint_message",
    "constraint message": "constraint_message",
    "jr:requiredmsg": "required_message",
    "requiredmsg": "required_message",
    "required message": "required_message",
    "big-image": "image",
    "id_string": "form_id",
    "set_form_id": "form_id",
    "set_form_title": "form_title",
    "choice filter": "choice_filter",
    "default language": "default_language",
    "form title": "form_title",
    "form id": "form_id",
}
PREFIX = re.compile(r"^(bind|control|body|media)\s*::?\s*", re.IGNORECASE)


@dataclass(frozen=True)
class Column:
    header: str  # as written, without surrounding spaces (shown in messages)
    key: str
    language: str | None = None  # raw language tag of a text or media column


@dataclass
class Row:
    number: int
    values: dict[str, str] = field(default_factory=dict)
    texts: dict[str, dict[str | None, str]] = field(default_factory=dict)  # key -> language tag -> text

    def get(self, key: str) -> str:
        return self.values.get(key, "")


@dataclass
class Sheet:
    name: str
    columns: list[Column]
    rows: list[Row]

    def header(self, key: str) -> str:
        """The header as written in the file, for messages (the key when absent)."""
        return next((c.header for c in self.columns if c.key == key), key)


@dataclass
class Workbook:
    source: str
    sheets: dict[str, Sheet]


def parse_header(text: str) -> Column | None:
    header = " ".join(text.split())
    if not header:
        return None
    base, language = header, None
    bare = PREFIX.sub("", header)
    if "::" in bare:
        base, _sep, rest = bare.partition("::")
        if base.strip().lower() == "media" or rest.split("::")[0].strip().lower() in MEDIA:
            kind, _sep, rest = rest.partition("::")
            base = kind
        language = rest.strip() or None
    elif ":" in bare and bare.split(":")[0].strip().lower() in TRANSLATABLE:
        base, _sep, rest = bare.partition(":")
        language = rest.strip() or None
    else:
        base = bare
    key = base.strip().lower()
    key = ALIASES.get(key, key).replace(" ", "_")
    return Column(header, key, language if key in TRANSLATABLE else None)


def cell_text(value: Any) -> str:
    """A cell as the text a form means: 1.0 reads "1", True reads "true", spaces trimmed."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    return str(value).strip()


def read_workbook(data: bytes, source: str) -> Workbook:
    """The survey, choices and settings sheets of a workbook, or an XLSFormError."""
    _check_archive(data, source)
    import openpyxl

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about styles and custom properties
            book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise _refusal(source, N_("the file cannot be read as a workbook (%(detail)s)"), type(exc).__name__) from None
    try:
        names = {name.strip().lower(): name for name in book.sheetnames}
        sheets = {key: _read_sheet(book[names[key]], key, source) for key in SHEETS if key in names}
    finally:
        book.close()
    if "survey" not in sheets:
        raise XLSFormError(
            source,
            [
                Issue(
                    REFUSAL,
                    Place(),
                    N_("the workbook has no “survey” sheet (its sheets: %(sheets)s)"),
                    N_("name the sheet of questions “survey”"),
                    {"sheets": ", ".join(names.values()) or "-"},
                )
            ],
        )
    return Workbook(source, sheets)


def _check_archive(data: bytes, source: str) -> None:
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise _refusal(source, N_("the file is not an .xlsx workbook (%(detail)s)"), "not a zip archive")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        if sum(info.file_size for info in archive.infolist()) > MAX_UNZIPPED:
            raise _refusal(source, N_("the file is not an .xlsx workbook (%(detail)s)"), "unpacks too large")


def _refusal(source: str, message: str, detail: str) -> XLSFormError:
    fix = N_("save the form as an Excel workbook (.xlsx) and try again")
    return XLSFormError(source, [Issue(REFUSAL, Place(), message, fix, {"detail": detail})])


def _read_sheet(sheet: Any, name: str, source: str) -> Sheet:
    lines = sheet.iter_rows(values_only=True)
    columns: list[tuple[int, Column]] = []
    header_row = (sheet.min_row or 1) - 1
    for header_cells in lines:
        header_row += 1
        found = [(i, parse_header(cell_text(v))) for i, v in enumerate(header_cells)]
        columns = [(i, c) for i, c in found if c is not None]
        if columns:
            break
    rows: list[Row] = []
    for offset, cells in enumerate(lines, start=1):
        if offset > MAX_ROWS:
            fix = N_("split the form, or remove empty and unused rows")
            params = {"sheet": name, "max": MAX_ROWS}
            message = N_("the “%(sheet)s” sheet has more than %(max)s rows")
            raise XLSFormError(source, [Issue(REFUSAL, Place(name), message, fix, params)])
        row = _row(cells, columns, header_row + offset)
        if row is not None:
            rows.append(row)
    return Sheet(name, [c for _i, c in columns], rows)


def _row(cells: tuple, columns: list[tuple[int, Column]], number: int) -> Row | None:
    row = Row(number)
    for index, column in columns:
        text = cell_text(cells[index]) if index < len(cells) else ""
        if not text:
            continue
        if column.key in TRANSLATABLE:
            row.texts.setdefault(column.key, {}).setdefault(column.language, text)
        else:
            row.values.setdefault(column.key, text)
    return row if row.values or row.texts else None
