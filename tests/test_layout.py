"""The layout's promises: a Flask-free base and pipeline, and a top package holding only the factory."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BASE = ("survey_app.core", "survey_app.storage", "survey_app.questionnaire", "survey_app.domain", "pipeline")

# Imports every module of the base packages and of the pipeline, then lists what Flask-side modules got loaded.
PROBE = """
import importlib, pkgutil, sys
for name in sys.argv[1:]:
    package = importlib.import_module(name)
    for info in pkgutil.walk_packages(package.__path__, name + "."):
        if not info.name.endswith("__main__"):
            importlib.import_module(info.name)
web = ("flask", "flask_babel", "flask_wtf", "werkzeug", "wtforms")
print(sorted(m for m in sys.modules if m.split(".")[0] in web))
print(sorted(m for m in sys.modules if m.startswith(("survey_app.", "pipeline"))))
"""


def test_the_base_and_the_pipeline_import_without_flask():
    result = subprocess.run(
        [sys.executable, "-c", PROBE, *BASE], cwd=ROOT, capture_output=True, text=True, check=True, timeout=120
    )
    web_modules, loaded = result.stdout.strip().splitlines()
    assert web_modules == "[]"
    # The probe really loaded the modules it speaks for, the pipeline's compute step among them.
    assert "'pipeline.compute'" in loaded and "'survey_app.storage.db'" in loaded
    assert "'survey_app.web." not in loaded


def test_the_top_package_holds_only_the_factory_and_the_entry_point():
    assert sorted(p.name for p in (ROOT / "survey_app").glob("*.py")) == ["__init__.py", "__main__.py"]


def test_every_sub_package_says_what_it_owns_and_may_import():
    for init in [*(ROOT / "survey_app").glob("*/__init__.py"), *(ROOT / "pipeline").glob("**/__init__.py")]:
        doc = init.read_text(encoding="utf-8").split('"""')[1]
        assert "import" in doc.lower(), f"{init.relative_to(ROOT)}: docstring should say what it may import"


def test_the_app_starts_without_the_chart_pdf_and_spreadsheet_libraries():
    """matplotlib, fpdf, openpyxl and segno are imported where charts, PDFs, XLSX files and QR codes
    are made, not at start-up (they cost seconds before the first page: docs/performance.md)."""
    probe = (
        "import sys, tempfile\n"
        "from survey_app import create_app\n"
        "folder = tempfile.mkdtemp()\n"
        "create_app({'database.path': folder + '/v.db', 'server.secret_key': 'x', 'schedule.enabled': False})\n"
        "print(sorted(m for m in ('matplotlib', 'fpdf', 'openpyxl', 'segno') if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.stdout.strip() == "[]", done.stderr
