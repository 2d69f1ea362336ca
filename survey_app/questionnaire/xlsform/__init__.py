"""XLSForm (KoboToolbox, ODK) import and export of questionnaires; see docs/questionnaire-format.md.

Flask-free like the rest of the questionnaire package: openpyxl reads and writes workbooks.
read -> parse (a Form in its own terms) -> build and pages (VISES question tables) -> importer
(TOML, the product's validator); preview gives the JSON view, export the way back.
"""

from survey_app.questionnaire.xlsform.export import export_workbook
from survey_app.questionnaire.xlsform.importer import ImportOptions, ImportResult, import_workbook
from survey_app.questionnaire.xlsform.issues import Issue, XLSFormError
from survey_app.questionnaire.xlsform.preview import preview

__all__ = [
    "ImportOptions",
    "ImportResult",
    "Issue",
    "XLSFormError",
    "export_workbook",
    "import_workbook",
    "preview",
]
