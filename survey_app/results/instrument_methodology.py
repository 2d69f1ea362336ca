"""The methodology of validated instruments in plain words (FR/NL/EN): what each one is, where it
comes from and how its published score is computed, read from its declared scoring.

Used by the methodology page (every instrument offered) and by the report appendix
(the instruments of the campaign).
"""

from __future__ import annotations

from collections.abc import Sequence

from flask_babel import gettext as _

from survey_app.questionnaire.instruments import Instrument
from survey_app.questionnaire.model import format_value, translate
from survey_app.questionnaire.scoring import Scoring


def _number(value: float) -> str:
    return format_value(round(value, 2))


def _method(scoring: Scoring, items: int) -> str:
    low, high = _number(scoring.low), _number(scoring.high)
    if scoring.method == "sum_times":
        return _(
            "the sum of the %(n)d answers multiplied by %(factor)s, from %(low)s to %(high)s",
            n=items,
            factor=_number(scoring.factor),
            low=low,
            high=high,
        )
    if scoring.method == "table":
        return _(
            "the sum of the %(n)d answers converted with the authors' table, from %(low)s to %(high)s",
            n=items,
            low=low,
            high=high,
        )
    if scoring.method == "mean":
        return _("the mean of the answers, from %(low)s to %(high)s", low=low, high=high)
    if scoring.method == "sum" and items == 1:
        return _("the answer itself, from %(low)s to %(high)s", low=low, high=high)
    if scoring.method == "sum":
        return _("the sum of the %(n)d answers, from %(low)s to %(high)s", n=items, low=low, high=high)
    return _("the mean of the answers on a scale from 0 to 100")


def _missing(scoring: Scoring, items: int) -> str:
    fewest = scoring.missing.min_answered(items)
    if fewest >= items:
        return _("only people who answered every question count")
    if scoring.prorate:
        return _(
            "people who answered at least %(k)d of the %(n)d questions count, their sum scaled up to all %(n)d",
            k=fewest,
            n=items,
        )
    return _("people who answered at least %(k)d of the %(n)d questions count", k=fewest, n=items)


def describe(scoring: Scoring, items: int, language: str) -> str:
    """One scoring in a few sentences: method and range, missing answers, direction, bands."""
    text = _("Score: %(method)s; %(missing)s.", method=_method(scoring, items), missing=_missing(scoring, items))
    if not scoring.higher_is_better:
        text += " " + _("A higher score is less favourable, so the favourable share counts low scores.")
    if scoring.bands:
        labels = "; ".join(translate(b.label, language) for b in scoring.bands)
        text += " " + _("Bands: %(bands)s.", bands=labels)
    if scoring.net:
        names = {b.id: translate(b.label, language) for b in scoring.bands}
        text += " " + _(
            "Net score: the percentage of %(positive)s minus the percentage of %(negative)s.",
            positive=names[scoring.net[0]],
            negative=names[scoring.net[1]],
        )
    return text


def sections(instruments: Sequence[Instrument], language: str) -> list[tuple[str, str]]:
    """(heading, paragraph) pairs: the rules that apply to every instrument, then one per instrument."""
    if not instruments:
        return []
    pairs = [
        (
            _("Validated instruments"),
            _(
                "Some campaigns add a published scale, such as the WHO-5 well-being index. Its questions are "
                "asked in the words of the authors, only in the languages of an official translation, and "
                "scored exactly as the authors publish it. Each result shows this published score with its "
                "name and range, and the same score on 0 to 100 (100 the most favourable) for dimensions, "
                'comparisons and charts. Bands, such as "poor well-being", are screening information for a '
                "group, not diagnoses: they never say anything about one person."
            ),
        )
    ]
    for instrument in instruments:
        scores = []
        for scoring in instrument.scorings:
            items = sum(1 for q in instrument.questions if q.indicator == scoring.indicator)
            name = translate(scoring.name, language) if scoring.name else scoring.indicator
            scores.append(f"{name}. {describe(scoring, items, language)}")
        paragraph = " ".join([instrument.citation, *scores])
        pairs.append((instrument.name(language), paragraph))
    return pairs
