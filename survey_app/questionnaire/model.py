"""Typed, immutable model of the framework and of questionnaires (see docs/questionnaire-format.md).

Answers travel as "raw" values, the strings a form posts: "4", "yes", "dont_know", or a list of
option values for `multiple`. This module knows how to turn them into stored values and scores.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # scoring builds on this model
    from survey_app.questionnaire.scoring import Scoring

Translations = Mapping[str, str]
RawAnswer = str | list[str] | None

DONT_KNOW = "dont_know"
QUESTION_TYPES = ("agree5", "scale0_10", "nps", "scale", "yes_no", "single", "multiple", "number", "text", "note")
# Types whose answer is a point on an ordinal scale, so they can feed an indicator.
SCORED_TYPES = ("agree5", "scale0_10", "nps", "scale", "yes_no")
OPTION_TYPES = ("scale", "single", "multiple")
FIXED_RANGES = {"agree5": (1, 5), "scale0_10": (0, 10), "nps": (0, 10), "yes_no": (0, 1)}
# How a yes/no answer is posted (the key) and stored (the value); web.labels.YES_NO_LABELS names them.
YES_NO_VALUES = {"yes": 1, "no": 0}
# Types whose answer is a number, so show_if may compare it (more_than, at_least...).
NUMERIC_TYPES = ("agree5", "scale0_10", "nps", "scale", "number")
MEDIA_KINDS = ("image", "audio", "video")
# show_if tests on one earlier question: "in" (equals / in), "answered", and comparisons.
COMPARISONS = {
    "more_than": lambda a, b: a > b,
    "at_least": lambda a, b: a >= b,
    "less_than": lambda a, b: a < b,
    "at_most": lambda a, b: a <= b,
}
Media = Mapping[str, Translations]  # kind (image, audio, video) -> language -> file name


def translate(texts: Translations, language: str) -> str:
    """The text in `language`, falling back to French, then to any language present."""
    return texts.get(language) or texts.get("fr") or next(iter(texts.values()), "")


@dataclass(frozen=True)
class Dimension:
    id: str
    label: Translations
    description: Translations


@dataclass(frozen=True)
class Indicator:
    id: str
    dimension: str
    label: Translations
    description: Translations


@dataclass(frozen=True)
class Framework:
    dimensions: tuple[Dimension, ...]
    indicators: tuple[Indicator, ...]

    def indicator(self, indicator_id: str) -> Indicator:
        return next(i for i in self.indicators if i.id == indicator_id)

    def indicators_of(self, dimension_id: str) -> tuple[Indicator, ...]:
        return tuple(i for i in self.indicators if i.dimension == dimension_id)


@dataclass(frozen=True)
class Option:
    value: str | float
    label: Translations
    media: Media | None = None


@dataclass(frozen=True)
class ShowIf:
    """One test on an earlier question: its answer is among `values` (test "in"), it was
    answered, or it compares to `values[0]` (more_than, at_least, less_than, at_most)."""

    question: str
    values: tuple[str | float, ...]
    test: str = "in"

    @property
    def simple(self) -> bool:
        """The original form of show_if (equals / in), which pages can also show and hide live."""
        return self.test == "in"


@dataclass(frozen=True)
class ShowIfGroup:
    """Tests combined: "all" (and), "any" (or) or "not" (a single part, negated)."""

    op: str
    parts: tuple[ShowIf | ShowIfGroup, ...]


Condition = ShowIf | ShowIfGroup


def condition_questions(condition: Condition) -> list[str]:
    """Ids of the questions a condition reads, in order of appearance."""
    if isinstance(condition, ShowIf):
        return [condition.question]
    return [qid for part in condition.parts for qid in condition_questions(part)]


@dataclass(frozen=True)
class Question:
    id: str
    section: str
    type: str
    label: Translations
    hint: Translations | None = None
    indicator: str | None = None
    reverse: bool = False
    required: bool = False
    dont_know: bool = False
    show_if: Condition | None = None
    options: tuple[Option, ...] = ()
    min: float | None = None
    max: float | None = None
    max_length: int = 1000
    # Extensions for forms coming from XLSForm (see docs/questionnaire-format.md, section 7).
    integer: bool = False
    step: float | None = None
    default: str | float | tuple[str, ...] | None = None
    required_message: Translations | None = None
    constraint_message: Translations | None = None
    media: Media | None = None

    @property
    def scored(self) -> bool:
        return self.type in SCORED_TYPES

    @property
    def answerable(self) -> bool:
        """False for a note: it shows a text and takes no answer."""
        return self.type != "note"

    def scale_range(self) -> tuple[float, float]:
        """Lowest and highest value of a scored question's scale."""
        if self.type == "scale":
            values = [float(o.value) for o in self.options]
            return min(values), max(values)
        return FIXED_RANGES[self.type]

    def choices(self) -> list[str]:
        """The raw values a form may post for this question (without "don't know")."""
        if self.type in OPTION_TYPES:
            return [format_value(o.value) for o in self.options]
        if self.type == "yes_no":
            return list(YES_NO_VALUES)
        if self.type in FIXED_RANGES:
            low, high = FIXED_RANGES[self.type]
            return [str(v) for v in range(low, high + 1)]
        return []

    def numeric(self, raw: str) -> float:
        """Stored numeric value of a raw answer to a scored or number question."""
        return float(YES_NO_VALUES[raw]) if self.type == "yes_no" else float(raw)

    def score(self, value: float) -> float:
        """Item score 0-100, linear on the declared range; reverse items are mirrored."""
        low, high = self.scale_range()
        score = (value - low) / (high - low) * 100
        return 100 - score if self.reverse else score

    def score_line(self) -> tuple[float, float]:
        """(slope, base) with `score(value) == base + slope * value`: the same rule, as SQL parameters."""
        low, high = self.scale_range()
        slope = 100.0 / (high - low)
        base = -low * slope
        return (-slope, 100.0 - base) if self.reverse else (slope, base)

    def matches(self, raw: RawAnswer, values: Sequence[str | float]) -> bool:
        """Does a raw answer to this question equal one of `values` (as used by show_if)?"""
        if raw is None or raw == DONT_KNOW or raw == "" or raw == []:
            return False
        wanted = {format_value(v) for v in values}
        given = raw if isinstance(raw, list) else [raw]
        return any(format_value(_as_number(g) if self._numeric_type else g) in wanted for g in given)

    def default_answer(self) -> RawAnswer:
        """The `default` as a raw answer: what the page shows before the respondent answers."""
        if self.default is None:
            return None
        if isinstance(self.default, tuple):
            return [format_value(v) for v in self.default]
        return format_value(self.default)

    def satisfies(self, raw: RawAnswer, test: ShowIf) -> bool:
        """Does a raw answer to this question pass one show_if test?"""
        if test.test == "in":
            return self.matches(raw, test.values)
        if raw is None or raw == DONT_KNOW or raw == "" or raw == [] or raw == [DONT_KNOW]:
            return False
        if test.test == "answered":
            return True
        number = _as_number(raw) if isinstance(raw, str) and self._numeric_type else None
        return isinstance(number, float) and COMPARISONS[test.test](number, float(test.values[0]))

    @property
    def _numeric_type(self) -> bool:
        return self.type in NUMERIC_TYPES


def _as_number(raw: str) -> float | str:
    try:
        return float(raw)
    except ValueError:
        return raw


def format_value(value: str | float | int) -> str:
    """Canonical text of an option value: 3.0 and 3 both read "3"."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(int(value)) if float(value).is_integer() else str(value)
    return str(value)


@dataclass(frozen=True)
class Section:
    id: str
    title: Translations
    questions: tuple[Question, ...]
    intro: Translations | None = None  # instructions shown above the questions (an instrument's own)


@dataclass(frozen=True)
class Questionnaire:
    id: str
    version: int
    stakeholder_group: str
    languages: tuple[str, ...]
    estimated_minutes: int
    title: Translations
    intro: Translations
    sections: tuple[Section, ...]
    content_hash: str
    source: str = field(repr=False, default="")
    # Declared published scoring per indicator (scoring.Scoring); others use the product's rule.
    scorings: tuple[Scoring, ...] = ()

    @cached_property  # read several times by every survey request
    def questions(self) -> tuple[Question, ...]:
        return tuple(q for s in self.sections for q in s.questions)

    @cached_property
    def _by_id(self) -> dict[str, Question]:
        return {q.id: q for q in self.questions}

    def question(self, question_id: str) -> Question:
        return self._by_id[question_id]

    def indicator_items(self, indicator: str) -> tuple[Question, ...]:
        """The scored questions that feed `indicator`, in order (what its scoring adds up)."""
        return tuple(q for q in self.questions if q.indicator == indicator and q.scored)

    def is_visible(self, question: Question, answers: Mapping[str, RawAnswer]) -> bool:
        """show_if evaluated on the server: hidden when the question it depends on does not match."""
        return question.show_if is None or self.holds(question.show_if, answers)

    def holds(self, condition: Condition, answers: Mapping[str, RawAnswer]) -> bool:
        """A test holds when its question is visible and its answer passes; groups combine tests."""
        if isinstance(condition, ShowIfGroup):
            results = (self.holds(part, answers) for part in condition.parts)
            if condition.op == "all":
                return all(results)
            return any(results) if condition.op == "any" else not next(results)
        parent = self.question(condition.question)
        return self.is_visible(parent, answers) and parent.satisfies(answers.get(parent.id), condition)
