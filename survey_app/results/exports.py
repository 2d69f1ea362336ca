"""Response exports (CSV and XLSX): one row per response, one column per question (custom ones
included), values or labels in a chosen language, no personal data, and nothing the export
policy leaves out (export_policy.py: small-answer questions, hidden quotes, small weeks).

Rows are read from a cursor and written as they come, so memory stays flat whatever the number
of responses. Text that a spreadsheet would run as a formula (= + - @ tab CR at the start) is
prefixed with an apostrophe.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import os
import tempfile
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlite_utils import Database

from survey_app.domain.campaigns import custom_questions_of, languages_of
from survey_app.questionnaire.instruments import Instrument
from survey_app.questionnaire.model import Question, Questionnaire, format_value, translate
from survey_app.questionnaire.rules import Checker, parse_questions
from survey_app.questionnaire.scoring import RespondentScore, Scoring, score_answers
from survey_app.results.export_policy import ExportPolicy, hidden_quote_questions, policy_for
from survey_app.storage.db import connect
from survey_app.web.labels import AGREE5_LABELS, DONT_KNOW_LABEL, YES_NO_LABELS

if TYPE_CHECKING:  # openpyxl is imported only when an XLSX file is built
    from openpyxl.cell import Cell

FIXED_COLUMNS = ("response", "language", "link", "channel", "submitted_week")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CHUNK = 64 * 1024


def neutralise(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def export_questions(campaign: dict, base: Questionnaire, instruments: Sequence[Instrument] = ()) -> list[Question]:
    """The questionnaire's questions, the campaign's custom questions (already validated), then the
    items of its instruments, in the order the respondent saw them."""
    check = Checker("custom questions", tuple(languages_of(campaign)))
    custom = parse_questions(
        custom_questions_of(campaign),
        check,
        None,
        [base.sections[-1].id],
        taken_ids=tuple(q.id for q in base.questions),
    )
    instrument_items = [q for instrument in instruments for q in instrument.questions]
    return [q for q in base.questions if q.answerable] + custom + instrument_items


def _labels(question: Question, language: str) -> dict[str, str]:
    """Text of each stored value of a question, in `language` (computed once per export)."""
    if question.type == "agree5":
        return {str(i + 1): str(label) for i, label in enumerate(AGREE5_LABELS)}
    if question.type == "yes_no":
        return {str(value): str(label) for value, label in YES_NO_LABELS.items()}
    return {format_value(o.value): translate(o.label, language) for o in question.options}


def cell_maker(question: Question, language: str, labels: bool) -> Callable[[float | None, str | None, int], Any]:
    """A function turning one stored answer into a cell value (labels and lookups prepared once)."""
    names = _labels(question, language) if labels else ({"1": "yes", "0": "no"} if question.type == "yes_no" else {})
    dont_know = str(DONT_KNOW_LABEL) if labels else "dont_know"
    multiple = question.type == "multiple"

    def cell(num: float | None, text: str | None, is_dont_know: int) -> Any:
        if is_dont_know:
            return dont_know
        if text is not None:
            if names:
                return "; ".join(names.get(v, v) for v in text.split()) if multiple else names.get(text, text)
            return neutralise(text)
        if num is None:
            return None
        key = format_value(num)
        if key in names:
            return names[key]
        return int(num) if float(num).is_integer() else num

    return cell


def header(questions: list[Question], language: str, labels: bool, policy: ExportPolicy) -> list[str]:
    """Column names; a column the policy blanked, wholly or in part, says so in its name."""
    hidden = hidden_quote_questions(policy)

    def note(question: Question) -> str:
        if question.id in policy.blank_questions:
            return " " + _("(left blank: fewer than %(n)d answers)", n=policy.min_group)
        if question.id in hidden:
            return " " + _("(quotes hidden by the enterprise left blank)")
        return ""

    week = FIXED_COLUMNS[-1]
    if policy.blank_weeks:
        week += " " + _("(left blank in weeks with fewer than %(n)d responses)", n=policy.min_group)
    names = (f"{q.id}: {translate(q.label, language)}" if labels else q.id for q in questions)
    return [*FIXED_COLUMNS[:-1], week, *(neutralise(name + note(q)) for name, q in zip(names, questions))]


def streamed_rows(
    database_path: str,
    campaign_id: int,
    questions: list[Question],
    language: str,
    labels: bool,
    min_group: int,
    scorings: Sequence[Scoring] = (),
) -> Iterator[list]:
    """rows() on a connection of its own, closed at the end: a streamed response outlives the
    request's connection."""
    db = connect(database_path)
    try:
        yield from rows(db, campaign_id, questions, language, labels, min_group, scorings)
    finally:
        db.close()


def score_columns(
    scorings: Sequence[Scoring], questions: list[Question], policy: ExportPolicy
) -> list[tuple[Scoring, list[Question]]]:
    """Published scores exported after the answers (validated instruments), each with its items;
    none whose item the policy blanked, since the score would give that answer away."""
    out = []
    for scoring in scorings:
        items = [q for q in questions if q.scored and q.indicator == scoring.indicator]
        if items and not any(q.id in policy.blank_questions for q in items):
            out.append((scoring, items))
    return out


def score_header(scoring: Scoring, language: str, labels: bool) -> str:
    name = f"{scoring.indicator}_score"
    return neutralise(f"{name}: {translate(scoring.name, language)}" if labels and scoring.name else name)


def rows(
    db: Database,
    campaign_id: int,
    questions: list[Question],
    language: str,
    labels: bool,
    min_group: int,
    scorings: Sequence[Scoring] = (),
) -> Iterator[list]:
    """The header, then one list per response, streamed from the database, as the policy allows;
    then each published score (questionnaire/scoring.py, the pipeline's rule), blank where the
    instrument's missing-data rule leaves the respondent out. No band: bands describe groups.

    Rows come by week shown (blank weeks first), then by the random submission id, so neither
    their order nor their number says who answered when.
    """
    policy = policy_for(db, campaign_id, [q.id for q in questions], min_group)
    scores = score_columns(scorings, questions, policy)
    # Blanked questions have no position: their cells stay empty without a check per cell.
    position = {q.id: i for i, q in enumerate(questions) if q.id not in policy.blank_questions}
    hidden = policy.hidden_quotes
    with force_locale(language):
        makers = [cell_maker(q, language, labels) for q in questions]
        yield header(questions, language, labels, policy) + [score_header(s, language, labels) for s, _ in scores]
        grouped = itertools.groupby(_answer_rows(db, campaign_id, policy), key=lambda r: r[0])
        for number, (response_id, group) in enumerate(grouped, start=1):
            cells: list[Any] = [None] * len(questions)
            values: dict[str, float | None] = {}
            for _rid, lang, link, channel, week, question_id, num, text, dont_know in group:  # noqa: B007 (same in every row)
                if question_id in position and not (hidden and (response_id, question_id) in hidden):
                    index = position[question_id]
                    cells[index] = makers[index](num, text, dont_know)
                    values[question_id] = None if dont_know else num
            published = [score_answers(scoring, items, values) for scoring, items in scores]
            yield [number, lang, link, channel, policy.week(week), *cells, *(_score_cell(p) for p in published)]


def _score_cell(score: RespondentScore | None) -> float | int | None:
    if score is None:
        return None
    value = round(score.published, 4)  # prorated sums and means: no floating-point tail
    return int(value) if value == int(value) else value


def _answer_rows(db: Database, campaign_id: int, policy: ExportPolicy) -> Iterator[tuple]:
    """Answer rows grouped by response: responses of blank weeks first, then week by week, each by
    random submission id. One pass per week walks the index response_week in order: no sort of the
    whole campaign (a single ORDER BY over 100,000 responses doubled the export time)."""
    select = (
        "SELECT r.id, r.language, r.link, r.channel, r.submitted_week, a.question_id, a.value_num, a.value_text, "
        "a.dont_know FROM response r LEFT JOIN answer a ON a.response_id = r.id WHERE r.campaign_id = ? "
    )
    shown = json.dumps(sorted(policy.shown_weeks))
    yield from db.execute(
        select + "AND r.submitted_week NOT IN (SELECT value FROM json_each(?)) ORDER BY r.submission_id",
        [campaign_id, shown],
    )
    for week in sorted(policy.shown_weeks):
        yield from db.execute(
            select + "AND r.submitted_week = ? ORDER BY r.submitted_week, r.submission_id", [campaign_id, week]
        )


def csv_chunks(table: Iterator[list]) -> Iterator[str]:
    buffer = io.StringIO()
    buffer.write("\ufeff")  # so that spreadsheet software reads UTF-8 accents correctly
    writer = csv.writer(buffer)
    for row in table:
        writer.writerow(row)
        if buffer.tell() > CHUNK:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def _text_cell(sheet, value: str) -> Cell:  # WriteOnlyCell is a function making a Cell
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet, value=value)
    cell.data_type = "s"
    return cell


def save_xlsx(table: Iterator[list], path: str | os.PathLike) -> None:
    """openpyxl's write-only mode spools rows to disk as they come, then writes the file at `path`."""
    from openpyxl import Workbook  # openpyxl: only when an XLSX file is built

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("responses")
    for row in table:
        # Plain values are much faster than cell objects; a text cell object only where openpyxl
        # would otherwise read a formula (neutralise() already prevents it: defence in depth).
        sheet.append([_text_cell(sheet, v) if isinstance(v, str) and v.startswith("=") else v for v in row])
    workbook.save(path)


def xlsx_chunks(table: Iterator[list]) -> Iterator[bytes]:
    """The XLSX file of `table` in chunks (built in a temporary file, streamed, then deleted)."""
    handle, path = tempfile.mkstemp(suffix=".xlsx")
    os.close(handle)
    try:
        save_xlsx(table, path)
        with open(path, "rb") as fh:
            while chunk := fh.read(CHUNK):
                yield chunk
    finally:
        os.unlink(path)


def response_count(db: Database, campaign_id: int) -> int:
    return db.execute("SELECT count(*) FROM response WHERE campaign_id = ?", [campaign_id]).fetchone()[0]
