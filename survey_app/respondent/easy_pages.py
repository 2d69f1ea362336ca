"""Easy mode's sequence: one question per screen, in questionnaire order, skipping the questions a
condition hides (decided from the draft: every condition depends on an earlier screen, so the
server always knows). Screens are numbered from 1 over all questions, notes included, so a number
always names the same question of the questionnaire."""

from __future__ import annotations

from collections.abc import Mapping

from survey_app.questionnaire.model import Question, Questionnaire, RawAnswer, Section


def items(questionnaire: Questionnaire) -> tuple[Question, ...]:
    return questionnaire.questions


def section_index(questionnaire: Questionnaire, question: Question) -> int:
    return next(i for i, s in enumerate(questionnaire.sections) if s.id == question.section)


def screen_section(questionnaire: Questionnaire, question: Question) -> Section:
    """A page of one question, titled by its section: what the respondent's page form is built on."""
    section = questionnaire.sections[section_index(questionnaire, question)]
    return Section(f"{section.id}:{question.id}", section.title, (question,))


def shown(questionnaire: Questionnaire, number: int, answers: Mapping[str, RawAnswer]) -> bool:
    return questionnaire.is_visible(items(questionnaire)[number - 1], answers)


def following(questionnaire: Questionnaire, number: int, answers: Mapping[str, RawAnswer]) -> int | None:
    """The next screen shown after `number`, or None when the questions are over."""
    for candidate in range(number + 1, len(items(questionnaire)) + 1):
        if shown(questionnaire, candidate, answers):
            return candidate
    return None


def preceding(questionnaire: Questionnaire, number: int, answers: Mapping[str, RawAnswer]) -> int | None:
    for candidate in range(number - 1, 0, -1):
        if shown(questionnaire, candidate, answers):
            return candidate
    return None


def resume(questionnaire: Questionnaire, answers: Mapping[str, RawAnswer]) -> int | None:
    """The first shown question not answered yet (a required one answered empty counts as not
    answered); None when every shown question is done."""
    for number, question in enumerate(items(questionnaire), start=1):
        if not question.answerable or not questionnaire.is_visible(question, answers):
            continue
        if question.id not in answers or (question.required and answers[question.id] in (None, "", [])):
            return number
    return None


def progress(questionnaire: Questionnaire, number: int, answers: Mapping[str, RawAnswer]) -> tuple[int, int]:
    """(position of this screen, screens shown) as the answers stand: the total may change."""
    visible = [n for n in range(1, len(items(questionnaire)) + 1) if n == number or shown(questionnaire, n, answers)]
    return visible.index(number) + 1, len(visible)
