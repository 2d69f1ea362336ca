"""What a survey page's template needs of each question besides its field (`QuestionView`): the
condition shown without JavaScript, and whether the optional script can watch the question's parent.
forms.build_page_form makes one per question, once per form class.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from survey_app.questionnaire.model import (
    Question,
    Questionnaire,
    Section,
    ShowIf,
    condition_questions,
    format_value,
    translate,
)
from survey_app.respondent.fields import fixed_choices, option_labels


@dataclass(frozen=True)
class QuestionView:
    """What the macros need besides the field: kind of widget, hint, condition, end labels."""

    question: Question
    kind: str
    hint: str
    condition: str
    dont_know_name: str | None = None
    end_labels: tuple[str, str] | None = None
    label: str = ""
    live: bool = False  # the parent on this page is a choice the optional script can watch

    @property
    def live_parent(self) -> str:
        """Field name of the parent the optional script watches: only for an equals / in show_if."""
        show_if = self.question.show_if
        return f"q_{show_if.question}" if isinstance(show_if, ShowIf) and self.live else ""

    @property
    def show_values(self) -> str:
        """Values of the parent answer that show this question (read by the optional script)."""
        show_if = self.question.show_if
        return " ".join(format_value(v) for v in show_if.values) if isinstance(show_if, ShowIf) else ""


def live(questionnaire: Questionnaire, question: Question, section: Section) -> bool:
    """An equals / in show_if on a choice question of the same page (radios or checkboxes)."""
    show_if = question.show_if
    if not isinstance(show_if, ShowIf) or not show_if.simple:
        return False
    parent = questionnaire.question(show_if.question)
    return parent.section == section.id and parent.type not in ("number", "text")


def condition_text(questionnaire: Questionnaire, question: Question, section: Section, language: str) -> str:
    """Shown without JavaScript when the question depends on an answer on the same page."""
    if question.show_if is None:
        return ""
    on_page = {q.id for q in section.questions}
    if not isinstance(question.show_if, ShowIf) or not question.show_if.simple:
        if not on_page & set(condition_questions(question.show_if)):
            return ""
        return str(_l("Answer this question only if it applies to you, given your answers above."))
    parent = questionnaire.question(question.show_if.question)
    if parent.section != section.id:
        return ""
    choices = (
        option_labels(parent, language) if parent.type in ("scale", "single", "multiple") else fixed_choices(parent)
    )
    labels = {c.value: str(c.label) for c in choices}
    wanted = " / ".join(labels.get(format_value(v), format_value(v)) for v in question.show_if.values)
    return str(
        _l(
            "Answer this question only if you answered “%(answer)s” to “%(question)s”.",
            answer=wanted,
            question=translate(parent.label, language),
        )
    )
