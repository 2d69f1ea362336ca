"""Fixtures for the XLSForm tests: the shared corpus of real workbooks, a workbook builder and the
import with the bundled framework (registered in conftest's pytest_plugins)."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# In CI the checkout has shared/ beside it; VISES_XLSFORMS points elsewhere (a helper's worktree).
CORPUS = Path(os.environ.get("VISES_XLSFORMS") or ROOT.parent / "shared" / "xlsforms")


@pytest.fixture(scope="session")
def corpus() -> Path:
    if not CORPUS.is_dir():
        pytest.skip(f"the XLSForm corpus is not at {CORPUS} (../shared/xlsforms beside the checkout)")
    return CORPUS


@pytest.fixture(scope="session")
def framework():
    from survey_app.questionnaire.loader import load_framework
    from survey_app.questionnaire.registry import FRAMEWORK_FILE, QUESTIONNAIRES_DIR

    return load_framework(QUESTIONNAIRES_DIR / FRAMEWORK_FILE)


def build_workbook(survey: list[list], choices: list[list] | None = None, settings: list[list] | None = None) -> bytes:
    """An .xlsx from rows (the first row of each sheet is its header)."""
    import openpyxl

    book = openpyxl.Workbook()
    sheets = [("survey", survey), ("choices", choices), ("settings", settings)]
    book.active.title = "survey"
    for name, rows in sheets:
        if rows is None:
            continue
        sheet = book["survey"] if name == "survey" else book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.fixture(scope="session")
def workbook():
    return build_workbook


@pytest.fixture
def run_import(framework):
    """Import workbook bytes with keyword options (ImportOptions fields)."""
    from survey_app.questionnaire.xlsform import ImportOptions, import_workbook

    def _run(data: bytes, source: str = "form.xlsx", **options):
        return import_workbook(data, source, framework, ImportOptions(**options))

    return _run
