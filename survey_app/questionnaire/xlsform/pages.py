"""Pages of an imported questionnaire: each top-level group is a page (nested groups join their
page), each run of questions outside groups is a page; a note that opens the form is the intro.
"""

from __future__ import annotations

from pathlib import PurePath

from survey_app.questionnaire.loader import MAX_SECTIONS
from survey_app.questionnaire.xlsform.build import Kept, Questions
from survey_app.questionnaire.xlsform.form import Form, Group, Texts
from survey_app.questionnaire.xlsform.issues import N_, NOTE, REFUSAL, WARNING, Issue, Place
from survey_app.questionnaire.xlsform.names import Identifiers, fill, humanize

INTRO = {
    "fr": "Merci de prendre quelques minutes pour répondre à ces questions.",
    "nl": "Bedankt om even de tijd te nemen om deze vragen te beantwoorden.",
    "en": "Thank you for taking a few minutes to answer these questions.",
    "de": "Vielen Dank, dass Sie sich ein paar Minuten Zeit für diese Fragen nehmen.",
}


def form_title(form: Form) -> Texts:
    texts = form.title or {form.languages[0]: humanize(form.form_id or PurePath(form.source).stem)}
    return fill(texts, form.languages)[0]


def lay_out(form: Form, questions: Questions, issues: list[Issue]) -> tuple[list[dict], Texts, list[dict]]:
    """(sections, intro, question tables); each table gets its section id."""
    kept = list(questions.kept)
    intro = _intro(form, kept, issues)
    pages: list[tuple[Group | None, list[Kept]]] = []
    for k in kept:
        group = k.item.page
        if not pages or pages[-1][0] is not group:
            pages.append((group, []))
        pages[-1][1].append(k)
    ids = Identifiers()
    sections = []
    for group, members in pages:
        sid = ids.take(group.name if group else "questions", "page")
        title = fill(group.labels, form.languages)[0] if group and group.labels else None
        sections.append({"id": sid, "title": title or _fallback_title(form, group)})
        for k in members:
            k.built.table["section"] = sid
    _nested_notes(kept, issues)
    if len(sections) > MAX_SECTIONS:
        message = N_("the form has %(count)s pages (top-level groups); a VISES survey has at most %(max)s")
        fix = N_("gather questions into fewer top-level groups")
        issues.append(Issue(REFUSAL, Place("survey"), message, fix, {"count": len(sections), "max": MAX_SECTIONS}))
    if not kept:
        issues.append(Issue(REFUSAL, Place("survey"), N_("no question is left to import"), N_("add questions")))
    return sections, intro, [k.built.table for k in kept]


def _intro(form: Form, kept: list[Kept], issues: list[Issue]) -> Texts:
    first = kept[0].built.table if kept else None
    if first and first["type"] == "note" and "show_if" not in first and "media" not in first:
        row = kept.pop(0).item.row
        message = N_("the opening note “%(name)s” becomes the introduction shown before the first page")
        issues.append(Issue(NOTE, Place("survey", row), message, "", {"name": first["id"]}))
        return first["label"]
    missing = [lang for lang in form.languages if lang not in INTRO]
    message = N_("the form has no opening note: a standard introduction is used (in English for %(languages)s)")
    if not missing:
        message = N_("the form has no opening note: a standard introduction is used")
    fix = N_("start the form with a note, or edit intro in the questionnaire file")
    issues.append(Issue(WARNING, Place(), message, fix, {"languages": ", ".join(missing)}))
    return {lang: INTRO.get(lang, INTRO["en"]) for lang in form.languages}


def _fallback_title(form: Form, group: Group | None) -> Texts:
    if group is None:
        return form_title(form)
    return {lang: humanize(group.name) for lang in form.languages}


def _nested_notes(kept: list[Kept], issues: list[Issue]) -> None:
    seen: set[int] = set()
    for k in kept:
        for group in k.item.groups[1:]:
            if group.row not in seen:
                seen.add(group.row)
                message = N_("the group “%(group)s” is inside the group “%(page)s”: its questions join that page")
                params = {"group": group.name, "page": k.item.groups[0].name}
                issues.append(Issue(NOTE, Place("survey", group.row), message, "", params))
