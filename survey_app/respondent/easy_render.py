"""Rendering of easy mode's screens: the question with its pictures, recordings and images, the
progress in pictures and words, and the "ready to send?" screen."""

from __future__ import annotations

from typing import Any

from flask import render_template
from flask_babel import lazy_gettext as _l

from survey_app.questionnaire.model import Question, RawAnswer, format_value, translate
from survey_app.respondent import easy_pages, media
from survey_app.respondent.easy_pictures import pictures
from survey_app.respondent.forms import PageForm
from survey_app.respondent.links import KIOSK, SurveyLink
from survey_app.respondent.pages import language, url

END_WORDS = {"0": _l("not at all likely"), "10": _l("extremely likely")}  # the ends of a 0-10 likelihood
STEPS_DRAWN = 30  # beyond, the progress picture is a bar rather than one dot per question


def _option_media(link: SurveyLink, question: Question, lang: str) -> dict[str, dict[str, Any]]:
    found = {}
    for option in question.options:
        image = media.image(link.questionnaire.id, option.media, lang)
        audio = media.audio(link.questionnaire.id, option.media, lang)
        if image or audio:
            found[format_value(option.value)] = {"image": image, "audio": audio}
    return found


def progress_context(link: SurveyLink, number: int, answers: dict[str, RawAnswer]) -> dict[str, Any]:
    position, total = easy_pages.progress(link.questionnaire, number, answers)
    return {"position": position, "total": total, "steps": range(1, total + 1) if total <= STEPS_DRAWN else ()}


def render_question(link: SurveyLink, form: PageForm, number: int, lang: str, status: int = 200, **extra: Any):
    (question,) = form.section.questions
    view = form.views[question.id]
    answers = {**form.earlier, **form.page_answers()}
    field = form[f"q_{question.id}"] if question.answerable else None
    values = [sub.data for sub in field] if field is not None and view.kind in ("choice", "scale11", "multiple") else []
    errors = form.question_errors()
    section = link.questionnaire.sections[easy_pages.section_index(link.questionnaire, question)]
    return render_template(
        "respondent/easy/question.html",
        section_intro=translate(section.intro, lang) if section.intro else "",
        link=link,
        form=form,
        view=view,
        field=field,
        pictures=pictures(question, values),
        option_media=_option_media(link, question, lang),
        image=media.image(link.questionnaire.id, question.media, lang),
        audio=media.question_audio(link.questionnaire.id, question, lang),
        number=number,
        errors=errors,
        page_has_errors=bool(errors or form.csrf_failed),
        section_title=translate(form.section.title, lang),
        title=translate(link.questionnaire.title, lang),
        lang=lang,
        kiosk_link=link.kind == KIOSK,
        end_words=END_WORDS if question.type == "nps" else {},
        **progress_context(link, number, answers),
        **extra,
    ), status


def render_send(link: SurveyLink, form: Any, answers: dict[str, RawAnswer], status: int = 200, **extra: Any):
    last = len(easy_pages.items(link.questionnaire))
    before = easy_pages.preceding(link.questionnaire, last + 1, answers)
    return render_template(
        "respondent/easy/send.html",
        link=link,
        form=form,
        title=translate(link.questionnaire.title, language(link)),
        back=url("easy.question", link, number=before) if before else url("intro", link),
        kiosk_link=link.kind == KIOSK,
        **extra,
    ), status
