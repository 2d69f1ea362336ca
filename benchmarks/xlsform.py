"""XLSForm import: time to import (or refuse) a 700-row form (target: under 5 s).

Generates a form of N survey rows in French and English (groups of 35 rows, select_one /
select_multiple / integer / text / note, a `relevant` on every third question, one list of 5
choices shared by most selects and a list of 500 choices (towns) used by 3 questions), once
importable and once with calculate rows the product refuses; also imports the large real form of
the corpus (idem, 710 rows, 3,539 choices) from ../shared/xlsforms (or $VISES_XLSFORMS). Each
import is timed end to end: openpyxl reading, parsing, translating conditions, writing the TOML
and running the product's validator. Prints the best and median of --runs runs.

Example: .venv/bin/python benchmarks/xlsform.py --rows 700 --runs 5
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from survey_app.questionnaire.loader import load_framework  # noqa: E402
from survey_app.questionnaire.registry import FRAMEWORK_FILE, QUESTIONNAIRES_DIR  # noqa: E402
from survey_app.questionnaire.xlsform import ImportOptions, export_workbook, import_workbook  # noqa: E402

CORPUS = Path(os.environ.get("VISES_XLSFORMS") or ROOT.parent / "shared" / "xlsforms") / "idem__form.xlsx"


def generated(rows: int, refused: bool) -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    survey = book.active
    survey.title = "survey"
    survey.append(["type", "name", "label::Français (fr)", "label::English (en)", "required", "relevant"])
    written, number, last_select = 0, 0, None
    while written < rows:
        if written % 35 == 0:
            survey.append(["begin_group", f"page_{written}", f"Page {written}", f"Page {written}", "", ""])
            written += 1
            continue
        if written % 35 == 34:
            survey.append(["end_group", "", "", "", "", ""])
            written += 1
            continue
        number += 1
        kind = ("select_one level", "select_multiple level", "integer", "text", "note", "select_one level")[number % 6]
        kind = "select_one towns" if number % 200 == 0 else kind
        relevant = f"${{{last_select}}} = 'l3'" if last_select and number % 3 == 0 and kind != "note" else ""
        if refused and number % 70 == 0:
            kind, relevant = "calculate", ""
        survey.append([kind, f"q{number}", f"Question {number} ?", f"Question {number}?", "yes", relevant])
        if kind.startswith("select_one level"):
            last_select = f"q{number}"
        written += 1
    if written and written % 35:
        survey.append(["end_group", "", "", "", "", ""])
    choices = book.create_sheet("choices")
    choices.append(["list_name", "name", "label::Français (fr)", "label::English (en)"])
    for i in range(1, 6):
        choices.append(["level", f"l{i}", f"Niveau {i}", f"Level {i}"])
    for i in range(500):
        choices.append(["towns", f"t{i}", f"Commune {i}", f"Town {i}"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def timed(data: bytes, framework, runs: int, **options) -> tuple[list[float], object]:
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = import_workbook(data, "bench.xlsx", framework, ImportOptions(**options))
        times.append(time.perf_counter() - start)
    return times, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=700)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    framework = load_framework(QUESTIONNAIRES_DIR / FRAMEWORK_FILE)
    cases = [
        (f"generated, {args.rows} rows, imported", generated(args.rows, False), {}),
        (f"generated, {args.rows} rows, refused (calculate)", generated(args.rows, True), {}),
    ]
    if CORPUS.exists():
        data = CORPUS.read_bytes()
        cases += [("idem (710 rows), refused", data, {})]
        cases += [("idem, --skip-unsupported", data, {"skip_unsupported": True})]
    print(f"{'case':<48} {'best':>8} {'median':>8}  result")
    for name, data, options in cases:
        times, result = timed(data, framework, args.runs, **options)
        outcome = (
            f"refused, {len(result.blocking)} problem(s)"
            if result.refused
            else f"{len(result.questionnaire.questions)} questions, {len(result.questionnaire.sections)} pages"
        )
        print(f"{name:<48} {min(times):>7.2f}s {statistics.median(times):>7.2f}s  {outcome}")
        if not result.refused:
            start = time.perf_counter()
            export_workbook(result.questionnaire)
            print(f"{'  export of the same':<48} {time.perf_counter() - start:>7.2f}s")


if __name__ == "__main__":
    main()
