"""Pictures of easy mode's answers (SVG files in static/easy/): faces for agree/disagree and other
five- or three-point scales, filled dots for 0-10 and other numbered scales, a tick and a cross
for yes and no, a question mark for "don't know". Every picture comes with its text label and an
alt text; none tells its meaning by colour alone (the mouth, the number of filled dots, the shape).

A negatively worded question (`reverse`) gets dots rather than faces: a smile beside "I agree"
would read as "good" where agreeing means something bad ("I often feel alone").
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from survey_app.questionnaire.model import DONT_KNOW, Question

FACE_ALTS = (
    _l("very sad face"),
    _l("sad face"),
    _l("neutral face"),
    _l("smiling face"),
    _l("very happy face"),
)
MAX_DOTS = 10


@dataclass(frozen=True)
class Picture:
    file: str  # under static/
    alt: str


def _dots(filled: int, total: int) -> Picture:
    return Picture(
        f"easy/dots-{filled}-of-{total}.svg", str(_l("%(filled)d of %(total)d dots filled", filled=filled, total=total))
    )


def _face(index: int) -> Picture:
    return Picture(f"easy/face-{index + 1}.svg", str(FACE_ALTS[index]))


def _numeric(values: list[str]) -> list[float] | None:
    try:
        return [float(v) for v in values]
    except ValueError:
        return None


def pictures(question: Question, values: list[str]) -> dict[str, Picture]:
    """The picture of each answer value shown (values as posted); an empty dict: text only."""
    found: dict[str, Picture] = {}
    if DONT_KNOW in values:
        found[DONT_KNOW] = Picture("easy/dont-know.svg", str(_l("question mark")))
    answers = [v for v in values if v != DONT_KNOW]
    if question.type == "yes_no":
        found.update(yes=Picture("easy/yes.svg", str(_l("tick"))), no=Picture("easy/no.svg", str(_l("cross"))))
        return found
    numbers = _numeric(answers) if question.type in ("agree5", "scale0_10", "nps", "scale") else None
    if not numbers:
        return found
    low, high = min(numbers), max(numbers)
    ranked = sorted(numbers)
    faces = not question.reverse and len(answers) in (3, 5) and question.type in ("agree5", "scale")
    for value, number in zip(answers, numbers):
        rank = ranked.index(number)
        if faces:
            found[value] = _face(rank * (4 // (len(answers) - 1)))
        elif low == 0 and high == int(high) and 1 <= high <= MAX_DOTS and number == int(number):
            found[value] = _dots(int(number), int(high))
        elif len(answers) <= MAX_DOTS:
            found[value] = _dots(rank + 1, len(answers))
    return found
