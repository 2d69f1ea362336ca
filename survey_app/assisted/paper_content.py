"""What a paper questionnaire says, in one language: questions numbered in order, their answers as
tick boxes, conditions in words ("only if you answered Yes to question 7"). Plain data, laid out
by paper_pdf; built inside `force_locale(language)` so the application's own answer labels
(agree/disagree, yes/no, don't know) are in the questionnaire's language too."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _

from survey_app.questionnaire.model import Question, Questionnaire, ShowIf, format_value, translate
from survey_app.respondent.fields import fixed_choices, option_labels
from survey_app.web.labels import DONT_KNOW_LABEL


@dataclass(frozen=True)
class PaperQuestion:
    number: int | None  # None for a note (a text to read, no answer)
    text: str
    kind: str  # choice, multiple, scale11, number, text or note
    hint: str = ""
    condition: str = ""
    options: tuple[str, ...] = ()
    end_labels: tuple[str, str] | None = None
    dont_know: str = ""


@dataclass(frozen=True)
class PaperQuestionnaire:
    title: str
    enterprise: str
    intro: str
    instructions: tuple[str, ...]
    sections: tuple[tuple[str, str, tuple[PaperQuestion, ...]], ...]  # title, instructions, questions
    code_label: str
    page_label: str  # "Page %(number)d"
    closing: str


def _kind(question: Question) -> str:
    if not question.answerable:
        return "note"
    if question.type in ("scale0_10", "nps"):
        return "scale11"
    return question.type if question.type in ("multiple", "number", "text") else "choice"


def _options(question: Question, language: str) -> tuple[str, ...]:
    if question.type in ("scale", "single", "multiple"):
        return tuple(str(c.label) for c in option_labels(question, language))
    return tuple(str(c.label) for c in fixed_choices(question))


def question_numbers(questionnaire: Questionnaire) -> dict[str, int]:
    """Questions that take an answer, numbered 1, 2, 3... in order (notes are not numbered)."""
    return {q.id: n for n, q in enumerate((q for q in questionnaire.questions if q.answerable), start=1)}


def condition_text(questionnaire: Questionnaire, question: Question, numbers: dict[str, int], language: str) -> str:
    show_if = question.show_if
    if show_if is None:
        return ""
    if isinstance(show_if, ShowIf) and show_if.simple and show_if.question in numbers:
        parent = questionnaire.question(show_if.question)
        values = parent.choices()
        labels = dict(zip(values, _options(parent, language))) if parent.type != "number" else {}
        wanted = " / ".join(labels.get(format_value(v), format_value(v)) for v in show_if.values)
        return _(
            "Answer only if you answered “%(answer)s” to question %(number)d.", answer=wanted, number=numbers[parent.id]
        )
    return _("Answer only if it applies to you, given your earlier answers.")


def _hint(question: Question, language: str) -> str:
    hint = translate(question.hint, language) if question.hint else ""
    if question.type == "multiple":
        return " ".join(filter(None, (hint, _("You may tick several boxes."))))
    return hint


def paper_questions(
    questionnaire: Questionnaire, language: str
) -> tuple[tuple[str, str, tuple[PaperQuestion, ...]], ...]:
    numbers = question_numbers(questionnaire)
    sections = []
    for section in questionnaire.sections:
        items = []
        for q in section.questions:
            kind = _kind(q)
            items.append(
                PaperQuestion(
                    numbers.get(q.id),
                    translate(q.label, language),
                    kind,
                    _hint(q, language),
                    condition_text(questionnaire, q, numbers, language),
                    _options(q, language) if kind in ("choice", "multiple", "scale11") else (),
                    (_("0 = not at all likely"), _("10 = extremely likely")) if q.type == "nps" else None,
                    str(DONT_KNOW_LABEL) if q.dont_know else "",
                )
            )
        intro = translate(section.intro, language) if section.intro else ""
        sections.append((translate(section.title, language), intro, tuple(items)))
    return tuple(sections)


def paper_questionnaire(questionnaire: Questionnaire, language: str, enterprise: str) -> PaperQuestionnaire:
    return PaperQuestionnaire(
        title=translate(questionnaire.title, language),
        enterprise=_("A survey by %(name)s", name=enterprise),
        intro=translate(questionnaire.intro, language),
        instructions=(
            _("Put a cross in the box of your answer: ☒. One box per question, unless it says you may tick several."),
            _("If you made a mistake, fill the wrong box completely and cross the right one."),
            _("Your answers are anonymous: do not write your name."),
        ),
        sections=paper_questions(questionnaire, language),
        code_label=_("Code"),
        page_label=_("Page %(number)d"),
        closing=_("Thank you! Give the questionnaire back to the person who gave it to you."),
    )
