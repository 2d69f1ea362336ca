"""The `--dry-run --json` preview: the parsed form in its own terms (XLSForm names, type families,
the original `relevant`, labels and choices per ISO language), groups flattened, order kept.
Documented in docs/questionnaire-format.md, section 8.
"""

from __future__ import annotations

from typing import Any

from survey_app.questionnaire.xlsform.build import OTHER
from survey_app.questionnaire.xlsform.importer import ImportResult


def preview(result: ImportResult) -> dict[str, Any]:
    if result.refused or result.form is None or result.questions is None or result.table is None:
        blocking = result.blocking or result.issues
        return {"refused": True, "message": "\n".join(issue.text() for issue in blocking)}
    form = result.form
    questions = []
    for kept in result.questions.kept:
        if kept.extra:
            continue
        item = kept.item
        choices = [{"name": c.name, "labels": dict(c.labels)} for c in form.choices(item)]
        if item.or_other and all(c["name"] != "other" for c in choices):
            choices.append({"name": "other", "labels": {lang: OTHER.get(lang, OTHER["en"]) for lang in form.languages}})
        questions.append(
            {
                "name": item.name,
                "type": item.family,
                "required": item.required,
                "relevant": item.relevant.strip() if item.relevant else None,
                "labels": dict(item.labels),
                "choices": choices,
            }
        )
    return {
        "id": result.table["id"],
        "version": result.table["version"],
        "languages": list(form.languages),
        "questions": questions,
    }
